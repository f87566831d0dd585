"""Loss functions with their gradients, Keras conventions (CLI.md):

    mse  = mean_k (y_k − p_k)²           mae = mean_k |y_k − p_k|
    bce  = −mean_k [y_k log p_k + (1 − y_k) log(1 − p_k)]
    cce  = −Σ_k y_k log p_k              (natural log, one sample)

Each loss is per sample (over the last axis); a batch's loss is the mean over
samples, and ``grad`` is the gradient of that batch mean with respect to p.
Probabilities are clipped to [1e-7, 1 − 1e-7] before a log, as Keras does, so a
confident wrong answer costs about 16.1 instead of infinity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

EPSILON = 1e-7


def _clip(p):
    return np.clip(p, EPSILON, 1 - EPSILON)


def _count(p) -> int:
    """Number of samples in a batch (1 for a single vector)."""
    p = np.asarray(p)
    return int(np.prod(p.shape[:-1])) if p.ndim > 1 else 1


def mse(y, p):
    return np.mean((np.asarray(y) - np.asarray(p)) ** 2, axis=-1)


def mse_grad(y, p):
    p = np.asarray(p)
    return 2 * (p - y) / (p.shape[-1] * _count(p))


def mae(y, p):
    return np.mean(np.abs(np.asarray(y) - np.asarray(p)), axis=-1)


def mae_grad(y, p):
    p = np.asarray(p)
    return np.sign(p - y) / (p.shape[-1] * _count(p))


def bce(y, p):
    y, q = np.asarray(y), _clip(np.asarray(p))
    return -np.mean(y * np.log(q) + (1 - y) * np.log(1 - q), axis=-1)


def bce_grad(y, p):
    y, q = np.asarray(y), _clip(np.asarray(p))
    return (q - y) / (q * (1 - q)) / (q.shape[-1] * _count(q))


def cce(y, p):
    y, q = np.asarray(y), _clip(np.asarray(p))
    return -np.sum(y * np.log(q), axis=-1)


def cce_grad(y, p):
    y, q = np.asarray(y), _clip(np.asarray(p))
    return -y / q / _count(q)


@dataclass(frozen=True)
class Loss:
    name: str
    value: Callable          # per-sample loss, shape p.shape[:-1]
    grad: Callable           # ∂(mean over samples)/∂p
    formula: str             # sympy-like text for the worked steps


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", mse, mse_grad, "L = (1/n)*Sum((y_k - p_k)**2)"),
    "mae": Loss("mae", mae, mae_grad, "L = (1/n)*Sum(Abs(y_k - p_k))"),
    "bce": Loss("bce", bce, bce_grad, "L = -(1/n)*Sum(y_k*log(p_k) + (1 - y_k)*log(1 - p_k))"),
    "cce": Loss("cce", cce, cce_grad, "L = -Sum(y_k*log(p_k))"),
}


def get(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise KeyError(f"unknown loss {name!r}; known: {', '.join(LOSSES)}") from None


def softmax_cce_grad(y, s):
    """Fused softmax + cross-entropy: ∂(mean cce)/∂z = (s − y)/N, where s = softmax(z)."""
    s = np.asarray(s)
    return (s - y) / _count(s)


def sigmoid_bce_grad(y, s):
    """Fused sigmoid + binary cross-entropy: ∂(mean bce)/∂z = (s − y)/(K·N)."""
    s = np.asarray(s)
    return (s - y) / (s.shape[-1] * _count(s))
