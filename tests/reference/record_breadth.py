"""Record framework values for the kinds of the calculator-breadth work.

Run with the reference venv (torch, keras 3, scikit-learn; never needed by the tests):

    /tmp/refenv/bin/python tests/reference/record_breadth.py

Every case is drawn from a seeded NumPy generator (plus hand-picked awkward
ones), computed by the framework in float64, and written with the command-line
options of the same problem:

- regression-metrics: sklearn.metrics mean_squared_error, mean_absolute_error, r2_score
- auc: sklearn.metrics.roc_auc_score and roc_curve(drop_intermediate=False)
- loss --kind huber: keras.losses.Huber(delta)
- dropout: keras.layers.Dropout(rate, seed)(x, training=True); the mask is read off the output
- batchnorm: keras.layers.BatchNormalization(momentum=0) in training (the moving statistics
  after one step are then the batch's mean and variance) and at inference with set statistics
- attention: torch.nn.functional.scaled_dot_product_attention; the weights are its output
  for V = the identity matrix
- positional-encoding: the PyTorch tutorial's PositionalEncoding buffer
  (div_term = exp(arange(0, d, 2)·(−log 10000/d)), sin at even, cos at odd places)
- bptt: torch autograd through the unrolled tanh RNN, with one leaf copy of wx, wh, b per
  step so that each step's contribution is its own gradient (one unit; several units are
  recorded the same way by record_bptt_units.py into tests/data/bptt_units_reference.json)
- gru --reset-after: torch.nn.GRU (PyTorch's cell is Keras 3's reset_after=True cell)
- optimizer --v0/--s0/--m0/--t0/--l2/--eps 0: Keras 3 optimizers with their slot variables and
  iteration count assigned first; the L2 gradient from keras.regularizers.L2 through torch autograd
- conv2d --dilation: torch.nn.functional.conv2d (numeric padding) and keras Conv2D (padding='same')
- pool --padding same: keras MaxPooling2D / AveragePooling2D
- conv-output --transposed: torch.nn.ConvTranspose2d and keras Conv2DTranspose(padding='same')
- receptive-field: torch; the input pixels that receive a nonzero gradient from the centre
  output unit of a stack of convolutions (weights 1) and average pools, and the shift of
  that region between neighbouring output units (the jump)

Output: tests/data/breadth_reference.json.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from keras.src.backend.common import dtypes as keras_dtypes  # noqa: E402
from sklearn import metrics  # noqa: E402

keras.config.set_floatx("float64")
keras_dtypes.BIT64_TO_BIT32_DTYPE.clear()
torch.set_default_dtype(torch.float64)

OUT = Path(__file__).resolve().parent.parent / "data" / "breadth_reference.json"


def vec(a) -> str:
    return ",".join(repr(float(v)) for v in np.ravel(a))


def mat(a) -> str:
    return ";".join(vec(row) for row in np.atleast_2d(a))


def regression_cases(rng):
    cases = []
    draws = [rng.normal(size=int(rng.integers(2, 9))).round(2) for _ in range(6)]
    pairs = [(y, (y + rng.normal(scale=0.7, size=len(y))).round(2)) for y in draws]
    pairs += [(np.array([3, -0.5, 2, 7]), np.array([2.5, 0.0, 2, 8])),      # scikit-learn's docs example
              (np.array([2.0, 2, 2]), np.array([2.0, 2, 2])),              # constant y, perfect: r2 = 1
              (np.array([2.0, 2, 2]), np.array([1.0, 2, 3])),              # constant y, not perfect: r2 = 0
              (np.array([1.0, 2, 3]), np.array([3.0, 2, 1]))]              # worse than the mean: r2 < 0
    for y, p in pairs:
        cases.append({"options": {"y": vec(y), "p": vec(p)},
                      "expected": {"mse": metrics.mean_squared_error(y, p),
                                   "rmse": math.sqrt(metrics.mean_squared_error(y, p)),
                                   "mae": metrics.mean_absolute_error(y, p),
                                   "r2": metrics.r2_score(y, p)}})
    return cases


def auc_cases(rng):
    cases = []
    pairs = []
    for _ in range(6):
        n = int(rng.integers(4, 12))
        y = rng.integers(0, 2, size=n)
        y[0], y[1] = 0, 1
        scores = rng.choice([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], size=n)  # ties on purpose
        pairs.append((y, scores))
    pairs += [(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])),     # scikit-learn's docs example
              (np.array([1, 0, 1, 0, 1]), np.array([0.9, 0.9, 0.7, 0.3, 0.3])),
              (np.array([1, 1, 0, 0]), np.array([-2.0, -1.0, 3.0, 5.0]))]    # perfectly wrong: 0
    for y, s in pairs:
        fpr, tpr, _ = metrics.roc_curve(y, s, drop_intermediate=False)
        cases.append({"options": {"y": vec(y), "scores": vec(s)},
                      "expected": {"auc": metrics.roc_auc_score(y, s)},
                      "roc": [[float(a), float(b)] for a, b in zip(fpr, tpr)]})
    return cases


def huber_cases(rng):
    cases = []
    for i in range(8):
        n = int(rng.integers(1, 7))
        y = rng.normal(scale=2, size=n).round(2)
        p = rng.normal(scale=2, size=n).round(2)
        delta = [1.0, 1.0, 0.5, 2.0, 1.5, 0.1, 1.0, 3.0][i]
        value = keras.losses.Huber(delta=delta)(y[None, :], p[None, :])
        opts = {"kind": "huber", "y": vec(y), "p": vec(p)}
        if i != 0:          # case 0: the default delta 1
            opts["delta"] = repr(delta)
        cases.append({"options": opts, "expected": {"loss": float(keras.ops.convert_to_numpy(value))}})
    return cases


def dropout_cases(rng):
    cases = []
    for i, rate in enumerate([0.5, 0.2, 0.25, 0.8, 0.0, 0.5]):
        n = int(rng.integers(3, 9))
        x = rng.uniform(0.5, 3, size=n).round(2) * rng.choice([-1, 1], size=n)    # no zeros: mask readable
        layer = keras.layers.Dropout(rate, seed=100 + i)
        y = keras.ops.convert_to_numpy(layer(x[None, :], training=True))[0]
        mask = (y != 0).astype(float)
        cases.append({"options": {"x": vec(x), "rate": repr(rate), "mask": vec(mask)},
                      "expected": {"y": y.tolist()}})
    return cases


def batchnorm_cases(rng):
    cases = []
    for i in range(6):
        n, f = int(rng.integers(1, 5)), int(rng.integers(1, 4))
        if i == 0:
            n = max(n, 2)
        x = rng.normal(scale=3, size=(n, f)).round(2)
        gamma = rng.uniform(0.5, 2, size=f).round(2)
        beta = rng.normal(size=f).round(2)
        eps = [0.001, 0.001, 1e-5, 0.1, 0.001, 0.0][i] if n > 1 or i != 5 else 0.001
        layer = keras.layers.BatchNormalization(momentum=0.0, epsilon=eps)
        layer.build((None, f))
        layer.gamma.assign(gamma)
        layer.beta.assign(beta)
        y = keras.ops.convert_to_numpy(layer(x, training=True))
        mean = keras.ops.convert_to_numpy(layer.moving_mean)
        var = keras.ops.convert_to_numpy(layer.moving_variance)
        opts = {"x": mat(x), "gamma": vec(gamma), "beta": vec(beta), "eps": repr(eps)}
        cases.append({"options": opts, "expected": {"mean": mean.tolist(), "var": var.tolist(), "y": y.tolist()}})
        # inference with given moving statistics
        m = rng.normal(size=f).round(2)
        v = rng.uniform(0.5, 4, size=f).round(2)
        layer = keras.layers.BatchNormalization(epsilon=eps if eps else 0.001)
        layer.build((None, f))
        layer.gamma.assign(gamma)
        layer.beta.assign(beta)
        layer.moving_mean.assign(m)
        layer.moving_variance.assign(v)
        y = keras.ops.convert_to_numpy(layer(x, training=False))
        opts = {"x": mat(x), "gamma": vec(gamma), "beta": vec(beta), "eps": repr(eps if eps else 0.001),
                "mode": "infer", "mean": vec(m), "var": vec(v)}
        cases.append({"options": opts, "expected": {"mean": m.tolist(), "var": v.tolist(), "y": y.tolist()}})
    return cases


def attention_cases(rng):
    cases = []
    for i in range(7):
        n_q, n_k, d_k, d_v = (int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 5)),
                              int(rng.integers(1, 4)))
        q = rng.normal(size=(n_q, d_k)).round(2)
        k = rng.normal(size=(n_k, d_k)).round(2)
        v = rng.normal(size=(n_k, d_v)).round(2)
        mask = None
        if i >= 4:      # a mask, causal when square, random otherwise; every row keeps one key
            if i == 4:
                n_k = n_q = 3
                q, k, v = q[:0], k[:0], v[:0]
                q = rng.normal(size=(3, d_k)).round(2)
                k = rng.normal(size=(3, d_k)).round(2)
                v = rng.normal(size=(3, d_v)).round(2)
                mask = np.tril(np.ones((3, 3)))
            else:
                mask = rng.integers(0, 2, size=(n_q, n_k)).astype(float)
                mask[:, 0] = 1
        tq, tk, tv = (torch.tensor(a) for a in (q, k, v))
        kwargs = {} if mask is None else {"attn_mask": torch.tensor(mask == 1)}
        out = torch.nn.functional.scaled_dot_product_attention(tq[None], tk[None], tv[None], **kwargs)[0]
        weights = torch.nn.functional.scaled_dot_product_attention(
            tq[None], tk[None], torch.eye(n_k)[None], **kwargs)[0]
        scores = tq @ tk.T / math.sqrt(d_k)
        opts = {"q": mat(q), "k": mat(k), "v": mat(v)}
        if mask is not None:
            opts["mask"] = mat(mask)
        cases.append({"options": opts, "expected": {"scores": scores.tolist(), "weights": weights.tolist(),
                                                    "output": out.tolist()}})
    return cases


def positional_cases():
    """The buffer of the PyTorch tutorial's PositionalEncoding module."""
    cases = []
    for d in (4, 6, 8, 16):
        max_len = 12
        position = torch.arange(max_len).unsqueeze(1).double()
        div_term = torch.exp(torch.arange(0, d, 2).double() * (-math.log(10000.0) / d))
        pe = torch.zeros(max_len, d)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        for pos in (0, 1, 3, 11):
            cases.append({"options": {"pos": str(pos), "d": str(d)}, "expected": {"pe": pe[pos].tolist()}})
    return cases


