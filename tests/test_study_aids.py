"""Check-yourself blocks, the course's notation, finding lessons, the glossary and the formula sheets.

Expected strings of the notation are the textbook forms (a ⊙ b for the
Hadamard product, x ⊛ k for convolution, ℱ for the Fourier transform, δᵢⱼ,
∂E/∂w), written here by hand, not read back from the printers.
"""

from __future__ import annotations

import contextlib
import io
import json
import shlex

import pytest

from dltutor import lessons as core
from dltutor.errors import InputError
from tests.conftest import assert_bad_input, run_cli

LESSONS = core.load_lessons()
BY_ID = {lesson.id: lesson for lesson in LESSONS}


# ------------------------------------------------------------------ check blocks

def test_check_block_pairs_and_continued_answers():
    items = core.parse_check("Q: What is σ(0)?\nA: 0.5.\n  It is where the slope is largest.\n\n"
                             "Q: Name a\nlong question.\nA: Yes.")
    assert [(i.question, i.answer) for i in items] == [
        ("What is σ(0)?", "0.5.\nIt is where the slope is largest."),
        ("Name a\nlong question.", "Yes.")]


@pytest.mark.parametrize("text,fragment", [
    ("A: an answer first", "must follow"),
    ("Q: one\nQ: two\nA: x", "no 'A:'"),
    ("Q: no answer", "no 'A:'"),
    ("some words", "starts with 'Q:"),
    ("", "at least one"),
    ("Q:\nA: empty question", "needs text"),
])
def test_bad_check_blocks_are_lesson_errors(text, fragment):
    with pytest.raises(core.LessonError, match=fragment):
        core.parse_check(text)


LESSON_WITH_CHECK = """---
id: demo
title: Demo
topic: neurons
order: 1
---
Text.

```check
Q: First?
A: One.
Q: Second?
A: Two.
```

More text.

```check
Q: Third?
A: Three.
```
"""


def test_checks_are_numbered_through_the_lesson_and_answers_come_last():
    from dltutor.render import lesson_export

    lesson = core.parse_lesson(LESSON_WITH_CHECK, "demo.md")
    assert [i.question for i in lesson.checks()] == ["First?", "Second?", "Third?"]
    md = lesson_export.to_markdown(lesson)
    head, answers = md.split("## Answers")
    assert "1. First?" in head and "3. Third?" in head and "One." not in head
    assert answers.split() == ["1.", "One.", "2.", "Two.", "3.", "Three."]
    page = lesson_export.to_html(lesson)
    assert page.index('<ol start="3">') < page.index("<h2>Answers</h2>")
    assert page.rindex("Three.") > page.index("<h2>Answers</h2>")


def test_terminal_shows_answers_only_on_request():
    from rich.console import Console

    from dltutor.render.lesson import lesson_renderable

    lesson = core.parse_lesson(LESSON_WITH_CHECK, "demo.md")

    def shown(answers):
        console = Console(width=80, record=True, file=io.StringIO())
        console.print(lesson_renderable(lesson, answers=answers))
        return console.export_text()

    hidden, revealed = shown(False), shown(True)
    assert "3. Third?" in hidden and "Three." not in hidden and "--answers" in hidden
    assert "Three." in revealed and revealed.index("3. Third?") < revealed.index("Three.")


def test_check_block_errors_are_reported_by_check_lessons():
    bad = LESSON_WITH_CHECK.replace("A: Three.", "")
    assert any("no 'A:'" in e for e in core.check_lessons([core.parse_lesson(bad, "demo.md")], run=False))


def test_lesson_answers_flag(monkeypatch, tmp_path):
    monkeypatch.setenv("DLTUTOR_HOME", str(tmp_path))
    with_check = [x for x in LESSONS if x.checks()]
    if not with_check:
        pytest.skip("no lesson has a check block yet")
    lesson = with_check[0]
    first = lesson.checks()[0]
    answer_word = max(first.answer.replace("*", "").split(), key=len)
    plain = run_cli("lesson", lesson.id)
    full = run_cli("lesson", lesson.id, "--answers")
    assert plain.code == full.code == 0, plain.err + full.err
    assert "Check yourself" in plain.out and "Answers" not in plain.out
    assert "Answers" in full.out and answer_word in full.out.replace("\n", " ")


