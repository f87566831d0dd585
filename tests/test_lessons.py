"""Lessons: every file parses, every live block runs, the course is covered, the CLI works.

The worked examples' numbers are checked where they come from the course
notes (seeds/README.md: the 2-2-2 backprop, the LMS epoch, the conv2d and
separable-cost corrections); the rest is checked by the solvers' own tests.
"""

from __future__ import annotations

import pytest

from dltutor import lessons as core
from tests.conftest import assert_bad_input, run_cli

LESSONS = core.load_lessons()
BY_ID = {lesson.id: lesson for lesson in LESSONS}
BLOCKS = [(lesson.id, block) for lesson in LESSONS for block in lesson.blocks]


def block_ids(kind):
    return [pytest.param(block, id=f"{lid}:{block.line}") for lid, block in BLOCKS if block.kind == kind]


# The coverage list of the lessons issue: topic -> the lesson that teaches it.
COVERAGE = {
    "biological and artificial neurons": "neurons",
    "McCulloch-Pitts neurons, thresholds, logic gates": "mp-neuron",
    "perceptron rule, linear separability, XOR": "perceptron",
    "LMS / Widrow-Hoff": "lms",
    "multilayer perceptrons, XOR network by hand": "mlp-xor",
    "activation functions": "activations",
    "loss functions": "losses",
    "forward propagation": "forward-propagation",
    "backpropagation, chain rule, 2-2-2 example": "backprop",
    "vanishing and exploding gradients": "vanishing-gradients",
    "gradient descent, mini-batches": "gradient-descent",
    "momentum, RMSprop, Adam": "optimizers",
    "regularization: L1/L2, dropout, early stopping, batch norm, augmentation": "regularization",
    "CNN convolution, padding, stride, output sizes": "convolution",
    "pooling and the LeNet shape table": "pooling-lenet",
    "multi-channel convolution": "multichannel-convolution",
    "FFT convolution": "fft-convolution",
    "depthwise separable convolution and its cost": "separable-convolution",
    "parameter counting in Keras": "keras-params",
    "RNNs and backpropagation through time": "rnn-bptt",
    "LSTM (and ConvLSTM)": "lstm",
    "GRU, and when to use which": "gru",
    "autoencoders (denoising, sparse, variational)": "autoencoders",
    "GANs and their training loop": "gans",
    "evaluation metrics: accuracy, precision, recall, F1, AUC-ROC": "metrics",
    "frameworks, computation graphs, static vs dynamic": "frameworks",
    "regression / classification / multi-label set-ups": "task-setups",
}
# words each covering lesson must mention (so the table cannot point at the wrong lesson)
MUST_MENTION = {
    "regularization": ["L1", "L2", "dropout", "early stopping", "batch normalization", "augmentation"],
    "optimizers": ["momentum", "RMSprop", "Adam"],
    "gradient-descent": ["mini-batch"],
    "lstm": ["ConvLSTM"],
    "gru": ["LSTM", "SimpleRNN"],
    "autoencoders": ["denoising", "sparse", "variational"],
    "metrics": ["precision", "recall", "F1", "AUC"],
    "frameworks": ["static", "dynamic", "computation graph"],
    "task-setups": ["regression", "multi-label"],
    "rnn-bptt": ["backpropagation through time"],
    "perceptron": ["XOR", "separable"],
}


def lesson_text(lesson) -> str:
    return "\n".join(b.text for b in lesson.blocks).lower()


# ------------------------------------------------------------------ the files

def test_there_are_lessons_and_ids_are_unique():
    assert len(LESSONS) >= 25
    assert len(BY_ID) == len(LESSONS)


@pytest.mark.parametrize("lesson", LESSONS, ids=[x.id for x in LESSONS])
def test_lesson_shape(lesson):
    assert lesson.topic in core.TOPICS
    for pre in lesson.prerequisites:
        assert pre in BY_ID, pre
        assert BY_ID[pre].order < lesson.order, pre
    kinds = [b.kind for b in lesson.blocks]
    assert "problem" in kinds, "every lesson ends with practice problems"
    assert "key points" in lesson_text(lesson)


