"""Record framework reference values for the neuron kinds (neuron, activation, loss,
lms, metrics) into tests/data/neurons_reference.json.

Run with the reference venv (torch, keras 3, scikit-learn), never by the tests:

    /tmp/refenv/bin/python tests/reference/record_neurons.py

- activations: torch functions, derivatives by autograd (softmax: the Jacobian by
  torch.autograd.functional.jacobian);
- losses: Keras 3 ``keras.losses.*`` per-sample values (torch backend), and torch's
  own losses where they compute the same thing;
- lms: plain SGD in torch on ½(t − (w·x + b))² per sample (online) or on
  ½·mean(e²) over the batch (batch mode), which is the LMS rule;
- neuron: the notes' examples (003 neuron, 002 XOR network) by torch;
- metrics: scikit-learn with zero_division=0.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402
import sklearn  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score  # noqa: E402

torch.set_default_dtype(torch.float64)
keras.config.set_floatx("float64")
OUT = Path(__file__).resolve().parent.parent / "data" / "neurons_reference.json"

ELEMENTWISE = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
    "linear": lambda z: z * 1,
    "elu": lambda z: F.elu(z, alpha=1.0),
    "softplus": F.softplus,
}
Z_VECTORS = [
    [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0],
    [-30.0, -10.0, 10.0, 30.0],
    [1.1, -2.0, 0.25],
    [0.0],
    [-700.0, 700.0, 1e-8],
]
SOFTMAX_VECTORS = [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0, 0.0], [10.0, 10.0], [-2.0, 0.0, 2.0, 100.0], [0.0]]


def activations() -> list[dict]:
    out = []
    for name, fn in ELEMENTWISE.items():
        for zs in Z_VECTORS:
            z = torch.tensor(zs, requires_grad=True)
            y = fn(z)
            y.sum().backward()
            out.append({"fn": name, "z": zs, "y": y.tolist(), "dy": z.grad.tolist()})
    for zs in Z_VECTORS:   # step: no autograd (heaviside has no derivative), values only
        out.append({"fn": "step", "z": zs, "y": torch.heaviside(torch.tensor(zs), torch.tensor(1.0)).tolist()})
    for zs in SOFTMAX_VECTORS:
        z = torch.tensor(zs)
        jac = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, 0), z)
        out.append({"fn": "softmax", "z": zs, "y": torch.softmax(z, 0).tolist(), "dy": jac.tolist()})
    return out


LOSS_CASES = [
    ("mse", [1, 0, 2], [0.9, -0.2, 1.5]),
    ("mse", [3, -0.5, 2, 7], [2.5, 0.0, 2, 8]),
    ("mae", [1, 0, 2], [0.9, -0.2, 1.5]),
    ("mae", [3, -0.5, 2, 7], [2.5, 0.0, 2, 8]),
    ("bce", [1, 0], [0.8, 0.3]),
    ("bce", [1, 0, 1, 0], [0.9, 0.1, 0.6, 0.4]),
    ("bce", [0.2, 0.7], [0.3, 0.9]),
    ("bce", [1, 0], [0, 0.3]),            # p = 0: Keras clips to 1e-7
    ("bce", [1, 1, 0], [1, 0.5, 1]),      # p = 1: clipped to 1 - 1e-7
    ("cce", [0, 1, 0], [0.2, 0.7, 0.1]),
    ("cce", [0, 0, 1], [0.1, 0.2, 0.7]),
    ("cce", [0.1, 0.9], [0.3, 0.7]),
    ("cce", [1, 0, 0], [0, 0.5, 0.5]),    # p = 0 where y = 1: clipped
]
KERAS_LOSSES = {"mse": keras.losses.mean_squared_error, "mae": keras.losses.mean_absolute_error,
                "bce": keras.losses.binary_crossentropy, "cce": keras.losses.categorical_crossentropy}


def torch_loss(kind: str, y: torch.Tensor, p: torch.Tensor) -> float | None:
    """The same loss by torch's own functions, where they agree with Keras (no clipping)."""
    if kind == "mse":
        return F.mse_loss(p, y).item()
    if kind == "mae":
        return F.l1_loss(p, y).item()
    if bool(((p <= 0) | (p >= 1)).any()):
        return None
    if kind == "bce":
        return F.binary_cross_entropy(p, y).item()
    return F.cross_entropy(torch.log(p)[None], y[None]).item()   # log-softmax of log p = log p when Σp = 1


def losses() -> list[dict]:
    out = []
    for kind, y, p in LOSS_CASES:
        yk = torch.tensor([y], dtype=torch.float64)     # float64 tensors: Keras keeps float64
        pk = torch.tensor([p], dtype=torch.float64)
        value = float(keras.ops.convert_to_numpy(KERAS_LOSSES[kind](yk, pk))[0])
        out.append({"kind": kind, "y": y, "p": p, "keras": value,
                    "torch": torch_loss(kind, torch.tensor(y, dtype=torch.float64),
                                        torch.tensor(p, dtype=torch.float64))})
    return out


