"""The layer protocol of the engine and the registry of layer types.

Every layer reads the same way (as in micrograd): ``forward(X, training)``
computes the output and caches what the backward pass needs; ``backward(dY)``
takes ∂L/∂Y (same shape as the output), stores the weight gradients in
``self.grads`` (``dW``, ``db`` ... under the weight's name) and returns ∂L/∂X.

A layer with an ``activation`` argument computes Z (the linear part) and then
A = f(Z); ``backward`` first turns dA into dZ, then runs ``backward_linear(dZ)``.
The model calls ``backward_linear`` directly when a softmax/sigmoid output is
fused with its cross-entropy loss (dZ = (p − y)/N, no Jacobian needed).
"""

from __future__ import annotations

import numpy as np

from dltutor.errors import InputError
from dltutor.nn import activations

# type name (Keras class name, as modelspec.resolve gives it) -> layer class
LAYERS: dict[str, type["Layer"]] = {}


def register(cls):
    """Class decorator: make ``cls`` the engine's implementation of ``cls.type``."""
    LAYERS[cls.type] = cls
    return cls


def fast_sigmoid(z):
    """σ(z) = ½(1 + tanh(z/2)): one ufunc call, no overflow, keeps the dtype."""
    out = np.multiply(z, 0.5)
    np.tanh(out, out=out)
    out += 1
    out *= 0.5
    return out


def apply_activation(name: str, z):
    """f(z) for the layer activations, with fast paths for the common ones."""
    if name == "linear":
        return z
    if name == "relu":
        return np.maximum(z, 0)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return fast_sigmoid(z)
    return activations.get(name).forward(z).astype(z.dtype, copy=False)


def activation_backward(name: str, z, a, da):
    """dZ from dA for activation ``name`` (softmax uses its Jacobian along the last axis)."""
    if name == "linear":
        return da
    if name == "relu":
        return da * (z > 0)
    if name == "tanh":
        return da * (1 - a * a)
    if name == "sigmoid":
        return da * a * (1 - a)
    return activations.backward(name, z, a, da).astype(z.dtype, copy=False)


SUPPORTED_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu")


class Layer:
    """Base class. Subclasses set ``type`` and ``examples`` (specs that the gradient
    check and the tests build), create ``self.weights`` in ``__init__`` (names and
    shapes as Keras creates them) and implement ``forward_linear``/``backward_linear``."""

    type = "Layer"
    examples: tuple[str, ...] = ()
    has_activation = False

    def __init__(self, config: dict, input_shape: tuple[int, ...], rng: np.random.Generator, dtype=np.float32):
        self.config = dict(config)
        self.input_shape = tuple(input_shape)
        self.dtype = np.dtype(dtype)
        self.rng = rng
        self.weights: dict[str, np.ndarray] = {}   # in Keras's order
        self.non_trainable: set[str] = set()
        self.grads: dict[str, np.ndarray] = {}
        self.need_input_grad = True                # the first layer may skip dX
        self.activation = config.get("activation", "linear") if self.has_activation else "linear"
        if self.activation not in SUPPORTED_ACTIVATIONS:
            raise InputError(f"the engine does not train with activation {self.activation!r} "
                             f"(it supports {', '.join(SUPPORTED_ACTIVATIONS)})")
        self.Z = self.A = None

    # -- the protocol -------------------------------------------------------
    def forward(self, X, training: bool = False):
        Z = self.forward_linear(X, training)
        A = apply_activation(self.activation, Z)
        if training:
            self.Z, self.A = Z, A
        return A

    def backward(self, dA):
        dZ = activation_backward(self.activation, self.Z, self.A, dA)
        return self.backward_linear(dZ)

    def forward_linear(self, X, training: bool):
        """Z from X; every concrete layer defines it (or overrides ``forward``)."""
        raise TypeError(f"{type(self).__name__} defines no forward pass")

    def backward_linear(self, dZ):
        """dX from dZ, storing the weight gradients; every concrete layer defines it."""
        raise TypeError(f"{type(self).__name__} defines no backward pass")

    # -- weights --------------------------------------------------------------
    def trainable_names(self) -> list[str]:
        return [n for n in self.weights if n not in self.non_trainable]

    def count_params(self) -> int:
        return int(sum(w.size for w in self.weights.values()))

    def _set_grad(self, name: str, value) -> None:
        self.grads[name] = value.astype(self.dtype, copy=False)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{n}{tuple(w.shape)}" for n, w in self.weights.items())
        act = f", {self.activation}" if self.activation != "linear" else ""
        return f"{self.type}(in={self.input_shape}{act}{'; ' + shapes if shapes else ''})"
