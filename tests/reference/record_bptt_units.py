"""Record `solve bptt` for tanh RNNs of several units with PyTorch autograd (torch alone).

The one-unit cases are in record_breadth.py; this script adds RNNs of n units and m inputs per
step, recorded the same way: the network is unrolled over the T steps with one leaf copy of
W_x (n, m), W_h (n, n) and b (n,) per step, h_t = tanh(W_x^(t)·x_t + W_h^(t)·h_(t−1) + b^(t)),
L = ½‖h_T − target‖², and ``loss.backward()`` gives each copy's gradient: that is step t's
contribution, measured on its own; the gradients are their sums. ∂L/∂h_t (``delta``) is read
with ``retain_grad``. Everything in float64.

Cases: 2 units × 1 input (W_x written as a column and as a flat list of one weight per unit),
3 units × 2 inputs, one unit × 3 inputs, nonzero h_0 and b, T = 1 and T = 4, and seeded
random draws. From the repository root:

    python tests/reference/record_bptt_units.py

Writes tests/data/bptt_units_reference.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
OUT = Path(__file__).resolve().parent.parent / "data" / "bptt_units_reference.json"


def vec(a) -> str:
    return ",".join(repr(float(v)) for v in np.ravel(a))


def mat(a) -> str:
    return ";".join(vec(row) for row in np.atleast_2d(a))


def shaped(a: np.ndarray):
    """A gradient as the calculator shows it: a number (1×1), a row (one unit), or rows."""
    a = np.asarray(a, dtype=float)
    if a.shape == (1, 1):
        return float(a[0, 0])
    return a[0].tolist() if a.shape[0] == 1 else a.tolist()


def per_unit(a: np.ndarray):
    return float(a[0]) if len(a) == 1 else [float(v) for v in a]


def unrolled(x: np.ndarray, wx: np.ndarray, wh: np.ndarray, b: np.ndarray, h0: np.ndarray,
             target: np.ndarray) -> dict:
    """Loss, gradients, h_t, ∂L/∂h_t and every step's contribution from torch autograd."""
    T = len(x)
    wxs = [torch.tensor(wx, requires_grad=True) for _ in range(T)]
    whs = [torch.tensor(wh, requires_grad=True) for _ in range(T)]
    bs = [torch.tensor(b, requires_grad=True) for _ in range(T)]
    h = torch.tensor(h0)
    hs = []
    for t in range(T):
        h = torch.tanh(wxs[t] @ torch.tensor(x[t]) + whs[t] @ h + bs[t])
        h.retain_grad()
        hs.append(h)
    loss = 0.5 * ((h - torch.tensor(target)) ** 2).sum()
    loss.backward()
    contrib = [{"t": t + 1, "dwx": shaped(wxs[t].grad), "dwh": shaped(whs[t].grad), "db": per_unit(bs[t].grad)}
               for t in range(T)]
    return {"loss": float(loss.detach()),
            "dwx": shaped(sum(w.grad for w in wxs)), "dwh": shaped(sum(w.grad for w in whs)),
            "db": per_unit(sum(v.grad for v in bs)),
            "h": [per_unit(v.detach()) for v in hs], "delta": [per_unit(v.grad) for v in hs],
            "contributions": contrib}


def case(x, wx, wh, b, h0, target, *, wx_flat: bool = False, note: str = "") -> dict:
    x = np.atleast_2d(np.asarray(x, dtype=float).reshape(len(x), -1))
    wx, wh = np.asarray(wx, dtype=float), np.asarray(wh, dtype=float)
    b, h0, target = (np.asarray(v, dtype=float).ravel() for v in (b, h0, target))
    # one row of several inputs is written [[...]]: "a,b,c" would be three steps of one input
    seq = vec(x) if x.shape[1] == 1 else mat(x) if len(x) > 1 else "[[" + vec(x) + "]]"
    options = {"x": seq, "wx": vec(wx) if wx_flat else mat(wx),
               "wh": mat(wh), "target": vec(target)}
    if np.any(b):
        options["b"] = vec(b)
    if np.any(h0):
        options["h0"] = vec(h0)
    return {"note": note, "options": options, "expected": unrolled(x, wx, wh, b, h0, target)}


def main() -> None:
    rng = np.random.default_rng(28)
    cases = [
        case([1.0, 2.0], [[0.5], [-0.3]], [[0.2, 0.1], [-0.4, 0.3]], [0.0, 0.1], [0.0, 0.0], [1.0, 0.0],
             note="2 units x 1 input, W_x a column"),
        case([1.0, 2.0], [[0.5], [-0.3]], [[0.2, 0.1], [-0.4, 0.3]], [0.0, 0.1], [0.0, 0.0], [1.0, 0.0],
             wx_flat=True, note="2 units x 1 input, W_x as one weight per unit"),
        case([0.7], [[0.9], [-1.2]], [[0.5, -0.6], [0.3, 0.8]], [0.2, -0.1], [0.4, -0.3], [-0.5, 0.25],
             note="2 units, T = 1, nonzero h0"),
        case([[1.0, 0.0], [0.5, -1.0], [0.0, 1.0]], [[0.4, -0.2], [0.1, 0.3], [-0.5, 0.2]],
             [[0.1, 0.2, 0.0], [-0.3, 0.1, 0.2], [0.0, 0.4, -0.1]], [0.0, 0.0, 0.0], [0.1, 0.0, -0.2],
             [0.5, -0.5, 0.0], note="3 units x 2 inputs, T = 3, nonzero h0"),
        case([[0.3, -0.8], [1.1, 0.4], [-0.6, 0.9], [0.2, -0.5]], [[0.7, -0.3], [-0.4, 0.6], [0.2, 0.5]],
             [[0.3, -0.5, 0.2], [0.6, 0.1, -0.4], [-0.2, 0.7, 0.3]], [0.1, -0.2, 0.05], [-0.3, 0.2, 0.5],
             [0.4, -0.1, 0.7], note="3 units x 2 inputs, T = 4, nonzero h0 and b"),
        case([[0.5, -1.0, 2.0]], [[0.3, -0.2, 0.1]], [[0.6]], [0.1], [0.2], [0.5],
             note="1 unit x 3 inputs, T = 1"),
    ]
    for i in range(8):
        n, m, T = int(rng.integers(2, 5)), int(rng.integers(1, 4)), int(rng.integers(1, 6))
        x = rng.normal(size=(T, m)).round(2)
        wx, wh = rng.normal(scale=0.7, size=(n, m)).round(2), rng.normal(scale=0.6, size=(n, n)).round(2)
        b, h0 = rng.normal(scale=0.3, size=n).round(2), rng.normal(scale=0.5, size=n).round(2)
        if i % 3 == 0:
            h0 = np.zeros(n)
        target = rng.uniform(-0.9, 0.9, size=n).round(2)
        cases.append(case(x, wx, wh, b, h0, target, note=f"random {n} units x {m} inputs, T = {T}"))
    data = {"bptt": cases, "_versions": {"torch": torch.__version__}}
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT}: {len(cases)} cases")


if __name__ == "__main__":
    main()