# ------------------------------------------------------------------ notation

def terminal(line):
    from dltutor.render.lesson import formula_text

    return "\n".join(formula_text(chain) for chain in core.parse_math(line))


@pytest.mark.parametrize("line,shown", [
    ("y = hadamard(a, b)", "y = a ⊙ b"),
    ("y = conv(x, k)", "y = x ⊛ k"),
    ("y = cross_correlate(x, k)", "y = x ⋆ k"),
    ("Y = fourier(x)", "Y = ℱ(x)"),
    ("x = ifourier(X)", "x = ℱ⁻¹(X)"),
    ("g = d_1*d_2*...*d_n", "g = d₁⋅d₂⋅…⋅dₙ"),
    ("g = d_1*cdots*d_n", "g = d₁⋅…⋅dₙ"),
    ("J = s_i*(KroneckerDelta(i, j) - s_j)", "δᵢⱼ"),
    ("theta = n*w - p", "θ = n⋅w − p"),
    ("c_t = hadamard(f_t, c_(t-1)) + hadamard(i_t, ctilde_t)", "⊙"),
])
def test_terminal_notation(line, shown):
    assert shown in terminal(line)


def test_terminal_partial_derivative_is_one_fraction():
    rows = terminal("Derivative(E, w_5) = delta*h").splitlines()
    assert rows[0].startswith("∂E") and rows[1].startswith("───") and rows[2].startswith("∂w₅")
    assert "= δ⋅h" in rows[1]                      # the '=' sits on the fraction bar
    assert "dy" in terminal("Derivative(y, x) = 1")   # one-letter quantity of one variable: d


@pytest.mark.parametrize("line,latex,typst,mathml", [
    ("hadamard(a, b)", r"a \odot b", "a ⊙ b", "<mo>⊙</mo>"),
    ("conv(x, k)", r"x \circledast k", "x ⊛ k", "<mo>⊛</mo>"),
    ("cross_correlate(x, k) + b", r"x \star k + b", "x ⋆ k + b", "<mo>⋆</mo>"),
    ("fourier(x)", r"\mathcal{F}\left(x\right)", "cal(F)(x)", "<mi>ℱ</mi>"),
    ("ifourier(X)", r"\mathcal{F}^{-1}", "cal(F)^(-1)(X)", "<msup><mi>ℱ</mi>"),
    ("d_1*d_2*...*d_n", r"d_{2} \cdot \dots \cdot d_{n}", "d_(2) dot dots dot d_(n)", "<mo>…</mo>"),
    ("KroneckerDelta(i, j)", r"\delta_{ij}", "δ_(i j)", "<msub><mi>δ</mi><mrow><mi>i</mi><mi>j</mi>"),
    ("Sum(delta_k*w_kj, k)", r"\sum_{k} \delta_{k}", "sum_(k) δ_(k)", "<munder><mo>∑</mo>"),
    ("Derivative(E, w)", r"\frac{\partial E}{\partial w}", "(partial E)/(partial w)", "<mo>∂</mo><mi>E</mi>"),
    ("w_5 - lr*dE/dw_5", r"\eta \cdot \frac{\partial E}{\partial w_{5}}",     # lr: the learning rate η
     'η dot (partial E)/(partial w_(5))', "<mi>η</mi><mo>·</mo><mfrac>"),
    ("a - b", "a - b", "a - b", "<mo>−</mo>"),
])
def test_typeset_notation(line, latex, typst, mathml):
    from dltutor.render.formula import LatexPrinter, MathMLPrinter, TypstPrinter

    assert latex in LatexPrinter().strict(line)
    assert typst in TypstPrinter().strict(line)
    assert mathml in MathMLPrinter().strict(line)


