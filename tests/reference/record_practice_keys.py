"""Record every practice family's answers, recomputed outside dltutor, for tests/practice/test_keys_reference.py.

Run with the reference venv (torch 2.13 CPU, Keras 3 on the torch backend, scikit-learn)
from the repository root:

    PYTHONPATH=. /tmp/refenv/bin/python tests/reference/record_practice_keys.py

dltutor only draws the problems (its parameters, as a student reads them in the prompt);
every answer is then recomputed below from those parameters with PyTorch (autograd,
conv/pool layers, RNN/LSTM cells, losses, softmax), Keras 3 (optimizers, GRU cell, layer
shapes and parameter counts) or scikit-learn (metrics), and where no framework has the
quantity (McCulloch-Pitts units, the perceptron and XOR step networks, multiplication
counts) by a few lines of NumPy written from the prompt's own words, never by dltutor's
code. Draws are chosen to be non-trivial: a stride different from the padding, a learning
rate other than 1. Writes tests/data/practice_keys.json.

``--audit N`` writes nothing: it compares the keys of seeds 0..N-1 of every family and
difficulty with the references and lists the ids that differ.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn import metrics as skm  # noqa: E402

from dltutor.practice.families import DIFFICULTIES, generate, load_families  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record_practice_keys_torch import bptt_steps  # noqa: E402  (one reference for the BPTT family)

torch.set_default_dtype(torch.float64)
keras.config.set_floatx("float64")
OUT = Path(__file__).resolve().parent.parent / "data" / "practice_keys.json"
PER_DIFFICULTY = 4          # ids per family and difficulty
F64 = torch.float64


def T(a):
    return torch.tensor(np.asarray(a, dtype=float), dtype=F64)


def L(t):
    return t.detach().numpy().tolist() if isinstance(t, torch.Tensor) else np.asarray(t).tolist()


# ---------------------------------------------------------------- neurons and learning rules

def mp_threshold(n):
    # the gate's truth table as the prompt words it: x1..xn the gate's inputs, an (n+1)-th
    # inhibitory input that must be off when there is one; θ works iff every firing sum ≥ θ >
    # every silent sum
    weights = n.get("weights", [1] * n["n"])
    k = len(weights) - n["n"]
    gate = n["gate"]

    def fires(x):
        ins, extra = x[:n["n"]], x[n["n"]:]
        ok = {"AND": all(ins), "OR": any(ins), "NAND": not all(x), "NOR": not any(x)}[gate]
        return ok and not any(extra) if gate in ("AND", "OR") and k else ok

    sums = {x: float(np.dot(weights, x)) for x in itertools.product([0, 1], repeat=len(weights))}
    silent_max = max(s for x, s in sums.items() if not fires(x))
    firing_min = min(s for x, s in sums.items() if fires(x))
    return {"theta": firing_min}, {"theta": {"above": silent_max, "max": firing_min}}


def mp_truth_table(n):
    w = np.array(n["w"], dtype=float)
    ys = [1.0 if float(np.dot(w, x)) >= n["theta"] else 0.0 for x in itertools.product([0, 1], repeat=len(w))]
    return {"y": ys}


def step(z):
    return 1.0 if z >= 0 else 0.0


def xor_network(n):
    # each neuron is step(w·v + b) with the weights and bias the prompt prints
    x = [n["x1"], n["x2"]]
    h1 = step(float(np.dot(n["w1"], x)) + n["b1"])
    h2 = step(float(np.dot(n["w2"], x)) + n["b2"])
    return {"h1": h1, "h2": h2, "y": step(float(np.dot(n["wo"], [h1, h2])) + n["bo"])}


TORCH_ACTS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
              "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
              "step": lambda z: (z >= 0).to(F64), "linear": lambda z: z}


def neuron_forward(n):
    z = T(n["w"]) @ T(n["x"]) + n["b"]
    return {"z": float(z), "y": float(TORCH_ACTS[n["act"]](z))}


def activation_derivative(n):
    z = T(n["z"]).requires_grad_(True)
    y = TORCH_ACTS[n["fn"]](z)
    (dy,) = torch.autograd.grad(y.sum(), z)
    return {"y": L(y), "dy": L(dy)}


def softmax_values(n):
    return {"p": L(torch.softmax(T(n["z"]), 0))}


def loss_value(n):
    y, p = T(n["y"]), T(n["p"])
    F = torch.nn.functional
    loss = {"mse": lambda: F.mse_loss(p, y), "mae": lambda: F.l1_loss(p, y),
            "bce": lambda: F.binary_cross_entropy(p, y),
            "cce": lambda: F.nll_loss(torch.log(p)[None], y.argmax()[None])}[n["lk"]]()
    return {"loss": float(loss)}


def perceptron_epoch(n):
    # the prompt's rule, sample by sample: y = f(w·x + b), w += lr(t − y)x, b += lr(t − y)
    bipolar = n["enc"] == "bipolar"
    w, b, rows = np.array(n["w"], dtype=float), float(n["b"]), []
    for x, t in zip(np.array(n["X"], dtype=float), n["t"]):
        z = float(w @ x) + b
        y = (1.0 if z >= 0 else -1.0) if bipolar else (1.0 if z >= 0 else 0.0)
        w = w + n["lr"] * (t - y) * x
        b = b + n["lr"] * (t - y)
        rows.append([y, *w.tolist(), b])
    return {"epoch": rows}


def lms_online(n):
    # torch SGD on E = ½e² after every sample
    w = T(n["w"]).requires_grad_(True)
    b = torch.tensor(float(n["b"]), dtype=F64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=n["lr"])
    rows = []
    for x, t in zip(n["X"], n["t"]):
        y = w @ T(x) + b
        e = t - y
        yv, ev = float(y), float(e)
        opt.zero_grad()
        (0.5 * e ** 2).backward()
        opt.step()
        rows.append([yv, ev, *L(w), float(b)])
    return {"epoch": rows}


def lms_batch(n):
    # torch SGD, one step on E = ½·mean(e²) over the whole batch
    w = T(n["w"]).requires_grad_(True)
    b = torch.tensor(float(n["b"]), dtype=F64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=n["lr"])
    e = T(n["t"]) - (T(n["X"]) @ w + b)
    (0.5 * (e ** 2).mean()).backward()
    opt.step()
    return {"w": L(w), "b": float(b)}


# ---------------------------------------------------------------- backprop (torch autograd)

def _two_layer(n):
    x, t = T(n["x"]), T(n["t"])
    W1, W2 = T(n["w1"]).requires_grad_(True), T(n["w2"]).requires_grad_(True)
    z1 = W1 @ x + n["b1"]           # one bias number shared by the layer
    z1.retain_grad()
    h = torch.sigmoid(z1)
    z2 = W2 @ h + n["b2"]
    z2.retain_grad()
    o = torch.sigmoid(z2)
    (0.5 * ((t - o) ** 2).sum()).backward()
    return o, z1, z2, W1, W2


def backprop_output_weights(n):
    o, _, z2, _, W2 = _two_layer(n)
    return {"o": L(o), "delta": L(z2.grad), "w2": L(W2 - n["lr"] * W2.grad)}


def backprop_hidden_weights(n):
    _, z1, _, W1, _ = _two_layer(n)
    return {"delta_h": L(z1.grad), "w1": L(W1 - n["lr"] * W1.grad)}


def backprop_deep(n):
    Ws = [T(n[k]).requires_grad_(True) for k in ("w1", "w2", "w3")]
    a = T(n["x"])
    for W, bk in zip(Ws, ("b1", "b2", "b3")):
        a = torch.sigmoid(W @ a + n[bk])
    (0.5 * ((n["t"] - a) ** 2).sum()).backward()
    return {"g3": L(Ws[2].grad), "g2": L(Ws[1].grad), "g1": L(Ws[0].grad)}


# ---------------------------------------------------------------- CNN (torch layers, Keras shapes)

def conv_output_size(n):
    conv = torch.nn.Conv2d(1, 1, n["k"], stride=n["s"], padding=n["p"])
    return {"out": int(conv(torch.zeros(1, 1, n["n"], n["n"])).shape[-1])}


def _keras_shape(layers, shape):
    model = keras.Sequential([keras.Input(shape), *layers])
    return model, [tuple(layer.output.shape[1:]) for layer in model.layers]


def conv_same_padding(n):
    _, shapes = _keras_shape([keras.layers.Conv2D(1, n["k"], strides=n["s"], padding="same")], (n["n"], n["n"], 1))
    return {"out": int(shapes[0][0])}


def pool_output_size(n):
    cls = keras.layers.MaxPooling2D if n["layer"] == "MaxPooling2D" else keras.layers.AveragePooling2D
    _, shapes = _keras_shape([cls(pool_size=n["k"], strides=n["stride"])], (n["n"], n["n"], 1))
    return {"out": int(shapes[0][0])}


def conv2d_by_hand(n):
    out = torch.nn.functional.conv2d(T(n["X"])[None, None], T(n["K"])[None, None], T([n["bias"]]),
                                     stride=n["s"], padding=n["p"])
    return {"out": L(out[0, 0])}


def conv2d_multichannel(n):
    out = torch.nn.functional.conv2d(T(n["X"])[None], T(n["K"])[None], T([n["bias"]]))
    return {"out": L(out[0, 0])}


def pool_by_hand(n):
    F = torch.nn.functional
    pool = F.max_pool2d if n["mode"] == "max" else F.avg_pool2d
    return {"out": L(pool(T(n["X"])[None, None], n["k"], stride=n["stride"])[0, 0])}


def cnn_shape_chain(n):
    L_ = keras.layers
    pool = lambda: L_.MaxPooling2D(n["pk"], strides=n["ps"])  # noqa: E731
    _, s = _keras_shape([L_.Conv2D(n["f1"], n["k1"], padding=n["pad1"]), pool(), L_.Conv2D(n["f2"], n["k2"]),
                         pool(), L_.Flatten()], (n["n"], n["n"], n["c"]))
    return {"conv1": list(s[0]), "pool1": list(s[1]), "conv2": list(s[2]), "pool2": list(s[3]), "flat": s[4][0]}


def separable_cost(n):
    # 'same' padding, stride 1: H x W outputs; a multiplication per kernel weight per output
    out = n["H"] * n["W"]
    std = out * n["k"] ** 2 * n["C"] * n["F"]
    dw = out * n["k"] ** 2 * n["C"]
    pw = out * n["C"] * n["F"]
    return {"standard": std, "depthwise": dw, "pointwise": pw, "separable": dw + pw}


def receptive_field(n):
    # torch: the input pixels one output unit depends on are where its gradient is non-zero
    # (an average pool has the max pool's windows and passes gradient to all of them)
    net = torch.nn.Sequential(torch.nn.Conv1d(1, 1, n["k1"], bias=False), torch.nn.AvgPool1d(n["p"], n["p"]),
                              torch.nn.Conv1d(1, 1, n["k2"], stride=n["s2"], dilation=n["d2"], bias=False))
    with torch.no_grad():
        for layer in (net[0], net[2]):
            layer.weight.fill_(1.0)
    x = torch.ones(1, 1, 200, requires_grad=True)
    out = net(x)
    support = []
    for unit in (3, 4):
        (g,) = torch.autograd.grad(out[0, 0, unit], x, retain_graph=True)
        idx = torch.nonzero(g[0, 0]).reshape(-1)
        support.append((int(idx.min()), int(idx.max())))
    return {"receptive_field": support[0][1] - support[0][0] + 1, "jump": support[1][0] - support[0][0]}


def _uses_bias(n):
    return "use_bias=False" not in str(n.get("bias", "")).replace(" ", "")


def params_dense(n):
    bias = _uses_bias(n)
    model = keras.Sequential([keras.Input((n["n"],))] + [keras.layers.Dense(n[u], use_bias=bias)
                                                         for u in ("u1", "u2", "u3")])
    counts = [layer.count_params() for layer in model.layers]
    return {"d1": counts[0], "d2": counts[1], "d3": counts[2], "total": model.count_params()}


def params_cnn(n):
    bias = _uses_bias(n)
    L_ = keras.layers
    model, _ = _keras_shape([L_.Conv2D(n["f1"], n["k"], use_bias=bias), L_.MaxPooling2D(2),
                             L_.Conv2D(n["f2"], n["k"], use_bias=bias), L_.Flatten(),
                             L_.Dense(n["u"], use_bias=bias)], (n["n"], n["n"], n["c"]))
    c = [layer.count_params() for layer in model.layers]
    return {"conv1": c[0], "conv2": c[2], "dense": c[4], "total": model.count_params()}


def params_recurrent(n):
    cell = {"SimpleRNN": keras.layers.SimpleRNN, "LSTM": keras.layers.LSTM, "GRU": keras.layers.GRU}[n["cell"]]
    model = keras.Sequential([keras.Input((n["T"], n["F"])), cell(n["u"]), keras.layers.Dense(n["d"])])
    return {"rnn": model.layers[0].count_params(), "total": model.count_params()}


# ---------------------------------------------------------------- recurrent cells

def rnn_steps(n):
    rnn = torch.nn.RNN(1, 1, nonlinearity="tanh", batch_first=True)
    with torch.no_grad():
        rnn.weight_ih_l0.fill_(n["wx"])
        rnn.weight_hh_l0.fill_(n["wh"])
        rnn.bias_ih_l0.fill_(n["b"])
        rnn.bias_hh_l0.zero_()
        out, _ = rnn(T(n["x"]).reshape(1, -1, 1), T([[[n["h0"]]]]))
    return {"h": L(out.reshape(-1))}


def lstm_step(n):
    # torch LSTMCell: gates i, f, g (candidate), o; weights on [h, x] split into weight_hh and weight_ih
    cell = torch.nn.LSTMCell(1, 1)
    order = ("wi", "wf", "wc", "wo")
    with torch.no_grad():
        cell.weight_hh.copy_(T([[n[k][0]] for k in order]))
        cell.weight_ih.copy_(T([[n[k][1]] for k in order]))
        cell.bias_ih.copy_(T([n[k.replace("w", "b")] for k in order]))
        cell.bias_hh.zero_()
    h, c = T([[n["h0"]]]), T([[n["c0"]]])
    rows = []
    with torch.no_grad():
        for x in n["x"]:
            pre = cell.weight_ih @ T([x]) + cell.weight_hh @ h[0] + cell.bias_ih
            i, f, g, o = torch.sigmoid(pre[0]), torch.sigmoid(pre[1]), torch.tanh(pre[2]), torch.sigmoid(pre[3])
            h, c = cell(T([[x]]), (h, c))
            rows.append([float(f), float(i), float(g), float(o), float(c), float(h)])
    return {"steps": rows}


def gru_step(n):
    # Keras GRUCell(reset_after=False): kernel/recurrent_kernel columns z, r, h
    cell = keras.layers.GRUCell(1, reset_after=False, dtype="float64")
    cell.build((None, 1))
    gates = ("wz", "wr", "wh")
    cell.set_weights([np.array([[n[g][1] for g in gates]]), np.array([[n[g][0] for g in gates]]),
                      np.array([n["bz"], n["br"], n["bh"]])])
    h = np.array([[n["h0"]]])
    rows = []
    for x in n["x"]:
        hp = float(h[0, 0])
        z = float(torch.sigmoid(T(n["wz"][0] * hp + n["wz"][1] * x + n["bz"])))
        r = float(torch.sigmoid(T(n["wr"][0] * hp + n["wr"][1] * x + n["br"])))
        ht = float(torch.tanh(T(n["wh"][0] * r * hp + n["wh"][1] * x + n["bh"])))
        out, _ = cell(np.array([[x]]), [h])
        h = keras.ops.convert_to_numpy(out)
        rows.append([z, r, ht, float(h[0, 0])])
    return {"steps": rows}


# ---------------------------------------------------------------- optimizers (Keras 3, float64)

def _keras_run(opt, w, grads):
    var = keras.Variable(np.array(w, dtype="float64"), dtype="float64")
    out = []
    for g in grads:
        opt.apply_gradients([(keras.ops.convert_to_tensor(np.array(g, dtype="float64")), var)])
        out.append(keras.ops.convert_to_numpy(var).tolist())
    return out


def _two_steps(n, opt):
    w = _keras_run(opt, n["w"], [n["g1"], n["g2"]])
    return {"w1": w[0], "w2": w[1]}


def adam_step(n):
    return _two_steps(n, keras.optimizers.Adam(learning_rate=n["lr"], beta_1=0.9, beta_2=0.999, epsilon=1e-7))


def rmsprop_step(n):
    return _two_steps(n, keras.optimizers.RMSprop(learning_rate=n["lr"], rho=n["rho"], epsilon=1e-7))


def sgd_momentum_step(n):
    return _two_steps(n, keras.optimizers.SGD(learning_rate=n["lr"], momentum=n["beta"]))


def minimise_formula(n):
    # torch autograd and SGD on f = a·x² + c·y²
    w = T([n["x0"], n["y0"]]).requires_grad_(True)
    opt = torch.optim.SGD([w], lr=n["lr"])
    f = lambda: n["a"] * w[0] ** 2 + n["c"] * w[1] ** 2  # noqa: E731
    ws = []
    for _ in range(2):
        opt.zero_grad()
        f().backward()
        opt.step()
        ws.append(L(w))
    return {"w1": ws[0], "w2": ws[1], "f2": float(f())}


def confusion_metrics(n):
    y_true = [1] * n["tp"] + [0] * n["fp"] + [1] * n["fn"] + [0] * n["tn"]
    y_pred = [1] * n["tp"] + [1] * n["fp"] + [0] * n["fn"] + [0] * n["tn"]
    kw = {"zero_division": 0}
    return {"accuracy": skm.accuracy_score(y_true, y_pred), "precision": skm.precision_score(y_true, y_pred, **kw),
            "recall": skm.recall_score(y_true, y_pred, **kw), "f1": skm.f1_score(y_true, y_pred, **kw)}


def attention_weights(n):
    q, K, V = T(n["q"]), T(n["K"]), T(n["V"])
    scores = K @ q / np.sqrt(K.shape[1])
    out = torch.nn.functional.scaled_dot_product_attention(q[None, None], K[None], V[None])[0, 0]
    return {"scores": L(scores), "weights": L(torch.softmax(scores, 0)), "output": L(out)}


def auc(n):
    return {"auc": skm.roc_auc_score(n["y"], n["scores"])}


def batchnorm_train(n):
    x = T(n["x"])
    y = torch.nn.functional.batch_norm(x[:, None], None, None, T([n["gamma"]]), T([n["beta"]]),
                                       training=True, eps=1e-3)
    return {"mean": float(x.mean()), "var": float(x.var(unbiased=False)), "y": L(y[:, 0])}


def dropout_step(n):
    # inverted dropout with the given mask: kept units scaled by 1/(1 − rate), as torch and Keras do
    return {"y": L(T(n["x"]) * T(n["mask"]) / (1 - n["rate"]))}


def positional_encoding(n):
    i = np.arange(n["d"]) // 2
    angle = n["pos"] / 10000 ** (2 * i / n["d"])
    return {"pe": np.where(np.arange(n["d"]) % 2 == 0, np.sin(angle), np.cos(angle)).tolist()}


def regression_metrics(n):
    y, p = n["y"], n["p"]
    mse = skm.mean_squared_error(y, p)
    return {"mse": mse, "rmse": float(np.sqrt(mse)), "mae": skm.mean_absolute_error(y, p), "r2": skm.r2_score(y, p)}


def autoencoder_params(n):
    L_ = keras.layers
    bias = _uses_bias(n)
    enc = ([L_.Dense(n["h"], use_bias=bias)] if n["h"] else []) + [L_.Dense(n["c"], use_bias=bias)]
    dec = ([L_.Dense(n["h"], use_bias=bias)] if n["h"] else []) + [L_.Dense(n["n"], use_bias=bias)]
    model = keras.Sequential([keras.Input((n["n"],)), *enc, *dec])
    e = sum(layer.count_params() for layer in enc)
    return {"enc": e, "dec": model.count_params() - e, "total": model.count_params()}


def autoencoder_reconstruction(n):
    F = torch.nn.functional
    x, xh = T(n["x"]), T(n["xh"])
    loss = F.mse_loss(xh, x) if n["lk"] == "mse" else F.binary_cross_entropy(xh, x)
    return {"error": float(loss)}


def gan_discriminator_loss(n):
    y = np.concatenate([np.full(len(n["dr"]), float(n["t"])), np.zeros(len(n["df"]))])
    d = np.concatenate([n["dr"], n["df"]]).astype(float)
    return {"loss": float(keras.losses.BinaryCrossentropy()(y, d))}


def gan_generator_loss(n):
    return {"loss": float(-torch.log(T(n["df"])).mean())}


def huber_loss(n):
    return {"loss": float(keras.losses.Huber(delta=n["d"])(np.array(n["y"], float), np.array(n["p"], float)))}


def l2_update(n):
    # torch SGD: weight_decay adds wd·w to the gradient, so wd = 2λ for the penalty λ·Σw²
    w = T(n["w"]).requires_grad_(True)
    opt = torch.optim.SGD([w], lr=n["lr"], weight_decay=2 * n["lam"])
    out = []
    for g in (n["g1"], n["g2"]):
        w.grad = T(g)
        opt.step()
        out.append(L(w))
    return {"w1": out[0], "w2": out[1]}


REFERENCE = {
    "mp-threshold": mp_threshold, "mp-truth-table": mp_truth_table, "xor-network": xor_network,
    "neuron-forward": neuron_forward, "activation-derivative": activation_derivative,
    "softmax-values": softmax_values, "loss-value": loss_value, "perceptron-epoch": perceptron_epoch,
    "lms-online": lms_online, "lms-batch": lms_batch, "backprop-output-weights": backprop_output_weights,
    "backprop-hidden-weights": backprop_hidden_weights, "backprop-deep": backprop_deep,
    "conv-output-size": conv_output_size, "conv-same-padding": conv_same_padding,
    "pool-output-size": pool_output_size, "conv2d-by-hand": conv2d_by_hand,
    "conv2d-multichannel": conv2d_multichannel, "pool-by-hand": pool_by_hand, "cnn-shape-chain": cnn_shape_chain,
    "separable-cost": separable_cost, "params-dense": params_dense, "params-cnn": params_cnn,
    "params-recurrent": params_recurrent, "rnn-steps": rnn_steps, "lstm-step": lstm_step, "gru-step": gru_step,
    "adam-step": adam_step, "rmsprop-step": rmsprop_step, "sgd-momentum-step": sgd_momentum_step,
    "minimise-formula": minimise_formula, "confusion-metrics": confusion_metrics,
    "receptive-field": receptive_field, "attention-weights": attention_weights, "auc": auc,
    "batchnorm-train": batchnorm_train, "bptt-steps": bptt_steps, "dropout-step": dropout_step,
    "positional-encoding": positional_encoding, "regression-metrics": regression_metrics,
    "autoencoder-params": autoencoder_params, "autoencoder-reconstruction": autoencoder_reconstruction,
    "gan-discriminator-loss": gan_discriminator_loss, "gan-generator-loss": gan_generator_loss,
    "huber-loss": huber_loss, "l2-update": l2_update,
}


def numeric(family) -> bool:
    """A family answered by a solver (the conceptual ones, choice/true-false/short text, have none)."""
    return not family.conceptual


def non_trivial(names: dict) -> bool:
    """A draw worth recording: a stride other than the padding, a learning rate other than 1."""
    if "s" in names and "p" in names and names["s"] == names["p"]:
        return False
    return names.get("lr", 0.5) != 1


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def audit(seeds: int) -> int:
    """Compare dltutor's keys with the references on seeds 0..seeds-1 of every difficulty (no file written)."""
    bad, count = {}, 0
    for name, family in sorted(load_families().items()):
        if not numeric(family):
            continue
        for difficulty in DIFFICULTIES:
            for seed in range(seeds):
                problem = generate(family, seed, difficulty)
                got = REFERENCE[name](problem.names)
                answers = got[0] if isinstance(got, tuple) else got
                count += 1
                for part in problem.parts:
                    a, b = np.asarray(part.expected, dtype=float), np.asarray(answers[part.name], dtype=float)
                    if a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-8):
                        bad.setdefault(name, set()).add(problem.id)
    print(f"{count} draws; keys that differ: " + (", ".join(f"{k} {len(v)} (e.g. {min(v)})" for k, v in bad.items())
                                                   or "none"))
    return 1 if bad else 0


