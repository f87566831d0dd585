"""Backpropagation through time for a one-unit tanh RNN, loss at the last step.

    forward   a_t = wx·x_t + wh·h_(t−1) + b,   h_t = tanh(a_t),   t = 1..T
    loss      L = ½(h_T − target)²
    backward  δ_T = ∂L/∂h_T = h_T − target
              g_t = ∂L/∂a_t = δ_t·(1 − h_t²)
              δ_(t−1) = g_t·wh                      (the error flows back through wh)
    each step's contribution: ∂L/∂wx|_t = g_t·x_t, ∂L/∂wh|_t = g_t·h_(t−1), ∂L/∂b|_t = g_t
    gradients: the sums of the contributions over t = 1..T (the weights are shared by every step)

Checked against PyTorch autograd on the unrolled network, with one copy of
each weight per step so that every step's contribution is measured on its own
(tests/reference/record_breadth.py).
"""

from __future__ import annotations

import math

import numpy as np

from dltutor.solution import Filled, Solution, Step, Table
from dltutor.solvers.neurons import arg
from dltutor.solvers.recurrent import MAX_TIME
from dltutor.solvers.registry import Option, number, register, vector
from dltutor.errors import InputError


@register(
    "bptt", topic="rnn",
    summary="backpropagation through time: gradients of a one-unit tanh RNN, every step's contribution",
    options=[
        Option("x", vector, "the input sequence x_1,...,x_T (one number per step)", required=True,
               metavar="VEC"),
        Option("wx", number, "input weight wx", required=True, metavar="W"),
        Option("wh", number, "recurrent weight wh", required=True, metavar="W"),
        Option("b", number, "bias b", default="0", metavar="B"),
        Option("target", number, "target of the last hidden state h_T", required=True, metavar="T"),
        Option("h0", number, "initial hidden state h_0", default="0", metavar="H"),
    ],
    examples=["--x 1,2 --wx 0.5 --wh 0.8 --b 0 --target 1", "--x 1,-1,0.5 --wx 0.3 --wh -0.6 --b 0.1 "
              "--target 0.2 --h0 0.5"],
)
def bptt(x: np.ndarray, wx: float, wh: float, target: float, b: float = 0.0, h0: float = 0.0) -> Solution:
    """Loss ½(h_T − target)² of h_t = tanh(wx·x_t + wh·h_(t−1) + b) over the sequence x (T numbers)
    and its gradients with respect to wx, wh and b, step by step backwards (scalars)."""
    T = len(x)
    if T > MAX_TIME:
        raise InputError(f"--x has {T} steps; the limit is {MAX_TIME}")
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
        steps.append(Step(f"Forward, step {t}", "h_t = tanh(wx*x_t + wh*h_(t-1) + b)",
                          Filled("tanh({}*" + arg(x[t - 1]) + " + {}*" + arg(h[t - 1]) + " + " + arg(b) + ")",
                                 (wx, x[t - 1], wh, h[t - 1], b)), h[t]))
    steps.append(Step("Loss at the last step", "L = (h_T - target)**2/2",
                      Filled("({} - " + arg(target) + ")**2/2", (h[T], target)), loss))
    steps.append(Step(f"Error at h_{T}", "delta_T = h_T - target",
                      Filled("{} - " + arg(target), (h[T], target)), delta[T]))
    for t in range(T, 0, -1):
        steps.append(Step(f"Back through step {t}", "g_t = delta_t*(1 - h_t**2)",
                          Filled("{}*(1 - " + arg(h[t]) + "**2)", (delta[t], h[t])), g[t],
                          note=("the derivative of tanh(a) is 1 - tanh(a)**2; " +
                                (f"delta_{t - 1} = g_{t}*wh = {g[t]:.6g}*{wh:.6g} = {delta[t - 1]:.6g}"
                                 if t > 1 else "the error would flow on to h_0, which is not learned"))))
        steps.append(Step(f"Contribution of step {t}",
                          "dL/dwx|_t = g_t*x_t, dL/dwh|_t = g_t*h_(t-1), dL/db|_t = g_t",
                          Filled("{}*" + arg(x[t - 1]) + ", {}*" + arg(h[t - 1]) + ", {}",
                                 (g[t], x[t - 1], g[t], h[t - 1], g[t])),
                          [contrib[t - 1]["dwx"], contrib[t - 1]["dwh"], contrib[t - 1]["db"]]))
    table = Table(("t", "x_t", "h_t", "delta_t", "g_t", "dwx_t", "dwh_t", "db_t"),
                  tuple((t, float(x[t - 1]), h[t], delta[t], g[t], contrib[t - 1]["dwx"], contrib[t - 1]["dwh"],
                         contrib[t - 1]["db"]) for t in range(1, T + 1)))
    steps.append(Step("Gradients: the sum over the steps", "dL/dw = Sum(dL/dw_t, (t, 1, T))",
                      Filled("dwx = {}, dwh = {}, db = {}", (dwx, dwh, db)), [dwx, dwh, db],
                      note="the same weights act at every step, so their gradient adds up what each step "
                           "contributes; early steps contribute less when |wh*(1 - h**2)| < 1 "
                           "(vanishing gradients)", table=table))
    answer = {"loss": loss, "dwx": dwx, "dwh": dwh, "db": db, "h": h[1:], "delta": delta[1:],
              "contributions": contrib}
    inputs = {"x": x.tolist(), "wx": wx, "wh": wh, "b": b, "target": target, "h0": h0}
    return Solution("bptt", inputs, answer, tuple(steps))
