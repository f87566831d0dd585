"""Sliding windows over (N, H, W, C) batches: padding, im2col and its adjoint col2im.

Shared by convolution and pooling. ``windows`` is a strided *view* built with
``numpy.lib.stride_tricks.sliding_window_view`` (no copy until a layer reshapes
it into the im2col matrix); ``col2im`` adds window gradients back onto the input,
one loop over the k_h·k_w kernel offsets (never over samples or pixels).
``gather_cells``/``scatter_cells`` are the same pair for pooling, with the kernel cells
stacked in front: (k_h·k_w, N, H_out, W_out, C).

Output size and padding per axis come from ``dltutor.modelspec.windows`` (the
one home of that arithmetic, shared with the calculator and the model spec).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dltutor.modelspec.windows import output_size, padding_split


@dataclass(frozen=True)
class Geometry:
    """Kernel k, stride s, dilation d, padding (before, after) and output size, per spatial axis."""

    kernel: tuple[int, int]
    strides: tuple[int, int]
    dilation: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]
    out: tuple[int, int]

    @classmethod
    def make(cls, size, kernel, strides, padding="valid", dilation=(1, 1)):
        pads = [padding_split(n, k, s, padding, d) for n, k, s, d in zip(size, kernel, strides, dilation)]
        out = [output_size(n, k, s, padding, d) for n, k, s, d in zip(size, kernel, strides, dilation)]
        return cls(tuple(kernel), tuple(strides), tuple(dilation), tuple(pads), tuple(out))

    @property
    def padded(self) -> bool:
        return any(a or b for a, b in self.pads)


def pad(X, geo: Geometry, value=0.0):
    if not geo.padded:
        return X
    return np.pad(X, ((0, 0), geo.pads[0], geo.pads[1], (0, 0)), constant_values=value)


def windows(Xp, geo: Geometry):
    """View of shape (N, H_out, W_out, C, k_h, k_w): window (i, j) of every sample and channel."""
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel, geo.strides, geo.dilation
    v = sliding_window_view(Xp, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(1, 2))
    v = v[:, ::sh, ::sw, :, ::dh, ::dw]
    return v[:, :geo.out[0], :geo.out[1]]


def offsets(geo: Geometry):
    """For each kernel cell (i, j): the rows and columns of the padded input that it meets,
    as slices (one value per output position)."""
    (kh, kw), (sh, sw), (dh, dw) = geo.kernel, geo.strides, geo.dilation
    ho, wo = geo.out
    for i in range(kh):
        for j in range(kw):
            yield i, j, slice(i * dh, i * dh + sh * (ho - 1) + 1, sh), slice(j * dw, j * dw + sw * (wo - 1) + 1, sw)


def im2col(Xp, geo: Geometry, ones: bool = False):
    """The im2col matrix (N·H_out·W_out, k_h·k_w·C), columns in (k_h, k_w, C) order = kernel.reshape(-1, F);
    with ``ones`` an extra last column of 1s, so that cols·[W; b] = cols·W + b and colsᵀ·dZ = [dW; db].

    Filled by one strided copy per kernel cell. For few channels the matrix is stored
    transposed, (k_h·k_w·C, N·H_out·W_out) in memory, and returned as its ``.T`` view: each
    copy then moves whole image rows instead of C numbers at a time (C = 1: 2x faster;
    BLAS takes either layout at the same speed)."""
    kh, kw = geo.kernel
    N, C = Xp.shape[0], Xp.shape[-1]
    k, m = kh * kw * C, N * geo.out[0] * geo.out[1]
    if C <= _FEW_CHANNELS:
        store = np.empty((k + ones, m), dtype=Xp.dtype)
        cells = store[:k].reshape((kh, kw, C, N) + geo.out)
        for i, j, rows, columns in offsets(geo):
            cells[i, j] = np.moveaxis(Xp[:, rows, columns, :], -1, 0)
        cols = store.T
    else:
        cols = np.empty((m, k + ones), dtype=Xp.dtype)
        cells = cols[:, :k].reshape((N,) + geo.out + (kh, kw, C))
        for i, j, rows, columns in offsets(geo):
            cells[:, :, :, i, j, :] = Xp[:, rows, columns, :]
    if ones:
        cols[:, k] = 1
    return cols


# up to this many input channels the transposed im2col layout copies faster (measured:
# C = 1 and 3 2-4x faster, C = 8 even, C = 32 3x slower)
_FEW_CHANNELS = 8


def _pixels(A):
    """A contiguous (..., C) array seen as (...) items of C·itemsize opaque bytes: a strided
    copy then moves whole pixels, about 2x faster than C numbers one by one."""
    return A.view(np.dtype((np.void, A.shape[-1] * A.itemsize)))[..., 0]


def gather_cells(Xp, geo: Geometry):
    """The k_h·k_w shifted views stacked contiguously, (k_h·k_w, N, H_out, W_out, C): entry k holds
    kernel cell k (row-major) of every window. Later work on them runs on contiguous memory."""
    kh, kw = geo.kernel
    Xp = np.ascontiguousarray(Xp)
    out = np.empty((kh * kw, Xp.shape[0]) + geo.out + (Xp.shape[-1],), dtype=Xp.dtype)
    src, dst = _pixels(Xp), _pixels(out)
    for k, (_, _, rows, columns) in enumerate(offsets(geo)):
        dst[k] = src[:, rows, columns]
    return out


def scatter_cells(dcells, padded_shape, geo: Geometry):
    """Adjoint of ``gather_cells``: dXp (padded input shape) with dcells[k] added where cell k reads.
    Windows that do not overlap (stride ≥ dilated kernel span) meet every input cell at most
    once, so plain copies replace the additions."""
    dXp = np.zeros(padded_shape, dtype=dcells.dtype)
    disjoint = all(s >= d * (k - 1) + 1 for k, s, d in zip(geo.kernel, geo.strides, geo.dilation))
    if disjoint:
        src, dst = _pixels(np.ascontiguousarray(dcells)), _pixels(dXp)
    for k, (_, _, rows, columns) in enumerate(offsets(geo)):
        if disjoint:
            dst[:, rows, columns] = src[k]
        else:
            dXp[:, rows, columns, :] += dcells[k]
    return dXp


def col2im(dwin, padded_shape, geo: Geometry):
    """Adjoint of ``im2col``: dwin (N, H_out, W_out, k_h, k_w, C) → dXp (padded input shape);
    overlapping windows add up."""
    dXp = np.zeros(padded_shape, dtype=dwin.dtype)
    for i, j, rows, columns in offsets(geo):
        dXp[:, rows, columns, :] += dwin[:, :, :, i, j, :]
    return dXp


def unpad(dXp, geo: Geometry):
    if not geo.padded:
        return dXp
    (t, b), (l, r) = geo.pads
    return dXp[:, t:dXp.shape[1] - b, l:dXp.shape[2] - r, :]
