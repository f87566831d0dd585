"""Dense (fully connected) and Embedding layers.

Dense, Keras layout (kernel W has one row per input, one column per unit):

    forward   Z = X·W + b                      X (N, n_in), W (n_in, units), b (units,)
    backward  dW = Xᵀ·dZ,  db = Σ_n dZ,  dX = dZ·Wᵀ

Inputs with more axes, (N, T, n_in), use the last axis, as Keras does.
"""

from __future__ import annotations

import numpy as np

from dltutor.errors import InputError
from dltutor.nn import initializers
from dltutor.nn.base import Layer, register


@register
class Dense(Layer):
    type = "Dense"
    examples = ("Input(5) -> Dense(4, tanh)", "Input(3) -> Dense(6, softmax)",
                "Input(4, 3) -> Dense(2, relu, use_bias=False)", "Input(4) -> Dense(3, sigmoid)")
    has_activation = True

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        n_in, units = input_shape[-1], config["units"]
        self.weights["kernel"] = initializers.glorot_uniform((n_in, units), rng, dtype)
        if config.get("use_bias", True):
            self.weights["bias"] = initializers.zeros((units,), dtype=dtype)

    def forward_linear(self, X, training):
        W = self.weights["kernel"]
        X2 = X.reshape(-1, W.shape[0])
        Z = X2 @ W
        if "bias" in self.weights:
            Z += self.weights["bias"]
        if training:
            self.X = X2
        return Z.reshape(X.shape[:-1] + (W.shape[1],))

    def backward_linear(self, dZ):
        W = self.weights["kernel"]
        dZ2 = dZ.reshape(-1, W.shape[1])
        self._set_grad("kernel", self.X.T @ dZ2)          # dW
        if "bias" in self.weights:
            self._set_grad("bias", dZ2.sum(axis=0))       # db
        if not self.need_input_grad:
            return None
        dX = dZ2 @ W.T
        return dX.reshape(dZ.shape[:-1] + (W.shape[0],))


@register
class Embedding(Layer):
    """A lookup table: word index i → row i of E (vocab, dim).

        forward   Y[n, t] = E[X[n, t]]
        backward  dE[i] = Σ over positions holding i of dY; no gradient for the indices
    """

    type = "Embedding"
    examples = ("Input(5) -> Embedding(7, 3)",)

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        vocab, dim = config["input_dim"], config["output_dim"]
        # Keras draws embeddings from U(-0.05, 0.05)
        self.weights["embeddings"] = rng.uniform(-0.05, 0.05, size=(vocab, dim)).astype(dtype)

    def forward_linear(self, X, training):
        E = self.weights["embeddings"]
        idx = np.asarray(X).astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= E.shape[0]):
            raise InputError(f"Embedding: indices must be whole numbers from 0 to {E.shape[0] - 1}, "
                             f"got {idx.min()}..{idx.max()}")
        if training:
            self.idx = idx
        return E[idx]

    def backward_linear(self, dY):
        dE = np.zeros_like(self.weights["embeddings"])
        np.add.at(dE, self.idx.reshape(-1), dY.reshape(-1, dE.shape[1]))
        self._set_grad("embeddings", dE)
        return None   # indices have no gradient