def bptt_cases(rng):
    cases = []
    for i in range(8):
        T = int(rng.integers(1, 6))
        x = rng.normal(size=T).round(2)
        wx, wh, b, target, h0 = (float(v) for v in rng.normal(scale=0.8, size=5).round(2))
        if i == 0:
            b, h0 = 0.0, 0.0
        wxs = [torch.tensor(wx, requires_grad=True) for _ in range(T)]
        whs = [torch.tensor(wh, requires_grad=True) for _ in range(T)]
        bs = [torch.tensor(b, requires_grad=True) for _ in range(T)]
        h = torch.tensor(h0)
        hs = []
        for t in range(T):
            h = torch.tanh(wxs[t] * float(x[t]) + whs[t] * h + bs[t])
            h.retain_grad()
            hs.append(h)
        loss = 0.5 * (h - target) ** 2
        loss.backward()
        contrib = [{"t": t + 1, "dwx": float(wxs[t].grad), "dwh": float(whs[t].grad), "db": float(bs[t].grad)}
                   for t in range(T)]
        opts = {"x": vec(x), "wx": repr(wx), "wh": repr(wh), "target": repr(target)}
        if i != 0:
            opts.update(b=repr(b), h0=repr(h0))
        cases.append({"options": opts, "expected": {
            "loss": float(loss), "dwx": sum(c["dwx"] for c in contrib), "dwh": sum(c["dwh"] for c in contrib),
            "db": sum(c["db"] for c in contrib), "h": [float(v) for v in hs],
            "delta": [float(v.grad) for v in hs], "contributions": contrib}})
    return cases


