"""Backpropagation through time for a tanh RNN of n units, loss at the last step.

Shapes: the sequence x is (T, m), T time steps of m inputs; W_x (n, m), W_h (n, n), b, h_0 and
the target (n,). Products of two vectors are element by element (⊙).

    forward   a_t = W_x·x_t + W_h·h_(t−1) + b,   h_t = tanh(a_t),   t = 1..T
    loss      L = ‖h_T − target‖²/2
    backward  δ_T = ∂L/∂h_T = h_T − target
              g_t = ∂L/∂a_t = δ_t ⊙ (1 − h_t²)
              δ_(t−1) = W_hᵀ·g_t                      (the error flows back through W_h)
    each step's contribution: ∂L/∂W_x|_t = g_t·x_tᵀ, ∂L/∂W_h|_t = g_t·h_(t−1)ᵀ, ∂L/∂b|_t = g_t
    gradients: the sums of the contributions over t = 1..T (the weights are shared by every step)

One unit with one input per step is worked in scalars (W_x, W_h, b: 1x1) and answers with numbers;
a wider network answers with lists, shaped as its weights (CLI.md, "Conventions").

Checked against PyTorch autograd on the unrolled network, with one copy of
each weight per step so that every step's contribution is measured on its own
(tests/reference/record_breadth.py, tests/reference/record_bptt_units.py).
"""

from __future__ import annotations

import math

import numpy as np

from dltutor.errors import InputError
from dltutor.solution import Filled, Solution, Step, Table, fill
from dltutor.solvers.neurons import arg, join_terms, shown_terms
from dltutor.solvers.recurrent import (MAX_TIME, RNN_SUM, elementwise_note, gate, per_unit, rnn_weights, sequence,
                                       sequence_shown, shown, sizes_step, weights_shown, x_shown)
from dltutor.solvers.registry import Option, matrix, register, vector
from dltutor.values import plural

# the loss, one text for one unit (the norm of a number is its absolute value) and for several
LOSS = "L = Norm(h_T - target)**2/2"


@register(
    "bptt", topic="rnn",
    summary="backpropagation through time: gradients of a tanh RNN (one unit or several), every step's "
            "contribution",
    options=[
        Option("x", sequence, "the input sequence: 1,2,3 (one input per time step) or 1,0;0,1 "
               "(one row per time step)", required=True, metavar="VEC|MAT"),
        Option("wx", matrix, "input weights W_x: one row per unit, one column per input "
               "(a number for one unit and one input)", required=True, metavar="W", symbol="W_x"),
        Option("wh", matrix, "recurrent weights W_h: units × units (a number for one unit)", required=True,
               metavar="W", symbol="W_h"),
        Option("b", vector, "bias: one per unit (one number is shared)", default="0", metavar="B"),
        Option("target", vector, "target of the last hidden state h_T: one per unit", required=True,
               metavar="T"),
        Option("h0", vector, "initial hidden state h₀: one per unit (one number is shared)", default="0",
               metavar="H"),
    ],
    examples=["--x 1,2 --wx 0.5 --wh 0.8 --b 0 --target 1", "--x 1,-1,0.5 --wx 0.3 --wh -0.6 --b 0.1 "
              "--target 0.2 --h0 0.5",
              '--x 1,2 --wx 0.5,-0.3 --wh "0.2,0.1;-0.4,0.3" --b 0,0.1 --target 1,0',
              '--x "1,0;0.5,-1;0,1" --wx "0.4,-0.2;0.1,0.3;-0.5,0.2" --wh "0.1,0.2,0;-0.3,0.1,0.2;0,0.4,-0.1" '
              '--target 0.5,-0.5,0 --h0 0.1,0,-0.2'],
)
def bptt(x: np.ndarray, wx: np.ndarray, wh: np.ndarray, target: np.ndarray, b: np.ndarray | None = None,
         h0: np.ndarray | None = None) -> Solution:
    """Loss ‖h_T − target‖²/2 of h_t = tanh(W_x·x_t + W_h·h_(t−1) + b) over the sequence x (T, m)
    and its gradients with respect to W_x (n, m), W_h (n, n) and b (n,), step by step backwards.

    One unit and one input per step: scalars W_x, W_h, b, as the notes write them. A shape
    that does not fit (W_h not square, W_x or the target not one row or value per unit, W_x
    not one column per input) is refused with a message naming the option and both shapes."""
    if len(x) > MAX_TIME:
        raise InputError(f"--x has {len(x)} time steps; the limit is {MAX_TIME}")
    units, wx, notes = rnn_weights(x, wx, wh)
    b = per_unit(np.zeros(1) if b is None else b, units, "--b", "bias")
    h0 = per_unit(np.zeros(1) if h0 is None else h0, units, "--h0", "initial state")
    target = np.asarray(target, dtype=float).ravel()
    if target.size != units:
        raise InputError(f"--target has {plural(target.size, 'value')} but --wh is {units}x{units} ({plural(units, 'unit')}): "
                         "give one target per unit")
    if units == 1 and x.shape[1] == 1:
        return _one_unit(x[:, 0], float(wx[0, 0]), float(wh[0, 0]), float(target[0]), float(b[0]), float(h0[0]))
    return _units(x, wx, wh, target, b, h0, notes)


