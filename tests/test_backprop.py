"""`solve backprop`: the notes' 2-2-2 example, PyTorch autograd on random networks,
sympy against the matrix form, the JSON/human output and bad input.

Expected values come from outside the code: the course notes (002, "Back
propagation", and the recomputed values of seeds/README.md) and
tests/data/backprop_torch.json (recorded by tests/reference/record_backprop.py
with torch autograd in float64).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from dltutor.solvers.backprop_network import build_network, forward_backward
from dltutor.solvers.backprop_symbolic import SYMBOLIC_LIMIT, symbolic_cost, symbolic_gradients
from dltutor.solvers.registry import get_kind, run
from tests.conftest import assert_bad_input, load_data, run_cli

TORCH = load_data("backprop_torch.json")["cases"]

NOTES = ["--x", "0.05,0.10", "--target", "0.01,0.99", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
         "--w2", "0.40,0.45;0.50,0.55", "--b2", "0.60", "--lr", "0.5"]
NOTES_OPTIONS = dict(x="0.05,0.10", target="0.01,0.99", w1="0.15,0.20;0.25,0.30", b1="0.35",
                     w2="0.40,0.45;0.50,0.55", b2="0.60", lr="0.5")


def close(actual, expected, rel=1e-9, abs_=1e-12) -> bool:
    """Nested lists (ragged allowed) equal within rel/abs tolerance."""
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(close(a, e, rel, abs_) for a, e in zip(actual, expected)))
    return abs(actual - expected) <= abs_ + rel * abs(expected)


@pytest.fixture(scope="module")
def notes():
    return run("backprop", **NOTES_OPTIONS)


def step(solution, title):
    return next(s for s in solution.steps if s.title == title)


# ------------------------------------------------------------------ notes 002, "Back propagation"

@pytest.mark.parametrize("key, expected, tol", [
    # seeds/README.md "Values worth knowing" (recomputed from notes 002), 6 decimals
    ("hidden", [0.593270, 0.596884], 5e-7),
    ("output", [0.751365, 0.772928], 5e-7),
    ("loss", 0.298371, 5e-7),
    ("w2", [[0.358916, 0.408666], [0.511301, 0.561370]], 5e-7),
    # notes 002 "Final Updated Weights": w1..w4 = 0.1498, 0.1996, 0.2497, 0.2995 (cut to 4 decimals)
    ("w1", [[0.1498, 0.1996], [0.2497, 0.2995]], 1e-4),
])
def test_notes_2_2_2_example(notes, key, expected, tol):
    assert close(notes.answer[key], expected, rel=0, abs_=tol)


@pytest.mark.parametrize("title, expected, tol", [
    # notes 002, worked lines: net_h1 = 0.3775, dE/dw5 = 0.08216709 (from rounded factors),
    # delta_o2 written as -0.0380982, dE/dw1 = 0.000438568, out_h1 (1 - out_h1) factor 0.241300709
    # (the notes' w5 is w^(2)_11, from h1 to o1; their w1 is w^(1)_11)
    ("Net input of h1", 0.3775, 1e-12),
    ("Gradient of w^(2)_11 (h1 → o1)", 0.08216709, 1e-7),
    ("Delta of o2", -0.0380982, 1e-7),
    ("Gradient of w^(1)_11 (x1 → h1)", 0.000438568, 1e-9),
    ("Delta of o1", 0.1385, 1e-4),
])
def test_notes_intermediate_values(notes, title, expected, tol):
    assert abs(step(notes, title).value - expected) <= tol


def test_notes_hidden_updates_match_torch(notes):
    """The hidden-layer gradients and updates (the notes only round them) against torch autograd."""
    case = next(c for c in TORCH if c["id"] == "notes-002-2-2-2")
    for key in ("grad_w1", "grad_b1", "w1", "grad_w2", "w2"):
        assert close(notes.answer[key], case["answer"][key]), key


def test_notes_errors_are_the_lessons_to_point_out(notes):
    # solve says nothing about notes its user may not have; the lesson on the same example does
    assert all("notes" not in s.note and "0.6" not in s.note for s in notes.steps)
    lesson = (Path(__file__).parents[1] / "lessons" / "11-backprop.md").read_text()
    assert "η = 0.6" in lesson and "0.350700" in lesson and "0.2983" in lesson and "0.2984" in lesson
    # the hidden deltas use w5, w7 (w^(2)_11, w^(2)_21) before the update
    assert "w^(2)_11 = 0.4" in step(notes, "Delta of h1").note


# ------------------------------------------------------------------ PyTorch autograd

@pytest.mark.parametrize("case", TORCH, ids=[c["id"] for c in TORCH])
def test_matches_torch_autograd(case):
    options = {k.replace("-", "_"): v for k, v in case["options"].items()}
    solution = run("backprop", **options, verify=True)
    assert set(solution.answer) == set(case["answer"])
    for key, expected in case["answer"].items():
        assert close(solution.answer[key], expected), (key, solution.answer[key], expected)
    # the gradients written in the steps (sympy's when it ran) agree with torch as well
    shown = 0
    for s in solution.steps:
        if m := re.fullmatch(r"Gradient of w\^\((\d+)\)_(\d)(\d) .*", s.title):
            K, i, j = map(int, m.groups())
            assert close(s.value, case["answer"][f"grad_w{K}"][i - 1][j - 1]), s.title
            shown += 1
        elif m := re.fullmatch(r"Gradients of W\^\((\d+)\) .*", s.title):
            assert close(s.value, case["answer"][f"grad_w{m.group(1)}"]), s.title
            shown += len(s.value) * len(s.value[0])
        elif m := re.fullmatch(r"dE/db\^\((\d+)\)_j = delta_j", s.formula):
            assert close(s.value, case["answer"][f"grad_b{m.group(1)}"]), s.title
    assert shown == sum(len(g) * len(g[0]) for k, g in case["answer"].items() if k.startswith("grad_w"))
    check = solution.steps[-1]
    if check.title.startswith("Check"):
        assert check.value < 1e-12


# ------------------------------------------------------------------ sympy against the matrix form

def random_network(rng: np.random.Generator):
    """A random network whose symbolic pass is cheap (cost within the limit)."""
    activation = str(rng.choice(["sigmoid", "tanh", "relu", "linear"]))
    loss = str(rng.choice(["half-mse", "mse", "cce"]))
    while True:
        depth = int(rng.integers(2, 4))
        sizes = [int(rng.integers(1, 4)) for _ in range(depth + 1)]
        sizes[-1] = max(2, sizes[-1]) if loss == "cce" else sizes[-1]
        if symbolic_cost(sizes) <= 60:
            break
    output = None
    if loss == "cce":
        target = rng.dirichlet(np.ones(sizes[-1]))
    else:
        output = str(rng.choice(["sigmoid", "tanh", "relu", "linear"]))
        target = rng.uniform(0, 1, sizes[-1])
    weights = [rng.normal(0, 1, (sizes[k + 1], sizes[k])) for k in range(depth)] + [None] * (6 - depth)
    biases = [rng.normal(0, 0.5, sizes[k + 1]) for k in range(depth)] + [None] * (6 - depth)
    return build_network(rng.normal(0, 1, sizes[0]), target, weights, biases, activation=activation,
                         output_activation=output, loss=loss, lr=0.3)


@pytest.mark.parametrize("seed", range(16))
def test_sympy_agrees_with_matrix_form(seed):
    net = random_network(np.random.default_rng(seed))
    numeric = forward_backward(net)
    symbolic = symbolic_gradients(net)
    assert symbolic.ok, symbolic.reason
    for s, n in zip(symbolic.grad_w + symbolic.grad_b, numeric.grad_w + numeric.grad_b):
        assert s.shape == n.shape
        np.testing.assert_allclose(s, n, rtol=1e-9, atol=1e-12)


def test_symbolic_cost_of_the_notes_network():
    assert symbolic_cost([2, 2, 2]) == 18
    assert symbolic_cost([4, 4, 4]) == SYMBOLIC_LIMIT


def test_large_network_skips_the_symbolic_pass_and_says_so():
    rng = np.random.default_rng(3)
    text = lambda m: ";".join(",".join(repr(float(v)) for v in row) for row in np.atleast_2d(m))  # noqa: E731
    solution = run("backprop", x="1,2,3,4,5", target="0.2,0.8", w1=text(rng.normal(size=(6, 5))), b1="0.1",
                   w2=text(rng.normal(size=(6, 6))), b2="0", w3=text(rng.normal(size=(2, 6))), b3="0.2",
                   verify=True)
    last = solution.steps[-1]
    assert last.title == "Symbolic check skipped"
    assert "limit" in last.note
    # big layers are written as tables, one row per weight
    table_steps = [s for s in solution.steps if s.table is not None and s.title.startswith("Gradients of W")]
    assert [len(s.table.rows) for s in table_steps] == [12, 36, 30]


# ------------------------------------------------------------------ the command line

def test_json_answer_has_the_keys_of_cli_md():
    result = run_cli("solve", "backprop", *NOTES, "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["kind"] == "backprop"
    assert set(data["answer"]) == {"hidden", "output", "loss", "grad_w1", "grad_w2", "grad_b1", "grad_b2",
                                   "w1", "w2"}
    # delta_o1, delta_o2 of notes 002 (0.1385, -0.0380982), to the digits torch records
    assert data["answer"]["grad_b2"] == pytest.approx([0.138498562, -0.038098237], abs=1e-9)
    assert data["inputs"]["b1"] == 0.35
    for s in data["steps"]:
        assert s["title"] and ("formula" in s) and ("value" in s)


def test_json_three_layers_with_bias_update():
    result = run_cli("solve", "backprop", "--x", "1,0.5", "--target", "0.8", "--w1", "0.2,-0.4;0.7,0.1",
                     "--b1", "0,0.1", "--w2", "0.5,-0.3;0.6,0.2", "--b2", "0.1", "--w3", "0.9,-0.5", "--b3", "0",
                     "--activation", "tanh", "--output-activation", "linear", "--loss", "mse",
                     "--update-bias", "--json")
    assert result.code == 0, result.err
    answer = result.json()["answer"]
    layers = ("w1", "w2", "w3", "b1", "b2", "b3")
    assert set(answer) == {"hidden", "output", "loss"} | {f"grad_{k}" for k in layers} | set(layers)
    assert len(answer["hidden"]) == 2 and all(isinstance(h, list) for h in answer["hidden"])
    assert len(answer["b2"]) == 2            # a shared scalar bias is updated per neuron


def test_human_output_reads_like_the_notes():
    result = run_cli("solve", "backprop", *NOTES)
    assert result.code == 0, result.err
    for text in ("Net input of h₁", "netₕ₁ = w⁽¹⁾₁₁·x₁ + w⁽¹⁾₁₂·x₂ + b⁽¹⁾", "0.15·0.05 + 0.2·0.1 + 0.35",
                 "Delta of h₁", "δₒ₁·w⁽²⁾₁₁ + δₒ₂·w⁽²⁾₂₁", "Update of w⁽²⁾₁₁", "w⁽²⁾₁₁ ← w⁽²⁾₁₁ − η·∂E/∂w⁽²⁾₁₁",
                 "0.358916", "0.298371"):
        assert text in result.out, text
    # what the course notes print differently (η = 0.6 on one slide, 0.2983 vs 0.2984) is the lesson's to say
    assert "notes" not in result.out and "0.6" not in result.out.split("η = 0.5")[1].split("\n")[0]


def test_every_example_solves():
    for example in get_kind("backprop").examples:
        result = run_cli("solve", "backprop", *shlex.split(example), "--json")
        assert result.code == 0, (example, result.err)


@pytest.mark.parametrize("args, fragments", [
    pytest.param(["--x", "0.05,0.10", "--w1", "0.15,0.20,0.1;0.25,0.30,0.1", "--b1", "0.35",
                  "--w2", "0.4,0.45;0.5,0.55", "--b2", "0.6"], ["--w1", "2x3", "--x has 2"], id="w1-columns-vs-x"),
    pytest.param(["--x", "0.05,0.10", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
                  "--w2", "0.4,0.45,1;0.5,0.55,1", "--b2", "0.6"], ["--w2", "2x3", "--w1 has 2 row"],
                 id="w2-columns-vs-w1-rows"),
    pytest.param(["--x", "0.05,0.10", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
                  "--w2", "0.4,0.45;0.5,0.55", "--b2", "0.6,0.1,0.2"], ["--b2 has 3 values", "2 row"],
                 id="b2-length"),
    pytest.param(["--x", "0.05,0.10", "--target", "0.01", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
                  "--w2", "0.4,0.45;0.5,0.55", "--b2", "0.6"], ["--target has 1 value", "2 neuron"],
                 id="target-length"),
    pytest.param(["--x", "0.05,0.10", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
                  "--w3", "0.4,0.45;0.5,0.55", "--b3", "0.6"], ["--w3", "--w2 is missing"], id="gap-in-layers"),
    pytest.param(["--x", "1,2", "--target", "0.5,0.7", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
                  "--w2", "0.4,0.45;0.5,0.55", "--b2", "0.6", "--loss", "cce"],
                 ["--target 0.5,0.7", "sum 1.2", "--loss cce"], id="cce-target-not-a-distribution"),
    pytest.param(["--x", "1,2", "--target", "-0.5,1.5", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
                  "--w2", "0.4,0.45;0.5,0.55", "--b2", "0.6", "--loss", "cce"],
                 ["--target -0.5,1.5", "--loss cce"], id="cce-target-negative"),
    pytest.param(["--x", "0.05,0.10", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
                  "--w2", "0.4,0.45;0.5,0.55"], ["--w2", "--b2"], id="missing-bias"),
    pytest.param(["--x", "0.05,0.10", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35"],
                 ["two layers", "--w2"], id="one-layer"),
    pytest.param(["--x", "0.05,0.10", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
                  "--w2", "0.4,0.45;0.5,0.55", "--b2", "0.6", "--activation", "softmax"],
                 ["--activation softmax", "output"], id="softmax-hidden"),
    pytest.param(["--x", "0.05,0.10", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
                  "--w2", "0.4,0.45;0.5,0.55", "--b2", "0.6", "--output-activation", "softmax"],
                 ["--output-activation softmax", "--loss cce"], id="softmax-without-cce"),
    pytest.param(["--x", "0.05,0.10", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
                  "--w2", "0.4,0.45;0.5,0.55", "--b2", "0.6", "--loss", "cce", "--output-activation", "sigmoid"],
                 ["--loss cce", "--output-activation sigmoid"], id="cce-without-softmax"),
    pytest.param(["--x", "0.05,0.10", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
                  "--w2", "0.4,0.45;0.5,0.55", "--b2", "0.6", "--lr", "-1"], ["--lr"], id="negative-lr"),
    pytest.param(["--x", "0.05,0.10", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
                  "--w2", "0.4,0.45;0.5,0.55", "--b2", "inf"], ["--b2", "inf"], id="infinite-bias"),
])
def test_bad_input(args, fragments):
    if "--target" not in args:
        args = args + ["--target", "0.01,0.99"]
    assert_bad_input(run_cli("solve", "backprop", *args, "--json"), *fragments)


def test_too_many_parameters_is_capped():
    big = ";".join([",".join(["0.1"] * 40)] * 40)
    result = run_cli("solve", "backprop", "--x", ",".join(["1"] * 40), "--target", ",".join(["0"] * 40),
                     "--w1", big, "--b1", "0", "--w2", big, "--b2", "0")
    assert_bad_input(result, "3,280 weights and biases", "1,024")


def test_sympy_runs_only_with_verify():
    """By default backprop is pure NumPy (fast start); --verify adds the one-line symbolic check."""
    import subprocess
    import sys

    args = ["--x", "0.05,0.10", "--target", "0.01,0.99", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35",
            "--w2", "0.40,0.45;0.50,0.55", "--b2", "0.60"]
    probe = ("import sys; from dltutor.cli import main\n"
             "try:\n    main(['solve', 'backprop', *sys.argv[1:]])\n"
             "except SystemExit:\n    pass\n"
             "print('SYMPY' if 'sympy' in sys.modules else 'NOSYMPY', file=sys.stderr)")
    plain = subprocess.run([sys.executable, "-c", probe, *args, "--json"], capture_output=True, text=True, timeout=120)
    checked = subprocess.run([sys.executable, "-c", probe, *args, "--json", "--verify"],
                             capture_output=True, text=True, timeout=120)
    assert "NOSYMPY" in plain.stderr and "SYMPY" in checked.stderr.replace("NOSYMPY", "")
    # the notes' 2-2-2 example (seeds/README): updated w5 = 0.358916 either way
    import json

    for out in (plain.stdout, checked.stdout):
        assert abs(json.loads(out)["answer"]["w2"][0][0] - 0.358916) < 1e-6
    assert json.loads(checked.stdout)["steps"][-1]["title"].startswith("Check")
    assert not json.loads(plain.stdout)["steps"][-1]["title"].startswith("Check")


def test_a_deeper_network_answers_each_hidden_layer_by_its_name():
    """Two hidden layers: h⁽¹⁾ and h⁽²⁾ each on their own line (not the rows of a matrix h); the
    JSON keeps the contract's one list per hidden layer."""
    from dltutor.render.markdown import to_markdown
    from dltutor.render.terminal import answer_text

    args = dict(x="1,0.5", target="0.8", w1="0.2,-0.4;0.7,0.1", b1="0,0.1", w2="0.5,-0.3;0.6,0.2", b2="0.1",
                w3="0.9,-0.5", b3="0", activation="tanh", output_activation="linear", loss="mse")
    solution = run("backprop", **args)
    assert len(solution.answer["hidden"]) == 2
    text = answer_text(solution.answer, "backprop", 6)
    assert "h⁽¹⁾ = (" in text and "h⁽²⁾ = (" in text and "\nh = " not in "\n" + text
    markdown = to_markdown(solution)
    assert "h^{(1)}" in markdown and "h^{(2)}" in markdown
