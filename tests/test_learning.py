"""`solve perceptron` and `solve lms`: the notes' LMS example, torch SGD, hand-worked
perceptron epochs, convergence on separable data, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import assert_bad_input, load_data, run_cli
from dltutor.solvers.learning import perceptron
from dltutor.solvers.registry import run
from dltutor.values import Dataset

REF = load_data("neurons_reference.json")["lms"]
BIPOLAR_AND = "1,1:1; 1,-1:-1; -1,1:-1; -1,-1:-1"
AND01 = "0,0:0; 0,1:0; 1,0:0; 1,1:1"


def _data(samples) -> str:
    return "; ".join(",".join(repr(float(v)) for v in x) + f":{float(t)!r}" for x, t in samples)


# --------------------------------------------------------------------- lms

def test_notes_002_lms_first_sample():
    # notes 002, LMS: y = 0.2 - 0.3 + 0.1 = 0, e = 1, w = 0.3, -0.2, b = 0.2
    sol = run("lms", data=BIPOLAR_AND, w="0.2,-0.3", b="0.1", lr="0.1")
    first = sol.steps[0].value
    assert first["y"] == 0 and first["e"] == 1
    assert first["w"] == pytest.approx([0.3, -0.2])
    assert first["b"] == pytest.approx(0.2)


def test_notes_002_lms_first_epoch_ends_as_recomputed_in_the_seeds_readme():
    # seeds README: the LMS example ends its first epoch at w = 0.3013, -0.0327, b = -0.1413
    sol = run("lms", data=BIPOLAR_AND, w="0.2,-0.3", b="0.1", lr="0.1", epochs="1")
    assert sol.answer["w"] == pytest.approx([0.3013, -0.0327], abs=1e-12)
    assert sol.answer["b"] == pytest.approx(-0.1413, abs=1e-12)
    assert len(sol.steps) == 4


@pytest.mark.parametrize("case", REF, ids=lambda c: f"{c['mode']}-{len(c['data'])}x{c['epochs']}")
def test_lms_matches_torch_sgd(case):
    sol = run("lms", data=_data(case["data"]), w=",".join(map(repr, case["w"])), b=repr(case["b"]),
              lr=repr(case["lr"]), epochs=str(case["epochs"]), mode=case["mode"])
    assert len(sol.steps) == len(case["steps"])        # one per sample (online) or per epoch (batch)
    for step, ref in zip(sol.steps, case["steps"]):
        assert set(step.value) == {"y", "e", "w", "b"}
        for key in ("y", "e", "w", "b"):
            np.testing.assert_allclose(step.value[key], ref[key], rtol=1e-9, atol=1e-12)
    ans = sol.answer
    np.testing.assert_allclose(ans["w"], case["answer"]["w"], rtol=1e-9, atol=1e-12)
    assert ans["b"] == pytest.approx(case["answer"]["b"], rel=1e-9, abs=1e-12)
    assert ans["mse"] == pytest.approx(case["answer"]["mse"], rel=1e-9)


def test_lms_json_shape_and_human_output():
    res = run_cli("solve", "lms", "--data", BIPOLAR_AND, "--w", "0.2,-0.3", "--b", "0.1", "--json")
    assert res.code == 0, res.err
    data = res.json()
    assert set(data["answer"]) == {"w", "b", "mse"}
    assert [set(s["value"]) for s in data["steps"]] == [{"y", "e", "w", "b"}] * 4
    assert data["steps"][0]["substituted"].startswith("0.2*1 + (-0.3)*1 + 0.1 = 0,  e = 1 - 0 = 1")
    human = run_cli("solve", "lms", "--data", BIPOLAR_AND, "--w", "0.2,-0.3", "--b", "0.1")
    assert human.code == 0
    assert "Sample 4" in human.out and "0.3013" in human.out and "−0.1413" in human.out


def test_lms_batch_human_output_has_a_table():
    human = run_cli("solve", "lms", "--data", BIPOLAR_AND, "--w", "0.2,-0.3", "--b", "0.1", "--mode", "batch",
                    "--epochs", "2")
    assert human.code == 0, human.err
    assert "Epoch 2 (full batch)" in human.out and "e·x" in human.out


# -------------------------------------------------------------- perceptron

def test_perceptron_and_gate_by_hand():
    # worked by hand, step output, lr 1, w = 0,0, b = 0, data in order (0,0) (0,1) (1,0) (1,1):
    # epoch 1: (0,0) z=0 → y=1, t=0: b = -1;  (1,1) z=-1 → y=0, t=1: w = 1,1, b = 0
    # epoch 2: (0,0) z=0: b = -1;  (0,1) z=0: w = 1,0, b = -2;  (1,1) z=-1: w = 2,1, b = -1
    # ... epoch 6 makes no update: w = 2,1, b = -3 (2·1 + 1·1 - 3 = 0 → 1 for (1,1) only)
    sol = run("perceptron", data=AND01, w="0,0", b="0", lr="1", epochs="10")
    epochs = [s for s in sol.steps if s.title.startswith("Epoch")]
    assert epochs[0].value == {"w": [1.0, 1.0], "b": 0.0}
    assert epochs[1].value == {"w": [2.0, 1.0], "b": -1.0}
    assert sol.answer == {"w": [2.0, 1.0], "b": -3.0, "converged": True}
    assert len(epochs) == 6                          # stops after the first epoch without an update
    assert "converged" in epochs[-1].note
    table = epochs[0].table
    assert table.columns == ("x", "t", "z", "y", "t - y", "new w", "new b")
    assert table.rows[0] == ([0.0, 0.0], 0.0, 0.0, 1.0, -1.0, [0.0, 0.0], -1.0)


def test_perceptron_bipolar_by_hand():
    # sign output, lr 1, w = 0,0, b = 0 on bipolar AND:
    # epoch 1: (1,1) z=0 → +1 ok; (1,-1) z=0 → +1, t=-1: w = -2,2, b = -2; (-1,1) z=2 → +1: w = 0,0, b = -4
    # epoch 2: (1,1) z=-4 → -1, t=1: w = 2,2, b = -2; the rest are right. Epoch 3: no update.
    sol = run("perceptron", data=BIPOLAR_AND, w="0,0", epochs="5")
    assert sol.steps[0].value == "sign"
    assert sol.steps[1].value == {"w": [0.0, 0.0], "b": -4.0}
    assert sol.answer == {"w": [2.0, 2.0], "b": -2.0, "converged": True}


def test_perceptron_not_converged_after_one_epoch():
    sol = run("perceptron", data=AND01, w="0,0")
    assert sol.answer["converged"] is False
    assert "not converged" in sol.steps[-1].note


def test_perceptron_learning_rate_scales_the_updates():
    # from w = 0, b = 0 every update is lr times the lr = 1 update: the same epochs, weights x lr
    sol = run("perceptron", data=AND01, w="0,0", lr="0.5", epochs="10")
    assert sol.answer == {"w": [1.0, 0.5], "b": -1.5, "converged": True}


@st.composite
def separable(draw):
    """0/1 or ±1 labelled points in [-1, 1]² with margin ≥ 0.2·|(w*, b*)| around a random line."""
    w_true = np.array(draw(st.lists(st.floats(-1, 1), min_size=2, max_size=2)))
    b_true = draw(st.floats(-0.5, 0.5))
    norm = np.sqrt(w_true @ w_true + b_true ** 2)
    pts = draw(st.lists(st.tuples(st.floats(-1, 1), st.floats(-1, 1)), min_size=2, max_size=8))
    bipolar = draw(st.booleans())
    samples = []
    for p in pts:
        z = float(np.dot(w_true, p) + b_true)
        if norm > 0.1 and abs(z) >= 0.2 * norm:
            samples.append((p, (1.0 if z > 0 else (-1.0 if bipolar else 0.0))))
    lr = draw(st.sampled_from([0.1, 0.5, 1.0, 2.0]))
    return samples, lr


@settings(max_examples=30, deadline=None)
@given(case=separable())
def test_perceptron_converges_on_linearly_separable_data(case):
    samples, lr = case
    if not samples:
        return
    X = np.array([p for p, _ in samples], dtype=float)
    t = np.array([label for _, label in samples])
    sol = perceptron(Dataset(X, t), np.zeros(2), 0.0, lr, 600)
    # the convergence theorem: at most (R/γ)² = 3/0.2² = 75 updates, so it converges
    assert sol.answer["converged"] is True
    w, b = np.array(sol.answer["w"]), sol.answer["b"]
    z = X @ w + b
    predicted = np.where(z >= 0, 1.0, -1.0 if (t < 0).any() else 0.0)
    assert (predicted == t).all()


def test_perceptron_cli_json_and_human():
    res = run_cli("solve", "perceptron", "--data", AND01, "--w", "0,0", "--epochs", "10", "--json")
    assert res.code == 0, res.err
    data = res.json()
    assert data["answer"] == {"w": [2.0, 1.0], "b": -3.0, "converged": True}
    human = run_cli("solve", "perceptron", "--data", AND01, "--w", "0,0", "--epochs", "10")
    assert human.code == 0
    assert "Epoch 6" in human.out and "new w" in human.out and "converged" in human.out


# --------------------------------------------------------------- bad input

@pytest.mark.parametrize("kind", ["perceptron", "lms"])
@pytest.mark.parametrize("args, fragments", [
    (("--data", "1,1:1; 1:0", "--w", "0,0"), ("--data", "sample 2")),
    (("--data", AND01, "--w", "0,0,0"), ("--w", "3", "2")),
    (("--data", AND01, "--w", "0,0", "--epochs", "5000"), ("--epochs", "1,000")),
    (("--data", AND01, "--w", "0,0", "--epochs", "0"), ("--epochs",)),
    (("--data", AND01, "--w", "0,0", "--lr", "0"), ("--lr",)),
    (("--data", "1,1; 0,1:0", "--w", "0,0"), ("--data", "sample 1")),
    (("--data", "1,1:1,0; 0,1:0,1", "--w", "0,0"), ("--data", "one label")),
    (("--data", "; ".join(["1,1:1"] * 20), "--w", "0,0", "--epochs", "300"), ("6,000", "5,000")),
])
def test_learning_bad_input(kind, args, fragments):
    assert_bad_input(run_cli("solve", kind, *args), *fragments)


@pytest.mark.parametrize("data, fragment", [("0,0:0; 1,1:0.5", "0.5"), ("0,0:0; 1,1:-1", "mix 0 and -1")])
def test_perceptron_labels_must_be_binary(data, fragment):
    assert_bad_input(run_cli("solve", "perceptron", "--data", data, "--w", "0,0"), "--data", fragment)


def test_lms_divergence_is_reported_not_a_crash():
    res = run_cli("solve", "lms", "--data", "1000,1000:1; -1000,1000:-1", "--w", "0,0", "--lr", "10",
                  "--epochs", "1000", "--json")
    assert_bad_input(res, "--lr", "diverge")