def _one_unit(x: np.ndarray, wx: float, wh: float, target: float, b: float, h0: float) -> Solution:
    """One unit, one input per step: the working in scalars (T numbers x)."""
    T = len(x)
    h = [h0]
    a = []
    for t in range(T):
        a.append(wx * x[t] + wh * h[-1] + b)
        h.append(math.tanh(a[-1]))
    loss = 0.5 * (h[T] - target) ** 2
    delta = [0.0] * (T + 1)          # delta[t] = ∂L/∂h_t
    g = [0.0] * (T + 1)              # g[t] = ∂L/∂a_t
    delta[T] = h[T] - target
    for t in range(T, 0, -1):
        g[t] = delta[t] * (1 - h[t] ** 2)
        delta[t - 1] = g[t] * wh
    contrib = [{"t": t, "dwx": g[t] * x[t - 1], "dwh": g[t] * h[t - 1], "db": g[t]} for t in range(1, T + 1)]
    dwx = math.fsum(c["dwx"] for c in contrib)
    dwh = math.fsum(c["dwh"] for c in contrib)
    db = math.fsum(c["db"] for c in contrib)

    steps: list[Step] = []
    for t in range(1, T + 1):
        steps.append(Step(f"Forward, step {t}", "h_t = tanh(W_x*x_t + W_h*h_(t-1) + b)",
                          Filled("tanh({}*" + arg(x[t - 1]) + " + {}*" + arg(h[t - 1]) + " + " + arg(b) + ")",
                                 (wx, x[t - 1], wh, h[t - 1], b)), h[t]))
    steps.append(Step("Loss at the last step", LOSS,
                      Filled("({} - " + arg(target) + ")**2/2", (h[T], target)), loss))
    steps.append(Step(f"Error at h_{T}", "delta_T = h_T - target",
                      Filled("{} - " + arg(target), (h[T], target)), delta[T]))
    for t in range(T, 0, -1):
        steps.append(Step(f"Back through step {t}", "g_t = delta_t*(1 - h_t**2)",
                          Filled("{}*(1 - " + arg(h[t]) + "**2)", (delta[t], h[t])), g[t],
                          note=("the derivative of tanh(a) is 1 - tanh(a)**2; " +
                                (f"delta_{t - 1} = g_{t}*W_h = {g[t]:.6g}*{wh:.6g} = {delta[t - 1]:.6g}"
                                 if t > 1 else "the error would flow on to h_0, which is not learned"))))
        steps.append(Step(f"Contribution of step {t} to (dL/dW_x, dL/dW_h, dL/db)",
                          "(g_t*x_t, g_t*h_(t-1), g_t)",
                          Filled("{}*" + arg(x[t - 1]) + ", {}*" + arg(h[t - 1]) + ", {}",
                                 (g[t], x[t - 1], g[t], h[t - 1], g[t])),
                          [contrib[t - 1]["dwx"], contrib[t - 1]["dwh"], contrib[t - 1]["db"]]))
    table = Table(("t", "x_t", "h_t", "delta_t", "g_t", "g_t*x_t", "g_t*h_(t-1)"),     # the b part is g_t
                  tuple((t, float(x[t - 1]), h[t], delta[t], g[t], contrib[t - 1]["dwx"], contrib[t - 1]["dwh"])
                        for t in range(1, T + 1)))
    steps.append(Step("Gradients (dL/dW_x, dL/dW_h, dL/db): the sum over the steps",
                      "Sum((g_t*x_t, g_t*h_(t-1), g_t), (t, 1, T))",
                      Filled("({}, {}, {})", (dwx, dwh, db)), [dwx, dwh, db],
                      note="the same weights act at every step, so their gradient adds up what each step "
                           "contributes; early steps contribute less when |W_h*(1 - h**2)| < 1 "
                           "(vanishing gradients)", table=table))
    answer = {"loss": loss, "dwx": dwx, "dwh": dwh, "db": db, "h": h[1:], "delta": delta[1:],
              "contributions": contrib}
    inputs = {"x": x.tolist(), "wx": wx, "wh": wh, "b": b, "target": target, "h0": h0}
    return Solution("bptt", inputs, answer, tuple(steps))


