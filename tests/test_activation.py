"""`solve activation`: torch values and autograd derivatives, sympy against NumPy, conventions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import assert_bad_input, load_data, run_cli
from dltutor.solvers.activation import ACTIVATION_NAMES, numeric_derivative, symbolic_derivative
from dltutor.solvers.registry import run

REF = load_data("neurons_reference.json")["activations"]


def _vec(values) -> str:
    return ",".join(repr(float(v)) for v in values)


@pytest.mark.parametrize("case", REF, ids=lambda c: f"{c['fn']}-{c['z']}")
def test_matches_torch_and_autograd(case):
    sol = run("activation", fn=case["fn"], z=_vec(case["z"]))
    np.testing.assert_allclose(sol.answer["y"], case["y"], rtol=1e-9, atol=1e-300)
    if "dy" in case:      # torch has no derivative for step (heaviside)
        np.testing.assert_allclose(sol.answer["dy"], case["dy"], rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("fn", [f for f in ACTIVATION_NAMES if f != "softmax"])
def test_elementwise_derivative_sympy_agrees_with_numpy_grid(fn):
    z = np.array([-40.0, -5.0, -1.0, -1e-3, 0.0, 1e-3, 0.5, 2.0, 30.0])
    sym, text = symbolic_derivative(fn, z)
    np.testing.assert_allclose(sym, numeric_derivative(fn, z), rtol=1e-9, atol=1e-12)
    assert text


@settings(max_examples=40, deadline=None)
@given(fn=st.sampled_from([f for f in ACTIVATION_NAMES if f != "softmax"]),
       z=st.lists(st.floats(-60, 60, allow_nan=False), min_size=1, max_size=6))
def test_derivative_sympy_agrees_with_numpy(fn, z):
    z = np.array(z)
    sym, _ = symbolic_derivative(fn, z)
    np.testing.assert_allclose(sym, numeric_derivative(fn, z), rtol=1e-9, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(z=st.lists(st.floats(-30, 30, allow_nan=False), min_size=1, max_size=6))
def test_softmax_jacobian_properties(z):
    sol = run("activation", fn="softmax", z=_vec(z))
    s = np.array(sol.answer["y"])
    jac = np.array(sol.answer["dy"])
    assert s.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(jac.sum(axis=1), 0.0, atol=1e-12)       # each row sums to 0 (Σ s = 1)
    np.testing.assert_allclose(jac, jac.T, atol=1e-15)                  # symmetric
    sym, _ = symbolic_derivative("softmax", np.array(z))
    np.testing.assert_allclose(sym, jac, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("fn, z, y, dy", [
    # CLI.md conventions, by hand
    ("step", [0.0, -0.1, 3.0], [1, 0, 1], [0, 0, 0]),
    ("sign", [0.0, -0.5, 2.0], [1, -1, 1], [0, 0, 0]),
    ("relu", [0.0, -1.0, 2.0], [0, 0, 2], [0, 0, 1]),
    ("leaky_relu", [-1.0, 0.0, 2.0], [-0.01, 0, 2], [0.01, 0.01, 1]),
    ("linear", [-2.0, 5.0], [-2, 5], [1, 1]),
    ("sigmoid", [0.0], [0.5], [0.25]),
    ("tanh", [0.0], [0.0], [1.0]),
])
def test_conventions_by_hand(fn, z, y, dy):
    sol = run("activation", fn=fn, z=_vec(z))
    assert sol.answer["y"] == pytest.approx(y)
    assert sol.answer["dy"] == pytest.approx(dy)


def test_softmax_by_hand():
    # two equal scores: s = 1/2 each, J = [[1/4, -1/4], [-1/4, 1/4]]
    sol = run("activation", fn="softmax", z="3,3")
    assert sol.answer["y"] == pytest.approx([0.5, 0.5])
    assert np.allclose(sol.answer["dy"], [[0.25, -0.25], [-0.25, 0.25]])


def test_steps_show_the_sympy_derivative():
    data = run("activation", fn="sigmoid", z="-2,0,1.1").to_dict()
    deriv = data["steps"][1]
    assert deriv["formula"] == "dy/dz = exp(-z)/(1 + exp(-z))**2"
    # the note states the rule in the course's form; the sympy-vs-NumPy check stays out of a student's steps
    assert "sigmoid(z)*(1 - sigmoid(z))" in deriv["note"] and "sympy" not in deriv["note"].lower()
    assert deriv["table"]["columns"] == ["z", "y", "dy/dz"]
    relu = run("activation", fn="relu", z="0").to_dict()["steps"][1]
    assert relu["formula"] == "dy/dz = 1 if z > 0 else 0"
    assert "z = 0" in relu["note"]


def test_activation_cli_json_and_human():
    res = run_cli("solve", "activation", "--fn", "softmax", "--z", "1,2,3", "--json")
    assert res.code == 0, res.err
    data = res.json()
    assert set(data["answer"]) == {"y", "dy"}
    assert len(data["answer"]["dy"]) == 3 and all(len(r) == 3 for r in data["answer"]["dy"])
    human = run_cli("solve", "activation", "--fn", "tanh", "--z", "-1,0,1")
    assert human.code == 0
    assert "Derivative" in human.out and "0.761594" in human.out and "0.419974" in human.out


def test_leaky_relu_spellings():
    assert run("activation", fn="leaky-relu", z="-1").answer["y"] == pytest.approx([-0.01])


@pytest.mark.parametrize("args, fragments", [
    (("--fn", "swish", "--z", "1"), ("--fn", "swish")),
    (("--fn", "sigmoid", "--z", "1,,2"), ("--z",)),
    (("--fn", "sigmoid", "--z", "1;2"), ("--z",)),
    (("--fn", "softmax", "--z", ",".join(["1"] * 65)), ("--z", "65", "64")),
    (("--fn", "sigmoid"), ("--z",)),
])
def test_activation_bad_input(args, fragments):
    assert_bad_input(run_cli("solve", "activation", *args), *fragments)


def test_the_derivative_formulas_are_sympys():
    """The derivative text the steps show (written out so that solving needs no sympy) is
    what sympy's diff of each activation's formula gives."""
    import sympy as sp

    from dltutor.solvers.activation import ACTIVATION_NAMES, DERIVATIVE_TEXT, derived

    assert set(DERIVATIVE_TEXT) == set(ACTIVATION_NAMES)
    for name in ACTIVATION_NAMES:
        assert DERIVATIVE_TEXT[name] == derived(name)[1], name
    z = sp.Symbol("z", real=True)      # and, independently of the printing, the textbook identities
    assert sp.simplify(sp.sympify(DERIVATIVE_TEXT["sigmoid"], locals={"z": z})
                       - sp.exp(-z) / (1 + sp.exp(-z)) ** 2) == 0
    assert sp.simplify(sp.sympify(DERIVATIVE_TEXT["softplus"], locals={"z": z}) - 1 / (1 + sp.exp(-z))) == 0


def test_solving_an_activation_imports_no_sympy():
    import subprocess
    import sys

    code = ("import sys\nfrom dltutor.cli import main\ntry:\n    main(['solve', 'activation', '--fn', 'softmax', "
            "'--z', '1,2,3'])\nexcept SystemExit:\n    pass\nprint('SYMPY' if 'sympy' in sys.modules else 'NONE')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert out.strip().endswith("NONE"), out[-200:]


# ------------------------------------------------------- mathematics, not program text

@pytest.mark.parametrize("fn", ["relu", "leaky_relu", "step", "sign", "elu"])
def test_piecewise_functions_read_as_mathematics(fn):
    out = run_cli("solve", "activation", "--fn", fn, "--z", "-1,0,2").out
    assert " else " not in out and ">=" not in out
    assert " otherwise" in out
    from dltutor.render.formula_unicode import to_unicode

    assert to_unicode("1 if z >= 0 else -1") == "1 if z ≥ 0, −1 otherwise"      # the rows of the typeset cases


def test_leaky_relu_note_states_the_derivative_once():
    note = run("activation", fn="leaky_relu", z="-1,0,2").to_dict()["steps"][1]["note"]
    assert "gives 1 if z > 0, 1/100 otherwise;" in note and "that is" not in note


def test_the_answer_names_the_derivative_as_the_steps_do():
    out = run_cli("solve", "activation", "--fn", "sigmoid", "--z", "1").out
    assert "dy/dz = exp(−z)/(1 + exp(−z))²" in out          # no parentheses around a call or a power
    answer = out[out.index("Answer"):]
    assert "dy/dz = " in answer and "y = " in answer and "d/dz" not in answer and "f(z)" not in answer


def test_the_softmax_note_says_what_each_rest_sum_is():
    from dltutor.solvers.activation import DERIVATIVE_TEXT, SOFTMAX_SPLIT

    note = run("activation", fn="softmax", z="1,2,3").to_dict()["steps"][1]["note"]
    same, other = DERIVATIVE_TEXT["softmax"].split(", ")
    assert "R_i + " in same and "R_ij" not in same and "R_ij + " in other
    assert SOFTMAX_SPLIT[0].endswith("R_i the sum of the exponentials of all scores but z_i")
    assert "R_ij the sum of the exponentials of all scores but z_i and z_j" in SOFTMAX_SPLIT[1]
    for text in (*SOFTMAX_SPLIT, same, other.split(" = ")[1]):
        assert text in note
    assert note.index(SOFTMAX_SPLIT[0]) < note.index(same) < note.index(SOFTMAX_SPLIT[1]) < note.index(other)
