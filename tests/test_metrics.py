"""`solve metrics`: scikit-learn values (zero_division=0), notes on 0/0, bad input."""

from __future__ import annotations

import pytest

from conftest import assert_bad_input, load_data, run_cli
from dltutor.solvers.registry import run

REF = load_data("neurons_reference.json")["metrics"]
KEYS = ("accuracy", "precision", "recall", "f1")


@pytest.mark.parametrize("case", REF, ids=lambda c: f"tp{c['tp']}-fp{c['fp']}-fn{c['fn']}-tn{c['tn']}")
def test_matches_scikit_learn(case):
    sol = run("metrics", **{k: str(case[k]) for k in ("tp", "fp", "fn", "tn")})
    for key in KEYS:
        assert sol.answer[key] == pytest.approx(case[key], rel=1e-12, abs=0), key


def test_by_hand():
    # 40 TP, 10 FP, 5 FN, 45 TN: accuracy 85/100, precision 40/50, recall 40/45, F1 80/95
    sol = run("metrics", tp="40", fp="10", fn="5", tn="45")
    assert sol.answer == pytest.approx({"accuracy": 0.85, "precision": 0.8, "recall": 40 / 45, "f1": 80 / 95})
    subs = [s["substituted"] for s in sol.to_dict()["steps"]]
    assert subs[:3] == ["(40 + 45)/(40 + 10 + 5 + 45)", "40/(40 + 10)", "40/(40 + 5)"]


@pytest.mark.parametrize("counts, zero_steps", [
    ((0, 0, 3, 7), {"Precision", "F1 score"}),            # nothing predicted positive
    ((0, 4, 0, 6), {"Recall", "F1 score"}),               # no actual positives
    ((0, 0, 0, 5), {"Precision", "Recall", "F1 score"}),
    ((0, 0, 0, 0), {"Accuracy", "Precision", "Recall", "F1 score"}),
])
def test_zero_division_is_zero_with_a_note(counts, zero_steps):
    tp, fp, fn, tn = counts
    sol = run("metrics", tp=str(tp), fp=str(fp), fn=str(fn), tn=str(tn))
    noted = {s.title for s in sol.steps if "0/0" in s.note}
    assert noted == zero_steps
    for step in sol.steps:
        if step.title in zero_steps:
            assert step.value == 0.0 and "0/0" in step.note and "taken as 0" in step.note


def test_metrics_cli_json_and_human():
    res = run_cli("solve", "metrics", "--tp", "40", "--fp", "10", "--fn", "5", "--tn", "45", "--json")
    assert res.code == 0, res.err
    data = res.json()
    assert list(data["answer"]) == list(KEYS)
    assert data["inputs"] == {"tp": 40, "fp": 10, "fn": 5, "tn": 45}
    human = run_cli("solve", "metrics", "--tp", "40", "--fp", "10", "--fn", "5", "--tn", "45")
    assert human.code == 0
    assert "Precision" in human.out and "0.842105" in human.out and "predicted +" in human.out


@pytest.mark.parametrize("args, fragments", [
    (("--tp", "-1", "--fp", "0", "--fn", "0", "--tn", "0"), ("--tp", "-1")),
    (("--tp", "1", "--fp", "0", "--fn", "-3", "--tn", "0"), ("--fn", "-3")),
    (("--tp", "1.5", "--fp", "0", "--fn", "0", "--tn", "0"), ("--tp", "whole")),
    (("--tp", "1", "--fp", "0", "--fn", "0"), ("--tn",)),
    (("--tp", "1", "--fp", "x", "--fn", "0", "--tn", "0"), ("--fp",)),
])
def test_metrics_bad_input(args, fragments):
    assert_bad_input(run_cli("solve", "metrics", *args), *fragments)
