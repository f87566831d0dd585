"""``--verify``: the symbolic cross-check of the kinds that have one, in one line, only when asked."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from dltutor.solvers.registry import KIND_MODULES, get_kind

VERIFIED = {"backprop", "activation"}     # the kinds with an independent symbolic check


def test_the_kinds_with_a_symbolic_check_have_verify_and_no_other_kind_does():
    with_flag = {name for name in KIND_MODULES if any(o.name == "verify" for o in get_kind(name).options)}
    assert with_flag == VERIFIED


@pytest.mark.parametrize("fn, z", [("tanh", "0.5,-1"), ("softmax", "1,2,0.5"), ("sigmoid", "2")])
def test_activation_verify_reports_agreement_in_one_line(fn, z):
    plain = run_cli("solve", "activation", "--fn", fn, "--z", z, "--json")
    checked = run_cli("solve", "activation", "--fn", fn, "--z", z, "--verify", "--json")
    assert plain.code == checked.code == 0
    plain_notes = " ".join(s.get("note", "") for s in json.loads(plain.out)["steps"])
    notes = " ".join(s.get("note", "") for s in json.loads(checked.out)["steps"])
    assert "sympy" not in plain_notes
    assert notes.count("check: sympy") == 1 and "the two agree" in notes
    assert json.loads(plain.out)["answer"] == json.loads(checked.out)["answer"]


def test_backprop_verify_adds_one_check_step():
    args = ["--x", "0.05,0.1", "--target", "0.01,0.99", "--w1", "0.15,0.2;0.25,0.3", "--b1", "0.35",
            "--w2", "0.4,0.45;0.5,0.55", "--b2", "0.6", "--json"]
    plain = json.loads(run_cli("solve", "backprop", *args).out)
    checked = json.loads(run_cli("solve", "backprop", *args, "--verify").out)
    assert len(checked["steps"]) == len(plain["steps"]) + 1
    assert checked["steps"][-1]["value"] < 1e-12
