"""Record PyTorch (and one Keras) reference values for the NumPy engine's layers and losses.

Run with the reference environment (torch 2.x CPU, keras 3):

    /tmp/refenv/bin/python tests/reference/record_nn_torch.py

Writes tests/data/nn_torch.json. Every case holds the input X, the weights in
Keras's layout (the engine's), an upstream gradient dY, and what PyTorch computes:
Y = layer(X), dX = ∂Σ(dY⊙Y)/∂X and the weight gradients, mapped back to Keras's
layout. Mapping PyTorch → Keras:

    Linear     weight (out, in)            → kernel = weightᵀ
    Conv2d     weight (F, C, kh, kw), NCHW → kernel (kh, kw, C, F), NHWC;
               Keras "same" padding (extra row/column bottom/right) is applied by F.pad
    RNN/LSTM   weight_ih (G·U, F)          → kernel = weight_ihᵀ, recurrent_kernel = weight_hhᵀ,
               bias = bias_ih + bias_hh    (gate order i, f, g, o = Keras's i, f, c, o)
    GRU        gate order r, z, n          → Keras z, r, h; bias (2, 3U) = [bias_ih; bias_hh]
               (PyTorch's GRU is Keras's reset_after=True: r multiplies (W_hn·h + b_hn))
    BatchNorm  training mode, eps = 1e-3 (Keras's), γ = weight, β = bias

The GRU with reset_after=False has no PyTorch counterpart: its forward output is
recorded from Keras 3 (torch backend); its gradients are checked by finite differences.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parents[1] / "data" / "nn_torch.json"
torch.set_default_dtype(torch.float64)
RNG = np.random.default_rng(2024)


def t(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def L(x):
    return np.asarray(x.detach().numpy() if isinstance(x, torch.Tensor) else x).tolist()


def keras_same(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def record(spec, X, weights, fn, grads_of):
    """fn(X_t, tensors) -> Y (torch, NHWC/Keras layout); grads_of(tensors) -> {name: Keras-layout grad}."""
    Xt = t(X, True)
    tensors = {k: t(v, True) for k, v in weights.items()}
    Y = fn(Xt, tensors)
    dY = RNG.standard_normal(tuple(Y.shape))
    (Y * t(dY)).sum().backward()
    return {"spec": spec, "X": L(X), "weights": {k: L(v) for k, v in weights.items()}, "dY": L(dY),
            "Y": L(Y), "dX": L(Xt.grad), "grads": {k: L(v) for k, v in grads_of(tensors).items()}}


def dense_case():
    X, W, b = RNG.standard_normal((4, 5)), RNG.standard_normal((5, 3)), RNG.standard_normal(3)
    return record("Input(5) -> Dense(3)", X, {"kernel": W, "bias": b},
                  lambda x, w: F.linear(x, w["kernel"].T, w["bias"]),
                  lambda w: {"kernel": w["kernel"].grad, "bias": w["bias"].grad})


def conv_case(h, w_, c, f, k, s, padding):
    kh, kw = (k, k) if isinstance(k, int) else k
    X = RNG.standard_normal((2, h, w_, c))
    K, b = RNG.standard_normal((kh, kw, c, f)), RNG.standard_normal(f)

    def fn(x, w):
        xc = x.permute(0, 3, 1, 2)
        if padding == "same":
            top, bottom = keras_same(h, kh, s)
            left, right = keras_same(w_, kw, s)
            xc = F.pad(xc, (left, right, top, bottom))
        y = F.conv2d(xc, w["kernel"].permute(3, 2, 0, 1), w["bias"], stride=s)
        return y.permute(0, 2, 3, 1)
    ks = f"{kh}" if kh == kw else f"({kh}, {kw})"
    spec = f"Input({h}, {w_}, {c}) -> Conv2D({f}, {ks}, strides={s}, padding={padding})"
    return record(spec, X, {"kernel": K, "bias": b}, fn,
                  lambda w: {"kernel": w["kernel"].grad, "bias": w["bias"].grad})


def pool_case(kind, h, w_, c, k, s):
    X = RNG.standard_normal((2, h, w_, c))
    op = F.max_pool2d if kind == "max" else F.avg_pool2d
    name = "MaxPooling2D" if kind == "max" else "AveragePooling2D"
    return record(f"Input({h}, {w_}, {c}) -> {name}({k}, strides={s})", X, {},
                  lambda x, w: op(x.permute(0, 3, 1, 2), k, s).permute(0, 2, 3, 1), lambda w: {})


def batchnorm_case(shape):
    X = RNG.standard_normal(shape) * 2 + 1
    c = shape[-1]
    g, b = RNG.standard_normal(c), RNG.standard_normal(c)

    def fn(x, w):
        xc = x if x.ndim == 2 else x.permute(0, 3, 1, 2)
        y = F.batch_norm(xc, None, None, w["gamma"], w["beta"], training=True, eps=1e-3)
        return y if x.ndim == 2 else y.permute(0, 2, 3, 1)
    spec = f"Input({', '.join(str(d) for d in shape[1:])}) -> BatchNormalization"
    return record(spec, X, {"gamma": g, "beta": b}, fn, lambda w: {"gamma": w["gamma"].grad, "beta": w["beta"].grad})


def recurrent_case(kind, n, steps, feat, units, seq):
    X = RNG.standard_normal((n, steps, feat))
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
    Wih = RNG.standard_normal((gates * units, feat)) * 0.5
    Whh = RNG.standard_normal((gates * units, units)) * 0.5
    bih, bhh = RNG.standard_normal(gates * units) * 0.5, RNG.standard_normal(gates * units) * 0.5
    module = {"SimpleRNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[kind](
        feat, units, batch_first=True)
    if kind == "GRU":    # torch r, z, n  ->  Keras z, r, h
        perm = np.r_[units:2 * units, 0:units, 2 * units:3 * units]
        weights = {"kernel": Wih[perm].T, "recurrent_kernel": Whh[perm].T, "bias": np.stack([bih[perm], bhh[perm]])}
    else:
        weights = {"kernel": Wih.T, "recurrent_kernel": Whh.T, "bias": bih + bhh}

    def fn(x, w):
        # rebuild torch's parameters from the Keras-layout tensors, so gradients land on them
        if kind == "GRU":
            inv = np.argsort(perm)
            wih, whh = w["kernel"].T[inv], w["recurrent_kernel"].T[inv]
            b_ih, b_hh = w["bias"][0][inv], w["bias"][1][inv]
        else:
            wih, whh = w["kernel"].T, w["recurrent_kernel"].T
            b_ih, b_hh = w["bias"], torch.zeros(gates * units)
        params = {"weight_ih_l0": wih, "weight_hh_l0": whh, "bias_ih_l0": b_ih, "bias_hh_l0": b_hh}
        out = torch.func.functional_call(module, params, (x,))[0]
        return out if seq else out[:, -1]
    spec = f"Input({steps}, {feat}) -> {kind}({units}{', return_sequences=True' if seq else ''})"
    return record(spec, X, weights, fn, lambda w: {k: w[k].grad for k in weights})


def loss_cases():
    cases = []
    logits = RNG.standard_normal((5, 4))
    labels = RNG.integers(0, 4, 5)
    Y = np.eye(4)[labels]
    z = t(logits, True)
    loss = F.cross_entropy(z, t(labels).long())
    loss.backward()
    cases.append({"name": "cce_fused", "Y": L(Y), "Z": L(logits), "loss": loss.item(), "dZ": L(z.grad)})
    P = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    p = t(P, True)
    loss = F.nll_loss(torch.log(p), t(labels).long())
    loss.backward()
    cases.append({"name": "cce", "Y": L(Y), "P": L(P), "loss": loss.item(), "dP": L(p.grad)})
    zb = RNG.standard_normal((6, 1))
    yb = RNG.integers(0, 2, (6, 1)).astype(float)
    z = t(zb, True)
    loss = F.binary_cross_entropy_with_logits(z, t(yb))
    loss.backward()
    cases.append({"name": "bce_fused", "Y": L(yb), "Z": L(zb), "loss": loss.item(), "dZ": L(z.grad)})
    pb = 1 / (1 + np.exp(-zb))
    p = t(pb, True)
    loss = F.binary_cross_entropy(p, t(yb))
    loss.backward()
    cases.append({"name": "bce", "Y": L(yb), "P": L(pb), "loss": loss.item(), "dP": L(p.grad)})
    pm, ym = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    p = t(pm, True)
    loss = F.mse_loss(p, t(ym))
    loss.backward()
    cases.append({"name": "mse", "Y": L(ym), "P": L(pm), "loss": loss.item(), "dP": L(p.grad)})
    return cases


def keras_gru_reset_before():
    os.environ["KERAS_BACKEND"] = "torch"
    import keras

    X = RNG.standard_normal((2, 4, 3)).astype("float32")
    layer = keras.layers.GRU(5, reset_after=False, return_sequences=True)
    layer.build((None, 4, 3))
    weights = {"kernel": RNG.standard_normal((3, 15)) * 0.5, "recurrent_kernel": RNG.standard_normal((5, 15)) * 0.5,
               "bias": RNG.standard_normal(15) * 0.5}
    layer.set_weights([w.astype("float32") for w in weights.values()])
    Y = keras.ops.convert_to_numpy(layer(X))
    return {"spec": "Input(4, 3) -> GRU(5, return_sequences=True, reset_after=False)", "X": L(X),
            "weights": {k: L(v.astype("float32")) for k, v in weights.items()}, "Y": L(Y)}


def main():
    layers = [dense_case(),
              conv_case(5, 5, 2, 3, 3, 1, "valid"), conv_case(6, 6, 2, 2, 3, 1, "same"),
              conv_case(6, 5, 2, 2, 3, 2, "same"), conv_case(7, 7, 1, 2, 3, 2, "valid"),
              conv_case(5, 6, 2, 2, (2, 3), 1, "same"),
              pool_case("max", 4, 4, 2, 2, 2), pool_case("max", 5, 5, 2, 3, 2),
              pool_case("avg", 4, 4, 2, 2, 2), pool_case("avg", 5, 5, 2, 3, 2),
              batchnorm_case((6, 3)), batchnorm_case((3, 2, 2, 2)),
              recurrent_case("SimpleRNN", 3, 4, 2, 3, False), recurrent_case("SimpleRNN", 2, 3, 2, 4, True),
              recurrent_case("LSTM", 3, 4, 2, 3, False), recurrent_case("LSTM", 2, 3, 3, 2, True),
              recurrent_case("GRU", 3, 4, 2, 3, False), recurrent_case("GRU", 2, 3, 3, 2, True)]
    data = {"torch": torch.__version__, "layers": layers, "losses": loss_cases()}
    try:
        data["keras_gru_reset_before"] = keras_gru_reset_before()
    except ImportError:
        pass
    OUT.write_text(json.dumps(data))
    print(f"wrote {OUT}: {len(layers)} layer cases, {len(data['losses'])} loss cases")


if __name__ == "__main__":
    main()