# ------------------------------------------------------------ several units

def _units(x: np.ndarray, wx: np.ndarray, wh: np.ndarray, target: np.ndarray, b: np.ndarray, h0: np.ndarray,
           notes: list[str]) -> Solution:
    """n units (or one unit with several inputs): the working with vectors and matrices.

    x (T, m), W_x (n, m), W_h (n, n), target, b, h_0 (n,)."""
    T, m = x.shape
    n = len(b)
    h = [h0]
    for t in range(T):
        h.append(np.tanh(wx @ x[t] + wh @ h[-1] + b))
    err = h[T] - target
    loss = 0.5 * math.fsum(float(e) ** 2 for e in err)
    delta: list = [None] * (T + 1)        # delta[t] = ∂L/∂h_t
    g: list = [None] * (T + 1)            # g[t] = ∂L/∂a_t
    delta[T] = err
    for t in range(T, 0, -1):
        g[t] = delta[t] * (1 - h[t] ** 2)
        delta[t - 1] = wh.T @ g[t]
    parts = {t: (np.outer(g[t], x[t - 1]), np.outer(g[t], h[t - 1]), g[t]) for t in range(1, T + 1)}
    dwx, dwh, db = (np.sum([parts[t][k] for t in range(1, T + 1)], axis=0) for k in range(3))
    if not all(np.all(np.isfinite(a)) for a in (loss, dwx, dwh, db)):
        raise InputError("the numbers overflow floating point (the loss or a gradient is not finite): "
                         "use smaller inputs or weights")

    steps = [sizes_step(n, m, T, "W_x: units × inputs, W_h: units × units", fill("{} × {}, {} × {}", n, m, n, n),
                        "; ".join(notes + [elementwise_note(n)] if n > 1 else notes))]
    for t in range(1, T + 1):
        steps.append(gate(f"Forward, step {t}", "h_t = tanh(W_x*x_t + W_h*h_(t-1) + b)", "tanh",
                          [(wx, x[t - 1]), (wh, h[t - 1])], b, "h_t", sum_label=RNN_SUM)[1])
    steps.append(_loss_step(h[T], target, loss))
    steps.append(Step(f"Error at h_{T}", "delta_T = h_T - target", _vectors("{} - {}", h[T], target),
                      shown(delta[T], n)))
    for t in range(T, 0, -1):
        steps.append(Step(f"Back through step {t}", "g_t = hadamard(delta_t, 1 - h_t**2)",
                          _vectors("hadamard({}, 1 - {}**2)", delta[t], h[t]) if n > 1 else
                          Filled("{}*(1 - " + arg(h[t][0]) + "**2)", (float(delta[t][0]), float(h[t][0]))),
                          shown(g[t], n),
                          note="; ".join(s for s in (
                              "the derivative of tanh(a) is 1 - tanh(a)**2" + (", unit by unit" if n > 1 else "")
                              if t == T else "",
                              "the error would flow on to h_0, which is not learned" if t == 1 else "") if s)))
        contributions = (("x_t", "W_x", x[t - 1]), ("h_(t-1)", "W_h", h[t - 1]))
        for k, (name, weight, v) in enumerate(contributions):
            steps.append(Step(f"Contribution of step {t} to ∂L/∂{weight}", f"g_t*{name}^T",
                              _vectors("{}*{}^T", g[t], v), _matrix_shown(parts[t][k]),
                              note=("an outer product, column times row: row i is unit i's entry of g_t times "
                                    "the row" if t == T else "")))
        steps.append(Step(f"Contribution of step {t} to ∂L/∂b", "g_t", "", shown(g[t], n)))
        if t > 1:
            steps.append(Step(f"Error at h_{t - 1}", "delta_(t-1) = W_h^T*g_t", _vectors("{}^T*{}", wh, g[t]),
                              shown(delta[t - 1], n),
                              note="the error flows back through the transposed recurrent weights" if t == T else ""))
    steps += _sum_steps(x, h, delta, g, parts, (dwx, dwh, db), n)
    contrib = [{"t": t, "dwx": _matrix_shown(parts[t][0]), "dwh": _matrix_shown(parts[t][1]),
                "db": shown(parts[t][2], n)} for t in range(1, T + 1)]
    answer = {"loss": loss, "dwx": _matrix_shown(dwx), "dwh": _matrix_shown(dwh), "db": shown(db, n),
              "h": [shown(v, n) for v in h[1:]], "delta": [shown(v, n) for v in delta[1:]], "contributions": contrib}
    inputs = {"x": sequence_shown(x), "wx": weights_shown(wx), "wh": weights_shown(wh), "b": shown(b, n),
              "target": shown(target, n), "h0": shown(h0, n)}
    return Solution("bptt", inputs, answer, tuple(steps))


