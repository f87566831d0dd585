"""A Sequential model built from the model-spec grammar, trained with explicit backprop.

    model = build("Input(2) -> Dense(16, tanh) -> Dense(1, sigmoid)", seed=0)
    model.compile(loss="auto", optimizer="adam", lr=0.01)
    history = model.fit(X, y, epochs=100, batch_size=32)

One batch step:  P = f_L(...f_1(X));  dP = ∂L/∂P;  dX_l = layer_l.backward(dX_{l+1}) from
the last layer down;  optimizer.update(weights, grads). A softmax output with cce (or a
sigmoid output with bce) is fused: dZ = (P − Y)/N goes straight into the last layer's
linear part, which is both faster and the formula the lessons derive.

The layers, their shapes and weights come from ``dltutor.modelspec.resolve`` (the same
parser and layer table as ``dltutor solve params``), so the counts always agree.
"""

from __future__ import annotations

import numpy as np

from dltutor import modelspec
from dltutor.errors import InputError
from dltutor.nn import losses, optimizers, weights_io
from dltutor.nn.base import LAYERS
from dltutor.nn.training import (MAX_BATCH_VALUES, Trainer, accuracy, labels_to_targets, prepare_inputs,
                                 values_per_sample, work_per_sample)


# layers after the output activation that keep what it made (probabilities stay probabilities)
PASS_THROUGH = ("Dropout", "Flatten", "Reshape", "Cropping1D", "Cropping2D", "UpSampling1D", "UpSampling2D")