def test_check_lessons_reports_nothing_but_missing_kinds():
    errors = core.check_lessons(LESSONS, run=False)
    assert errors == []


@pytest.mark.parametrize("block", block_ids("solve"))
def test_solve_block_solves(block):
    solution = core.run_solve(block.text)
    assert solution.steps


@pytest.mark.parametrize("block", block_ids("math"))
def test_math_block_parses(block):
    chains = core.parse_math(block.text)
    assert chains and all(chain for chain in chains)


@pytest.mark.parametrize("block", block_ids("problem"))
def test_problem_block_links_a_family(block):
    refs = core.problem_refs(block.text)
    assert refs
    ids = core.family_ids()
    if ids is None:
        pytest.skip("dltutor.practice.families does not exist yet")
    for ref in refs:
        assert ref.family in ids, ref.family


@pytest.mark.parametrize("topic,lesson_id", sorted(COVERAGE.items()))
def test_course_topic_is_covered(topic, lesson_id):
    assert lesson_id in BY_ID, topic
    for word in MUST_MENTION.get(lesson_id, []):
        assert word.lower() in lesson_text(BY_ID[lesson_id]), (lesson_id, word)


# ------------------------------------------------------------------ notes' values

def solve_answer(lesson_id: str, fragment: str, without: str = "\0"):
    block = next(b for b in BY_ID[lesson_id].live("solve") if fragment in b.text and without not in b.text)
    return core.run_solve(block.text).answer


def test_backprop_lesson_shows_the_recomputed_2_2_2_values():
    # seeds/README.md: updated w5..w8 = 0.358916, 0.408666, 0.511301, 0.561370; error 0.298371
    answer = solve_answer("backprop", "--lr 0.5")
    assert answer["loss"] == pytest.approx(0.298371, abs=1e-6)
    assert [x for row in answer["w2"] for x in row] == pytest.approx(
        [0.358916, 0.408666, 0.511301, 0.561370], abs=1e-6)


def test_lms_lesson_epoch_matches_notes_readme():
    # seeds/README.md: first epoch ends at w = 0.3013, -0.0327, b = -0.1413
    answer = solve_answer("lms", "--epochs 1", without="--mode")
    assert answer["w"] == pytest.approx([0.3013, -0.0327], abs=1e-4)
    assert answer["b"] == pytest.approx(-0.1413, abs=1e-4)


def test_convolution_lesson_shows_the_corrected_output():
    # seeds/README.md: notes 002 say all -6; correct [[-6,12,12],[-6,8,8],[-6,2,12]]
    assert solve_answer("convolution", "--input \"1,2,3") == [[-6, 12, 12], [-6, 8, 8], [-6, 2, 12]]
    assert "notes" in lesson_text(BY_ID["convolution"])


def test_separable_lesson_shows_the_corrected_costs():
    # seeds/README.md: standard 1,769,472 (notes: 56,623,104); separable 224,256
    answer = solve_answer("separable-convolution", "conv-cost")
    assert (answer["standard"], answer["depthwise"], answer["pointwise"], answer["separable"]) == (
        1769472, 27648, 196608, 224256)
    assert "56,623,104" in lesson_text(BY_ID["separable-convolution"])


def test_multichannel_lesson_first_value_is_minus_25():
    # notes 002, RGB example: 308 - 498 + 164 + 1 = -25
    assert solve_answer("multichannel-convolution", "--bias 1") == [[-25]]


# ------------------------------------------------------------------ parsing

@pytest.mark.parametrize("text", ["__import__('os').system('true')", "x.attr", "lambda: 1", "f(x=1)",
                                  "a[0]", "'text'"])
def test_math_refuses_anything_but_formulas(text):
    with pytest.raises(core.InputError):
        core.parse_math(text)


def test_math_chain_and_subscripts():
    import sympy

    (chain,) = core.parse_math("h_t = tanh(W_x*x_t + W_h*h_(t-1) + b) = y")
    assert len(chain) == 3
    assert sympy.Symbol("h_t-1") in chain[1].free_symbols