def main() -> int:
    if sys.argv[1:2] == ["--audit"]:
        return audit(int(sys.argv[2]) if len(sys.argv) > 2 else 100)
    families = {k: f for k, f in load_families().items() if numeric(f)}
    missing = sorted(set(families) - set(REFERENCE))
    if missing:
        print(f"no reference computation for {', '.join(missing)}", file=sys.stderr)
    records = []
    for name in sorted(set(families) & set(REFERENCE)):
        family = families[name]
        for difficulty in DIFFICULTIES:
            kept, seed = 0, 0
            while kept < PER_DIFFICULTY and seed < 400:
                problem = generate(family, seed, difficulty)
                seed += 1
                if not non_trivial(problem.names):
                    continue
                got = REFERENCE[name](problem.names)
                answers, accept = got if isinstance(got, tuple) else (got, {})
                answers = {p.name: answers[p.name] for p in problem.parts}
                records.append({"id": problem.id, "family": name, "version": family.version,
                                "seed": problem.seed, "difficulty": difficulty,
                                "params": plain(problem.params), "answers": plain(answers),
                                "accept": plain(accept)})
                kept += 1
    OUT.write_text(json.dumps({
        "made_by": "tests/reference/record_practice_keys.py",
        "frameworks": {"torch": torch.__version__, "keras": keras.__version__,
                       "sklearn": __import__("sklearn").__version__, "keras_backend": keras.backend.backend()},
        "records": records}, indent=1) + "\n")
    print(f"{len(records)} problems from {len({r['family'] for r in records})} families -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
