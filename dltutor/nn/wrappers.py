"""Wrappers: layers that run another engine layer, as Keras 3's Bidirectional and TimeDistributed.

The wrapped layer is built from the config ``dltutor.modelspec`` gives the wrapper
(``config["inner"]`` its type, ``config["layer"]`` its config) and keeps its own forward and
backward pass; the wrapper only rearranges the data around it.

    Bidirectional(RNN)   a forward copy reads x_1 … x_T, a backward copy (its own weights) reads
                         x_T … x_1; with return_sequences the backward outputs are put back in
                         time order, so step t holds h⃗_t and h⃖_t. Merged (Keras's merge_mode):
                         concat [h⃗, h⃖] (last axis), sum h⃗ + h⃖, mul h⃗ ⊙ h⃖, ave (h⃗ + h⃖)/2.
                         Backward: the merge's ∂ to each copy (concat: its half; sum: dY;
                         ave: dY/2; mul: dY ⊙ h⃖ and dY ⊙ h⃗), then dX = dX⃗ + dX⃖ (reversed back).
                         Weights: forward_kernel, …, backward_kernel, … (Keras's order).
    TimeDistributed(L)   (N, T, …) → (N·T, …) → L → (N, T, …): the same weights at every step,
                         and their gradients summed over all steps; the weights keep L's names.
"""

from __future__ import annotations

import numpy as np

from dltutor.errors import InputError
from dltutor.modelspec.sequence_layers import MERGE_MODES
from dltutor.nn.base import LAYERS, Layer, register


def inner_layer(config: dict, input_shape, rng, dtype) -> Layer:
    """The wrapped engine layer of a wrapper's ``config``, for one sample of shape ``input_shape``."""
    kind = config["inner"]
    cls = LAYERS.get(kind)
    if cls is None:
        raise InputError(f"the engine cannot train {kind} layers, wrapped or not; it trains "
                         f"{', '.join(sorted(LAYERS))}")
    layer = cls(config["layer"], input_shape, rng, dtype)
    layer.label = kind
    return layer


@register
class Bidirectional(Layer):
    type = "Bidirectional"
    examples = ("Input(4, 3) -> Bidirectional(LSTM(3, return_sequences=True))",
                "Input(4, 3) -> Bidirectional(GRU(2), merge_mode=sum)",
                "Input(3, 2) -> Bidirectional(SimpleRNN(3, return_sequences=True), merge_mode=mul)",
                "Input(3, 2) -> Bidirectional(LSTM(2), merge_mode=ave)",
                "Input(3, 2) -> Bidirectional(GRU(2, reset_after=False, return_sequences=True), merge_mode=concat)")
    PREFIXES = ("forward_", "backward_")

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        self.merge = config.get("merge_mode", "concat")
        if self.merge not in MERGE_MODES:
            raise InputError(f"merge_mode must be one of {', '.join(MERGE_MODES)}, got {self.merge!r}")
        self.parts = [inner_layer(config, input_shape, rng, dtype) for _ in self.PREFIXES]
        self.sequences = bool(config["layer"].get("return_sequences"))
        for prefix, part in zip(self.PREFIXES, self.parts):
            for name, w in part.weights.items():
                self.weights[prefix + name] = w
            self.non_trainable |= {prefix + name for name in part.non_trainable}

    def _share(self) -> None:
        """The copies compute with the wrapper's arrays (which the optimizer and load change in place)."""
        for prefix, part in zip(self.PREFIXES, self.parts):
            for name in part.weights:
                part.weights[name] = self.weights[prefix + name]

    def _reverse(self, A):
        return np.ascontiguousarray(A[:, ::-1])

    def forward_linear(self, X, training):
        self._share()
        forward, backward = self.parts
        a = forward.forward(X, training)
        b = backward.forward(self._reverse(X), training)
        if self.sequences:
            b = self._reverse(b)
        if training:
            self.a, self.b = a, b
        if self.merge == "concat":
            return np.concatenate([a, b], axis=-1)
        if self.merge == "sum":
            return a + b
        if self.merge == "mul":
            return a * b
        return (a + b) / 2

    def backward_linear(self, dY):
        self._share()
        if self.merge == "concat":
            u = dY.shape[-1] // 2
            da, db = dY[..., :u], dY[..., u:]
        elif self.merge == "sum":
            da = db = dY
        elif self.merge == "mul":
            da, db = dY * self.b, dY * self.a
        else:
            da = db = dY / 2
        da, db = np.ascontiguousarray(da), np.ascontiguousarray(db)
        if self.sequences:
            db = self._reverse(db)
        forward, backward = self.parts
        for part in self.parts:
            part.need_input_grad = self.need_input_grad
        dXa = forward.backward(da)
        dXb = backward.backward(db)
        for prefix, part in zip(self.PREFIXES, self.parts):
            for name, g in part.grads.items():
                self.grads[prefix + name] = g
        if dXa is None:
            return None
        return dXa + dXb[:, ::-1]

    def __repr__(self):
        return f"Bidirectional({self.parts[0]!r}, merge_mode={self.merge})"


@register
class TimeDistributed(Layer):
    type = "TimeDistributed"
    examples = ("Input(4, 3) -> TimeDistributed(Dense(2, tanh))",
                "Input(3, 2, 4) -> TimeDistributed(Dense(3, softmax))",
                "Input(2, 5, 5, 1) -> TimeDistributed(Conv2D(2, 3, relu))",
                "Input(3, 4) -> TimeDistributed(BatchNormalization())",
                "Input(3, 2, 2) -> TimeDistributed(Dropout(0.5))")

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        self.inner = inner_layer(config, input_shape[1:], rng, dtype)
        # one set of weights: the wrapper's dicts are the inner layer's
        self.weights, self.grads, self.non_trainable = self.inner.weights, self.inner.grads, self.inner.non_trainable
        self.activation = self.inner.activation      # a softmax output fuses with cce through the wrapper

    def _fold(self, A):
        return A.reshape((-1,) + A.shape[2:])

    def _unfold(self, A, steps):
        return None if A is None else A.reshape((-1, steps) + A.shape[1:])

    def forward(self, X, training=False):
        self.inner.rng = self.rng
        Y = self._unfold(self.inner.forward(self._fold(X), training), X.shape[1])
        if training:
            self.A = Y
        return Y

    def backward(self, dA):
        self.inner.need_input_grad = self.need_input_grad
        return self._unfold(self.inner.backward(self._fold(dA)), dA.shape[1])

    def backward_linear(self, dZ):
        self.inner.need_input_grad = self.need_input_grad
        return self._unfold(self.inner.backward_linear(self._fold(dZ)), dZ.shape[1])

    def __repr__(self):
        return f"TimeDistributed({self.inner!r})"
