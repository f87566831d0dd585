"""Pooling layers (no weights), channels last.

    MaxPooling2D      Y = max over each window;  dX: dY goes to the arg-max of its window
                      (one winner per window, the first on ties, as PyTorch)
    AveragePooling2D  Y = mean over each window; dX: dY/count spread over the window
                      (with padding=same the count leaves the padded cells out, as Keras)
    GlobalAveragePooling2D / GlobalMaxPooling2D  one value per channel
    *1D variants      the 2D layer over (N, 1, T, C)
"""

from __future__ import annotations

import numpy as np

from dltutor.nn.base import Layer, register
from dltutor.nn.windows import (
    Geometry,
    gather_cells,
    offsets,
    pad,
    scatter_cells,
    unpad,
)


class _Pool2D(Layer):
    spatial = 2

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        k = tuple(config["pool_size"])
        s = tuple(config.get("strides") or k)
        size = input_shape[:2] if self.spatial == 2 else (1, input_shape[0])
        if self.spatial == 1:
            k, s = (1,) + k, (1,) + s
        self.geo = Geometry.make(size, k, s, config.get("padding", "valid"))

    def _to2d(self, X):
        return X if self.spatial == 2 else X[:, None]

    def _from2d(self, Y):
        return Y if self.spatial == 2 else Y[:, 0]

    def __repr__(self):
        return f"{self.type}(pool={self.geo.kernel}, strides={self.geo.strides}, in={self.input_shape})"


class _MaxPool(_Pool2D):
    """Y = the running maximum over the k_h·k_w kernel cells, gathered first into one contiguous
    (k_h·k_w, N, H_out, W_out, C) array (every operation after that runs on contiguous memory).
    Training also keeps which cell won each window (the first on ties, as PyTorch), so the
    backward pass is one masked product per cell and a scatter back."""

    def forward_linear(self, X, training):
        X = self._to2d(X)
        Xp = pad(X, self.geo, -np.inf)
        cells = gather_cells(Xp, self.geo)
        Y = cells[0].copy()
        index = np.uint8 if len(cells) <= 256 else np.int32
        winner = np.zeros(Y.shape, dtype=index) if training else None
        for k in range(1, len(cells)):
            if training:    # the last cell to beat the running maximum strictly (an earlier cell keeps a tie)
                beats = np.greater(cells[k], Y).view(np.uint8).astype(index, copy=False)
                beats *= index(k)
                np.maximum(winner, beats, out=winner)   # arithmetic: copyto(where=) is 10x slower
            np.maximum(Y, cells[k], out=Y)
        if training:
            self.winner, self.padded_shape = winner, Xp.shape
        return self._from2d(Y)

    def backward_linear(self, dY):
        dY = self._to2d(dY)
        dcells = np.empty((self.geo.kernel[0] * self.geo.kernel[1],) + dY.shape, dtype=dY.dtype)
        for k in range(len(dcells)):
            np.multiply(dY, self.winner == k, out=dcells[k])
        return self._from2d(unpad(scatter_cells(dcells, self.padded_shape, self.geo), self.geo))


class _AvgPool(_Pool2D):
    def _counts(self, dtype):
        """How many real (unpadded) cells each window covers: (1, H_out, W_out, 1)."""
        shape = (1,) + (self.input_shape[:2] if self.spatial == 2 else (1, self.input_shape[0])) + (1,)
        ones = pad(np.ones(shape, dtype=dtype), self.geo)
        return sum(ones[:, rows, cols, :] for _, _, rows, cols in offsets(self.geo))

    def forward_linear(self, X, training):
        X = self._to2d(X)
        Xp = pad(X, self.geo)
        counts = self._counts(X.dtype)
        Y = sum(Xp[:, rows, cols, :] for _, _, rows, cols in offsets(self.geo)) / counts
        if training:
            self.counts, self.padded_shape = counts, Xp.shape
        return self._from2d(Y)

    def backward_linear(self, dY):
        share = self._to2d(dY) / self.counts
        dXp = np.zeros(self.padded_shape, dtype=share.dtype)
        for _, _, rows, cols in offsets(self.geo):
            dXp[:, rows, cols, :] += share
        return self._from2d(unpad(dXp, self.geo))


@register
class MaxPooling2D(_MaxPool):
    type = "MaxPooling2D"
    examples = ("Input(4, 4, 2) -> MaxPooling2D(2)", "Input(5, 5, 2) -> MaxPooling2D(3, strides=2)",
                "Input(5, 4, 1) -> MaxPooling2D(2, padding=same)")


@register
class AveragePooling2D(_AvgPool):
    type = "AveragePooling2D"
    examples = ("Input(4, 4, 2) -> AveragePooling2D(2)", "Input(5, 5, 2) -> AveragePooling2D(3, strides=2)",
                "Input(5, 4, 1) -> AveragePooling2D(2, padding=same)")


@register
class MaxPooling1D(_MaxPool):
    type = "MaxPooling1D"
    spatial = 1
    examples = ("Input(6, 2) -> MaxPooling1D(2)",)


@register
class AveragePooling1D(_AvgPool):
    type = "AveragePooling1D"
    spatial = 1
    examples = ("Input(7, 2) -> AveragePooling1D(3, strides=2, padding=same)",)


class _GlobalPool(Layer):
    """Reduce every spatial axis (all but batch and channels) to one value per channel."""

    def axes(self, X):
        return tuple(range(1, X.ndim - 1))


@register
class GlobalAveragePooling2D(_GlobalPool):
    type = "GlobalAveragePooling2D"
    examples = ("Input(3, 4, 2) -> GlobalAveragePooling2D",)

    def forward_linear(self, X, training):
        return X.mean(axis=self.axes(X))

    def backward_linear(self, dY):
        cells = int(np.prod(self.input_shape[:-1]))
        shape = (dY.shape[0],) + (1,) * (len(self.input_shape) - 1) + (dY.shape[-1],)
        return np.broadcast_to(dY.reshape(shape) / cells, (dY.shape[0],) + self.input_shape).copy()


@register
class GlobalAveragePooling1D(GlobalAveragePooling2D):
    type = "GlobalAveragePooling1D"
    examples = ("Input(5, 3) -> GlobalAveragePooling1D",)


@register
class GlobalMaxPooling2D(_GlobalPool):
    type = "GlobalMaxPooling2D"
    examples = ("Input(3, 4, 2) -> GlobalMaxPooling2D",)

    def forward_linear(self, X, training):
        flat = X.reshape(X.shape[0], -1, X.shape[-1])
        idx = flat.argmax(axis=1)
        if training:
            self.idx = idx
        return np.take_along_axis(flat, idx[:, None], axis=1)[:, 0]

    def backward_linear(self, dY):
        dflat = np.zeros((dY.shape[0], int(np.prod(self.input_shape[:-1])), dY.shape[-1]), dtype=dY.dtype)
        np.put_along_axis(dflat, self.idx[:, None], dY[:, None], axis=1)
        return dflat.reshape((dY.shape[0],) + self.input_shape)


@register
class GlobalMaxPooling1D(GlobalMaxPooling2D):
    type = "GlobalMaxPooling1D"
    examples = ("Input(5, 3) -> GlobalMaxPooling1D",)
