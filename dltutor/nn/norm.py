"""Batch normalization over the last (channel) axis, Keras defaults (momentum 0.99, ε = 0.001),
and layer normalization (each sample over its own features, below).

Training (statistics of the batch, over every axis but the channels; M values per channel):

    μ = mean(X),  σ² = mean((X − μ)²),  X̂ = (X − μ)/√(σ² + ε),  Y = γ·X̂ + β
    moving_mean ← m·moving_mean + (1 − m)·μ      (the same for moving_variance with σ²)

    dγ = Σ dY·X̂,   dβ = Σ dY,   dX̂ = dY·γ
    dX = (M·dX̂ − Σ dX̂ − X̂·Σ(dX̂·X̂)) / (M·√(σ² + ε))

Inference uses the moving mean and variance instead of the batch's.
"""

from __future__ import annotations

import numpy as np

from dltutor.nn import initializers
from dltutor.nn.base import Layer, register


@register
class BatchNormalization(Layer):
    type = "BatchNormalization"
    examples = ("Input(5) -> BatchNormalization", "Input(3, 3, 2) -> BatchNormalization")

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        c = input_shape[-1]
        self.weights["gamma"] = initializers.ones((c,), dtype=dtype)
        self.weights["beta"] = initializers.zeros((c,), dtype=dtype)
        self.weights["moving_mean"] = initializers.zeros((c,), dtype=dtype)
        self.weights["moving_variance"] = initializers.ones((c,), dtype=dtype)
        self.non_trainable = {"moving_mean", "moving_variance"}
        self.momentum = float(config.get("momentum", 0.99))
        self.epsilon = float(config.get("epsilon", 0.001))

    def forward_linear(self, X, training):
        w = self.weights
        axes = tuple(range(X.ndim - 1))
        if training:
            mu = X.mean(axis=axes)
            var = X.var(axis=axes)
            m = self.momentum
            w["moving_mean"] *= m
            w["moving_mean"] += (1 - m) * mu
            w["moving_variance"] *= m
            w["moving_variance"] += (1 - m) * var
        else:
            mu, var = w["moving_mean"], w["moving_variance"]
        inv_std = (1.0 / np.sqrt(var + self.epsilon)).astype(X.dtype)
        Xhat = (X - mu) * inv_std
        if training:
            self.Xhat, self.inv_std = Xhat, inv_std
        return Xhat * w["gamma"] + w["beta"]

    def backward_linear(self, dY):
        axes = tuple(range(dY.ndim - 1))
        M = dY.size // dY.shape[-1]
        self._set_grad("gamma", (dY * self.Xhat).sum(axis=axes))       # dγ
        self._set_grad("beta", dY.sum(axis=axes))                      # dβ
        dXhat = dY * self.weights["gamma"]
        return (M * dXhat - dXhat.sum(axis=axes) - self.Xhat * (dXhat * self.Xhat).sum(axis=axes)) \
            * (self.inv_std / M)                                           # dX


@register
class LayerNormalization(Layer):
    """Layer normalization (Ba, Kiros and Hinton 2016), Keras 3's layer: the statistics of each
    sample over the axes ``axis`` (the last by default; M values per group), ε = 0.001.

        μ = mean(X),  σ² = mean((X − μ)²),  X̂ = (X − μ)/√(σ² + ε),  Y = γ·X̂ + β
        dγ = Σ dY·X̂,   dβ = Σ dY          (sums over the batch and the other axes)
        dX̂ = dY·γ,     dX = (dX̂ − mean(dX̂) − X̂·mean(dX̂·X̂)) / √(σ² + ε)

    The same in training and inference (no moving statistics). γ and β have the sizes of the
    normalized axes, in Keras's order (``dltutor.modelspec.sequence_layers.layer_norm_axes``);
    ``scale=False`` leaves γ out (1), ``center=False`` leaves β out (0)."""

    type = "LayerNormalization"
    examples = ("Input(5) -> LayerNormalization", "Input(3, 4) -> LayerNormalization(epsilon=0.01)",
                "Input(2, 3, 2) -> LayerNormalization(axis=(1, 3))",
                "Input(4, 3) -> LayerNormalization(axis=1, center=False)",
                "Input(3, 2, 4) -> LayerNormalization(axis=(-1, 1), scale=False)")

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        from dltutor.modelspec.sequence_layers import layer_norm_axes

        rank = len(input_shape) + 1
        self.axes, weight_axes = layer_norm_axes(config.get("axis", -1), rank, self.type)
        sizes = tuple(input_shape[a - 1] for a in weight_axes)
        # γ and β laid over the normalized axes in order, size 1 along the others
        self.broadcast = (1,) + tuple(d if a in self.axes else 1 for a, d in enumerate(input_shape, start=1))
        self.others = tuple(a for a in range(rank) if a not in self.axes)
        if config.get("scale", True):
            self.weights["gamma"] = initializers.ones(sizes, dtype=dtype)
        if config.get("center", True):
            self.weights["beta"] = initializers.zeros(sizes, dtype=dtype)
        self.epsilon = float(config.get("epsilon", 0.001))

    def forward_linear(self, X, training):
        mu = X.mean(axis=self.axes, keepdims=True)
        var = X.var(axis=self.axes, keepdims=True)
        inv_std = (1.0 / np.sqrt(var + self.epsilon)).astype(X.dtype)
        Xhat = (X - mu) * inv_std
        if training:
            self.Xhat, self.inv_std = Xhat, inv_std
        Y = Xhat
        if "gamma" in self.weights:
            Y = Y * self.weights["gamma"].reshape(self.broadcast)
        if "beta" in self.weights:
            Y = Y + self.weights["beta"].reshape(self.broadcast)
        return Y

    def backward_linear(self, dY):
        dXhat = dY
        if "gamma" in self.weights:
            gamma = self.weights["gamma"]
            self._set_grad("gamma", (dY * self.Xhat).sum(axis=self.others).reshape(gamma.shape))   # dγ
            dXhat = dY * gamma.reshape(self.broadcast)
        if "beta" in self.weights:
            self._set_grad("beta", dY.sum(axis=self.others).reshape(self.weights["beta"].shape))    # dβ
        Xhat = self.Xhat
        return (dXhat - dXhat.mean(axis=self.axes, keepdims=True)
                - Xhat * (dXhat * Xhat).mean(axis=self.axes, keepdims=True)) * self.inv_std            # dX
