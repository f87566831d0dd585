"""Batch normalization over the last (channel) axis, Keras defaults (momentum 0.99, ε = 0.001).

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
