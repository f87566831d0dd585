"""Classification metrics from the four counts of a binary confusion matrix.

    accuracy  = (TP + TN)/(TP + FP + FN + TN)
    precision = TP/(TP + FP)        of the predicted positives, how many are positive
    recall    = TP/(TP + FN)        of the actual positives, how many were found
    f1        = 2*P*R/(P + R)       (= 2*TP/(2*TP + FP + FN))

A ratio whose denominator is 0 is 0, as scikit-learn's ``zero_division=0``.
"""

from __future__ import annotations

from dltutor.solution import Filled, Solution, Step, Table
from dltutor.solvers.registry import Option, integer, register

MAX_COUNT = 10**12


def ratio(numerator: int, denominator: int, what: str) -> tuple[float, str]:
    """numerator/denominator, or 0 with a note when the denominator is 0."""
    if denominator == 0:
        return 0.0, f"{what}: the ratio is 0/0, taken as 0 (as scikit-learn does by default)"
    return numerator / denominator, ""


def _count(name: str) -> Option:
    return Option(name, integer(minimum=0, maximum=MAX_COUNT), f"number of {name.upper()} cases",
                  required=True, metavar="N")


@register(
    "metrics", topic="metrics",
    summary="accuracy, precision, recall and F1 from a confusion matrix",
    options=[_count("tp"), _count("fp"), _count("fn"), _count("tn")],
    examples=["--tp 40 --fp 10 --fn 5 --tn 45", "--tp 0 --fp 0 --fn 3 --tn 7"],
)
def metrics(tp: int, fp: int, fn: int, tn: int) -> Solution:
    """Accuracy, precision, recall and F1 of a binary classifier from TP, FP, FN, TN."""
    total = tp + fp + fn + tn
    accuracy, acc_note = ratio(tp + tn, total, "TP + FP + FN + TN = 0 (no cases at all)")
    precision, p_note = ratio(tp, tp + fp, "TP + FP = 0 (nothing was predicted positive)")
    recall, r_note = ratio(tp, tp + fn, "TP + FN = 0 (there are no actual positives)")
    f1, _ = ratio(2 * tp, 2 * tp + fp + fn, "")
    counts = f"in counts 2*TP/(2*TP + FP + FN) = {2 * tp}/{2 * tp + fp + fn}"
    if precision + recall == 0:
        f1_note = ("P + R is 0, so the formula is 0/0; F1 is taken as 0 (as scikit-learn does by default)"
                   + (f"; {counts} = 0 agrees" if fp + fn else ""))
    else:
        f1_note = f"the harmonic mean of P and R; {counts}"
    matrix = Table(("", "predicted +", "predicted −"), (("actual +", tp, fn), ("actual −", fp, tn)))
    steps = (
        Step("Accuracy", "accuracy = (TP + TN)/(TP + FP + FN + TN)",
             Filled("({} + {})/({} + {} + {} + {})", (tp, tn, tp, fp, fn, tn)), accuracy, note=acc_note,
             table=matrix),
        Step("Precision", "precision = TP/(TP + FP)", Filled("{}/({} + {})", (tp, tp, fp)), precision,
             note=p_note),
        Step("Recall", "recall = TP/(TP + FN)", Filled("{}/({} + {})", (tp, tp, fn)), recall, note=r_note),
        Step("F1 score", "f1 = 2*precision*recall/(precision + recall)",
             Filled("2*{}*{}/({} + {})", (precision, recall, precision, recall)), f1, note=f1_note),
    )
    answer = {"accuracy": accuracy, "precision": precision, "recall": recall, "f1": f1}
    return Solution("metrics", {"tp": tp, "fp": fp, "fn": fn, "tn": tn}, answer, steps)
