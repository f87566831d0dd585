"""MultiHeadAttention as self-attention (the sequence is the query, the key and the value), Keras 3's
weights and equations. X (N, T, E); h heads; d_k = key_dim, d_v = value_dim (key_dim by default):

    Q = X·W_Q + b_Q,  K = X·W_K + b_K  (N, T, h, d_k);   V = X·W_V + b_V  (N, T, h, d_v)
    S = (Q/√d_k)·Kᵀ per head (N, h, T, T),   A = softmax(S) over the keys (last axis)
    O = A·V  (N, T, h, d_v),   Y = Σ_{h, v} O·W_O + b_O  (N, T, E)

W_Q, W_K (E, h, d_k), b_Q, b_K (h, d_k); W_V (E, h, d_v), b_V (h, d_v); W_O (h, d_v, E), b_O (E).
Dropout (rate ``dropout``, 0 by default) acts on A while training, as Keras's; inference uses A.
An input with more axes, (N, H, W, E), attends over all its positions at once (Keras's
attention_axes=None): it is read as (N, H·W, E).

Backward, from dY:  dW_O = Oᵀ·dY, db_O = Σ dY, dO = dY·W_Oᵀ;  dA = dO·Vᵀ, dV = Aᵀ·dO;
dS = A ⊙ (dA − Σ_keys dA ⊙ A) (the softmax Jacobian);  dQ = dS·K/√d_k, dK = dSᵀ·Q/√d_k;
each projection P = X·W + b then gives dW = Xᵀ·dP, db = Σ dP, and dX = Σ over Q, K, V of dP·Wᵀ.
db_K is 0: adding b_K shifts every score of a query by the same q·b_K, which softmax ignores.
"""

from __future__ import annotations

import numpy as np

from dltutor.errors import InputError
from dltutor.nn import initializers
from dltutor.nn.base import Layer, register

PROJECTIONS = ("query", "key", "value")


