"""Scores of a model on a set of samples: regression errors and the ROC AUC.

    mse  = (1/n) Σ (y_k − p_k)²          rmse = √mse
    mae  = (1/n) Σ |y_k − p_k|           r2   = 1 − SS_res/SS_tot
    SS_res = Σ (y_k − p_k)²              SS_tot = Σ (y_k − ȳ)²

    ROC: for each threshold τ (every distinct score, highest first), predict
    positive when score ≥ τ; TPR = TP/P, FPR = FP/N. AUC = area under the
    points (0, 0), ..., (1, 1) by trapezoids, which equals the probability that
    a random positive scores above a random negative (ties count ½).

Conventions are scikit-learn's (``mean_squared_error``, ``r2_score`` with
``force_finite=True``: a constant y gives r2 = 1 for a perfect fit, else 0;
``roc_auc_score``), checked against values it recorded
(tests/reference/record_breadth.py).
"""

from __future__ import annotations

import math

import numpy as np

from dltutor.errors import InputError
from dltutor.solution import Filled, Solution, Step, Table
from dltutor.solvers.neurons import arg, check_lengths, join_terms, shown_terms
from dltutor.solvers.registry import Option, register, vector
from dltutor.values import format_number

MAX_ROC_ROWS = 50     # ROC points listed one per row in the table up to this many


@register(
    "regression-metrics", topic="metrics",
    summary="MSE, RMSE, MAE and R² of regression predictions",
    options=[
        Option("y", vector, "true values y_k", required=True, metavar="VEC"),
        Option("p", vector, "predicted values p_k (one per y_k)", required=True, metavar="VEC"),
    ],
    examples=["--y 3,-0.5,2,7 --p 2.5,0,2,8", "--y 1,2,3 --p 1,2,3"],
)
def regression_metrics(y: np.ndarray, p: np.ndarray) -> Solution:
    """Mean squared error, its root, mean absolute error and the coefficient of determination R²
    of n predictions p (vector, n values) of targets y (vector, n values), in the units of y
    (squared for mse)."""
    check_lengths(p, "--p", y, "--y", "give one prediction per true value")
    n = len(y)
    e = y - p
    sq, ab = e ** 2, np.abs(e)
    mse = math.fsum(sq) / n
    mae = math.fsum(ab) / n
    rmse = math.sqrt(mse)
    mean_y = math.fsum(y) / n
    ss_res = math.fsum(sq)
    ss_tot = math.fsum((y - mean_y) ** 2)
    if ss_tot == 0:
        r2 = 1.0 if ss_res == 0 else 0.0
        r2_note = ("every y_k is the same, so SS_tot = 0 and the ratio is undefined; scikit-learn takes "
                   f"r2 = {format_number(r2)} ({'a perfect fit' if ss_res == 0 else 'not a perfect fit'})")
    else:
        r2 = 1 - ss_res / ss_tot
        r2_note = "1 is a perfect fit; 0 is no better than always predicting the mean; below 0 is worse"
    idx = shown_terms(n)
    rows = tuple((k + 1, float(y[k]), float(p[k]), float(e[k]), float(sq[k]), float(ab[k])) for k in range(n))
    sq_text = join_terms(["(" + "{} - " + arg(p[k]) + ")**2" for k in idx], n)
    ab_text = join_terms(["Abs({} - " + arg(p[k]) + ")" for k in idx], n)
    pairs = tuple(v for k in idx for v in (y[k], p[k]))
    tot_text = join_terms(["(" + "{} - " + arg(mean_y) + ")**2" for _ in idx], n)
    steps = (
        Step("Errors", "e_k = y_k - p_k", "", e.tolist(),
             table=Table(("k", "y_k", "p_k", "e_k", "e_k**2", "|e_k|"), rows)),
        Step("Mean squared error", "mse = Sum((y_k - p_k)**2, (k, 1, n))/n",
             Filled("(" + sq_text + ")/{}", (*pairs, n)), mse),
        Step("Root mean squared error", "rmse = sqrt(mse)", Filled("sqrt({})", (mse,)), rmse,
             note="in the units of y"),
        Step("Mean absolute error", "mae = Sum(Abs(y_k - p_k), (k, 1, n))/n",
             Filled("(" + ab_text + ")/{}", (*pairs, n)), mae),
        Step("Mean of y", "ybar = Sum(y_k, (k, 1, n))/n",
             Filled("(" + join_terms(["{}" for _ in idx], n) + ")/{}", (*[y[k] for k in idx], n)), mean_y),
        Step("Sums of squares", "SS_res = Sum((y_k - p_k)**2, (k, 1, n)), SS_tot = Sum((y_k - ybar)**2, (k, 1, n))",
             Filled("SS_res = {}, SS_tot = " + tot_text, (ss_res, *[v for k in idx for v in (y[k], mean_y)])),
             [ss_res, ss_tot]),
        Step("R²", "r2 = 1 - SS_res/SS_tot",
             Filled("1 - {}/{}", (ss_res, ss_tot)) if ss_tot else "", r2, note=r2_note),
    )
    answer = {"mse": mse, "rmse": rmse, "mae": mae, "r2": r2}
    return Solution("regression-metrics", {"y": y.tolist(), "p": p.tolist()}, answer, steps)


