"""Transposed convolutions (Conv2DTranspose, Conv1DTranspose): a convolution run backwards.

A convolution with kernel K, stride s and dilation d reads windows of its input; its adjoint
spreads every input cell back over a window. Conv2DTranspose is that adjoint, with Keras's
kernel layout (k_h, k_w, F, C_in) (F = filters, the output channels) and channels last:

    forward   full = col2im(X·K̂ᵀ)      every input cell adds X[n, i, j, :]·K[a, b, f, :] at
                                        full[n, i·s_h + a·d_h, j·s_w + b·d_w, f];
                                        K̂ = K reshaped to (k_h·k_w·F, C_in)
              Z    = cut(full) + b     Keras's cells cut at each end (windows.transposed_cuts)
    backward  cols = im2col(uncut(dZ))                 (N·H_in·W_in, k_h·k_w·F)
              dX = cols·K̂,  dK̂ = colsᵀ·X,  db = Σ dZ

The full output has (n − 1)·s + k′ cells per axis (k′ = d·(k − 1) + 1); a convolution with
the same kernel, stride and dilation and no padding shrinks it back to exactly n, so the
engine's im2col/col2im of that convolution (``dltutor.nn.windows``) do both passes: the
forward pass is that convolution's input gradient, the backward pass that convolution.
Conv1DTranspose is Conv2DTranspose over (N, 1, T, C) with a 1 x k kernel; Keras's kernel
shape is (k, F, C_in). Checked against Keras 3 (tests/reference/record_transposed_keras.py).
"""

from __future__ import annotations

import numpy as np

from dltutor.modelspec.windows import effective_kernel, transposed_cuts
from dltutor.nn import initializers
from dltutor.nn.base import Layer, register
from dltutor.nn.windows import Geometry, col2im, im2col


def cut(A, cuts):
    """A (N, H, W, C) with ``cuts`` = ((top, bottom), (left, right)) cells removed from each end of
    H and W; a negative count adds that many zeros instead. ``cut(·, −cuts)`` is its adjoint."""
    keep = tuple(slice(max(b, 0), A.shape[axis] - max(e, 0)) for axis, (b, e) in enumerate(cuts, start=1))
    A = A[(slice(None),) + keep]
    zeros = [(max(-b, 0), max(-e, 0)) for b, e in cuts]
    if any(b or e for b, e in zeros):
        A = np.pad(A, [(0, 0)] + zeros + [(0, 0)])
    return A


def full_size(size, kernel, strides, dilation) -> tuple[int, ...]:
    """The full output per axis, (n − 1)·s + k′: every input cell's window, none cut."""
    return tuple((n - 1) * s + effective_kernel(k, d) for n, k, s, d in zip(size, kernel, strides, dilation))


def plan(size, kernel, strides, padding, output_padding, dilation):
    """(geometry of the convolution that shrinks the full output back to ``size``, the cuts per axis)."""
    a = output_padding or (None,) * len(size)
    geo = Geometry.make(full_size(size, kernel, strides, dilation), kernel, strides, "valid", dilation)
    cuts = tuple(transposed_cuts(k, s, padding, ai, d) for k, s, ai, d in zip(kernel, strides, a, dilation))
    return geo, cuts


def transposed_forward(X, K, geo: Geometry, cuts):
    """Z (before the bias) of X (N, H, W, C_in) and kernel K (k_h, k_w, F, C_in); also X as rows
    (N·H·W, C_in), which the backward pass needs."""
    kh, kw, f, c = K.shape
    rows = X.reshape(-1, c)
    spread = (rows @ K.reshape(-1, c).T).reshape(X.shape[:3] + (kh, kw, f))
    full = full_size(geo.out, geo.kernel, geo.strides, geo.dilation)
    return cut(col2im(spread, (X.shape[0],) + full + (f,), geo), cuts), rows