@register
class MultiHeadAttention(Layer):
    type = "MultiHeadAttention"
    examples = ("Input(4, 6) -> MultiHeadAttention(2, 3)",
                "Input(5, 4) -> MultiHeadAttention(3, 2, value_dim=3)",
                "Input(3, 5) -> MultiHeadAttention(1, 4, use_bias=False)",
                "Input(2, 3, 4) -> MultiHeadAttention(2, 2)", "Input(3, 4) -> MultiHeadAttention(2, 2, dropout=0.3)")

    def __init__(self, config, input_shape, rng, dtype=np.float32):
        super().__init__(config, input_shape, rng, dtype)
        for key in ("output_shape", "attention_axes"):
            if config.get(key) is not None:
                raise InputError(f"the engine trains self-attention over all positions, with the input's "
                                 f"size out; it does not take {key}={config[key]!r}")
        self.heads, self.key_dim = config["num_heads"], config["key_dim"]
        self.value_dim = config.get("value_dim") or self.key_dim
        self.rate = float(config.get("dropout") or 0.0)
        if not 0 <= self.rate < 1:
            raise InputError(f"dropout must be a number from 0 up to (not including) 1, got {self.rate}")
        e, h = input_shape[-1], self.heads
        bias = config.get("use_bias", True)
        for name, dim in zip(PROJECTIONS, (self.key_dim, self.key_dim, self.value_dim)):
            # Keras's glorot_uniform of the 3-D kernel (fan_in = E·h, fan_out = E·dim)
            self.weights[f"{name}_kernel"] = initializers.glorot_uniform((e, h, dim), rng, dtype)
            if bias:
                self.weights[f"{name}_bias"] = initializers.zeros((h, dim), dtype=dtype)
        self.weights["output_kernel"] = initializers.glorot_uniform((h, self.value_dim, e), rng, dtype)
        if bias:
            self.weights["output_bias"] = initializers.zeros((e,), dtype=dtype)

    def _project(self, X2, name):
        """X2 (N·T, E) → (N·T, h·dim): one matmul for every head."""
        W = self.weights[f"{name}_kernel"]
        P = X2 @ W.reshape(W.shape[0], -1)
        b = self.weights.get(f"{name}_bias")
        if b is not None:
            P += b.reshape(-1)
        return P

    def forward_linear(self, X, training):
        N, E = X.shape[0], X.shape[-1]
        X2 = X.reshape(-1, E)
        T = X2.shape[0] // N
        h, dk, dv = self.heads, self.key_dim, self.value_dim
        scale = X.dtype.type(1 / np.sqrt(dk))
        Q = (self._project(X2, "query") * scale).reshape(N, T, h, dk).transpose(0, 2, 1, 3)   # (N, h, T, d_k)
        K = self._project(X2, "key").reshape(N, T, h, dk).transpose(0, 2, 1, 3)
        V = self._project(X2, "value").reshape(N, T, h, dv).transpose(0, 2, 1, 3)
        S = Q @ K.transpose(0, 1, 3, 2)                                                      # (N, h, T, T)
        S -= S.max(axis=-1, keepdims=True)
        A = np.exp(S)
        A /= A.sum(axis=-1, keepdims=True)
        mask = None
        if training and self.rate > 0:
            keep = 1.0 - self.rate
            mask = (self.rng.random(A.shape) < keep).astype(A.dtype) / A.dtype.type(keep)
        Ad = A if mask is None else A * mask
        O = (Ad @ V).transpose(0, 2, 1, 3).reshape(N * T, h * dv)                          # heads side by side
        Wo = self.weights["output_kernel"]
        Y = O @ Wo.reshape(h * dv, -1)
        if "output_bias" in self.weights:
            Y += self.weights["output_bias"]
        if training:
            self.cache = (X2, Q, K, V, A, mask, Ad, O)
        return Y.reshape(X.shape)

    def backward_linear(self, dY):
        X2, Q, K, V, A, mask, Ad, O = self.cache
        N, h, T, _ = Q.shape
        dk, dv = self.key_dim, self.value_dim
        scale = X2.dtype.type(1 / np.sqrt(dk))
        E = X2.shape[1]
        dY2 = dY.reshape(-1, E)
        Wo = self.weights["output_kernel"]
        self._set_grad("output_kernel", (O.T @ dY2).reshape(Wo.shape))                      # dW_O = Oᵀ·dY
        if "output_bias" in self.weights:
            self._set_grad("output_bias", dY2.sum(axis=0))                                   # db_O
        dO = (dY2 @ Wo.reshape(h * dv, E).T).reshape(N, T, h, dv).transpose(0, 2, 1, 3)     # (N, h, T, d_v)
        dAd = dO @ V.transpose(0, 1, 3, 2)
        dV = Ad.transpose(0, 1, 3, 2) @ dO
        dA = dAd if mask is None else dAd * mask
        dS = A * (dA - (dA * A).sum(axis=-1, keepdims=True))                                 # softmax Jacobian
        dQ = (dS @ K) * scale                                                                # Q held Q/√d_k
        dK = dS.transpose(0, 1, 3, 2) @ Q
        dX = None
        for name, dP, dim in (("query", dQ, dk), ("key", dK, dk), ("value", dV, dv)):
            dP2 = dP.transpose(0, 2, 1, 3).reshape(N * T, h * dim)
            W = self.weights[f"{name}_kernel"]
            self._set_grad(f"{name}_kernel", (X2.T @ dP2).reshape(W.shape))                  # dW = Xᵀ·dP
            if f"{name}_bias" in self.weights:
                self._set_grad(f"{name}_bias", dP2.sum(axis=0).reshape(h, dim))              # db = Σ dP
            if name == "key" and f"{name}_bias" in self.weights:
                # b_K adds the same q·b_K to every key's score: softmax does not change, ∂L/∂b_K = 0
                # exactly (Σ_keys dS = 0); the sum above would leave rounding noise of ~1e-17
                self.grads["key_bias"] = np.zeros_like(self.weights["key_bias"])
            if self.need_input_grad:
                part = dP2 @ W.reshape(E, -1).T
                dX = part if dX is None else dX + part
        return None if dX is None else dX.reshape(dY.shape)

    def __repr__(self):
        return (f"MultiHeadAttention(heads={self.heads}, key_dim={self.key_dim}, value_dim={self.value_dim}; "
                f"in={self.input_shape})")
