"""Convolution layers by im2col: every window becomes a row, the kernel a matrix, one matmul.

Conv2D (cross-correlation, channels last, Keras kernel layout (k_h, k_w, C_in, F)):

    forward   cols = [im2col(pad(X)), 1]       (N·H_out·W_out, k_h·k_w·C_in + 1)
              Z    = cols·[W; b] = X⋆W + b      W reshaped to (k_h·k_w·C_in, F)
    backward  [dW; db] = colsᵀ·dZ  (db = Σ dZ),   dX = unpad(col2im(dZ·Wᵀ))

DepthwiseConv2D filters each channel with its own kernel (k_h, k_w, C, m); SeparableConv2D
is a depthwise conv (no bias) followed by a 1x1 pointwise conv; Conv1D is Conv2D over
(N, 1, T, C) with a 1 x k kernel.
"""

from __future__ import annotations

import numpy as np

from dltutor.nn import initializers
from dltutor.nn.base import Layer, register
from dltutor.nn.windows import Geometry, col2im, im2col, pad, unpad, windows


def _geometry(config, input_shape) -> Geometry:
    return Geometry.make(input_shape[:2], config["kernel_size"], config["strides"],
                         config.get("padding", "valid"), config.get("dilation_rate", (1, 1)))


@register
class Conv2D(Layer):
    type = "Conv2D"
    examples = ("Input(5, 5, 2) -> Conv2D(3, 3, tanh)", "Input(6, 5, 2) -> Conv2D(2, 3, strides=2, padding=same)",
                "Input(6, 6, 1) -> Conv2D(2, (2, 3), padding=same, use_bias=False)",
                "Input(7, 7, 2) -> Conv2D(2, 3, relu, dilation_rate=2)")
    has_activation = True

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        self.geo = _geometry(config, input_shape)
        kh, kw = self.geo.kernel
        shape = (kh, kw, input_shape[-1], config["filters"])
        self.weights["kernel"] = initializers.glorot_uniform(shape, rng, dtype)
        if config.get("use_bias", True):
            self.weights["bias"] = initializers.zeros((config["filters"],), dtype=dtype)

    def forward_linear(self, X, training):
        K = self.weights["kernel"]
        W = K.reshape(-1, K.shape[-1])
        Xp = pad(X, self.geo)
        bias = "bias" in self.weights
        cols = im2col(Xp, self.geo, ones=bias)
        if bias:     # the bias rides along as a row of W against im2col's column of 1s (no extra pass)
            W = np.concatenate([W, self.weights["bias"][None]])
        Z = cols @ W
        if training:
            self.cols, self.padded_shape = cols, Xp.shape
        return Z.reshape((X.shape[0],) + self.geo.out + (K.shape[-1],))

    def backward_linear(self, dZ):
        K = self.weights["kernel"]
        dZ2 = dZ.reshape(-1, K.shape[-1])
        G = self.cols.T @ dZ2                  # [dW; db]: the column of 1s sums dZ (BLAS, not a slow axis-0 sum)
        self._set_grad("kernel", G[:-1].reshape(K.shape) if "bias" in self.weights else G.reshape(K.shape))
        if "bias" in self.weights:
            self._set_grad("bias", G[-1])
        if not self.need_input_grad:
            return None
        dcols = dZ2 @ K.reshape(-1, K.shape[-1]).T
        kh, kw = self.geo.kernel
        dwin = dcols.reshape(dZ.shape[:3] + (kh, kw, K.shape[2]))
        return unpad(col2im(dwin, self.padded_shape, self.geo), self.geo)  # dX


@register
class Conv1D(Conv2D):
    """Conv2D on (N, 1, T, C) with a (1, k) kernel; Keras's kernel shape (k, C_in, F)."""

    type = "Conv1D"
    examples = ("Input(7, 2) -> Conv1D(3, 3, tanh)", "Input(8, 2) -> Conv1D(2, 3, strides=2, padding=same)")

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        cfg = dict(config, kernel_size=(1,) + tuple(config["kernel_size"]),
                   strides=(1,) + tuple(config["strides"]), dilation_rate=(1,) + tuple(config["dilation_rate"]))
        super().__init__(cfg, (1,) + tuple(input_shape), rng, dtype)
        self.input_shape = tuple(input_shape)
        self.weights["kernel"] = self.weights["kernel"][0]

    def forward_linear(self, X, training):
        K = self.weights["kernel"]
        self.weights["kernel"] = K[None]
        try:
            Z = super().forward_linear(X[:, None], training)
        finally:
            self.weights["kernel"] = K
        return Z[:, 0]

    def backward_linear(self, dZ):
        K = self.weights["kernel"]
        self.weights["kernel"] = K[None]
        try:
            dX = super().backward_linear(dZ[:, None])
        finally:
            self.weights["kernel"] = K
        self.grads["kernel"] = self.grads["kernel"][0]
        return None if dX is None else dX[:, 0]


