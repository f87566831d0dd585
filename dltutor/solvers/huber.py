"""The Huber loss, the ``huber`` kind of ``solve loss`` (Keras's ``Huber``, a mean over components):

    e_k = y_k − p_k
    term_k = ½·e_k²                 when |e_k| ≤ δ   (squared near 0, like mse)
           = δ·|e_k| − ½·δ²         when |e_k| > δ   (linear far out, like mae: outliers weigh less)
    L = (1/n) Σ term_k

Checked against ``keras.losses.Huber(delta)`` (tests/reference/record_breadth.py).
"""

from __future__ import annotations

import math

import numpy as np

from dltutor.errors import InputError
from dltutor.solution import Filled, Solution, Step, Table
from dltutor.solvers.neurons import arg, join_terms, shown_terms
from dltutor.values import format_number

FORMULA = "L = (1/n)*Sum(Piecewise((e_k**2/2, Abs(e_k) <= delta), (delta*Abs(e_k) - delta**2/2, True)))"


def huber(y: np.ndarray, p: np.ndarray, delta: float) -> Solution:
    """Mean Huber loss of predictions p for targets y (vectors of n values), threshold δ > 0."""
    if delta <= 0:
        raise InputError(f"--delta {format_number(delta)} must be greater than 0 (it is where the loss "
                         f"turns from squared to linear)")
    e = y - p
    quadratic = np.abs(e) <= delta
    terms = np.where(quadratic, 0.5 * e ** 2, delta * np.abs(e) - 0.5 * delta ** 2) + 0.0
    n = len(y)
    value = math.fsum(terms) / n
    rows = tuple((k + 1, float(y[k]), float(p[k]), float(e[k]), "squared" if quadratic[k] else "linear",
                  float(terms[k])) for k in range(n))
    idx = shown_terms(n)
    pieces, nums = [], []
    for k in idx:
        if quadratic[k]:
            pieces.append(arg(e[k]) + "**2/2")
            nums.append(e[k])
        else:
            pieces.append("{}*Abs(" + "{}" + ") - {}**2/2")
            nums.extend((delta, e[k], delta))
    steps = (
        Step("Errors and their branch",
             "term_k = e_k**2/2 if Abs(e_k) <= delta else delta*Abs(e_k) - delta**2/2", "", terms.tolist(),
             note=f"with the error e_k = y_k - p_k and δ = {format_number(delta)}: squared where the error "
                  f"is small, linear beyond δ",
             table=Table(("k", "y_k", "p_k", "e_k", "branch", "term_k"), rows)),
        Step("Loss (huber)", FORMULA, Filled("(" + join_terms(pieces, n) + ")/{}", (*nums, n)), value,
             note="the mean over the components, as Keras's Huber loss"),
    )
    return Solution("loss", {"kind": "huber", "y": y.tolist(), "p": p.tolist(), "delta": delta},
                    {"loss": value}, steps)
