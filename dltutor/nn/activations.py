"""Activation functions and their derivatives, vectorized (CLI.md conventions).

Used by the engine's layers and by the calculator (``solve neuron``,
``solve activation``), so a student sees the same numbers in both. Each
activation carries its formula as text (sympy syntax) for the worked steps.

    leaky_relu slope 0.01;  step(z) = 1 if z >= 0 else 0;  sign(z) = +1 if z >= 0 else -1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

LEAKY_SLOPE = 0.01


def sigmoid(z):
    """1/(1+e^-z), computed without overflow for large |z|."""
    z = np.asarray(z)
    out = np.empty_like(z, dtype=np.result_type(z, np.float32))
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def softmax(z, axis: int = -1):
    """e^z_k / Σ_j e^z_j along ``axis`` (shifted by the max for stability)."""
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_jacobian(z) -> np.ndarray:
    """For one vector z: J[i, j] = ∂s_i/∂z_j = s_i (δ_ij − s_j)."""
    s = softmax(np.asarray(z, dtype=float))
    return np.diag(s) - np.outer(s, s)


@dataclass(frozen=True)
class Activation:
    """f and f' as vectorized functions; ``derivative(z, y)`` may use y = f(z) (cheaper)."""

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    formula: str            # sympy syntax in z
    derivative_formula: str


def _elementwise(*items: Activation) -> dict[str, Activation]:
    return {a.name: a for a in items}


ACTIVATIONS: dict[str, Activation] = _elementwise(
    Activation("linear", lambda z: np.asarray(z) * 1, lambda z, y: np.ones_like(z),
               "z", "1"),
    Activation("sigmoid", sigmoid, lambda z, y: y * (1 - y),
               "1/(1 + exp(-z))", "sigmoid(z)*(1 - sigmoid(z))"),
    Activation("tanh", np.tanh, lambda z, y: 1 - y * y,
               "tanh(z)", "1 - tanh(z)**2"),
    Activation("relu", lambda z: np.maximum(z, 0), lambda z, y: (np.asarray(z) > 0).astype(np.result_type(z, np.float32)),
               "max(0, z)", "1 if z > 0 else 0"),
    Activation("leaky_relu", lambda z: np.where(np.asarray(z) > 0, z, LEAKY_SLOPE * np.asarray(z)),
               lambda z, y: np.where(np.asarray(z) > 0, 1.0, LEAKY_SLOPE).astype(np.result_type(z, np.float32)),
               "max(0.01*z, z)", "1 if z > 0 else 0.01"),
    Activation("step", lambda z: (np.asarray(z) >= 0).astype(np.result_type(z, np.float32)),
               lambda z, y: np.zeros_like(z, dtype=np.result_type(z, np.float32)),
               "1 if z >= 0 else 0", "0 (undefined at z = 0)"),
    Activation("sign", lambda z: np.where(np.asarray(z) >= 0, 1.0, -1.0),
               lambda z, y: np.zeros_like(z, dtype=np.result_type(z, np.float32)),
               "1 if z >= 0 else -1", "0 (undefined at z = 0)"),
    # softmax mixes its inputs: ``derivative`` is only the Jacobian's diagonal s(1 − s).
    # Use ``softmax_jacobian`` (one vector) or ``backward`` (batches), which handle it exactly.
    Activation("softmax", softmax, lambda z, y: y * (1 - y),
               "exp(z_k)/sum(exp(z_j))", "s_i*(delta_ij - s_j)"),
)


def get(name: str) -> Activation:
    """The activation called ``name`` (KeyError lists the known names)."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise KeyError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}") from None


def backward(name: str, z: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """∂L/∂z from ∂L/∂y. Elementwise f'(z)·dy, except softmax, whose Jacobian mixes
    the last axis: dz = y ⊙ (dy − Σ_j dy_j y_j)."""
    if name == "softmax":
        return y * (dy - (dy * y).sum(axis=-1, keepdims=True))
    return dy * get(name).derivative(z, y)
