"""Layers that only rearrange values: Flatten and Reshape (no weights).

    forward   Y = X.reshape(N, *target)
    backward  dX = dY.reshape(N, *input_shape)
"""

from __future__ import annotations

from dltutor.nn.base import Layer, register


class _Reshaping(Layer):
    """Subclasses define ``target()``: the shape of one output sample."""

    def forward_linear(self, X, training):
        return X.reshape((X.shape[0],) + self.target())

    def backward_linear(self, dY):
        return dY.reshape((dY.shape[0],) + self.input_shape)


@register
class Flatten(_Reshaping):
    type = "Flatten"
    examples = ("Input(3, 4, 2) -> Flatten",)

    def target(self):
        size = 1
        for d in self.input_shape:
            size *= d
        return (size,)


@register
class Reshape(_Reshaping):
    type = "Reshape"
    examples = ("Input(12) -> Reshape(2, 3, 2)",)

    def target(self):
        return tuple(self.config["target_shape"])
