"""Recurrent layers over (N, T, F) batches, Keras weight layouts and equations.

The input projections of all time steps are one matmul before the loop
(XW = X·W + b, shape (N, T, G·U)); only h·U runs step by step. Backward is
backpropagation through time: the loop carries dh (and dc) backwards, and the
weight gradients are again single matmuls over all steps afterwards:
dW = Xᵀ·dZ, dU = H_prevᵀ·dZ_rec, db = Σ dZ, dX = dZ·Wᵀ.

    SimpleRNN  h_t = f(x_t·W + h_{t−1}·U + b)
    LSTM       gates in Keras order i, f, c, o (units each):
               i, f, o = σ(·),  c̃ = f(·),  c_t = f⊙c_{t−1} + i⊙c̃,  h_t = o⊙f(c_t)
    GRU        gates in Keras order z, r, h:
               z = σ(x·W_z + h·U_z + b),  r = σ(x·W_r + h·U_r + b)
               reset_after=True (Keras default, PyTorch's form; bias (2, 3U): input row, recurrent row):
                   h̃ = f(x·W_h + b_in + r⊙(h·U_h + b_rec))
               reset_after=False (the course's form): h̃ = f(x·W_h + (r⊙h)·U_h + b)
               h_t = z⊙h_{t−1} + (1 − z)⊙h̃

f is the layer's activation (tanh by default), σ the recurrent activation (sigmoid).
"""

from __future__ import annotations

import numpy as np

from dltutor.errors import InputError
from dltutor.nn import initializers
from dltutor.nn.base import Layer, activation_backward, apply_activation, fast_sigmoid, register


class _Recurrent(Layer):
    gates = 1

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        self.act = config.get("activation", "tanh")
        self.activation = "linear"           # the output is h itself; f acts inside the recurrence
        if self.act == "softmax":
            raise InputError(f"{self.type}: softmax is not an activation for a recurrence; use tanh")
        n_in, u, g = input_shape[-1], config["units"], self.gates
        self.units = u
        self.weights["kernel"] = initializers.glorot_uniform((n_in, g * u), rng, dtype)
        self.weights["recurrent_kernel"] = initializers.orthogonal((u, g * u), rng, dtype)
        if config.get("use_bias", True):
            self.weights["bias"] = initializers.zeros(self.bias_shape(), dtype=dtype)

    def bias_shape(self):
        return (self.gates * self.units,)

    def project(self, X):
        """XW = X·W (+ b): the input part of every gate at every step, one matmul."""
        N, T, F = X.shape
        XW = (X.reshape(-1, F) @ self.weights["kernel"]).reshape(N, T, -1)
        b = self.weights.get("bias")
        if b is not None:
            XW += b if b.ndim == 1 else b[0]
        return XW

    def output(self, H):
        """H (N, T+1, U) with h_0 first → the layer's output."""
        return H[:, 1:].copy() if self.config.get("return_sequences") else H[:, -1].copy()

    def upstream(self, dY):
        """dY → dH (N, T, U): a gradient for every step (zeros but the last without return_sequences)."""
        if self.config.get("return_sequences"):
            return dY
        dH = np.zeros((dY.shape[0], self.input_shape[0], self.units), dtype=dY.dtype)
        dH[:, -1] = dY
        return dH

    def finish(self, dZ, dZ_rec, H_prev):
        """The matmuls over all steps at once: dW, dU, db, and dX."""
        N, T, F = self.X.shape
        dZ2 = dZ.reshape(N * T, -1)
        self._set_grad("kernel", self.X.reshape(-1, F).T @ dZ2)                         # dW
        self._set_grad("recurrent_kernel", H_prev.reshape(N * T, -1).T @ dZ_rec.reshape(N * T, -1))  # dU
        if "bias" in self.weights:
            db = dZ2.sum(axis=0)
            if self.weights["bias"].ndim == 2:
                db = np.stack([db, dZ_rec.reshape(N * T, -1).sum(axis=0)])
            self._set_grad("bias", db)                                                  # db
        if not self.need_input_grad:
            return None
        return (dZ2 @ self.weights["kernel"].T).reshape(N, T, F)                        # dX

    def __repr__(self):
        seq = ", return_sequences=True" if self.config.get("return_sequences") else ""
        return f"{self.type}({self.units}, {self.act}{seq}; in={self.input_shape})"