def depthwise_forward(X, K, geo):
    """Y[n, h, w, c·m + j] = Σ_ab win[n, h, w, c, a, b]·K[a, b, c, j]; returns Y and the window view."""
    Xp = pad(X, geo)
    win = windows(Xp, geo)
    Y = np.einsum("nhwcab,abcj->nhwcj", win, K, optimize=True)
    return Y.reshape(Y.shape[:3] + (-1,)), win, Xp.shape


def depthwise_backward(dY, win, K, padded_shape, geo, need_dX=True):
    """dK = Σ win·dY per channel; dX = col2im of dY·K. Returns (dK, dX or None)."""
    dY5 = dY.reshape(dY.shape[:3] + K.shape[2:])
    dK = np.einsum("nhwcab,nhwcj->abcj", win, dY5, optimize=True)
    if not need_dX:
        return dK, None
    dwin = np.einsum("nhwcj,abcj->nhwabc", dY5, K, optimize=True)
    return dK, unpad(col2im(dwin, padded_shape, geo), geo)


@register
class DepthwiseConv2D(Layer):
    type = "DepthwiseConv2D"
    examples = ("Input(5, 5, 2) -> DepthwiseConv2D(3, tanh)",
                "Input(6, 6, 2) -> DepthwiseConv2D(3, strides=2, padding=same, depth_multiplier=2)")
    has_activation = True

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        self.geo = _geometry(config, input_shape)
        m, c = config.get("depth_multiplier", 1), input_shape[-1]
        self.weights["depthwise_kernel"] = initializers.glorot_uniform(self.geo.kernel + (c, m), rng, dtype)
        if config.get("use_bias", True):
            self.weights["bias"] = initializers.zeros((c * m,), dtype=dtype)

    def forward_linear(self, X, training):
        Z, win, padded_shape = depthwise_forward(X, self.weights["depthwise_kernel"], self.geo)
        if "bias" in self.weights:
            Z = Z + self.weights["bias"]
        if training:
            self.win, self.padded_shape = win, padded_shape
        return Z

    def backward_linear(self, dZ):
        if "bias" in self.weights:
            self._set_grad("bias", dZ.sum(axis=(0, 1, 2)))
        dK, dX = depthwise_backward(dZ, self.win, self.weights["depthwise_kernel"], self.padded_shape,
                                    self.geo, self.need_input_grad)
        self._set_grad("depthwise_kernel", dK)
        return dX


@register
class SeparableConv2D(Layer):
    """Depthwise (k_h, k_w, C, m), no bias, then pointwise (1, 1, C·m, F) + bias:
    D = depthwise(X);  Z = D·P + b;  dP = Dᵀ·dZ,  dD = dZ·Pᵀ, then the depthwise backward."""

    type = "SeparableConv2D"
    examples = ("Input(5, 5, 2) -> SeparableConv2D(3, 3, relu)",
                "Input(6, 6, 2) -> SeparableConv2D(2, 3, padding=same, depth_multiplier=2)")
    has_activation = True

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        self.geo = _geometry(config, input_shape)
        m, c, f = config.get("depth_multiplier", 1), input_shape[-1], config["filters"]
        self.weights["depthwise_kernel"] = initializers.glorot_uniform(self.geo.kernel + (c, m), rng, dtype)
        self.weights["pointwise_kernel"] = initializers.glorot_uniform((1, 1, c * m, f), rng, dtype)
        if config.get("use_bias", True):
            self.weights["bias"] = initializers.zeros((f,), dtype=dtype)

    def forward_linear(self, X, training):
        D, win, padded_shape = depthwise_forward(X, self.weights["depthwise_kernel"], self.geo)
        P = self.weights["pointwise_kernel"][0, 0]
        Z = D @ P
        if "bias" in self.weights:
            Z += self.weights["bias"]
        if training:
            self.D, self.win, self.padded_shape = D, win, padded_shape
        return Z

    def backward_linear(self, dZ):
        P = self.weights["pointwise_kernel"][0, 0]
        dZ2 = dZ.reshape(-1, P.shape[1])
        self._set_grad("pointwise_kernel", (self.D.reshape(-1, P.shape[0]).T @ dZ2)[None, None])
        if "bias" in self.weights:
            self._set_grad("bias", dZ2.sum(axis=0))
        dD = (dZ2 @ P.T).reshape(self.D.shape)
        dK, dX = depthwise_backward(dD, self.win, self.weights["depthwise_kernel"], self.padded_shape,
                                    self.geo, self.need_input_grad)
        self._set_grad("depthwise_kernel", dK)
        return dX