@pytest.mark.parametrize("line,fragment", [
    ("dltutor solve neuron --x 1,2 --w 0.5 --bogus 1", "--bogus"),
    ("dltutor train --data xor", "dltutor solve"),
    ("dltutor solve neuron --x", "needs a value"),
    ("dltutor solve nosuchkind --x 1", "nosuchkind"),
])
def test_bad_solve_lines_are_input_errors(line, fragment):
    with pytest.raises(core.InputError, match=fragment):
        core.run_solve(line)


def test_solve_line_accepts_negative_values_and_equals_form():
    _, raw = core.solve_args("dltutor solve neuron --x=-1,2 --w -0.5,1 --b -1")
    assert raw == {"x": "-1,2", "w": "-0.5,1", "b": "-1"}


def test_front_matter_errors_name_the_file(tmp_path):
    with pytest.raises(core.LessonError, match="bad.md"):
        core.parse_lesson("no front matter", "bad.md")
    with pytest.raises(core.LessonError, match="topic"):
        core.parse_lesson("---\nid: a\ntitle: A\ntopic: cooking\norder: 1\n---\n", "x.md")


def test_resource_dir_finds_the_shipped_folders():
    from dltutor.resources import resource_dir

    assert (resource_dir("lessons") / "README.md").exists()
    assert resource_dir("problems").is_dir()
    with pytest.raises(FileNotFoundError):
        resource_dir("no-such-folder")


# ------------------------------------------------------------------ rendering and CLI

def test_every_lesson_renders_in_the_terminal():
    from rich.console import Console

    from dltutor.render.lesson import lesson_renderable

    console = Console(width=100, record=True, file=open("/dev/null", "w"))
    for lesson in LESSONS:
        console.print(lesson_renderable(lesson))
    text = console.export_text()
    bad = [line for line in text.splitlines() if "could not work this example out" in line
           or "formula not shown" in line]
    assert bad == []