@register
class SimpleRNN(_Recurrent):
    type = "SimpleRNN"
    examples = ("Input(4, 3) -> SimpleRNN(5)", "Input(3, 2) -> SimpleRNN(4, return_sequences=True)",
                "Input(3, 2) -> SimpleRNN(3, relu, use_bias=False)")

    def forward_linear(self, X, training):
        N, T, _ = X.shape
        U = self.weights["recurrent_kernel"]
        XW = self.project(X)
        H = np.zeros((N, T + 1, self.units), dtype=X.dtype)
        Z = np.empty_like(XW)
        for t in range(T):
            Z[:, t] = XW[:, t] + H[:, t] @ U
            H[:, t + 1] = apply_activation(self.act, Z[:, t])
        if training:
            self.X, self.H, self.Zs = X, H, Z
        return self.output(H)

    def backward_linear(self, dY):
        dH = self.upstream(dY)
        U = self.weights["recurrent_kernel"]
        T = self.X.shape[1]
        dZ = np.empty_like(self.Zs)
        dh_next = np.zeros_like(dH[:, 0])
        for t in reversed(range(T)):
            dh = dH[:, t] + dh_next
            dZ[:, t] = activation_backward(self.act, self.Zs[:, t], self.H[:, t + 1], dh)
            dh_next = dZ[:, t] @ U.T
        return self.finish(dZ, dZ, self.H[:, :-1])


@register
class LSTM(_Recurrent):
    type = "LSTM"
    gates = 4
    examples = ("Input(4, 3) -> LSTM(5)", "Input(3, 2) -> LSTM(3, return_sequences=True)",
                "Input(3, 2) -> LSTM(2, use_bias=False)")

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        if "bias" in self.weights:
            self.weights["bias"][self.units:2 * self.units] = 1   # Keras unit_forget_bias=True

    def forward_linear(self, X, training):
        N, T, _ = X.shape
        u = self.units
        Uk = self.weights["recurrent_kernel"]
        XW = self.project(X)
        H = np.zeros((N, T + 1, u), dtype=X.dtype)
        C = np.zeros((N, T + 1, u), dtype=X.dtype)
        G = np.empty_like(XW)            # activated gates i, f, c̃, o
        FC = np.empty((N, T, u), dtype=X.dtype)   # f(c_t)
        Zc = np.empty((N, T, u), dtype=X.dtype) if self.act == "relu" else None  # relu needs z of c̃
        for t in range(T):
            z = XW[:, t] + H[:, t] @ Uk
            g = G[:, t]
            g[:] = fast_sigmoid(z)
            g[:, 2 * u:3 * u] = apply_activation(self.act, z[:, 2 * u:3 * u])
            if Zc is not None:
                Zc[:, t] = z[:, 2 * u:3 * u]
            C[:, t + 1] = g[:, u:2 * u] * C[:, t] + g[:, :u] * g[:, 2 * u:3 * u]
            FC[:, t] = apply_activation(self.act, C[:, t + 1])
            H[:, t + 1] = g[:, 3 * u:] * FC[:, t]
        if training:
            self.X, self.H, self.C, self.G, self.FC, self.Zc = X, H, C, G, FC, Zc
        return self.output(H)

    def backward_linear(self, dY):
        dH = self.upstream(dY)
        u = self.units
        Uk = self.weights["recurrent_kernel"]
        N, T, _ = self.X.shape
        G = self.G
        i, f, c_tilde, o = G[..., :u], G[..., u:2 * u], G[..., 2 * u:3 * u], G[..., 3 * u:]
        # local derivatives of every step at once (outside the time loop):
        #   ∂z_i = dc·c̃·i(1−i),  ∂z_f = dc·c_{t−1}·f(1−f),  ∂z_c = dc·i·f'(z_c),  ∂z_o = dh·f(c)·o(1−o)
        A = np.empty_like(G)
        A[..., :u] = c_tilde * i * (1 - i)
        A[..., u:2 * u] = self.C[:, :-1] * f * (1 - f)
        A[..., 2 * u:3 * u] = activation_backward(self.act, self.Zc, c_tilde, i)
        A[..., 3 * u:] = self.FC * o * (1 - o)
        dC_dh = activation_backward(self.act, self.C[:, 1:], self.FC, o)     # ∂c-path of h: o·f'(c)
        A4 = A.reshape(N, T, 4, u)
        dZ = np.empty_like(G)
        dZ4 = dZ.reshape(N, T, 4, u)
        dh_next = np.zeros_like(dH[:, 0])
        dc_next = np.zeros_like(dh_next)
        for t in reversed(range(T)):
            dh = dH[:, t] + dh_next
            dc = dh * dC_dh[:, t]
            dc += dc_next
            np.multiply(A4[:, t, :3], dc[:, None, :], out=dZ4[:, t, :3])
            np.multiply(A4[:, t, 3], dh, out=dZ4[:, t, 3])
            dc_next = dc * f[:, t]
            dh_next = dZ[:, t] @ Uk.T
        return self.finish(dZ, dZ, self.H[:, :-1])


