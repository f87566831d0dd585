"""Layers that act on each value separately: Activation, ReLU, LeakyReLU and Dropout.

    Activation  A = f(X);                 dX = f'(X) ⊙ dA   (softmax: its Jacobian, last axis)
    Dropout     A = X ⊙ M / (1 − rate);   dX = dA ⊙ M / (1 − rate)
                M ~ Bernoulli(1 − rate), drawn anew for every training batch;
                at inference the layer is the identity ("inverted" dropout, as Keras).
"""

from __future__ import annotations

import numpy as np

from dltutor.nn.base import Layer, register


@register
class Activation(Layer):
    type = "Activation"
    examples = ("Input(4) -> Activation(tanh)", "Input(3, 2) -> Activation(sigmoid)",
                "Input(5) -> Activation(softmax)", "Input(5) -> Activation(leaky_relu)")
    has_activation = True

    def forward_linear(self, X, training):
        return X

    def backward_linear(self, dZ):
        return dZ


@register
class Dropout(Layer):
    type = "Dropout"
    examples = ("Input(6) -> Dropout(0.5)", "Input(3, 3, 2) -> Dropout(0.25)")

    def forward_linear(self, X, training):
        rate = float(self.config.get("rate", 0.5))
        if not training or rate == 0:
            self.mask = None
            return X
        keep = 1.0 - rate
        self.mask = (self.rng.random(X.shape) < keep).astype(X.dtype) / X.dtype.type(keep)
        return X * self.mask

    def backward_linear(self, dA):
        return dA if self.mask is None else dA * self.mask

    def __repr__(self):
        return f"Dropout(rate={self.config.get('rate', 0.5)})"


@register
class ReLU(Layer):
    """A = max(X, 0);  dX = dA ⊙ [X > 0]."""

    type = "ReLU"
    examples = ("Input(5) -> ReLU",)

    def forward_linear(self, X, training):
        if training:
            self.X = X
        return np.maximum(X, 0)

    def backward_linear(self, dA):
        return dA * (self.X > 0)


@register
class LeakyReLU(Layer):
    """A = X if X > 0 else α·X;  dX = dA ⊙ (1 if X > 0 else α)  (Keras's default α = 0.3)."""

    type = "LeakyReLU"
    examples = ("Input(5) -> LeakyReLU", "Input(2, 3) -> LeakyReLU(0.2)")

    def forward_linear(self, X, training):
        if training:
            self.X = X
        slope = X.dtype.type(self.config.get("negative_slope", 0.3))
        return np.where(X > 0, X, slope * X)

    def backward_linear(self, dA):
        slope = dA.dtype.type(self.config.get("negative_slope", 0.3))
        return dA * np.where(self.X > 0, 1, slope).astype(dA.dtype)

    def __repr__(self):
        return f"LeakyReLU({self.config.get('negative_slope', 0.3)})"