def _field(layers, spatial, size=97):
    """Receptive field and jump measured by gradients: (r, j) per axis."""
    shape = (1, 1) + (size,) * spatial
    x = torch.ones(shape, requires_grad=True)
    mods = []
    for kind, k, s, d in layers:
        if kind == "conv":
            conv = (torch.nn.Conv2d if spatial == 2 else torch.nn.Conv1d)(1, 1, k, stride=s, dilation=d, bias=False)
            torch.nn.init.ones_(conv.weight)
            mods.append(conv)
        else:
            mods.append((torch.nn.AvgPool2d if spatial == 2 else torch.nn.AvgPool1d)(k, stride=s))
    net = torch.nn.Sequential(*mods)
    y = net(x)
    out = y.shape[2:]
    result = []
    for axis in range(spatial):
        spans = []
        for offset in (0, 1):
            x.grad = None
            idx = [0, 0] + [o // 2 for o in out]
            idx[2 + axis] += offset
            y2 = net(x)
            y2[tuple(idx)].backward()
            g = x.grad[0, 0]
            nz = torch.nonzero(g)
            spans.append((int(nz[:, axis].min()), int(nz[:, axis].max())))
        r = spans[0][1] - spans[0][0] + 1
        j = spans[1][0] - spans[0][0]
        result.append((r, j))
    return result


def receptive_cases():
    specs = [
        ("Conv2D(8,3) -> Conv2D(8,3) -> MaxPooling2D(2) -> Conv2D(16,3)",
         [("conv", 3, 1, 1), ("conv", 3, 1, 1), ("pool", 2, 2, 1), ("conv", 3, 1, 1)], 2),
        ("Input(64,64,3) -> Conv2D(16,5,strides=2) -> Conv2D(32,3,dilation_rate=2)",
         [("conv", 5, 2, 1), ("conv", 3, 1, 2)], 2),
        ("Conv1D(8,3) -> Conv1D(8,3,dilation_rate=2) -> Conv1D(8,3,dilation_rate=4)",
         [("conv", 3, 1, 1), ("conv", 3, 1, 2), ("conv", 3, 1, 4)], 1),
        ("Conv2D(6,5) -> AveragePooling2D(2) -> Conv2D(16,5) -> AveragePooling2D(2) -> Flatten -> Dense(10)",
         [("conv", 5, 1, 1), ("pool", 2, 2, 1), ("conv", 5, 1, 1), ("pool", 2, 2, 1)], 2),
        ("Conv2D(32,7,strides=2,padding=same) -> MaxPooling2D(3,strides=2) -> Conv2D(64,3) -> Conv2D(64,3)",
         [("conv", 7, 2, 1), ("pool", 3, 2, 1), ("conv", 3, 1, 1), ("conv", 3, 1, 1)], 2),
        ("Conv1D(4,2,strides=2) -> Conv1D(4,2,strides=2) -> Conv1D(4,2,strides=2)",
         [("conv", 2, 2, 1)] * 3, 1),
    ]
    cases = []
    for spec, layers, spatial in specs:
        measured = _field(layers, spatial)
        r = [m[0] for m in measured]
        j = [m[1] for m in measured]
        cases.append({"options": {"spec": spec}, "expected": {
            "receptive_field": r[0] if len(set(r)) == 1 else r, "jump": j[0] if len(set(j)) == 1 else j}})
    return cases


def _gate_text(w_h, w_x) -> str:
    """One row per unit of [W_h, W_x] (hidden part first), as solve gru takes it."""
    return mat(np.concatenate([w_h, w_x], axis=1))


def gru_cases(rng):
    """torch.nn.GRU (the reset_after cell): rows of weight_ih/weight_hh in blocks r, z, n."""
    cases = []
    for i in range(8):
        units, features, steps = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(1, 5))
        layer = torch.nn.GRU(features, units, batch_first=True)
        with torch.no_grad():
            for p in layer.parameters():
                p.copy_(torch.tensor(rng.normal(scale=0.7, size=tuple(p.shape)).round(2)))
        x = rng.normal(size=(steps, features)).round(2)
        h0 = rng.normal(scale=0.5, size=units).round(2) if i % 2 else np.zeros(units)
        out, _ = layer(torch.tensor(x)[None], torch.tensor(h0)[None, None])
        wi, wh = layer.weight_ih_l0.detach().numpy(), layer.weight_hh_l0.detach().numpy()
        bi, bh = layer.bias_ih_l0.detach().numpy(), layer.bias_hh_l0.detach().numpy()
        u = units
        block = {"r": slice(0, u), "z": slice(u, 2 * u), "h": slice(2 * u, 3 * u)}
        opts = {"x": vec(x[:, 0]) if features == 1 else mat(x) + (";" if steps == 1 else ""),
                "h0": vec(h0), "reset-after": True}
        for g, sl in block.items():
            opts[f"w{g}"] = _gate_text(wh[sl], wi[sl])
            opts[f"b{g}"] = vec(bi[sl])
            opts[f"rb{g}"] = vec(bh[sl])
        h = out[0].detach().numpy()
        cases.append({"options": opts, "expected": {"h": [float(v[0]) if units == 1 else v.tolist() for v in h]}})
    return cases