@register
class GRU(_Recurrent):
    type = "GRU"
    gates = 3
    examples = ("Input(4, 3) -> GRU(5)", "Input(3, 2) -> GRU(3, return_sequences=True)",
                "Input(4, 3) -> GRU(4, reset_after=False)", "Input(3, 2) -> GRU(2, use_bias=False)",
                "Input(3, 2) -> GRU(3, relu)")

    def bias_shape(self):
        return (2, 3 * self.units) if self.config.get("reset_after", True) else (3 * self.units,)

    def forward_linear(self, X, training):
        N, T, _ = X.shape
        u = self.units
        after = self.config.get("reset_after", True)
        Uk = self.weights["recurrent_kernel"]
        b = self.weights.get("bias")
        b_rec = b[1] if (b is not None and after) else None
        XW = self.project(X)
        H = np.zeros((N, T + 1, u), dtype=X.dtype)
        G = np.empty_like(XW)                   # activated z, r, h̃
        REC = np.empty_like(XW)                 # reset_after: h·U + b_rec; else (r⊙h) in the last block
        for t in range(T):
            h = H[:, t]
            g = G[:, t]
            if after:
                rec = h @ Uk
                if b_rec is not None:
                    rec += b_rec
                REC[:, t] = rec
                g[:, :2 * u] = fast_sigmoid(XW[:, t, :2 * u] + rec[:, :2 * u])
                zh = XW[:, t, 2 * u:] + g[:, u:2 * u] * rec[:, 2 * u:]
            else:
                g[:, :2 * u] = fast_sigmoid(XW[:, t, :2 * u] + h @ Uk[:, :2 * u])
                rh = g[:, u:2 * u] * h
                REC[:, t, 2 * u:] = rh
                zh = XW[:, t, 2 * u:] + rh @ Uk[:, 2 * u:]
            REC[:, t, :u] = zh if self.act == "relu" else 0   # keep z of h̃ for relu's derivative
            g[:, 2 * u:] = apply_activation(self.act, zh)
            z = g[:, :u]
            H[:, t + 1] = z * h + (1 - z) * g[:, 2 * u:]
        if training:
            self.X, self.H, self.G, self.REC = X, H, G, REC
        return self.output(H)

    def backward_linear(self, dY):
        dH = self.upstream(dY)
        u = self.units
        after = self.config.get("reset_after", True)
        Uk = self.weights["recurrent_kernel"]
        T = self.X.shape[1]
        dZ = np.empty_like(self.G)           # ∂L/∂(input part of each gate's pre-activation)
        dZ_rec = np.empty_like(self.G)       # ∂L/∂(recurrent part), reset_after only
        dh_next = np.zeros_like(dH[:, 0])
        for t in reversed(range(T)):
            g = self.G[:, t]
            z, r, h_tilde = g[:, :u], g[:, u:2 * u], g[:, 2 * u:]
            h_prev = self.H[:, t]
            dh = dH[:, t] + dh_next
            zh = self.REC[:, t, :u] if self.act == "relu" else None
            dzh = activation_backward(self.act, zh, h_tilde, dh * (1 - z))   # ∂L/∂(pre-activation of h̃)
            dz = dZ[:, t]
            dz[:, :u] = dh * (h_prev - h_tilde) * z * (1 - z)
            dz[:, 2 * u:] = dzh
            if after:
                rec_h = self.REC[:, t, 2 * u:]
                dz[:, u:2 * u] = dzh * rec_h * r * (1 - r)
                drec = dZ_rec[:, t]
                drec[:, :2 * u] = dz[:, :2 * u]
                drec[:, 2 * u:] = dzh * r
                dh_next = dh * z + drec @ Uk.T
            else:
                drh = dzh @ Uk[:, 2 * u:].T                    # ∂L/∂(r⊙h)
                dz[:, u:2 * u] = drh * h_prev * r * (1 - r)
                dh_next = dh * z + drh * r + dz[:, :2 * u] @ Uk[:, :2 * u].T
        if after:
            return self.finish(dZ, dZ_rec, self.H[:, :-1])
        # reset_after=False: U_z, U_r multiply h_{t-1}; U_h multiplies r⊙h_{t-1}
        N, _, F = self.X.shape
        dX = self.finish(dZ, dZ, self.H[:, :-1])
        dZh = dZ[..., 2 * u:].reshape(N * T, u)
        RH = self.REC[..., 2 * u:].reshape(N * T, u)
        self.grads["recurrent_kernel"][:, 2 * u:] = RH.T @ dZh
        return dX