class Sequential:
    """Layers in order; ``input_shape``/``output_shape`` leave out the batch axis."""

    def __init__(self, spec: str, layers: list, input_shape: tuple, output_shape: tuple, seed: int = 0,
                 dtype=np.float32):
        self.spec = spec
        self.layers = layers
        self.input_shape = tuple(input_shape)
        self.output_shape = tuple(output_shape)
        self.seed = seed
        self.dtype = np.dtype(dtype)
        self.loss: losses.Loss | None = None
        self.optimizer: optimizers.Optimizer | None = None
        self.stopped = False
        self.values_per_sample = 0     # working values one sample needs (set by build)
        self.work_per_sample = 0       # forward multiply-adds of one sample (set by build)
        self.rng = np.random.default_rng([seed, 1])   # shuffling, separate from the initial weights
        if layers:
            layers[0].need_input_grad = False          # nobody needs ∂L/∂X of the data

    # ---------------------------------------------------------------- passes
    def forward(self, X, training: bool = False):
        for layer in self.layers:
            X = layer.forward(X, training)
        return X

    def backward(self, dP, fused: bool = False):
        """Backpropagate ∂L/∂P (or, ``fused``, ∂L/∂Z of the last layer) through every layer."""
        last = self.layers[-1]
        d = last.backward_linear(dP) if fused else last.backward(dP)
        for layer in reversed(self.layers[:-1]):
            d = layer.backward(d)
        return d

    # ---------------------------------------------------------------- setup
    def output_activation(self) -> str:
        for layer in reversed(self.layers):
            if layer.type in PASS_THROUGH:
                continue
            return layer.activation
        return "linear"

    def compile(self, loss: str = "auto", optimizer="adam", lr: float | None = None, **hyper):
        """Choose the loss ('auto', 'mse', 'mae', 'bce', 'cce') and the optimizer (name or object)."""
        if loss == "auto":
            act = self.output_activation()
            units = self.output_shape[-1] if self.output_shape else 1
            loss = "cce" if act == "softmax" else "bce" if (act == "sigmoid" and units == 1) else "mse"
        if loss not in losses.LOSSES:
            raise InputError(f"unknown loss {loss!r}; choose from auto, {', '.join(losses.LOSSES)}")
        self.loss = losses.LOSSES[loss]
        if isinstance(optimizer, optimizers.Optimizer):
            self.optimizer = optimizer
        elif optimizer in optimizers.OPTIMIZERS:
            self.optimizer = optimizers.make(optimizer, lr, **hyper)
        else:
            raise InputError(f"unknown optimizer {optimizer!r}; choose from {', '.join(optimizers.OPTIMIZERS)}")
        return self

    def fused(self) -> bool:
        """True when the last layer's activation and the loss combine into dZ = (P − Y)/N."""
        act = self.layers[-1].activation if self.layers else "linear"
        return (act, self.loss.name) in (("softmax", "cce"), ("sigmoid", "bce"))

    def trainable(self) -> list[tuple[object, str]]:
        """(layer, weight name) of every trainable array, in a fixed order."""
        return [(layer, name) for layer in self.layers for name in layer.trainable_names()]

    # ---------------------------------------------------------------- API
    def fit(self, X, y, epochs: int = 1, batch_size: int = 32, verbose: bool = False, *,
            validation_data=None, shuffle: bool = True, callback=None, on_batch=None, stop=None):
        """Train; returns one dict per epoch: epoch, loss, accuracy, val_loss, val_accuracy, seconds.

        ``callback(record)`` runs after each epoch, ``on_batch(epoch, batch, batches, loss)`` after
        each batch; ``stop`` (a threading.Event or a function returning True) ends training cleanly
        after the current batch, keeping what was learned (``model.stopped`` tells)."""
        if self.optimizer is None:
            self.compile()
        trainer = Trainer(self, batch_size, shuffle, callback, on_batch, stop, verbose)
        return trainer.run(X, y, epochs, validation_data)

    def evaluate(self, X, y, batch_size: int = 1024) -> dict:
        """{"loss": mean loss, "accuracy": fraction right} over (X, y), in inference mode."""
        if self.loss is None:
            self.compile()
        X = prepare_inputs(self, X)
        Y, labels = labels_to_targets(self, y, len(X))
        P = self.predict(X, batch_size)
        return {"loss": float(np.mean(self.loss.value(Y, P))), "accuracy": accuracy(P, labels)}

    def predict(self, X, batch_size: int = 1024):
        X = prepare_inputs(self, X)
        batch_size = max(1, min(batch_size, MAX_BATCH_VALUES // max(self.values_per_sample, 1)))
        outs = [self.forward(X[i:i + batch_size]) for i in range(0, len(X), batch_size)]
        return np.concatenate(outs) if outs else np.zeros((0,) + self.output_shape, dtype=self.dtype)

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def save(self, path) -> None:
        weights_io.save(self, path)

    def load(self, path) -> None:
        weights_io.load(self, path)

    def summary(self) -> list[dict]:
        return [{"layer": repr(layer), "params": layer.count_params()} for layer in self.layers]

    def __repr__(self):
        inner = "\n".join(f"  {layer!r}" for layer in self.layers)
        return f"Sequential(input={self.input_shape}, params={self.count_params()}\n{inner}\n)"


# ``solve params`` counts models of any size by arithmetic; the engine allocates them.
# Dense(100000) -> Dense(100000) is 10^10 weights (40 GB): refuse before allocating.
MAX_TRAIN_PARAMS = 10_000_000


def build(spec: str, seed: int = 0, dtype=np.float32) -> Sequential:
    """The model of a model spec, with Keras's initial weights drawn from ``seed``."""
    resolved = modelspec.resolve(spec)
    if resolved.total > MAX_TRAIN_PARAMS:
        raise InputError(f"the model has {resolved.total:,} parameters; the engine trains at most "
                         f"{MAX_TRAIN_PARAMS:,} ('dltutor solve params' counts models of any size)")
    layers = []
    for i, info in enumerate(resolved.layers, start=1):
        cls = LAYERS.get(info.type)
        if cls is None:
            raise InputError(f"layer {info.label!r}: the engine cannot train {info.type} layers; "
                             f"it trains {', '.join(sorted(LAYERS))}")
        try:
            layer = cls(info.config, info.input_shape, np.random.default_rng([seed, 0, i]), dtype)
        except InputError as exc:           # a setting the engine does not train (an activation, an interpolation): name the layer
            raise InputError(f"layer {info.label!r}: {exc}") from None
        layer.label = info.label
        made = [(n, tuple(w.shape)) for n, w in layer.weights.items()]
        expected = [(w.name, tuple(w.shape)) for w in info.weights]
        if made != expected:   # one layer table: the engine must create what `solve params` counts
            raise RuntimeError(f"{info.label}: the engine made weights {made}, the spec says {expected}")
        layers.append(layer)
    model = Sequential(resolved.text, layers, resolved.input_shape, resolved.output_shape, seed, dtype)
    model.values_per_sample = sum(values_per_sample(info) for info in resolved.layers)
    model.work_per_sample = sum(work_per_sample(info) for info in resolved.layers)
    return model


def _register_layers() -> None:
    """Import every module of ``dltutor.nn`` once, so each ``@register`` layer class is in ``LAYERS``.

    A new engine layer is a class marked ``@register`` in any module of the package:
    no list to keep in step."""
    import importlib
    import pkgutil
    from pathlib import Path

    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        importlib.import_module(f"{__package__}.{info.name}")


_register_layers()