def test_names_that_start_with_d_are_not_derivatives():
    from dltutor.render.formula import LatexPrinter

    assert LatexPrinter().strict("depthwise/dense") == r"\frac{\mathrm{depthwise}}{\mathrm{dense}}"
    assert r"\partial" not in LatexPrinter().strict("delta_o/delta_h")


def test_cross_correlate_has_no_subscript():
    from dltutor.render.formula import LatexPrinter

    assert "cross" not in LatexPrinter().strict("z = cross_correlate(x, k)")


# ------------------------------------------------------------------ finding lessons

def test_topic_lists_its_lessons():
    result = run_cli("lesson", "cnn")
    assert result.code == 0, result.err
    for lesson in LESSONS:
        assert (lesson.id in result.out) == (lesson.topic == "cnn"), lesson.id


@pytest.mark.parametrize("typed,fragment", [
    ("BACKPROP", "dltutor lesson backprop"),
    ("11", "dltutor lesson backprop"),          # 11-backprop.md
    ("CNN", "dltutor lesson cnn"),
    ("percepton", "perceptron"),
])
def test_lesson_suggestions(typed, fragment):
    assert_bad_input(run_cli("lesson", typed), repr(typed), fragment)


def test_a_lesson_id_wins_over_a_topic_of_the_same_name():
    assert "backprop" in {x.topic for x in LESSONS}
    result = run_cli("lesson", "backprop", "--format", "md")
    assert result.code == 0 and result.out.startswith("# " + BY_ID["backprop"].title)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_lesson_through_a_pipe_is_not_marked_read(monkeypatch, tmp_path):
    from dltutor import store
    from dltutor.cli import main

    monkeypatch.setenv("DLTUTOR_HOME", str(tmp_path))
    assert run_cli("lesson", "neurons").code == 0          # stdout is not a terminal
    assert not (store.data_home() / store.DB_NAME).exists() or "neurons" not in _read(store)
    with contextlib.redirect_stdout(_Terminal()), pytest.raises(SystemExit) as done:
        main(["lesson", "neurons"])
    assert done.value.code in (0, None)
    assert _read(store).get("neurons") == 1


def _read(store):
    with store.Store() as db:
        return {lid: row["completed"] for lid, row in db.lesson_positions().items()}


# ------------------------------------------------------------------ glossary

def test_glossary_has_80_terms_each_one_line_with_an_existing_lesson():
    from dltutor.lessons.glossary import load_glossary

    terms = load_glossary()
    assert len(terms) >= 80
    for term in terms:
        assert term.lesson in BY_ID, (term.name, term.lesson)
        assert "\n" not in term.means and len(term.means) <= 160, term.name


def _words(text):
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


def test_each_glossary_term_is_named_in_its_lesson():
    from dltutor.lessons.glossary import load_glossary

    for term in load_glossary():
        text = _words("\n".join(b.text for b in BY_ID[term.lesson].blocks))
        assert any(_words(name) in text for name in (term.name, *term.also)), (term.name, term.lesson)


