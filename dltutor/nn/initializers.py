"""Weight initialisers, as Keras's defaults, drawn from the layer's seeded generator.

    glorot_uniform  W ~ U(−l, l),  l = √(6/(fan_in + fan_out))     kernels (Keras default)
    he_uniform      W ~ U(−l, l),  l = √(6/fan_in)                  (ReLU layers, if asked)
    orthogonal      W = Q of the QR decomposition of a normal matrix  recurrent kernels
    zeros / ones    biases, β, moving mean / γ, moving variance

For a conv kernel of shape (k_h, k_w, C_in, F): fan_in = k_h·k_w·C_in and
fan_out = k_h·k_w·F (receptive field times channels), as Keras computes them.
"""

from __future__ import annotations

import math

import numpy as np


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def glorot_uniform(shape, rng, dtype=np.float32):
    fan_in, fan_out = fans(tuple(shape))
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def he_uniform(shape, rng, dtype=np.float32):
    fan_in, _ = fans(tuple(shape))
    limit = math.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def orthogonal(shape, rng, dtype=np.float32):
    """A matrix with orthonormal columns (or rows): keeps the norm of h through time steps."""
    rows, cols = shape[0], math.prod(shape[1:])
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))          # a unique, uniformly distributed Q
    if rows < cols:
        q = q.T
    return np.ascontiguousarray(q.reshape(shape), dtype=dtype)


def zeros(shape, rng=None, dtype=np.float32):
    return np.zeros(shape, dtype=dtype)


def ones(shape, rng=None, dtype=np.float32):
    return np.ones(shape, dtype=dtype)


INITIALIZERS = {"glorot_uniform": glorot_uniform, "he_uniform": he_uniform,
                "orthogonal": orthogonal, "zeros": zeros, "ones": ones}
