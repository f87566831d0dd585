"""Sub- and superscripts in prose that Unicode cannot write (h_T, W_f, 10000^(2i/d)) are set as
real scripts on every face that can (HTML, Typst, Markdown, LaTeX), the gate weights have one
spelling from header to steps, and labels and table columns read as mathematics."""

from __future__ import annotations

import subprocess
import sys

from dltutor.render.formula_unicode import prose, uniform_subscripts
from dltutor.render.latex_text import latex_text
from dltutor.render.sheet_text import html_text, md_text
from dltutor.render.sheet_typeset import _typ_text


def test_html_sets_scripts_unicode_cannot_write():
    assert html_text("h_T and W_f") == "h<sub>T</sub> and W<sub>f</sub>"
    assert html_text("sin(pos/10000^(2i/d))") == "sin(pos/10000<sup>2i/d</sup>)"
    assert html_text("a < b_z") == "a &lt; b<sub>z</sub>"


def test_typst_sets_scripts_as_sub_and_super():
    assert _typ_text("h_T = 1") == '#"h"#sub[#"T"]#" = 1"'
    assert _typ_text("10000^(2i/d)") == '#"10000"#super[#"2i/d"]'


def test_markdown_and_latex_set_scripts_as_math():
    assert md_text("W_f and net_(h1)") == r"$W_{f}$ and $\mathrm{net}_{h1}$"
    assert latex_text("10000^(2i/d)") == "$10000^{2i/d}$"
    assert latex_text("h_T") == "$h_{T}$"


def test_words_with_underscores_and_numbers_are_not_scripts():
    assert html_text("update_bias 1_000") == "update_bias 1_000"


def test_gate_weights_have_one_spelling():
    assert uniform_subscripts("W_f, Wᵢ, W_c, Wₒ") == "W_f, W_i, W_c, W_o"
    assert uniform_subscripts("Wᵣ·hₜ₋₁ + bᵣ") == "W_r·hₜ₋₁ + b_r"       # weights and biases always
    assert uniform_subscripts("xᵢ·wᵢ, hₜ₋₁, Wᵢⱼ, h₀") == "xᵢ·wᵢ, hₜ₋₁, Wᵢⱼ, h₀"   # others as they are


def test_prose_reads_labels_as_mathematics():
    assert prose("dL/dw_x") == "∂L/∂wₓ"
    assert prose("h_1, ..., h_{T}") == "h₁, ..., h_T"


def _run(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "dltutor", *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_solve_header_names_the_gates_as_the_steps_do():
    out = _run("solve", "lstm", "--x", "1,2", "--wf", "0.5,0.3", "--wi", "0.4,0.2", "--wc", "0.3,0.6",
               "--wo", "0.2,0.7", "--no-pager")
    header = out.split("\n\n")[0]
    assert "W_f = (0.5, 0.3)" in header and "b_i = 0" in header, header
    assert "wf =" not in header and "Wᵢ" not in out


def test_table_columns_at_the_answer_field_are_mathematics():
    out = _run("generate", "lstm-step", "--seed", "3")
    assert "columns f, i, c̃, o, c, h" in out, out
    assert "c_tilde" not in out and "wf =" not in out


def test_html_sheet_has_no_underscore_names():
    out = _run("sheet", "--topics", "rnn", "--count", "6", "--seed", "3", "--format", "html", "-o", "-")
    body = out[out.index("<body"):]
    assert "W<sub>f</sub>" in body or "W<sub>z</sub>" in body
    for name in ("W_f", "b_z", "h_T", "^("):
        assert name not in body, name


def test_moodle_labels_are_filled_in_and_typeset():
    import html

    bank = html.unescape(_run("export", "--format", "moodle", "--topics", "rnn", "--variants", "2", "--seed", "1",
                              "-o", "-"))
    assert "<th>c̃</th>" in bank
    for raw in ("{T}", "c_tilde", "h_tilde", "wf ="):
        assert raw not in bank, raw


def test_a_name_after_a_minus_sign_is_still_a_name():
    # the softmax Jacobian note (activation-derivative keys): one spelling of s_i throughout
    assert prose("s_i*(1 - s_i) and -s_i*s_j") == "sᵢ·(1 − sᵢ) and −sᵢ·sⱼ"
    assert prose("a 2-2-2 network, leaky-ReLU") == "a 2-2-2 network, leaky-ReLU"


def test_a_formula_line_that_is_words_sets_its_scripts_in_math():
    from dltutor.render.formula import to_mathml, to_typst

    line = "W_z, W_r: units × (units + inputs)"
    assert to_typst(line) == 'W_(z) ", " W_(r) ": units × (units + inputs)"'
    assert to_mathml(line).startswith("<math><mrow><msub><mi>W</mi><mi>z</mi></msub><mtext>, </mtext>")


def test_a_conceptual_answer_reads_as_mathematics():
    """concept-recurrent-choice@…:2:medium answers with the option 'c_t = f_t⊙c_(t-1) + i_t⊙c̃_t'
    as the family file writes it: the key shows it as mathematics (cₜ = fₜ⊙cₜ₋₁ + iₜ⊙c̃ₜ)."""
    from dltutor.practice.families import generate, get_family
    from dltutor.render.sheet import answer_value
    from dltutor.render.wording import concept_answer

    part = generate(get_family("concept-recurrent-choice"), 2, "medium").parts[0]
    assert "c_t = f_t⊙" in concept_answer(part)            # the case this test is about
    assert "cₜ = fₜ⊙cₜ₋₁ + iₜ⊙c̃ₜ" in answer_value(part)
    out = _run("sheet", "--topics", "rnn", "--count", "30", "--seed", "3", "--difficulty", "mixed", "--solutions",
               "--format", "md", "-o", "-")
    answers = [line for line in out.splitlines() if line.startswith("Answer:")]
    assert answers
    for line in answers:
        assert "c\\_t" not in line and "f\\_t" not in line, line
