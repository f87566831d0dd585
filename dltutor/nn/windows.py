"""Sliding windows over (N, H, W, C) batches: padding, im2col and its adjoint col2im.

Shared by convolution and pooling. ``windows`` is a strided *view* built with
``numpy.lib.stride_tricks.sliding_window_view`` (no copy until a layer reshapes
it into the im2col matrix); ``col2im`` adds window gradients back onto the input,
one loop over the k_h·k_w kernel offsets (never over samples or pixels).

Output size per axis: valid = floor((n − d·(k − 1) − 1)/s) + 1; same = ceil(n/s),
padded as Keras does: total = max((out − 1)·s + d·(k − 1) + 1 − n, 0), with the
extra row/column at the bottom/right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


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
        pads, out = [], []
        for n, k, s, d in zip(size, kernel, strides, dilation):
            span = d * (k - 1) + 1
            if padding == "same":
                o = -(-n // s)
                total = max((o - 1) * s + span - n, 0)
                pads.append((total // 2, total - total // 2))
            else:
                o = (n - span) // s + 1
                pads.append((0, 0))
            out.append(o)
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


def im2col(Xp, geo: Geometry):
    """The im2col matrix (N·H_out·W_out, k_h·k_w·C), columns in (k_h, k_w, C) order = kernel.reshape(-1, F).
    Filled by one strided copy per kernel cell (faster than copying the 6-D window view)."""
    kh, kw = geo.kernel
    N, C = Xp.shape[0], Xp.shape[-1]
    cols = np.empty((N,) + geo.out + (kh, kw, C), dtype=Xp.dtype)
    for i, j, rows, columns in offsets(geo):
        cols[:, :, :, i, j, :] = Xp[:, rows, columns, :]
    return cols.reshape(-1, kh * kw * C)


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