def optimizer_cases(rng):
    """Keras 3 optimizers started from a given state (slot variables and iteration count assigned
    before the first apply_gradients), and Keras's L2 penalty: keras.regularizers.L2(l2) of the
    weights, differentiated by torch autograd, added to the given gradient."""
    cases = []
    plans = [("momentum", {"v0"}), ("nesterov", {"v0"}), ("rmsprop", {"s0"}), ("adam", {"m0", "v0", "t0"}),
             ("adam", {"t0"}), ("sgd", {"l2"}), ("momentum", {"v0", "l2"}), ("adam", {"m0", "v0", "t0", "l2"}),
             ("adam", {"eps0"}), ("rmsprop", {"s0", "eps0"})]
    for method, plan in plans:
        n, steps = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        w = rng.normal(size=n).round(2)
        grads = rng.normal(size=(steps, n)).round(2)
        lr = float(rng.choice([0.01, 0.1, 0.5]))
        eps = 0.0 if "eps0" in plan else 1e-7
        opt = {"sgd": lambda: keras.optimizers.SGD(lr),
               "momentum": lambda: keras.optimizers.SGD(lr, momentum=0.9),
               "nesterov": lambda: keras.optimizers.SGD(lr, momentum=0.9, nesterov=True),
               "rmsprop": lambda: keras.optimizers.RMSprop(lr, rho=0.9, epsilon=eps),
               "adam": lambda: keras.optimizers.Adam(lr, epsilon=eps)}[method]()
        var = keras.Variable(w.copy(), dtype="float64")
        opt.build([var])
        opts = {"method": method, "w": vec(w), "grads": mat(grads), "lr": repr(lr)}
        if "eps0" in plan:
            opts["eps"] = "0"
        if "v0" in plan:
            v0 = rng.normal(scale=0.3, size=n).round(2)
            if method == "adam":
                v0 = np.abs(v0)
                opt._velocities[0].assign(v0)
            else:
                opt.momentums[0].assign(v0)
            opts["v0"] = vec(v0)
        if "s0" in plan:
            s0 = np.abs(rng.normal(scale=0.3, size=n)).round(2)
            opt._velocities[0].assign(s0)
            opts["s0"] = vec(s0)
        if "m0" in plan:
            m0 = rng.normal(scale=0.3, size=n).round(2)
            opt._momentums[0].assign(m0)
            opts["m0"] = vec(m0)
        if "t0" in plan:
            t0 = int(rng.integers(1, 20))
            opt.iterations.assign(t0)
            opts["t0"] = str(t0)
        lam = None
        if "l2" in plan:
            lam = float(rng.choice([0.01, 0.05, 0.1]))
            opts["l2"] = repr(lam)
        ws = []
        for g in grads:
            g = g.copy()
            if lam is not None:
                wt = torch.tensor(np.array(keras.ops.convert_to_numpy(var)), requires_grad=True)
                keras.regularizers.L2(lam)(wt).backward()
                g = g + wt.grad.numpy()
            opt.apply_gradients([(keras.ops.convert_to_tensor(g, dtype="float64"), var)])
            ws.append([float(v) for v in keras.ops.convert_to_numpy(var)])
        cases.append({"options": opts, "expected": {"w": ws}})
    return cases


