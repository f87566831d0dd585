"""solve optimizer: Keras 3's optimizers (recorded by tests/reference/record_optim.py),
hand-checked steps, the working shown (each rule's numbers give its value), the CLI and bad input."""

from __future__ import annotations

import pytest

from conftest import assert_bad_input, load_data, run_cli
from dltutor.solvers.registry import run

DATA = load_data("optim_keras.json")

# Keras keeps the learning rate in a float32 variable: 0.01 becomes 0.00999999977...,
# so the recorded weights carry errors near 1e-9 relative; 1e-6 is still tight.
RTOL, ATOL = 1e-6, 1e-7

def close(got, expected) -> bool:
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(
            close(g, e) for g, e in zip(got, expected))
    return abs(got - expected) <= ATOL + RTOL * abs(expected)


def options(case: dict) -> dict:
    out = {"method": case["method"], "w": ",".join(repr(v) for v in case["w"]), "lr": repr(case["lr"])}
    out.update({k: repr(v) for k, v in case["hyper"].items()})
    if "f" in case:
        out.update(f=case["f"], steps=str(case["steps"]))
    else:
        out["grads"] = ";".join(",".join(repr(g) for g in row) for row in case["grads"])
    return out


def keras_params(cases, prefix):
    params = []
    for i, case in enumerate(cases):
        tag = "-small-g" if case.get("small_gradients") else ""
        params.append(pytest.param(case, id=f"{prefix}-{case['method']}-{i}{tag}"))
    return params


# ------------------------------------------------------------ Keras values

@pytest.mark.parametrize("case", keras_params(DATA["grads"], "keras"))
def test_given_gradients_match_keras(case):
    answer = run("optimizer", **options(case)).answer
    assert set(answer) == {"w"}
    assert close(answer["w"], case["expected"]), (answer["w"], case["expected"])


@pytest.mark.parametrize("case", keras_params(DATA["formula"], "keras-f"))
def test_formula_gradients_match_keras(case):
    # Keras was fed gradients from hand-derived partial derivatives; here sympy differentiates
    answer = run("optimizer", **options(case)).answer
    assert set(answer) == {"w", "f"}
    assert close(answer["w"], case["expected"]), (answer["w"], case["expected"])
    assert close(answer["f"], case["f_values"])


@pytest.mark.parametrize("case", [
    pytest.param(c, id=f"keras-rmsprop-{i}-within-1e-4")
    for i, c in enumerate(DATA["grads"] + DATA["formula"])
    if c["method"] == "rmsprop" and not c.get("small_gradients")])
def test_rmsprop_close_to_keras_for_ordinary_gradients(case):
    import numpy as np

    answer = run("optimizer", **options(case)).answer
    assert np.allclose(answer["w"], case["expected"], rtol=1e-4, atol=1e-6)


# ----------------------------------------------------------- hand-checked

def test_sgd_on_a_bowl_by_hand():
    # f = x^2 + 10y^2 from (1, 1), lr 0.01: g = (2, 20) → w = (0.98, 0.8), f = 0.9604 + 6.4 = 7.3604;
    # then g = (1.96, 16) → w = (0.9604, 0.64), f = 0.92236816 + 4.096
    answer = run("optimizer", method="sgd", w="1,1", f="x**2 + 10*y**2", steps="2").answer
    assert close(answer["w"], [[0.98, 0.8], [0.9604, 0.64]])
    assert close(answer["f"], [7.3604, 5.01836816])


def test_momentum_by_hand():
    # v1 = -0.1*0.5 = -0.05, w1 = 0.95; v2 = 0.9*(-0.05) - 0.05 = -0.095, w2 = 0.855;
    # v3 = 0.9*(-0.095) - 0.05 = -0.1355, w3 = 0.7195
    answer = run("optimizer", method="momentum", w="1", grads="0.5,0.5,0.5", lr="0.1").answer
    assert close(answer["w"], [[0.95], [0.855], [0.7195]])