BIPOLAR_AND = [([1, 1], 1), ([1, -1], -1), ([-1, 1], -1), ([-1, -1], -1)]
THREE_FEATURES = [([0.5, -1.0, 2.0], 1.5), ([1.0, 0.0, -1.0], -0.5), ([-0.3, 0.8, 0.1], 0.2),
                  ([2.0, 1.0, 0.0], 2.5), ([0.0, -0.5, 1.5], -1.0)]
LMS_CASES = [
    {"data": BIPOLAR_AND, "w": [0.2, -0.3], "b": 0.1, "lr": 0.1, "epochs": 1, "mode": "online"},
    {"data": BIPOLAR_AND, "w": [0.2, -0.3], "b": 0.1, "lr": 0.1, "epochs": 3, "mode": "online"},
    {"data": THREE_FEATURES, "w": [0.1, 0.0, -0.2], "b": 0.0, "lr": 0.05, "epochs": 2, "mode": "online"},
    {"data": BIPOLAR_AND, "w": [0.2, -0.3], "b": 0.1, "lr": 0.1, "epochs": 3, "mode": "batch"},
    {"data": THREE_FEATURES, "w": [0.1, 0.0, -0.2], "b": 0.5, "lr": 0.2, "epochs": 4, "mode": "batch"},
]


def lms() -> list[dict]:
    out = []
    for case in LMS_CASES:
        X = torch.tensor([x for x, _ in case["data"]], dtype=torch.float64)
        t = torch.tensor([t for _, t in case["data"]], dtype=torch.float64)
        w = torch.tensor(case["w"], requires_grad=True)
        b = torch.tensor(case["b"], requires_grad=True)
        opt = torch.optim.SGD([w, b], lr=case["lr"])
        steps = []
        for _ in range(case["epochs"]):
            batches = [(X[i:i + 1], t[i:i + 1]) for i in range(len(X))] if case["mode"] == "online" else [(X, t)]
            for xb, tb in batches:
                opt.zero_grad()
                y = xb @ w + b
                e = tb - y
                (0.5 * (e ** 2).mean()).backward()
                opt.step()
                if case["mode"] == "online":
                    steps.append({"y": y.item(), "e": e.item(), "w": w.tolist(), "b": b.item()})
                else:
                    steps.append({"y": y.tolist(), "e": e.tolist(), "w": w.tolist(), "b": b.item()})
        with torch.no_grad():
            mse = F.mse_loss(X @ w + b, t).item()
        out.append({**case, "steps": steps, "answer": {"w": w.tolist(), "b": b.item(), "mse": mse}})
    return out


def neurons() -> list[dict]:
    def unit(x, w, b):
        z = torch.dot(torch.tensor(x, dtype=torch.float64), torch.tensor(w, dtype=torch.float64)) + b
        return z.item(), torch.sigmoid(z).item()

    out = []
    z, y = unit([1, 2, 3], [0.5, -1, 0.8], 0.2)     # notes 003, single neuron
    out.append({"x": [1, 2, 3], "w": [0.5, -1, 0.8], "b": 0.2, "activation": "sigmoid", "z": z, "y": y})
    xor = []                                        # notes 002, XOR by hand
    for x1 in (0, 1):
        for x2 in (0, 1):
            _, h1 = unit([x1, x2], [20, 20], -10)
            _, h2 = unit([x1, x2], [-20, -20], 30)
            _, yo = unit([h1, h2], [20, 20], -30)
            xor.append({"x": [x1, x2], "h1": h1, "h2": h2, "y": yo})
    return out, xor


METRIC_CASES = [(40, 10, 5, 45), (0, 0, 3, 7), (0, 5, 0, 5), (0, 0, 0, 10), (3, 0, 0, 0), (1, 2, 3, 4),
                (0, 4, 6, 0), (100, 1, 0, 0), (7, 3, 0, 0), (5, 0, 5, 0), (123, 45, 67, 890)]


def metrics() -> list[dict]:
    out = []
    for tp, fp, fn, tn in METRIC_CASES:
        y_true = [1] * tp + [0] * fp + [1] * fn + [0] * tn
        y_pred = [1] * tp + [1] * fp + [0] * fn + [0] * tn
        kw = {"zero_division": 0, "labels": [0, 1], "pos_label": 1, "average": "binary"}
        out.append({"tp": tp, "fp": fp, "fn": fn, "tn": tn,
                    "accuracy": float(accuracy_score(y_true, y_pred)),
                    "precision": float(precision_score(y_true, y_pred, **kw)),
                    "recall": float(recall_score(y_true, y_pred, **kw)),
                    "f1": float(f1_score(y_true, y_pred, **kw))})
    return out


def main() -> None:
    neuron_cases, xor = neurons()
    data = {
        "versions": {"torch": torch.__version__, "keras": keras.__version__, "sklearn": sklearn.__version__},
        "activations": activations(),
        "losses": losses(),
        "lms": lms(),
        "neurons": neuron_cases,
        "xor": xor,
        "metrics": metrics(),
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
