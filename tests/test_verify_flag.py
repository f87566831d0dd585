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


@pytest.mark.parametrize("fn, z", [("tanh", "0.5,-1"), ("softmax", "1,2,0.5"), ("sigmoid", "2"),
                                   ("leaky_relu", "-1,0,2")])
def test_activation_verify_adds_one_check_step(fn, z):
    plain = json.loads(run_cli("solve", "activation", "--fn", fn, "--z", z, "--json").out)
    checked = json.loads(run_cli("solve", "activation", "--fn", fn, "--z", z, "--verify", "--json").out)
    assert "sympy" not in json.dumps(plain["steps"])
    assert checked["steps"][:-1] == plain["steps"]
    check = checked["steps"][-1]
    assert check["title"].startswith("Check: sympy's") and check["title"].endswith("and the NumPy engine's")
    assert 0 <= check["value"] < 1e-12 and "the two agree" in check["note"]
    assert plain["answer"] == checked["answer"]


def test_activation_verify_survives_brief():
    brief = run_cli("solve", "activation", "--fn", "sigmoid", "--z", "1", "--verify", "--brief")
    assert brief.code == 0, brief.err
    assert "3. Check: sympy's derivative and the NumPy engine's: " in brief.out


def test_backprop_verify_adds_one_check_step():
    args = ["--x", "0.05,0.1", "--target", "0.01,0.99", "--w1", "0.15,0.2;0.25,0.3", "--b1", "0.35",
            "--w2", "0.4,0.45;0.5,0.55", "--b2", "0.6", "--json"]
    plain = json.loads(run_cli("solve", "backprop", *args).out)
    checked = json.loads(run_cli("solve", "backprop", *args, "--verify").out)
    assert len(checked["steps"]) == len(plain["steps"]) + 1
    assert checked["steps"][-1]["value"] < 1e-12