def test_nesterov_by_hand():
    # v1 = -0.1, w1 = 1 + 0.9*(-0.1) - 0.1 = 0.81
    answer = run("optimizer", method="nesterov", w="1", grads="1", lr="0.1").answer
    assert close(answer["w"], [[0.81]])


@pytest.mark.parametrize("g", ["0.3,-2", "-5,0.5", "100,-100"])
def test_adam_first_step_moves_each_weight_by_lr(g):
    # with bias correction, Adam's first step is lr·g/|g| (up to eps) whatever the size of g
    answer = run("optimizer", method="adam", w="0,0", grads=g, lr="0.1").answer
    expected = [-0.1 if float(x) > 0 else 0.1 for x in g.split(",")]
    assert answer["w"][0] == pytest.approx(expected, rel=1e-4)


# ------------------------------------------------------------ the working

@pytest.mark.parametrize("method", ["sgd", "momentum", "nesterov", "rmsprop", "adam"])
@pytest.mark.parametrize("source", ["grads", "f"])
def test_every_substituted_rule_gives_its_value(method, source):
    """The numbers written into each rule, evaluated, give the value shown (one weight: scalars)."""
    import sympy

    kwargs = {"grads": "0.5,-1.5,0.25"} if source == "grads" else {"f": "x**2 - 3*x", "steps": "3"}
    solution = run("optimizer", method=method, w="-0.7", lr="0.1", **kwargs)
    checked = 0
    for step in solution.to_dict(digits=None)["steps"]:
        sub = step.get("substituted")
        if not sub or step["value"] is None or not step["title"].startswith("Step "):
            continue
        value = float(sympy.sympify(sub).evalf(30))
        assert value == pytest.approx(step["value"], rel=1e-12, abs=1e-15), (step["title"], sub)
        checked += 1
    rules = {"sgd": 1, "momentum": 2, "nesterov": 2, "rmsprop": 2, "adam": 4}[method]
    assert checked >= 3 * rules


def test_formula_steps_show_the_symbolic_gradient_then_numbers():
    data = run_cli("solve", "optimizer", "--method", "sgd", "--w", "1,-2", "--f", "x**2 + 10*y**2",
                   "--steps", "1", "--json").json()
    assert data["steps"][0]["title"] == "Gradient of f"
    assert data["steps"][0]["substituted"] == "(2*x, 20*y)"            # a vector, as ∇f = (∂f/∂x, ∂f/∂y)
    gradient = data["steps"][1]
    assert gradient["substituted"] == "(2*1, 20*(-2))" and gradient["value"] == [2, -40]
    assert data["answer"] == {"w": [[0.98, -1.6]], "f": [0.98 ** 2 + 10 * 1.6 ** 2]}


def test_adam_steps_show_moments_and_step_size():
    data = run_cli("solve", "optimizer", "--method", "adam", "--w", "1", "--grads", "2", "--lr", "0.1",
                   "--json").json()
    titles = [s["title"] for s in data["steps"]]
    assert titles == ["Step 1: gradient", "Step 1: first moment (mean of g)", "Step 1: second moment (mean of g**2)",
                      "Step 1: bias-corrected step size", "Step 1: new weights"]
    alpha = data["steps"][3]
    assert alpha["formula"] == "alpha_t = lr*sqrt(1 - beta2**t)/(1 - beta1**t)"
    assert alpha["value"] == pytest.approx(0.1 * (1 - 0.999) ** 0.5 / (1 - 0.9))


def test_many_steps_are_summarised():
    solution = run("optimizer", method="sgd", w="1,1", f="x**2 + 10*y**2", steps="200")
    assert len(solution.answer["w"]) == 200 and len(solution.answer["f"]) == 200
    assert len(solution.steps) < 30
    table = next(s for s in solution.steps if s.table is not None)
    assert table.table.columns == ("t", "g", "w", "f") and len(table.table.rows) <= 51
    assert solution.steps[-1].title == "Step 200: f at the new weights"