def _matrix_shown(w: np.ndarray):
    """A gradient shaped as its weights are shown (weights_shown: a number, a row, or rows)."""
    return weights_shown(np.asarray(w, dtype=float))


def _vectors(template: str, *arrays) -> Filled:
    """A formula with whole vectors and matrices put in (each slot one array)."""
    return Filled(template, tuple(np.asarray(a, dtype=float).tolist() for a in arrays))


def _loss_step(hT: np.ndarray, target: np.ndarray, loss: float) -> Step:
    """L = ‖h_T − target‖²/2, written out unit by unit."""
    n = len(hT)
    idx = shown_terms(n)
    template = "(" + join_terms([f"({{}} - {arg(target[k])})**2" for k in idx], n) + ")/2"
    values = [v for k in idx for v in (float(hT[k]), float(target[k]))]
    return Step("Loss at the last step", LOSS, Filled(template, tuple(values)), loss,
                note="‖h_T − target‖² adds up the squared errors of the units" if n > 1 else "")


def _sum_steps(x, h, delta, g, parts, grads, n: int) -> list[Step]:
    """The gradients: each the sum of the steps' contributions, with a table of the steps."""
    T = len(x)
    idx = shown_terms(T)
    steps = []
    for k, (name, term) in enumerate((("W_x", "g_t*x_t^T"), ("W_h", "g_t*h_(t-1)^T"), ("b", "g_t"))):
        table, note = None, ""
        if k == 0:
            table = Table(("t", "x_t", "h_t", "delta_t", "g_t"),
                          tuple((t, x_shown(x[t - 1]), shown(h[t], n), shown(delta[t], n), shown(g[t], n))
                                for t in range(1, T + 1)))
            note = ("the same weights act at every step, so their gradient adds up what each step contributes; "
                    "early steps contribute less when W_h^T and 1 - h**2 shrink the error on its way back "
                    "(vanishing gradients)")
        terms = join_terms(["{}"] * len(idx), T)
        values = tuple(np.asarray(parts[t + 1][k], dtype=float).tolist() for t in idx)
        steps.append(Step(f"Gradient ∂L/∂{name}: the sum over the steps", f"dL/d{name} = Sum({term}, (t, 1, T))",
                          Filled(terms, values), shown(grads[k], n) if k == 2 else _matrix_shown(grads[k]),
                          note=note, table=table))
    return steps
