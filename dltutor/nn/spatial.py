"""Layers that change the spatial size without weights, channels last, as Keras 3 computes them.

    ZeroPadding2D  Y = X with t, b zero rows above and below and l, r zero columns left and right
                   dX = dY without the padding (the zeros depend on nothing)
    Cropping2D     Y = X[t : H − b, l : W − r]
                   dX = dY put back in place, zeros where the cropped cells were
    UpSampling2D   nearest:  Y[i, j] = X[⌊i/s_h⌋, ⌊j/s_w⌋]       (each value repeated s_h × s_w times)
                             dX[i, j] = Σ of dY over the s_h × s_w block it was copied to
                   bilinear: Y = A_h X A_wᵀ along height and width, A a linear interpolation matrix
                             (half-pixel centres, as Keras's image resize and PyTorch's
                             interpolate(align_corners=False)); dX = A_hᵀ dY A_w
    *1D variants   the same along the steps axis of (N, L, C)

The padding and cropping amounts come from the model spec as ((before, after), ...) per axis
(dltutor.modelspec.reshaping normalizes Keras's n, (a, b) and ((t, b), (l, r)) forms).
"""

from __future__ import annotations

import numpy as np

from dltutor.errors import InputError
from dltutor.nn.base import Layer, register


class _Sides(Layer):
    """ZeroPadding and Cropping: ``self.sides`` ((before, after), ...) per spatial axis."""

    key = "padding"

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        self.sides = tuple(tuple(int(n) for n in pair) for pair in config[self.key])

    def _inner(self, sizes):
        """Slices of the smaller array (the input of padding, the output of cropping) inside the larger."""
        return (slice(None),) + tuple(slice(a, n - b) for (a, b), n in zip(self.sides, sizes)) + (slice(None),)


class _ZeroPadding(_Sides):
    def forward_linear(self, X, training):
        return np.pad(X, ((0, 0),) + self.sides + ((0, 0),))

    def backward_linear(self, dY):
        return dY[self._inner(dY.shape[1:-1])]


class _Cropping(_Sides):
    key = "cropping"

    def forward_linear(self, X, training):
        return X[self._inner(X.shape[1:-1])]

    def backward_linear(self, dY):
        dX = np.zeros((dY.shape[0],) + self.input_shape, dtype=dY.dtype)
        dX[self._inner(self.input_shape[:-1])] = dY
        return dX


@register
class ZeroPadding2D(_ZeroPadding):
    type = "ZeroPadding2D"
    examples = ("Input(3, 4, 2) -> ZeroPadding2D(((1, 2), (0, 3)))",)


@register
class ZeroPadding1D(_ZeroPadding):
    type = "ZeroPadding1D"
    examples = ("Input(4, 2) -> ZeroPadding1D((2, 1))",)


@register
class Cropping2D(_Cropping):
    type = "Cropping2D"
    examples = ("Input(5, 6, 2) -> Cropping2D(((1, 2), (3, 0)))",)


@register
class Cropping1D(_Cropping):
    type = "Cropping1D"
    examples = ("Input(6, 2) -> Cropping1D((0, 2))",)


def bilinear_matrix(n_in: int, scale: int) -> np.ndarray:
    """The (n_in·scale, n_in) matrix of linear interpolation with half-pixel centres: output cell i
    reads the input at x = (i + ½)/scale − ½ (at least 0), i.e. (1 − λ)·X[⌊x⌋] + λ·X[⌊x⌋ + 1] with
    λ = x − ⌊x⌋ and the upper index kept inside the input (PyTorch's upsample_bilinear2d,
    align_corners=False, which Keras 3's image resize runs)."""
    n_out = n_in * scale
    x = np.maximum((np.arange(n_out) + 0.5) / scale - 0.5, 0.0)
    lo = np.floor(x).astype(np.int64)
    hi = np.minimum(lo + 1, n_in - 1)
    lam = x - lo
    A = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    np.add.at(A, (rows, lo), 1 - lam)
    np.add.at(A, (rows, hi), lam)
    return A


def _along(A, X, axis: int):
    """A applied along ``axis`` of X: Y[..., i, ...] = Σ_j A[i, j]·X[..., j, ...]."""
    return np.moveaxis(np.tensordot(A, X, axes=(1, axis)), 0, axis)


class _UpSampling(Layer):
    spatial = 2
    METHODS = ("nearest", "bilinear")

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        self.size = tuple(int(s) for s in config["size"])
        self.interpolation = config.get("interpolation", "nearest")
        if self.interpolation not in self.METHODS:
            raise InputError(f"the engine trains UpSampling2D with interpolation nearest or bilinear, "
                             f"not {self.interpolation!r}")
        self._matrices = None

    def matrices(self) -> list[np.ndarray]:
        """The interpolation matrix of each spatial axis, made on first use: a model is built (and its
        work and memory checked) before it allocates anything that grows with the image."""
        if self._matrices is None:
            self._matrices = [bilinear_matrix(n, s).astype(self.dtype) for n, s in zip(self.input_shape, self.size)]
        return self._matrices

    def forward_linear(self, X, training):
        if self.interpolation == "bilinear":
            for axis, A in enumerate(self.matrices(), start=1):
                X = _along(A, X, axis)
            return X
        for axis, s in enumerate(self.size, start=1):
            X = np.repeat(X, s, axis=axis)
        return X

    def backward_linear(self, dY):
        if self.interpolation == "bilinear":
            for axis, A in enumerate(self.matrices(), start=1):
                dY = _along(A.T, dY, axis)
            return dY
        n = dY.shape[0]
        blocks = (n,) + tuple(d for size, s in zip(self.input_shape, self.size) for d in (size, s)) \
            + (self.input_shape[-1],)
        return dY.reshape(blocks).sum(axis=tuple(range(2, 2 + 2 * self.spatial, 2)))

    def __repr__(self):
        how = "" if self.interpolation == "nearest" else f", {self.interpolation}"
        return f"{self.type}(size={self.size}{how}, in={self.input_shape})"


@register
class UpSampling2D(_UpSampling):
    type = "UpSampling2D"
    examples = ("Input(2, 3, 2) -> UpSampling2D((2, 3))", "Input(3, 2, 2) -> UpSampling2D((3, 2), interpolation=bilinear)")


@register
class UpSampling1D(_UpSampling):
    type = "UpSampling1D"
    spatial = 1
    examples = ("Input(3, 2) -> UpSampling1D(3)",)
