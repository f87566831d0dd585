"""Record Keras 3 optimizer updates for tests/test_optim.py.

Run with the reference venv (torch + keras 3):

    /tmp/refenv/bin/python tests/reference/record_optim.py

Writes tests/data/optim_keras.json: for each case the method, the hyperparameters
(in dltutor's option names), the starting weights, the gradient of every step
and Keras's weights after each ``optimizer.apply_gradients`` (float64
variables, so the comparison can be tight). The ``--f`` cases compute the
gradient at the current weights by a hand-derived formula written below (not
by sympy, not by dltutor) and feed it to Keras the same way.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "data" / "optim_keras.json"


def make_optimizer(method: str, lr: float, hyper: dict):
    if method == "sgd":
        return keras.optimizers.SGD(learning_rate=lr)
    if method == "momentum":
        return keras.optimizers.SGD(learning_rate=lr, momentum=hyper["beta"])
    if method == "nesterov":
        return keras.optimizers.SGD(learning_rate=lr, momentum=hyper["beta"], nesterov=True)
    if method == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=lr, rho=hyper["rho"], epsilon=hyper["eps"])
    if method == "adam":
        return keras.optimizers.Adam(learning_rate=lr, beta_1=hyper["beta1"], beta_2=hyper["beta2"],
                                     epsilon=hyper["eps"])
    raise ValueError(method)


def tensor(a):
    return keras.ops.convert_to_tensor(np.asarray(a, dtype="float64"), dtype="float64")


def run(method, lr, hyper, w0, grad_of):
    """Apply ``steps`` updates; ``grad_of(w, t)`` gives the gradient at the current weights."""
    var = keras.Variable(np.array(w0, dtype="float64"), dtype="float64")
    opt = make_optimizer(method, lr, hyper)
    grads, ws = [], []
    t = 0
    while True:
        g = grad_of(np.array(keras.ops.convert_to_numpy(var)), t)
        if g is None:
            break
        opt.apply_gradients([(tensor(g), var)])
        grads.append([float(x) for x in g])
        ws.append([float(x) for x in keras.ops.convert_to_numpy(var)])
        t += 1
    return grads, ws


DEFAULTS = {"beta": 0.9, "beta1": 0.9, "beta2": 0.999, "rho": 0.9, "eps": 1e-7}
USED = {"sgd": (), "momentum": ("beta",), "nesterov": ("beta",), "rmsprop": ("rho", "eps"),
        "adam": ("beta1", "beta2", "eps")}


def grads_cases(rng):
    cases = []
    for method in USED:
        for n_case in range(3):
            n = int(rng.integers(1, 4))
            steps = int(rng.integers(2, 7))
            lr = float(rng.choice([0.01, 0.05, 0.1, 0.5]))
            hyper = {k: DEFAULTS[k] for k in USED[method]}
            if n_case == 2:     # non-default hyperparameters
                for k in hyper:
                    hyper[k] = {"beta": 0.8, "beta1": 0.85, "beta2": 0.99, "rho": 0.95, "eps": 1e-6}[k]
            w0 = np.round(rng.uniform(-2, 2, n), 2).tolist()
            given = np.round(rng.uniform(-3, 3, (steps, n)), 2)
            grads, ws = run(method, lr, hyper, w0, lambda w, t: given[t] if t < steps else None)
            cases.append({"method": method, "lr": lr, "hyper": hyper, "w": w0, "grads": grads, "expected": ws})
    # small gradients: where sqrt(s + eps) and sqrt(s) + eps differ visibly
    for method in ("rmsprop", "adam"):
        hyper = {k: DEFAULTS[k] for k in USED[method]}
        given = np.array([[1e-4, -2e-4], [5e-5, 1e-4], [-1e-4, 3e-4]])
        grads, ws = run(method, 0.01, hyper, [0.5, -0.5], lambda w, t: given[t] if t < 3 else None)
        cases.append({"method": method, "lr": 0.01, "hyper": hyper, "w": [0.5, -0.5], "grads": grads,
                      "expected": ws, "small_gradients": True})
    return cases


# Hand-derived gradients of the --f formulas (partial derivatives written out).
FORMULAS = [
    ("x**2 + 10*y**2",
     lambda w: w[0] ** 2 + 10 * w[1] ** 2,
     lambda w: [2 * w[0], 20 * w[1]]),
    ("(x - 1)**2 + sin(y)",
     lambda w: (w[0] - 1) ** 2 + math.sin(w[1]),
     lambda w: [2 * (w[0] - 1), math.cos(w[1])]),
    ("x**2*y + exp(z) - 3*z",
     lambda w: w[0] ** 2 * w[1] + math.exp(w[2]) - 3 * w[2],
     lambda w: [2 * w[0] * w[1], w[0] ** 2, math.exp(w[2]) - 3]),
    ("x**4 - 2*x",
     lambda w: w[0] ** 4 - 2 * w[0],
     lambda w: [4 * w[0] ** 3 - 2]),
]

F_STARTS = {"x**2 + 10*y**2": [1.0, 1.0], "(x - 1)**2 + sin(y)": [-0.5, 2.0],
            "x**2*y + exp(z) - 3*z": [0.5, -1.0, 0.2], "x**4 - 2*x": [1.5]}


def formula_cases():
    cases = []
    plan = [("sgd", 0, 0.05, 5), ("momentum", 0, 0.02, 6), ("nesterov", 1, 0.1, 5),
            ("rmsprop", 2, 0.05, 4), ("adam", 0, 0.1, 25), ("adam", 3, 0.05, 8), ("momentum", 3, 0.01, 4)]
    for method, index, lr, steps in plan:
        text, f, grad = FORMULAS[index]
        hyper = {k: DEFAULTS[k] for k in USED[method]}
        grads, ws = run(method, lr, hyper, F_STARTS[text], lambda w, t: grad(w) if t < steps else None)
        cases.append({"method": method, "lr": lr, "hyper": hyper, "w": F_STARTS[text], "f": text,
                      "steps": steps, "grads": grads, "expected": ws, "f_values": [f(w) for w in ws]})
    return cases


def dump(data: dict) -> str:
    """JSON with one case per line (readable diffs, small file)."""
    parts = []
    for key, value in data.items():
        if isinstance(value, list):
            body = ",\n  ".join(json.dumps(case) for case in value)
            parts.append(f" {json.dumps(key)}: [\n  {body}\n ]")
        else:
            parts.append(f" {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main() -> None:
    rng = np.random.default_rng(20240601)
    data = {
        "source": f"keras {keras.__version__} (backend {keras.backend.backend()}), float64 variables, "
                  "optimizer.apply_gradients once per step",
        "grads": grads_cases(rng),
        "formula": formula_cases(),
    }
    OUT.write_text(dump(data))
    print(f"wrote {OUT} ({len(data['grads'])} gradient cases, {len(data['formula'])} formula cases)")


if __name__ == "__main__":
    main()