def transposed_backward(dZ, rows, K, geo: Geometry, cuts, need_dX: bool = True):
    """(dK, dX or None) from dZ (before the bias) and the forward pass's input rows."""
    c = K.shape[-1]
    back = tuple((-b, -e) for b, e in cuts)
    cols = im2col(np.ascontiguousarray(cut(dZ, back)), geo)           # (N·H·W, k_h·k_w·F)
    dK = (cols.T @ rows).reshape(K.shape)
    if not need_dX:
        return dK, None
    return dK, (cols @ K.reshape(-1, c)).reshape(dZ.shape[:1] + tuple(geo.out) + (c,))


@register
class Conv2DTranspose(Layer):
    type = "Conv2DTranspose"
    examples = ("Input(3, 3, 2) -> Conv2DTranspose(3, 3, strides=2, padding=same, activation=tanh)",
                "Input(4, 3, 2) -> Conv2DTranspose(2, (2, 3), strides=(3, 1))",
                "Input(3, 4, 3) -> Conv2DTranspose(2, 3, strides=2, use_bias=False, output_padding=1)",
                "Input(3, 3, 1) -> Conv2DTranspose(2, 2, padding=same, dilation_rate=2, activation=relu)")
    has_activation = True

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        self.geo, self.cuts = plan(input_shape[:-1], config["kernel_size"], config["strides"],
                                   config.get("padding", "valid"), config.get("output_padding"),
                                   config.get("dilation_rate") or (1,) * len(config["kernel_size"]))
        shape = tuple(config["kernel_size"]) + (config["filters"], input_shape[-1])
        self.weights["kernel"] = initializers.glorot_uniform(shape, rng, dtype)
        if config.get("use_bias", True):
            self.weights["bias"] = initializers.zeros((config["filters"],), dtype=dtype)

    def kernel_2d(self):
        return self.weights["kernel"]

    def forward_linear(self, X, training):
        Z, rows = transposed_forward(self.to_2d(X), self.kernel_2d(), self.geo, self.cuts)
        if "bias" in self.weights:
            Z += self.weights["bias"]
        if training:
            self.rows = rows
        return self.from_2d(Z)

    def backward_linear(self, dZ):
        if "bias" in self.weights:
            self._set_grad("bias", dZ.reshape(-1, dZ.shape[-1]).sum(axis=0))
        dK, dX = transposed_backward(self.to_2d(dZ), self.rows, self.kernel_2d(), self.geo, self.cuts,
                                     self.need_input_grad)
        self._set_grad("kernel", dK.reshape(self.weights["kernel"].shape))
        return None if dX is None else self.from_2d(dX)

    # a 2-D layer works on (N, H, W, C) as it is; Conv1DTranspose adds and drops an axis of 1
    def to_2d(self, A):
        return A

    def from_2d(self, A):
        return A


@register
class Conv1DTranspose(Conv2DTranspose):
    """Conv2DTranspose on (N, 1, T, C) with a (1, k) kernel; Keras's kernel shape (k, F, C_in)."""

    type = "Conv1DTranspose"
    examples = ("Input(4, 2) -> Conv1DTranspose(3, 3, strides=2, padding=same, activation=tanh)",
                "Input(5, 3) -> Conv1DTranspose(2, 2, strides=3, use_bias=False)",
                "Input(4, 2) -> Conv1DTranspose(2, 3, dilation_rate=2, padding=same)",
                "Input(3, 2) -> Conv1DTranspose(2, 3, strides=2, padding=same, output_padding=1)")

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        one = {key: (1,) + tuple(config[key]) for key in ("kernel_size", "strides", "dilation_rate")
               if config.get(key) is not None}
        if config.get("output_padding") is not None:
            one["output_padding"] = (0,) + tuple(config["output_padding"])
        super().__init__(dict(config, **one), (1,) + tuple(input_shape), rng, dtype)
        self.config, self.input_shape = dict(config), tuple(input_shape)
        self.weights["kernel"] = self.weights["kernel"][0]

    def kernel_2d(self):
        return self.weights["kernel"][None]

    def to_2d(self, A):
        return A[:, None]

    def from_2d(self, A):
        return A[:, 0]