# ------------------------------------------------------------------ ROC AUC

def roc_points(y: np.ndarray, scores: np.ndarray) -> list[tuple[float | None, int, int]]:
    """(threshold, TP, FP) for the threshold +inf (nothing predicted positive) and then each
    distinct score from the highest down (predict positive when score ≥ threshold)."""
    order = np.argsort(-scores, kind="stable")
    points: list[tuple[float | None, int, int]] = [(None, 0, 0)]
    tp = fp = 0
    k = 0
    while k < len(order):
        threshold = scores[order[k]]
        while k < len(order) and scores[order[k]] == threshold:
            if y[order[k]] == 1:
                tp += 1
            else:
                fp += 1
            k += 1
        points.append((float(threshold), tp, fp))
    return points


@register(
    "auc", topic="metrics",
    summary="area under the ROC curve of scores for 0/1 labels (the ROC points in the steps)",
    options=[
        Option("y", vector, "true labels, 0 or 1", required=True, metavar="VEC"),
        Option("scores", vector, "the model's scores (probabilities or any numbers; higher = more positive)",
               required=True, metavar="VEC"),
    ],
    examples=["--y 0,0,1,1 --scores 0.1,0.4,0.35,0.8", "--y 1,0,1,0,1 --scores 0.9,0.9,0.7,0.3,0.3"],
)
def auc(y: np.ndarray, scores: np.ndarray) -> Solution:
    """ROC AUC of n scores (vector) for n labels in {0, 1} (vector), as scikit-learn's
    roc_auc_score: the trapezoid area under (FPR, TPR) over every threshold; unitless, in [0, 1]."""
    check_lengths(scores, "--scores", y, "--y", "give one score per label")
    bad = np.flatnonzero((y != 0) & (y != 1))
    if bad.size:
        k = int(bad[0])
        raise InputError(f"--y value {format_number(float(y[k]))} (position {k + 1}) is not a label 0 or 1")
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if n_pos == 0 or n_neg == 0:
        missing = "positive (1)" if n_pos == 0 else "negative (0)"
        raise InputError(f"--y has no {missing} label: the ROC curve and its AUC need both classes")
    points = roc_points(y, scores)
    fpr = [fp / n_neg for _, _, fp in points]
    tpr = [tp / n_pos for _, tp, _ in points]
    areas = [(fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2 for i in range(1, len(points))]
    value = math.fsum(areas)
    rows = tuple(("inf" if t is None else t, tp, fp, tp / n_pos, fp / n_neg) for t, tp, fp in points)
    shown = rows if len(rows) <= MAX_ROC_ROWS else rows[:MAX_ROC_ROWS - 1] + (rows[-1],)
    pieces = [i for i in range(1, len(points)) if areas[i - 1] != 0]
    idx = shown_terms(len(pieces))
    template = join_terms(["({} - {})*({} + {})/2" for _ in idx], len(pieces)) if pieces else "0"
    nums = tuple(v for j in idx for i in (pieces[j],) for v in (fpr[i], fpr[i - 1], tpr[i], tpr[i - 1]))
    # the same number counted pair by pair: P(score of a positive > score of a negative), ties ½
    pos, neg = scores[y == 1], scores[y == 0]
    wins = float(np.sum(pos[:, None] > neg[None, :]))
    ties = float(np.sum(pos[:, None] == neg[None, :]))
    steps = (
        Step("Positives and negatives", "P = number of y_k = 1, N = number of y_k = 0", "", [n_pos, n_neg]),
        Step("ROC points", "TPR = TP/P, FPR = FP/N (predict 1 when score >= threshold)", "",
             [[f, t] for f, t in zip(fpr, tpr)],
             note="thresholds from +inf (nothing predicted positive) down through every distinct score"
                  + ("" if len(rows) == len(shown) else f"; {len(rows) - len(shown)} rows left out of the table"),
             table=Table(("threshold", "TP", "FP", "TPR", "FPR"), shown)),
        Step("Area by trapezoids", "AUC = Sum((FPR_i - FPR_(i-1))*(TPR_i + TPR_(i-1))/2, (i, 1, m))",
             Filled(template, nums), value,
             note=(f"the same as counting pairs: (positive above negative {format_number(wins)} + ½·ties "
                   f"{format_number(ties)})/(P·N {n_pos * n_neg}) = {format_number((wins + ties / 2) / (n_pos * n_neg))}")),
    )
    return Solution("auc", {"y": y.tolist(), "scores": scores.tolist()}, {"auc": value}, steps)