def tensor_text(a) -> str:
    """(C, H, W) as channels separated by '|'."""
    return " | ".join(mat(c) for c in a)


def conv2d_dilation_cases(rng):
    """torch.nn.functional.conv2d with dilation and numeric padding; keras Conv2D(padding='same',
    dilation_rate) (stride 1, as Keras requires with dilation)."""
    cases = []
    for i in range(6):
        c, h, w = int(rng.integers(1, 3)), int(rng.integers(5, 9)), int(rng.integers(5, 9))
        k, d = int(rng.choice([2, 3])), int(rng.choice([2, 3]))
        x = rng.integers(-3, 4, size=(c, h, w)).astype(float)
        ker = rng.integers(-2, 3, size=(c, k, k)).astype(float)
        b = float(rng.integers(-2, 3))
        if i < 4:
            stride, pad = int(rng.integers(1, 3)), int(rng.integers(0, 3))
            if (h + 2 * pad - d * (k - 1) - 1) < 0 or (w + 2 * pad - d * (k - 1) - 1) < 0:
                pad = d * (k - 1)
            y = torch.nn.functional.conv2d(torch.tensor(x)[None], torch.tensor(ker)[None], torch.tensor([b]),
                                           stride=stride, padding=pad, dilation=d)[0, 0].numpy()
            padding = str(pad)
        else:
            stride, padding = 1, "same"
            layer = keras.layers.Conv2D(1, k, padding="same", dilation_rate=d)
            layer.build((None, h, w, c))
            layer.kernel.assign(np.transpose(ker, (1, 2, 0))[..., None])
            layer.bias.assign(np.array([b]))
            y = keras.ops.convert_to_numpy(layer(np.transpose(x, (1, 2, 0))[None]))[0, :, :, 0]
        cases.append({"options": {"input": tensor_text(x), "kernel": tensor_text(ker), "bias": repr(b),
                                  "stride": str(stride), "padding": padding, "dilation": str(d)},
                      "expected": y.tolist()})
    return cases