def test_glossary_names_are_unique():
    from dltutor.lessons.glossary import load_glossary

    names = [n.lower() for t in load_glossary() for n in (t.name, *t.also)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("typed,name", [("relu", "ReLU"), ("Rectified Linear Unit", "ReLU"),
                                        ("bptt", "backpropagation through time"), ("MSE", "mean squared error"),
                                        ("cross entropy", "categorical cross-entropy")])
def test_glossary_finds_a_term_by_any_name(typed, name):
    result = run_cli("glossary", typed, "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["term"] == name and data["lesson"] in BY_ID and data["definition"]


def test_glossary_lists_every_term():
    result = run_cli("glossary", "--json")
    assert result.code == 0
    data = result.json()
    assert len(data) >= 80 and {"term", "definition", "lesson", "also"} == set(data[0])
    human = run_cli("glossary", "sigmoid")
    assert human.code == 0 and "dltutor lesson activations" in human.out


def test_unknown_glossary_term_suggests():
    assert_bad_input(run_cli("glossary", "perceptorn"), "perceptorn", "perceptron")


# ------------------------------------------------------------------ formula sheets

def _sheets():
    from dltutor.lessons.formula_sheets import load_sheets

    return load_sheets()


def test_every_topic_with_numbers_has_a_sheet():
    topics = {s.topic for s in _sheets()}
    missing = {x.topic for x in LESSONS if x.topic in core.NUMERIC_TOPICS} - topics
    assert not missing


@pytest.mark.parametrize("sheet", _sheets(), ids=lambda s: s.topic)
def test_sheet_formulas_are_typeset_in_every_target(sheet):
    from dltutor.render.formula import LatexPrinter, MathMLPrinter, TypstPrinter

    assert sheet.formulas
    for formula in sheet.formulas:
        for line in core.math_lines(formula.math):
            for printer in (LatexPrinter(), TypstPrinter(), MathMLPrinter()):
                printer.strict(line)          # ValueError: the line would fall back to verbatim


@pytest.mark.parametrize("sheet", _sheets(), ids=lambda s: s.topic)
def test_sheet_renders_in_every_format(sheet, tmp_path):
    import re
    import xml.etree.ElementTree as ET

    from dltutor.render import formula_sheet

    md = formula_sheet.to_markdown([sheet])
    assert md.count("$$") == 2 * len(sheet.formulas)
    page = formula_sheet.to_html([sheet])
    maths = re.findall(r"<math\b.*?</math>", page, flags=re.DOTALL)
    assert len(maths) == len(sheet.formulas)
    for math in maths:
        ET.fromstring(math)
    typst = pytest.importorskip("typst")
    pdf, warnings = typst.compile_with_warnings(formula_sheet.to_typst([sheet]).encode(),
                                                ignore_system_fonts=True)
    assert pdf.startswith(b"%PDF") and not warnings
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert 1 <= pages <= 2, pages


def test_formulas_command(tmp_path):
    result = run_cli("formulas", "--topic", "optimizers")
    assert result.code == 0, result.err
    assert result.out.startswith("# Gradient descent") and "Formula sheet" in result.out and r"\hat{m}" in result.out
    out = tmp_path / "f.pdf"
    pytest.importorskip("typst")
    assert run_cli("formulas", "--topic", "cnn", "--format", "pdf", "-o", str(out)).code == 0
    assert out.read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize("args,fragment", [
    (["--topic", "cooking"], "cooking"),
    (["--topic", "CNN"], "'cnn'"),
    (["--format", "pdf"], "-o"),
])
def test_formulas_bad_input(args, fragment):
    assert_bad_input(run_cli("formulas", *args), fragment)


# ------------------------------------------------------------------ help examples run

def _examples(command):
    text = run_cli(command, "--help").out
    return [line.strip() for line in text.split("Examples:", 1)[1].splitlines()
            if line.strip().startswith("dltutor ")]


@pytest.mark.parametrize("example", _examples("glossary") + _examples("formulas") + _examples("lesson"))
def test_help_example_runs(example, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DLTUTOR_HOME", str(tmp_path / "home"))
    if "pdf" in example:
        pytest.importorskip("typst")
    result = run_cli(*shlex.split(example)[1:])
    assert result.code == 0, (example, result.err)


def test_glossary_json_is_one_object():
    json.loads(run_cli("glossary", "epoch", "--json").out)
    with pytest.raises(InputError):
        from dltutor.lessons.glossary import find_term

        find_term("no such thing at all")


def test_formulas_in_a_terminal_are_typeset_not_latex(tmp_path):
    """On a terminal the sheet is drawn as mathematics; the Markdown/LaTeX source is for files and pipes."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "dltutor", "formulas", "--topic", "cnn"], stdout=follower,
                            stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "100", "PAGER": "cat"})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=60) == 0
    os.close(leader)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "Convolution and pooling" in shown and "⎣" in shown        # a typeset floor bracket
    assert "\\frac" not in shown and "$$" not in shown