def test_lessons_list_json():
    result = run_cli("lessons", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert [set(d) for d in data] == [{"id", "title", "topic"}] * len(LESSONS)
    assert [d["id"] for d in data] == [x.id for x in LESSONS]


def test_lessons_list_human(monkeypatch, tmp_path):
    monkeypatch.setenv("DLTUTOR_HOME", str(tmp_path))
    result = run_cli("lessons")
    assert result.code == 0, result.err
    assert "perceptron" in result.out and "progress" in result.out


def test_lesson_shows_formulas_and_worked_steps(monkeypatch, tmp_path):
    monkeypatch.setenv("DLTUTOR_HOME", str(tmp_path))
    result = run_cli("lesson", "mp-neuron")
    assert result.code == 0, result.err
    assert "θ" in result.out and "−" in result.out
    assert "Worked example" in result.out and "Truth table" in result.out


def test_lesson_markdown_export_expands_solve_blocks():
    result = run_cli("lesson", "lms", "--format", "md")
    assert result.code == 0, result.err
    assert "```solve" not in result.out and "$$" in result.out
    # the shared Markdown printer's answer: w a vector (a, b), b and the MSE by name
    assert "Answer:" in result.out and r"$$ w = \left(0.3013, -0.0327\right) $$" in result.out
    assert r"w_{\mathrm{new}} &= w + \eta \cdot e \cdot x" in result.out   # aligned LaTeX


def test_lesson_html_export_is_standalone(tmp_path):
    out = tmp_path / "conv.html"
    result = run_cli("lesson", "convolution", "--format", "html", "-o", str(out))
    assert result.code == 0, result.err
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<math" in page and "@media print" in page
    assert "<script" not in page


# Math lines meant to be shown verbatim (not expressions): none today.
INTENDED_VERBATIM: set[str] = set()
MATH_LINES = [pytest.param(line, id=f"{lid}:{line[:40]}") for lid, block in BLOCKS if block.kind == "math"
              for line in core.math_lines(block.text)]


@pytest.mark.parametrize("line", MATH_LINES)
def test_every_math_line_is_typeset_in_every_target(line):
    from dltutor.render.formula import LatexPrinter, MathMLPrinter, TypstPrinter

    if line in INTENDED_VERBATIM:
        return
    for printer in (LatexPrinter(), TypstPrinter(), MathMLPrinter()):
        printer.strict(line)            # ValueError: the line would fall back to verbatim


@pytest.mark.parametrize("lesson", LESSONS, ids=[x.id for x in LESSONS])
def test_every_lesson_exports_typeset(lesson):
    """md and html carry no verbatim math and well-formed MathML; the PDF compiles without warnings."""
    import re
    import xml.etree.ElementTree as ET

    from dltutor.render import lesson_export
    from dltutor.render.formula import LatexPrinter, MathMLPrinter

    md = lesson_export.to_markdown(lesson)
    page = lesson_export.to_html(lesson)
    lines = [line for b in lesson.live("math") for line in core.math_lines(b.text)]
    for line in lines:
        if line not in INTENDED_VERBATIM:
            assert LatexPrinter().verbatim(line) not in md and MathMLPrinter().verbatim(line) not in page
    assert md.count("$$") % 2 == 0 and "```solve" not in md
    maths = re.findall(r"<math\b.*?</math>", page, flags=re.DOTALL)
    assert len(maths) >= len(lines)
    for math in maths:
        ET.fromstring(math)
    assert page.count('class="worked"') == len(lesson.live("solve"))
    typst = pytest.importorskip("typst")
    pdf, warnings = typst.compile_with_warnings(lesson_export.to_typst(lesson).encode(), ignore_system_fonts=True)
    assert pdf.startswith(b"%PDF") and not warnings, warnings


def test_lesson_pdf_export(tmp_path):
    pytest.importorskip("typst")
    out = tmp_path / "lstm.pdf"
    result = run_cli("lesson", "lstm", "--format", "pdf", "-o", str(out))
    assert result.code == 0, result.err
    assert out.read_bytes()[:5] == b"%PDF-"


def test_unknown_lesson_is_bad_input_with_close_matches():
    result = run_cli("lesson", "perceptorn")
    assert_bad_input(result, "perceptorn", "perceptron")


def test_lesson_help_has_an_example():
    result = run_cli("lesson", "--help")
    assert result.code == 0 and "dltutor lesson" in result.out and "--format" in result.out


# ------------------------------------------------------------------ teaching: the end of each lesson, diagrams, the lab

def plain_blocks(lesson) -> list[str]:
    """The fenced blocks without a name (text diagrams, shell commands) of a lesson's Markdown."""
    import re

    text = "\n".join(b.text for b in lesson.blocks if b.kind == "markdown")
    return re.findall(r"^```[ \t]*\n(.*?)^```[ \t]*$", text, flags=re.DOTALL | re.MULTILINE)


def lab_commands(lesson) -> list[str]:
    """``dltutor train ...`` lines of the lesson's plain blocks (backslash continuations joined)."""
    commands = []
    for block in plain_blocks(lesson):
        joined = block.replace("\\\n", " ")
        current = None
        for line in joined.splitlines():
            if line.startswith("dltutor train"):
                current = [line]
                commands.append(current)
            elif current is not None and line.startswith(" "):    # a quoted spec continued
                current.append(line)
            else:
                current = None
    return [" ".join(" ".join(parts).split()) for parts in commands]


@pytest.mark.parametrize("lesson", LESSONS, ids=[x.id for x in LESSONS])
def test_lesson_ends_with_common_mistakes_and_check_yourself(lesson):
    headings = [line for b in lesson.blocks if b.kind == "markdown" for line in b.text.splitlines()
                if line.startswith("## ")]
    assert headings[-2:] == ["## Common mistakes", "## Check yourself"], headings
    assert lesson.blocks[-1].kind == "check"
    assert 2 <= len(lesson.checks()) <= 4
    numeric = [item for item in lesson.checks() if any(ch.isdigit() for ch in item.answer)]
    assert numeric, "at least one question with numbers"


def test_text_diagrams_where_a_picture_carries_the_idea():
    # a network, the computational graph of one sigmoid neuron (upstream x local), and more
    assert any("W1" in block and "►" in block for block in plain_blocks(BY_ID["neurons"]))
    graph = "\n".join(plain_blocks(BY_ID["backprop"]))
    assert "upstream" in graph and "local" in graph and "(σ)" in graph
    with_diagrams = [x.id for x in LESSONS if any(not b.startswith("dltutor") for b in plain_blocks(x))]
    assert len(with_diagrams) >= 6, with_diagrams


@pytest.mark.parametrize("lesson", LESSONS, ids=[x.id for x in LESSONS])
def test_text_diagrams_fit_a_terminal_and_a_pdf_page(lesson):
    # 80 columns; the PDF's 8.5 pt monospace fits about 84 characters in its text width
    for block in plain_blocks(lesson):
        if block.startswith("dltutor"):
            continue
        assert max(len(line) for line in block.splitlines()) <= 80, block[:60]


WITH_LAB = [x for x in LESSONS if lab_commands(x)]


@pytest.mark.parametrize("lesson", WITH_LAB, ids=[x.id for x in WITH_LAB])
def test_lab_commands_of_a_lesson_run(lesson, monkeypatch, tmp_path):
    """In order, in one folder (a later command may load what an earlier one saved)."""
    import shlex

    monkeypatch.chdir(tmp_path)
    for command in lab_commands(lesson):
        result = run_cli(*shlex.split(command)[1:], "--json")
        assert result.code == 0, (command, result.err)
        assert result.json()["history"] is not None


def _train(*args):
    result = run_cli("train", *args, "--json")
    assert result.code == 0, result.err
    return result.json()["final"]


def test_lab_shows_what_the_lessons_say():
    """The effects the lessons describe (mlp-xor, vanishing-gradients, gradient-descent)."""
    assert any("--data xor" in c for c in lab_commands(BY_ID["mlp-xor"]))
    assert _train("--data", "xor")["accuracy"] == 1.0
    assert _train("--data", "xor", "--model", "Input(2) -> Dense(1, sigmoid)")["accuracy"] <= 0.75
    deep = "Input(2)" + " -> Dense(16, {0})" * 5 + " -> Dense(1, sigmoid)"
    sigmoid, relu = (_train("--data", "moons", "--optimizer", "sgd", "--lr", "0.1", "--epochs", "100",
                            "--model", deep.format(act)) for act in ("sigmoid", "relu"))
    assert sigmoid["loss"] > 0.68 and sigmoid["accuracy"] < 0.6          # stuck near ln 2 = 0.693
    assert relu["accuracy"] > 0.95 and relu["loss"] < 0.05
    spiral = ["--data", "spiral", "--classes", "3", "--epochs", "100",
              "--model", "Input(2) -> Dense(32, relu) -> Dense(3, softmax)"]
    sgd, adam = (_train(*spiral, "--optimizer", opt) for opt in ("sgd", "adam"))
    assert adam["loss"] < sgd["loss"] / 5 and adam["val_accuracy"] > sgd["val_accuracy"]


def test_lesson_prose_reads_as_mathematics_on_every_face():
    """The rnn-bptt lesson writes x_t, h_t and W_x in its prose: the terminal shows xₜ, hₜ (W_x
    keeps its underscore there, spelled as the gates' W_f is); the Typst page sets W_x with #sub;
    code spans (commands to type) stay as written."""
    from dltutor.render.lesson import lesson_prose
    from dltutor.render.lesson_export import to_typst

    assert lesson_prose("reads x_t and `dltutor solve rnn --x 1,2` then h_(t-1)") == \
        "reads xₜ and `dltutor solve rnn --x 1,2` then hₜ₋₁"
    out = run_cli("lesson", "rnn-bptt", "--no-pager").out
    assert "element xₜ per time step" in out and "x_t per time step" not in out
    typst = to_typst(core.find_lesson("rnn-bptt", LESSONS))
    assert '#"W"#sub[#"x"]' in typst