def pool_same_cases(rng):
    """keras MaxPooling2D / AveragePooling2D with padding='same' (max ignores the padding; the
    average divides by the cells inside the input), odd and even sizes, strides 1-3; averages
    only with an even padding (see below)."""
    cases = []
    i = 0
    while len(cases) < 10:
        h, w = int(rng.integers(3, 8)), int(rng.integers(3, 8))
        size, stride = int(rng.integers(2, 4)), int(rng.integers(1, 4))
        mode = "max" if i % 2 == 0 else "avg"
        i += 1
        totals = [max((-(-n // stride) - 1) * stride + size - n, 0) for n in (h, w)]
        if mode == "avg" and any(t % 2 for t in totals):
            # Keras's torch backend fills an odd padding by repeating the edge before averaging;
            # TensorFlow (and Keras's documented 'same') leaves those cells out. Record the
            # average only where the padding is even, which both agree on.
            continue
        x = rng.integers(-5, 6, size=(h, w)).astype(float)
        cls = keras.layers.MaxPooling2D if mode == "max" else keras.layers.AveragePooling2D
        y = keras.ops.convert_to_numpy(cls(size, strides=stride, padding="same")(x[None, :, :, None]))[0, :, :, 0]
        cases.append({"options": {"input": mat(x), "size": str(size), "stride": str(stride), "mode": mode,
                                  "padding": "same"}, "expected": y.tolist()})
    return cases


def transposed_output_cases(rng):
    """torch.nn.ConvTranspose2d (numeric padding, output_padding, dilation) and keras
    Conv2DTranspose(padding='same') output sizes."""
    cases = []
    for i in range(10):
        n, k, s = int(rng.integers(2, 12)), int(rng.integers(1, 6)), int(rng.integers(1, 4))
        d = 1 if i < 6 else int(rng.integers(1, 3))
        if i < 8:
            p = int(rng.integers(0, 3))
            a = int(rng.integers(0, max(s, d))) if i % 2 else 0
            out = torch.nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=a, dilation=d)(
                torch.zeros(1, 1, n, n)).shape[-1]
            if out < 1:
                continue
            opts = {"input": str(n), "kernel": str(k), "stride": str(s), "padding": str(p), "transposed": True}
            if a:
                opts["output-padding"] = str(a)
        else:
            out = keras.layers.Conv2DTranspose(1, k, strides=s, padding="same").compute_output_shape(
                (None, n, n, 1))[1]
            opts = {"input": str(n), "kernel": str(k), "stride": str(s), "padding": "same", "transposed": True}
        if d > 1:
            opts["dilation"] = str(d)
        cases.append({"options": opts, "expected": int(out)})
    return cases


def main() -> None:
    rng = np.random.default_rng(16)
    data = {
        "regression-metrics": regression_cases(rng),
        "auc": auc_cases(rng),
        "loss": huber_cases(rng),
        "dropout": dropout_cases(rng),
        "batchnorm": batchnorm_cases(rng),
        "attention": attention_cases(rng),
        "positional-encoding": positional_cases(),
        "bptt": bptt_cases(rng),
        "receptive-field": receptive_cases(),
        "gru": gru_cases(rng),
        "optimizer": optimizer_cases(rng),
        "conv2d": conv2d_dilation_cases(rng),
        "pool": pool_same_cases(rng),
        "conv-output": transposed_output_cases(rng),
    }
    data["_versions"] = {"torch": torch.__version__, "keras": keras.__version__,
                         "scikit-learn": __import__("sklearn").__version__}
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT}: " + ", ".join(f"{k} {len(v)}" for k, v in data.items() if k != "_versions"))


if __name__ == "__main__":
    main()
