"""A loss between targets y and predictions p, with the sum written out (Keras conventions):

    mse = (1/n) Σ (y_k − p_k)²        mae = (1/n) Σ |y_k − p_k|
    bce = −(1/n) Σ [y_k log p_k + (1 − y_k) log(1 − p_k)]
    cce = −Σ y_k log p_k              (natural log, one sample)

The values come from the engine (``dltutor.nn.losses``), which clips p to
[1e-7, 1 − 1e-7] before a log as Keras does; the working says when that mattered.
"""

from __future__ import annotations

import numpy as np

from dltutor.errors import InputError
from dltutor.nn import losses
from dltutor.solution import Filled, Solution, Step, Table
from dltutor.solvers.neurons import arg, check_lengths, join_terms, shown_terms
from dltutor.solvers.registry import Option, choice, number, register, vector
from dltutor.values import format_number

KINDS = ("mse", "mae", "bce", "cce", "huber")
TERM_FORMULA = {
    "mse": "(y_k - p_k)**2",
    "mae": "Abs(y_k - p_k)",
    "bce": "-(y_k*log(p_k) + (1 - y_k)*log(1 - p_k))",
    "cce": "-y_k*log(p_k)",
}


def _term_text(kind: str, p: float) -> str:
    """One term of the written-out sum as a template; y and p are filled in later."""
    return {"mse": "({} - " + arg(p) + ")**2", "mae": "Abs({} - " + arg(p) + ")",
            "bce": "{}*log({}) + (1 - {})*log(1 - {})", "cce": "{}*log({})"}[kind]


def _written_out(kind: str, y: np.ndarray, p: np.ndarray) -> Filled:
    """The loss with every number in place: ``((1 - 0.9)**2 + (0 - 0.2)**2)/2``."""
    n = len(y)
    idx = shown_terms(n)
    pieces, values = [], []
    for k in idx:
        pieces.append(_term_text(kind, p[k]))
        values.extend((y[k], p[k]) if kind != "bce" else (y[k], p[k], y[k], p[k]))
    body = join_terms(pieces, n)
    if kind == "cce":
        return Filled("-(" + body + ")", tuple(values))
    if kind == "bce":
        return Filled("-(" + body + ")/{}", (*values, n))
    return Filled("(" + body + ")/{}", (*values, n))


def _check_probabilities(kind: str, y: np.ndarray, p: np.ndarray) -> None:
    for name, v, what in (("--p", p, "predicted probabilities"), ("--y", y, "targets (0/1 labels, "
                                                                       "one-hot or probabilities)")):
        bad = np.flatnonzero((v < 0) | (v > 1))
        if bad.size:
            k = int(bad[0])
            raise InputError(f"{name} value {format_number(float(v[k]))} (position {k + 1}) is outside "
                             f"[0, 1]: {kind} needs {what} between 0 and 1")


def _notes(kind: str, y: np.ndarray, p: np.ndarray) -> list[str]:
    notes = []
    clipped = np.flatnonzero((p < losses.EPSILON) | (p > 1 - losses.EPSILON))
    if kind in ("bce", "cce") and clipped.size:
        where = ", ".join(f"p_{k + 1} = {format_number(float(p[k]))}" for k in clipped[:4])
        notes.append(f"Keras clips p to [1e-7, 1 - 1e-7] before the log, so that log(0) never "
                     f"happens; here {where} {'was' if clipped.size == 1 else 'were'} clipped (a confident "
                     f"wrong answer costs about 16.1 instead of infinity)")
    if kind == "cce":
        total = float(p.sum())
        if abs(total - 1) > 1e-9 and total > 0:
            keras = float(losses.cce(y, p / total))
            notes.append(f"p sums to {format_number(total)}, not 1; this is -Σ y·log p as given. Keras's "
                         f"categorical_crossentropy first divides p by its sum and would give "
                         f"{format_number(keras)}")
    return notes


@register(
    "loss", topic="losses",
    summary="a loss (mse, mae, bce, cce) between targets and predictions",
    options=[
        Option("kind", choice(*KINDS), "the loss: " + ", ".join(KINDS), required=True, metavar="KIND",
               choices=KINDS),
        Option("y", vector, "targets y_k (bce/cce: 0/1 labels or probabilities)", required=True,
               metavar="VEC"),
        Option("p", vector, "predictions p_k (bce/cce: probabilities in [0, 1])", required=True,
               metavar="VEC"),
        Option("delta", number, "huber: where the loss turns from squared to linear [default: 1]",
               metavar="D"),
    ],
    examples=["--kind mse --y 1,0,2 --p 0.9,0.2,1.5", "--kind cce --y 0,1,0 --p 0.2,0.7,0.1",
              "--kind bce --y 1,0 --p 0.8,0.3", "--kind huber --y 0,1,3 --p 0.5,1,0.5 --delta 1"],
)
def loss(kind: str, y: np.ndarray, p: np.ndarray, delta: float | None = None) -> Solution:
    """The loss of one sample: mse, mae, bce, huber are means over the n components; cce is −Σ y·log p."""
    check_lengths(p, "--p", y, "--y", "give one prediction per target")
    if kind == "huber":
        from dltutor.solvers.huber import huber

        return huber(y, p, 1.0 if delta is None else delta)
    if delta is not None:
        raise InputError(f"--delta is an option of --kind huber only, not of {kind}")
    if kind in ("bce", "cce"):
        _check_probabilities(kind, y, p)
    spec = losses.get(kind)
    # each component on its own is a one-element sample: the engine gives the term
    terms = np.atleast_1d(spec.value(y[:, None], p[:, None])).astype(float)
    terms = terms + 0.0                             # -0.0 (from -0*log p) shows as 0
    value = float(spec.value(y, p))
    n = len(y)
    rows = tuple((k + 1, float(y[k]), float(p[k]), float(terms[k])) for k in range(n))
    steps = (
        Step("Terms", f"term_k = {TERM_FORMULA[kind]}", "", terms.tolist(),
             table=Table(("k", "y_k", "p_k", "term_k"), rows)),
        Step(f"Loss ({kind})", spec.formula, _written_out(kind, y, p), value,
             note="; ".join(_notes(kind, y, p))),
    )
    return Solution("loss", {"kind": kind, "y": y.tolist(), "p": p.tolist()}, {"loss": value}, steps)