def test_human_output():
    result = run_cli("solve", "optimizer", "--method", "momentum", "--w", "1,-2", "--grads", "0.5,-1;0.4,-0.8",
                     "--lr", "0.1")
    assert result.code == 0, result.err
    assert "Step 1: velocity" in result.out and "0.9·(0, 0) − 0.1·(0.5, −1)" in result.out   # vectors (a, b)
    assert "(0.95, −1.9)" in result.out and "Answer" in result.out


def test_negative_option_values():
    result = run_cli("solve", "optimizer", "--method", "sgd", "--w", "-1,2", "--grads=-1,-1", "--json")
    assert result.code == 0, result.err
    assert close(result.json()["answer"]["w"], [[-0.99, 2.01]])


def test_help_examples_solve():
    import shlex

    from dltutor.solvers.registry import get_kind

    for example in get_kind("optimizer").examples:
        result = run_cli("solve", "optimizer", *shlex.split(example), "--json")
        assert result.code == 0, (example, result.err)


# --------------------------------------------------------------- bad input

@pytest.mark.parametrize("args, fragments", [
    (["--w", "1,2", "--grads", "1,2,3"], ["--grads has 3 column", "--w has 2"]),
    (["--w", "1,2", "--grads", "1,2;3"], ["--grads", "ragged"]),
    (["--w", "1,2", "--f", "x + q", "--steps", "2"], ["--f", "unknown name 'q'"]),
    (["--w", "1", "--f", "x + y", "--steps", "2"], ["--f uses 'y'", "--w gives x, y, z"]),
    (["--w", "1,2", "--f", "__import__('os')", "--steps", "2"], ["--f", "__import__"]),
    (["--w", "1,2", "--f", "x.real", "--steps", "2"], ["--f", "x.real", "not allowed"]),
    (["--w", "1,2", "--f", "(lambda: 1)()", "--steps", "2"], ["--f", "not allowed"]),
    (["--w", "1,2", "--f", "x +* y", "--steps", "2"], ["--f", "not an arithmetic expression"]),
    (["--w", "1,2", "--f", "x**2", "--steps", "1001"], ["--steps", "limit 1,000"]),
    (["--w", "1,2", "--f", "x**2", "--steps", "0"], ["--steps", "at least 1"]),
    (["--w", "1,2", "--f", "x**2"], ["--f needs --steps"]),
    (["--w", "1,2"], ["--grads", "--f"]),
    (["--w", "1,2", "--grads", "1,2", "--f", "x"], ["not both"]),
    (["--w", "1,2", "--grads", "1,2", "--steps", "3"], ["--steps goes with --f"]),
    (["--w", "1,2,3,4", "--f", "x", "--steps", "1"], ["up to 3 weights"]),
    (["--w", "1", "--f", "x**2", "--steps", "1000", "--lr", "50"], ["--f", "not finite", "--lr"]),
    (["--w", "1", "--f", "log(x)", "--steps", "5", "--lr", "10"], ["--f", "not finite"]),
    (["--w", "1", "--grads", "1", "--lr", "0"], ["--lr", "greater than 0"]),
    (["--w", "1", "--grads", "1", "--beta", "1"], ["--beta", "less than 1"]),
], ids=["grads-width", "grads-ragged", "f-unknown-name", "f-variable-beyond-w", "f-import", "f-attribute",
        "f-lambda", "f-syntax", "steps-cap", "steps-0", "f-without-steps", "no-gradients", "grads-and-f",
        "steps-with-grads", "f-four-weights", "diverges", "log-undefined", "lr-0", "beta-1"])
def test_bad_input(args, fragments):
    assert_bad_input(run_cli("solve", "optimizer", "--method", "sgd", *args), *fragments)
    assert_bad_input(run_cli("solve", "optimizer", "--method", "sgd", *args, "--json"), *fragments)


def test_unknown_method():
    assert_bad_input(run_cli("solve", "optimizer", "--method", "adagrad", "--w", "1", "--grads", "1"),
                     "--method", "adagrad")
