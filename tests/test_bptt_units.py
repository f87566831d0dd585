"""`solve bptt` for a tanh RNN of several units and inputs, against PyTorch autograd on the
unrolled network (tests/reference/record_bptt_units.py: one leaf copy of W_x, W_h, b per step,
so every step's contribution is recorded on its own), its working and its bad input.
The one-unit cases are in test_breadth_kinds.py (record_breadth.py)."""

from __future__ import annotations

import math

import pytest

from conftest import assert_bad_input, load_data, run_cli
from dltutor.render.formula import to_latex, to_typst
from dltutor.solvers.registry import run

DATA = load_data("bptt_units_reference.json")["bptt"]
RTOL, ATOL = 1e-9, 1e-12


def close(got, expected) -> bool:
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(close(got[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(
            close(g, e) for g, e in zip(got, expected))
    return not isinstance(got, list) and math.isclose(got, expected, rel_tol=RTOL, abs_tol=ATOL)


@pytest.mark.parametrize("case", DATA, ids=[c["note"] for c in DATA])
def test_matches_pytorch_autograd_step_by_step(case):
    answer = run("bptt", **case["options"]).answer
    for key, expected in case["expected"].items():
        assert close(answer[key], expected), (key, answer[key], expected)


def test_the_recording_covers_the_cases_asked_for():
    notes = " | ".join(c["note"] for c in DATA)
    for fragment in ("2 units x 1 input", "3 units x 2 inputs", "T = 1", "T = 4", "nonzero h0"):
        assert fragment in notes, fragment
    shapes = {(len(c["expected"]["db"]) if isinstance(c["expected"]["db"], list) else 1) for c in DATA}
    assert {2, 3} <= shapes


def test_the_json_has_one_gradient_per_weight_shaped_as_the_weights():
    result = run_cli("solve", "bptt", "--x", "1,0;0.5,-1;0,1", "--wx", "0.4,-0.2;0.1,0.3;-0.5,0.2",
                     "--wh", "0.1,0.2,0;-0.3,0.1,0.2;0,0.4,-0.1", "--target", "0.5,-0.5,0", "--json")
    assert result.code == 0, result.err
    answer = result.json()["answer"]
    assert [len(answer["dwx"]), len(answer["dwx"][0])] == [3, 2]
    assert [len(answer["dwh"]), len(answer["dwh"][0])] == [3, 3]
    assert len(answer["db"]) == 3 and len(answer["h"]) == 3 and len(answer["delta"]) == 3
    assert [c["t"] for c in answer["contributions"]] == [1, 2, 3]
    assert [len(answer["contributions"][0]["dwh"]), len(answer["contributions"][0]["db"])] == [3, 3]


def test_one_unit_stays_in_scalars():
    answer = run("bptt", x="1,2", wx="0.5", wh="0.8", target="1").answer
    assert all(isinstance(answer[k], float) for k in ("loss", "dwx", "dwh", "db"))
    assert all(isinstance(v, float) for v in answer["h"] + answer["delta"])


def test_several_units_show_the_matrix_form_typeset():
    solution = run("bptt", x="1,2", wx="0.5,-0.3", wh="0.2,0.1;-0.4,0.3", b="0,0.1", target="1,0")
    formulas = {s.formula for s in solution.steps}
    for formula in ("h_t = tanh(W_x*x_t + W_h*h_(t-1) + b)", "L = Norm(h_T - target)**2/2",
                    "delta_T = h_T - target", "g_t = hadamard(delta_t, 1 - h_t**2)", "delta_(t-1) = W_h^T*g_t",
                    "g_t*x_t^T", "g_t*h_(t-1)^T", "dL/dW_x = Sum(g_t*x_t^T, (t, 1, T))"):
        assert formula in formulas, formula
    for step in solution.steps[1:]:      # every formula and every line with numbers typesets as mathematics
        for text in (step.formula, str(step.substituted)):
            if text:
                assert not to_latex(text).startswith(r"\text") and not to_typst(text).startswith('"'), text
    back = next(s for s in solution.steps if s.title == "Error at h_1")
    assert back.substituted.values[0] == [[0.2, 0.1], [-0.4, 0.3]]        # W_h as given, then transposed
    terminal = run_cli("solve", "bptt", "--x", "1,2", "--wx", "0.5,-0.3", "--wh", "0.2,0.1;-0.4,0.3",
                       "--target", "1,0").out
    for text in ("δₜ₋₁ = W_hᵀ·gₜ", "gₜ = δₜ ⊙ (1 − hₜ²)", "∂L/∂W_x = ∑ₜ₌₁ᵀ gₜ·xₜᵀ", "L = ‖h_T − target‖²/2"):
        assert text in terminal, text


def test_a_flat_input_weight_list_is_one_weight_per_unit():
    column = run("bptt", x="1,2", wx="0.5;-0.3", wh="0.2,0.1;-0.4,0.3", target="1,0")
    flat = run("bptt", x="1,2", wx="0.5,-0.3", wh="0.2,0.1;-0.4,0.3", target="1,0")
    assert column.answer == flat.answer
    assert "one weight per unit" in flat.steps[0].note


@pytest.mark.parametrize("args, fragments", [
    (["--x", "1,2", "--wx", "0.5,0.3", "--wh", "0.2,0.1", "--target", "1,0"], ["--wh is 1x2", "square"]),
    (["--x", "1,2", "--wx", "0.5,0.3,0.1", "--wh", "0.2,0.1;0.3,0.4", "--target", "1,0"],
     ["--wx has 1 row but --wh is 2x2"]),
    (["--x", "1,0;0,1", "--wx", "0.5;0.3", "--wh", "0.2,0.1;0.3,0.4", "--target", "1,0"],
     ["--x has 2 values per time step but --wx has 1 column:"]),
    (["--x", "1,2", "--wx", "0.5,0.3", "--wh", "0.2,0.1;0.3,0.4", "--target", "1"],
     ["--target has 1 value but --wh is 2x2"]),
    (["--x", "1,2", "--wx", "0.5", "--wh", "0.8", "--target", "1,0"], ["--target has 2 values but --wh is 1x1"]),
    (["--x", "1,2", "--wx", "0.5,0.3", "--wh", "0.2,0.1;0.3,0.4", "--target", "1,0", "--b", "1,2,3"],
     ["--b has 3 values but the layer has 2 units"]),
    (["--x", "1,2", "--wx", "0.5,0.3", "--wh", "0.2,0.1;0.3,0.4", "--target", "1,0", "--h0", "1,2,3"],
     ["--h0 has 3 values but the layer has 2 units"]),
    (["--x", "1", "--wx", ";".join(["1"] * 17), "--wh", ";".join([",".join(["0"] * 17)] * 17),
      "--target", ",".join(["0"] * 17)], ["--wh has 17 rows (units); the limit is 16"]),
    (["--x", ",".join(["1"] * 101), "--wx", "1", "--wh", "1", "--target", "0"], ["--x has 101 time steps"]),
])
def test_shape_mismatches_are_one_line_naming_the_option_and_both_shapes(args, fragments):
    assert_bad_input(run_cli("solve", "bptt", *args), *fragments)


def test_the_practice_family_asks_a_two_unit_rnn_at_hard_and_one_unit_below():
    from dltutor.practice.families import generate, get_family

    family = get_family("bptt-steps")
    hard = generate(family, 7, "hard")
    assert hard.blocks["Wh"].value and len(hard.blocks["Wh"].value) == 2 and len(hard.blocks["Wh"].value[0]) == 2
    assert [p.name for p in hard.parts] == ["loss", "dwx_units", "dwh_units", "db_units"]
    assert "two units" in hard.prompt and "[" in hard.prompt
    medium = generate(family, 7, "medium")
    assert [p.name for p in medium.parts] == ["loss", "dwx", "dwh", "db"]
    assert "one unit" in medium.prompt and "[" not in medium.prompt     # one unit's W_h reads as a number
    assert f"W_h = {medium.names['wh']:g}" in medium.prompt.replace("−", "-")
