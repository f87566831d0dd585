"""`solve loss`: Keras and torch values, the written-out sum, clipping and bad input."""

from __future__ import annotations

import math

import pytest

from conftest import assert_bad_input, load_data, run_cli
from dltutor.solvers.registry import run

REF = load_data("neurons_reference.json")["losses"]


def _vec(values) -> str:
    return ",".join(repr(float(v)) for v in values)


@pytest.mark.parametrize("case", REF, ids=lambda c: f"{c['kind']}-{c['y']}-{c['p']}")
def test_matches_keras_and_torch(case):
    value = run("loss", kind=case["kind"], y=_vec(case["y"]), p=_vec(case["p"])).answer["loss"]
    # Keras 3 (torch backend) takes the mean of mse/mae/bce in float32
    assert value == pytest.approx(case["keras"], rel=1e-6)
    if case["torch"] is not None:
        assert value == pytest.approx(case["torch"], rel=1e-12)


def test_mse_by_hand_with_the_sum_written_out():
    # ((1 - 0.9)² + (0 + 0.2)² + (2 - 1.5)²)/3 = (0.01 + 0.04 + 0.25)/3 = 0.1
    data = run("loss", kind="mse", y="1,0,2", p="0.9,-0.2,1.5").to_dict()
    assert data["answer"] == {"loss": pytest.approx(0.1)}
    terms, total = data["steps"]
    assert terms["value"] == pytest.approx([0.01, 0.04, 0.25])
    assert total["substituted"] == "((1 - 0.9)**2 + (0 - (-0.2))**2 + (2 - 1.5)**2)/3"


def test_cce_by_hand():
    # −(0·log 0.2 + 1·log 0.7 + 0·log 0.1) = −ln 0.7
    data = run("loss", kind="cce", y="0,1,0", p="0.2,0.7,0.1").to_dict()
    assert data["answer"]["loss"] == pytest.approx(-math.log(0.7))
    assert data["steps"][1]["substituted"] == "-(0*log(0.2) + 1*log(0.7) + 0*log(0.1))"
    assert data["steps"][0]["value"] == [0.0, pytest.approx(-math.log(0.7)), 0.0]


def test_bce_by_hand():
    # −(ln 0.8 + ln 0.7)/2
    sol = run("loss", kind="bce", y="1,0", p="0.8,0.3")
    assert sol.answer["loss"] == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2)


def test_clipping_is_noted():
    data = run("loss", kind="bce", y="1,0", p="0,0.3").to_dict()
    note = data["steps"][1]["note"]
    assert "1e-7" in note and "clipped" in note
    # −(ln 1e-7 + ln 0.7)/2
    assert data["answer"]["loss"] == pytest.approx(-(math.log(1e-7) + math.log(0.7)) / 2, rel=1e-6)
    assert "note" not in run("loss", kind="bce", y="1,0", p="0.8,0.3").to_dict()["steps"][1]


def test_cce_probabilities_not_summing_to_one_are_noted():
    # p sums to 0.9; Keras would normalise: −ln(0.6/0.9) = 0.405465...
    data = run("loss", kind="cce", y="0,1,0", p="0.2,0.6,0.1").to_dict()
    assert data["answer"]["loss"] == pytest.approx(-math.log(0.6))
    note = data["steps"][1]["note"]
    assert "0.9" in note and "Keras" in note and "0.405465" in note


def test_mae_long_vector_is_shortened():
    y = ",".join(["1"] * 12)
    p = ",".join(["0.5"] * 12)
    data = run("loss", kind="mae", y=y, p=p).to_dict()
    assert data["answer"]["loss"] == pytest.approx(0.5)
    assert "..." in data["steps"][1]["substituted"]
    assert len(data["steps"][0]["table"]["rows"]) == 12


def test_loss_cli_json_and_human():
    res = run_cli("solve", "loss", "--kind", "bce", "--y", "1,0", "--p", "0.8,0.3", "--json")
    assert res.code == 0, res.err
    assert list(res.json()["answer"]) == ["loss"]
    human = run_cli("solve", "loss", "--kind", "mse", "--y", "1,0,2", "--p", "0.9,-0.2,1.5")
    assert human.code == 0
    assert "Terms" in human.out and "0.1" in human.out


@pytest.mark.parametrize("args, fragments", [
    (("--kind", "bce", "--y", "1,0", "--p", "1.2,0.3"), ("--p", "1.2", "[0, 1]")),
    (("--kind", "cce", "--y", "0,1", "--p", "-0.1,1"), ("--p", "-0.1")),
    (("--kind", "bce", "--y", "2,0", "--p", "0.5,0.5"), ("--y", "2")),
    (("--kind", "mse", "--y", "1,0,2", "--p", "1,0"), ("--p", "--y", "2", "3")),
    (("--kind", "hinge", "--y", "1", "--p", "1"), ("--kind", "hinge")),
    (("--kind", "mse", "--y", "1", "--p", "inf"), ("--p",)),
])
def test_loss_bad_input(args, fragments):
    assert_bad_input(run_cli("solve", "loss", *args), *fragments)
