"""One spelling per quantity in ``solve rnn/lstm/gru/bptt``: the tables' column titles as the
steps write them (never eaten as Rich markup), one loss formula, ⊙ for products of vectors,
b′ for the GRU's recurrent bias, h̃ and c̃ in the help."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from dltutor.render.formula import to_latex, to_typst
from dltutor.render.formula_unicode import to_unicode
from dltutor.render.terminal import table_renderable
from dltutor.solution import Table
from tests.conftest import run_cli
from tests.test_recurrent import ONE_UNIT, TWO_UNITS

BPTT_TWO = ["--x", "1,2", "--wx", "0.5,-0.3", "--wh", "0.2,0.1;-0.4,0.3", "--b", "0,0.1", "--target", "1,0"]
BPTT_ONE = ["--x", "1,2", "--wx", "0.5", "--wh", "0.8", "--target", "1"]


def terminal(*args: str) -> str:
    result = run_cli("solve", *args)
    assert result.code == 0, result.err
    return result.out


def steps(*args: str) -> list[dict]:
    result = run_cli("solve", *args, "--json")
    assert result.code == 0, result.err
    return result.json()["steps"]


def test_a_table_prints_brackets_and_markup_as_written():
    table = Table(("unit", "W·[h_(t-1), x_t] + b", "[bold]x[/bold]"), ((1, "[red]a[/red]", 2.0),))
    out = io.StringIO()
    Console(file=out, width=100, highlight=False).print(table_renderable(table, 6))
    text = out.getvalue()
    assert "W·[hₜ₋₁, xₜ] + b" in text
    assert "[bold]x[/bold]" in text and "[red]a[/red]" in text


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_gate_tables_name_the_whole_sum(kind):
    out = terminal(kind, *TWO_UNITS[kind])
    assert "W·[hₜ₋₁, xₜ] + b" in out
    assert "w· + b" not in out


@pytest.mark.parametrize("args", [["rnn", *TWO_UNITS["rnn"]], ["bptt", *BPTT_TWO]])
def test_rnn_tables_write_the_weights_as_the_steps(args):
    out = terminal(*args)
    assert "W_x·xₜ + W_h·hₜ₋₁ + b" in out
    assert "wₓ" not in out and "wₕ·" not in out


def test_the_loss_is_one_formula_for_one_unit_and_several():
    for args in (BPTT_ONE, BPTT_TWO):
        loss = next(s for s in steps("bptt", *args) if s["title"] == "Loss at the last step")
        assert loss["formula"] == "L = Norm(h_T - target)**2/2"
        assert "L = ‖h_T − target‖²/2" in terminal("bptt", *args)
    assert to_latex("L = Norm(h_T - target)**2/2") == r"L = \frac{\left\|h_{T} - \mathrm{target}\right\|^{2}}{2}"
    assert to_typst("L = Norm(h_T - target)**2/2") == 'L = (norm(h_(T) - "target")^(2))/(2)'
    help_text = run_cli("solve", "bptt", "--help").out
    assert "‖h_T − target‖²/2" in help_text and "½" not in help_text


def test_the_practice_prompt_names_the_target_as_the_solution_does():
    result = run_cli("generate", "bptt-steps", "--seed", "3")
    assert result.code == 0, result.err
    prompt, worked = result.out.split("Worked solution")
    assert "target = " in prompt and "y = " not in prompt and "‖h_T − target‖²/2" in prompt
    assert "target = " in worked


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_products_of_vectors_are_hadamard_products(kind):
    formulas = [s["formula"] for s in steps(kind, *ONE_UNIT[kind]) + steps(kind, *TWO_UNITS[kind])]
    state = [f for f in formulas if f.startswith(("c_t =", "h_t ="))]
    assert state and all("hadamard(" in f for f in state)
    assert not any(f.startswith("rh_t") for f in formulas)
    shown = terminal(kind, *TWO_UNITS[kind])
    assert ("cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ c̃ₜ" if kind == "lstm" else "hₜ = zₜ ⊙ hₜ₋₁ + (1 − zₜ) ⊙ h̃ₜ") in shown


def test_gru_writes_the_reset_product_as_itself():
    out = terminal("gru", *ONE_UNIT["gru"])
    assert "reset old state r₁ ⊙ h₀" in out and "rₜ ⊙ hₜ₋₁" in out
    assert "h̃ₜ = tanh(W_h·[rₜ ⊙ hₜ₋₁, xₜ] + b_h)" in out
    assert "rh" not in out


def test_gru_recurrent_bias_has_one_name():
    out = terminal("gru", "--x", "1,2", "--wz", "0.5,0.3", "--wr", "0.4,0.2", "--wh", "0.6,0.5",
                   "--reset-after", "--rbh", "0.1")
    assert "b′_h = 0.1" in out and "uₜ = Wₕₕ·hₜ₋₁ + b′_h" in out
    help_text = run_cli("solve", "gru", "--help").out
    assert "b′_h" in help_text and "b′_z" in help_text
    for wrong in ("rb_h", "rbₕ", "h~", "recurrent bias rb"):
        assert wrong not in help_text, wrong
    assert "h̃" in help_text


def test_lstm_help_writes_the_candidate_with_a_tilde():
    help_text = run_cli("solve", "lstm", "--help").out
    assert "c̃" in help_text and "c~" not in help_text


def test_unicode_fractions_need_no_parentheses_around_a_call_or_power():
    assert to_unicode("exp(-z)/(1 + exp(-z))**2") == "exp(−z)/(1 + exp(−z))²"
    assert to_unicode("(a + b)/(c*d)") == "(a + b)/(c·d)"
    assert to_unicode("a/(b/c)") == "a/(b/c)"
    assert to_unicode("Abs(a - b)**2/2") == "|a − b|²/2"
    assert to_latex("exp(-z)/(1 + exp(-z))**2") == r"\frac{e^{-z}}{\left(1 + e^{-z}\right)^{2}}"
