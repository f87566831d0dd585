"""What a student reads is mathematics, not program text: every family's answer key in every
format, and ``solve``'s terminal output of every kind's help examples.

The key is rendered as a teacher would hand it out (Markdown, LaTeX, HTML; the PDF through
``pdftotext``), the text a reader sees is taken out of the markup (math that the format
typesets is left out, the words of ``\\text{…}`` and ``<mtext>`` kept), and none of these may
appear in it: Python's ``**``, nested lists ``[[``, slices ``[:-1]``, sympy's names
(``KroneckerDelta``, ``Sum(``, ``Abs(``, "sympy"), ``_tilde``/``_hat`` names, snake_case
identifiers, command-line flags in prose, remarks about "the notes" (errata belong to the
lessons), or a hyphen used as a minus sign before a number.
"""

from __future__ import annotations

import html
import re
import shlex
import shutil
import subprocess

import pytest
from rich.console import Console

from dltutor.practice.families import generate, load_families
from dltutor.render.sheet import Sheet
from dltutor.render.sheets import render_sheet
from dltutor.render.terminal import print_solution
from dltutor.solvers.registry import KIND_MODULES, get_kind, parse_options

PROGRAM_TEXT = {
    "Python power **": re.compile(r"\*\*"),
    "nested list [[": re.compile(r"\[\["),
    "slice": re.compile(r"\[-?\d*:-?\d*\]"),
    "sympy": re.compile(r"sympy", re.IGNORECASE),
    "KroneckerDelta": re.compile(r"KroneckerDelta"),
    "Sum(": re.compile(r"\bSum\("),
    "Abs(": re.compile(r"\bAbs\("),
    "_tilde/_hat name": re.compile(r"_tilde|_hat\b|\btilde_|\bhat_"),
    "command-line flag": re.compile(r"(?<![\w-])(?:--|–)[a-z][\w-]*"),
    "the notes": re.compile(r"\bthe (?:course )?notes\b", re.IGNORECASE),
    "snake_case": re.compile(r"\b[a-z]+_[a-z]{2,}\w*\b"),
    "hyphen for minus": re.compile(r"(?<![\w.\-])-\.?\d"),
    "word subscript left as _(…)": re.compile(r"\w_\([a-z]{2,}\)"),
    "a word with _x": re.compile(r"\b[a-z]{2,}_[a-z]\b"),
    "sqrt(": re.compile(r"\bsqrt\("),
    "grad f": re.compile(r"\bgrad f\b|\bd[a-z]/d[a-z]\b, d[a-z]/d"),
    "x for ×": re.compile(r"(?:\b[\dA-Z]|\bunits|\binputs|\)) x (?:[\dA-Z(]|units|inputs)"),
}
# a Keras layer as the model spec writes it (``Conv2D(16,3,strides=2,dilation_rate=1)``) is the
# user's input, shown as typed: a capitalised call with keyword arguments
LAYER_CALL = re.compile(r"\b[A-Z][A-Za-z]*\d?D?\([^()]*=[^()]*\)")
SEEDS = (1, 2)


def program_text(text: str) -> list[str]:
    """Every match of a pattern above, with some context: empty when the text reads as mathematics."""
    text = LAYER_CALL.sub("Layer", text)
    return [f"{name}: …{text[max(m.start() - 40, 0):m.end() + 30]!r}…"
            for name, pattern in PROGRAM_TEXT.items() for m in pattern.finditer(text)]


def _md_words(math: str) -> str:
    return " ".join(re.findall(r"\\text\{([^{}]*)\}", math))


def reader_text(fmt: str, data: str) -> str:
    """What a reader sees of a rendered key, less the math its format typesets and the
    footer's commands (``dltutor sheet --seed 3``, ``dltutor generate ID`` are commands to type)."""
    if fmt == "html":
        data = re.sub(r"<style.*?</style>|<footer.*?</footer>|<code>.*?</code>", "", data, flags=re.DOTALL)
        data = re.sub(r"<mn>[^<]*</mn>|<mo>[^<]*</mo>", " ", data)      # typeset numbers and operators
        return html.unescape(re.sub(r"<[^>]+>", " ", data))
    if fmt == "md":
        data = re.sub(r"`[^`]*`|^\*dltutor [^\n]*$", "", data, flags=re.MULTILINE)
        data = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", lambda m: _md_words(m.group(0)), data, flags=re.DOTALL)
        return re.sub(r"\*\*([^*\n]+?)\*\*", r"\1", data)                # bold, not a power
    if fmt == "tex":
        data = re.sub(r"\\texttt\{[^}]*\}", "", data)
        return re.sub(r"\\\[.*?\\\]|\\begin\{align\*\}.*?\\end\{align\*\}|\$[^$\n]*\$",
                      lambda m: _md_words(m.group(0)), data, flags=re.DOTALL)
    return data


def _solver_families():
    return [f for _, f in sorted(load_families().items()) if not f.conceptual]


@pytest.fixture(scope="module")
def keys():
    """One answer key per family, its problems drawn with a few seeds."""
    out = {}
    for family in _solver_families():
        problems = [generate(family, seed) for seed in SEEDS]
        out[family.id] = Sheet(problems, 0, [family.topic], "medium", "Answer key", True, count=len(problems))
    return out


@pytest.mark.parametrize("fmt", ["md", "tex", "html"])
def test_every_key_reads_as_mathematics(fmt, keys):
    found = {name: program_text(reader_text(fmt, render_sheet(sheet, fmt))) for name, sheet in keys.items()}
    found = {name: hits for name, hits in found.items() if hits}
    assert not found, found


def test_the_pdf_key_reads_as_mathematics(tmp_path):
    """All the families in one typeset key (one compile), read back by pdftotext."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    problems = [generate(family, SEEDS[0]) for family in _solver_families()]
    sheet = Sheet(problems, 0, [], "medium", "Answer key", True, count=len(problems))
    pdf = tmp_path / "key.pdf"
    pdf.write_bytes(render_sheet(sheet, "pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Worked solution" in text and len(text) > 20_000
    text = re.sub(r"dltutor (?:sheet|generate)[^\n]*", "", text)        # the footer's commands
    assert not program_text(text)


def test_the_patterns_catch_program_text():
    """The check itself: each pattern finds the program text it is for and passes mathematics."""
    bad = ["x**2", "[[1, 2], [3, 4]]", "input[:-1]", "sympy differentiates", "KroneckerDelta(i, j)",
           "Sum(exp(z_j), (j, 1, n))", "Abs(e)", "h_tilde = 0.3", "more --epochs may help",
           "as in the notes", "non_trainable = 0", "w = (-0.5, 1)", "k_(eff) − n", "outₕ · out_w · F",
           "/sqrt(2.666667 + 0.001)", "grad f = [df/dx, df/dy]", "units x (units + inputs)"]
    for text in bad:
        assert program_text(text), text
    good = ("x² + 10y², δᵢⱼ, ∑ⱼ exp(zⱼ), |e|, h̃ = 0.3, w = (−0.5, 1), a 2-2-2 network, 1e-07, "
            "Conv2D(16,3,dilation_rate=2), k′ − n, Hₒᵤₜ·Wₒᵤₜ·F, √(varⱼ + ε), ∇f = (∂f/∂x, ∂f/∂y), "
            "units × (units + inputs), input = 28x28")
    assert not program_text(good)


def _examples():
    for name in sorted(KIND_MODULES):
        kind = get_kind(name)
        for example in kind.examples:
            yield pytest.param(name, example, id=f"{name}: {example[:40]}")


@pytest.mark.parametrize("name, example", list(_examples()))
def test_solve_terminal_output_reads_as_mathematics(name, example):
    from dltutor.commands.solve import make_kind_command

    kind = get_kind(name)
    known = {o.param for o in kind.options}
    ctx = make_kind_command(kind).make_context(name, shlex.split(example))
    solution = kind.func(**parse_options(kind, {k: v for k, v in ctx.params.items() if k in known}))
    console = Console(record=True, width=120, no_color=True, force_terminal=False)
    print_solution(solution, console=console)
    text = console.export_text()
    assert not program_text(text), text


def test_a_one_sample_batch_and_a_conceptual_solution_read_as_text():
    """One row of a matrix is [ 0  0 ], not [[0, 0]]; a conceptual question's worked solution
    has no header of internal ids (family, question)."""
    from dltutor.render.sheet import worked_solution
    from dltutor.solvers.registry import run

    console = Console(record=True, width=120, no_color=True, force_terminal=False)
    print_solution(run("batchnorm", x="1,2"), console=console)
    text = console.export_text()
    assert not program_text(text) and "[ 0  0 ]" in text and "1 sample of" in text
    concept = next(f for _, f in sorted(load_families().items()) if f.conceptual)
    console = Console(record=True, width=120, no_color=True, force_terminal=False)
    print_solution(worked_solution(generate(concept, 1)), console=console)
    text = console.export_text()
    assert "family =" not in text and concept.id not in text and text.startswith("1. ")


# ---------------------------------------------------------------- the answer answers the question

def test_a_parameter_count_answers_with_the_layer_table_and_the_total():
    from dltutor.render.markdown import to_markdown
    from dltutor.solvers.registry import run

    # Dense(5) on 3 inputs: 3·5 + 5 = 20; Dense(2) on 5: 5·2 + 2 = 12; total 32 (by hand)
    md = to_markdown(run("params", spec="Input(3) -> Dense(5) -> Dense(2)"))
    answer = md.split("Answer:", 1)[1]
    assert "| Layer | Output shape | Parameters |" in answer
    assert "| Dense(5) | 5 | 20 |" in answer and "| Dense(2) | 2 | 12 |" in answer
    assert "Total: 32 parameters" in answer and "non_trainable" not in md and "output_shape" not in md


def test_a_truth_table_answers_as_a_table():
    from dltutor.render.html import to_html_fragment
    from dltutor.solvers.registry import run

    html = to_html_fragment(run("mp-neuron", gate="AND"))
    answer = html.split("<p>Answer:</p>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", answer.split("</thead>", 1)[1])
    cells = [re.findall(r"<td>(.*?)</td>", r) for r in rows]
    assert cells == [["0", "0", "0"], ["0", "1", "0"], ["1", "0", "0"], ["1", "1", "1"]]   # AND
    assert "<th>x₁</th><th>x₂</th><th>y</th>" in answer and "truth_table" not in html


def test_vectors_are_tuples_and_gradients_have_their_names():
    from dltutor.render.latex import to_latex_fragment
    from dltutor.solvers.registry import run

    tex = to_latex_fragment(run("neuron", x="1,2", w="0.5,-1", b="0", activation="linear"))
    assert r"\[ z = -1.5 \]" in tex                     # 0.5·1 − 1·2
    key = run("backprop", x="0.05,0.1", target="0.01,0.99", w1="0.15,0.2;0.25,0.3", b1="0.35",
              w2="0.4,0.45;0.5,0.55", b2="0.6")
    answer = to_latex_fragment(key).split("Answer:", 1)[1]
    assert r"\frac{\partial E}{\partial W^{(1)}}" in answer and "grad" not in answer
    assert r"h = \left(0.59327, 0.596884\right)" in answer       # the notes' 2-2-2 example


@pytest.mark.parametrize("family, kept, left_out, lr_given", [
    ("backprop-deep", set(), {"Update of"}, False),              # asks ∂E/∂W⁽³⁾, ∂E/∂W⁽²⁾, ∂E/∂W⁽¹⁾ only
    ("backprop-output-weights", {"Update of w⁽²⁾₁₁", "Update of w⁽²⁾₂₂"}, {"Update of w⁽¹⁾₁₁", "Update of w⁽¹⁾₂₂"},
     True),
])
def test_a_key_works_what_its_parts_ask_and_no_more(family, kept, left_out, lr_given):
    from dltutor.render.formula_unicode import prose
    from dltutor.render.sheet import worked_solution

    problem = generate(load_families()[family], 1)
    worked = worked_solution(problem)
    titles = [prose(s.title) for s in worked.steps]
    assert all(any(t.startswith(k) for t in titles) for k in kept)
    assert not any(t.startswith(k) for t in titles for k in left_out)
    asked = {re.search(r"answer\.(\w+)", p.spec.answer).group(1) for p in problem.parts}
    assert set(worked.answer) == asked
    assert ("lr" in worked.inputs) == lr_given   # no learning rate the question never gave
    assert len(worked.steps) < len(problem.solution.steps)


# ------------------------------------------------------------------ backpropagation's one notation

# W⁽ˡ⁾ and its entries w⁽ˡ⁾ᵢⱼ, b⁽ˡ⁾: never a scalar weight numbered w1…w8 (w₅), an entry (W₂)₁₁,
# or the layer as a subscript (W₁, b₁), in any face's markup
OLD_NOTATION = {
    "scalar weight w5": re.compile(r"(?<![A-Za-ce-z_\\])w\d+(?![\d.])"),      # w5, dE/dw5
    "scalar weight w₅": re.compile(r"w[₀-₉]|w\$_\{\d|w#sub\[\d"),
    "scalar weight w_{5}": re.compile(r"(?<![A-Za-z\\])w_\{\d+\}|<msub><mi>w</mi><mn>\d|(?<![A-Za-z])w_\(\d"),
    "entry (W₂)₁₁": re.compile(r"\(W[₀-₉]|\(W\$_\{\d|\(W#sub\[\d|\bW\d\[\d+,\s?\d+\]"),
    "layer as a subscript W₁, b₁": re.compile(r"(?<![A-Za-z_\\])[Wb](?:[₀-₉]|\d|_\{\d|\$_\{\d|#sub\[\d|_\(\d)"
                                              r"|<msub><mi>[Wb]</mi><mn>\d"),
}
BACKPROP_RUNS = {   # the notes' 2-2-2 network, a deeper one with every option, and layers worked as tables
    "notes": {"x": "0.05,0.10", "target": "0.01,0.99", "w1": "0.15,0.20;0.25,0.30", "b1": "0.35",
              "w2": "0.40,0.45;0.50,0.55", "b2": "0.60", "lr": "0.5", "verify": True},
    "deep": {"x": "1,0.5", "target": "0.8", "w1": "0.2,-0.4;0.7,0.1", "b1": "0,0.1", "w2": "0.5,-0.3;0.6,0.2",
             "b2": "0.1", "w3": "0.9,-0.5", "b3": "0", "activation": "tanh", "output_activation": "linear",
             "loss": "mse", "update_bias": True},
    "relu-softmax": {"x": "1,2", "target": "0,1,0", "w1": "0.1,0.2;-0.3,0.4", "b1": "0", "w2": "0.5,-0.5;0.3,0.2",
                     "b2": "0.1,0", "w3": "0.5,-0.5;0.3,0.2;-0.1,0.4", "b3": "0", "activation": "relu",
                     "loss": "cce", "update_bias": True, "verify": True},
    "tables": {"x": "1,2,3,4,5", "target": "0.5,0.2", "w1": "0.1,0.2,0.3,0.4,0.5;0.1,0.1,0.1,0.1,0.1", "b1": "0",
               "w2": "0.5,-0.5;0.3,0.2", "b2": "0", "verify": True},
}


def old_notation(text: str) -> list[str]:
    return [f"{name}: …{text[max(m.start() - 30, 0):m.end() + 20]!r}…"
            for name, pattern in OLD_NOTATION.items() for m in pattern.finditer(text)]


def solution_faces(solution) -> dict[str, str]:
    """A worked solution as each face shows it: terminal, JSON steps (the answer's keys are the
    contract's: grad_w1, w1, …), Markdown, LaTeX, HTML and Typst."""
    import json

    from dltutor.render.html import to_html_fragment
    from dltutor.render.latex import to_latex_fragment
    from dltutor.render.markdown import to_markdown
    from dltutor.render.typst import to_typst_markup

    console = Console(record=True, width=120, no_color=True, force_terminal=False)
    print_solution(solution, console=console)
    steps = [{k: v for k, v in s.items() if k != "gives"} for s in solution.to_dict()["steps"]]
    return {"terminal": console.export_text(), "json": json.dumps(steps, ensure_ascii=False),
            "md": to_markdown(solution), "tex": to_latex_fragment(solution), "html": to_html_fragment(solution),
            "typst": to_typst_markup(solution)}


@pytest.mark.parametrize("run_id", sorted(BACKPROP_RUNS))
def test_backprop_names_its_weights_one_way_on_every_face(run_id):
    from dltutor.solvers.registry import run

    solution = run("backprop", **BACKPROP_RUNS[run_id])
    faces = solution_faces(solution)
    found = {face: old_notation(text) for face, text in faces.items() if old_notation(text)}
    assert not found, found
    unset = {face: text.count("^(") for face, text in faces.items() if face in ("terminal", "md", "tex", "html")}
    assert not any(unset.values()), unset                    # every w^(2)_11 was typeset
    assert "w⁽²⁾₁₁" in faces["terminal"] and "W⁽²⁾" in faces["terminal"]
    assert r"w^{(2)}_{11}" in faces["tex"] and r"\leftarrow" in faces["tex"]
    assert ('<msubsup><mi>w</mi><mn>11</mn><mrow><mo form="prefix" stretchy="false">(</mo><mn>2</mn>'
            '<mo form="postfix" stretchy="false">)</mo></mrow></msubsup>') in faces["html"]
    assert "w^((2))_(11)" in faces["typst"]


@pytest.mark.parametrize("fmt", ["md", "tex", "html"])
def test_backprop_keys_name_their_weights_one_way(fmt):
    """Prompts, part labels, data blocks and worked solutions of the backprop families."""
    families = [f for f in _solver_families() if f.kind == "backprop"]
    problems = [generate(family, seed) for family in families for seed in SEEDS]
    text = render_sheet(Sheet(problems, 0, ["backprop"], "medium", "Answer key", True, count=len(problems)), fmt)
    text = re.sub(r"<style.*?</style>", "", text, flags=re.DOTALL)       # the page's fonts
    assert not old_notation(text)


def test_the_old_notation_check_catches_the_old_text():
    """The check itself, on the text backprop printed before (issue: w₁ next to the matrix W₁,
    b₁ the bias of layer 1 next to x₁ the first input), on every face."""
    from dltutor.solution import Solution, Step

    old = ["W₁ = [0.15, 0.2; 0.25, 0.3], b₁ = 0.35", "netₕ₁ = w₁·x₁ + w₂·x₂ + b₁",
           "Gradient of w₅ ((W₂)₁₁: h₁ → o₁)", "Gradient of w₉ ((W₃)₁₁: h₂,₁ → o₁)", "w₅ⁿᵉʷ = w₅ − η·∂E/∂w₅",
           "∂E/∂b₂,ⱼ = δⱼ", "∂E/∂W₁ = [ 0.000438568  0.000877135 ]", "dE/dw5 = delta_o1*h1"]
    for text in old:
        assert old_notation(text), text
    new = ("W⁽¹⁾ = [0.15, 0.2; 0.25, 0.3], b⁽¹⁾ = 0.35, netₕ₁ = w⁽¹⁾₁₁·x₁ + w⁽¹⁾₁₂·x₂ + b⁽¹⁾, "
           "Gradient of w⁽²⁾₁₁ (h₁ → o₁), w⁽²⁾₁₁ ← w⁽²⁾₁₁ − η·∂E/∂w⁽²⁾₁₁, ∂E/∂b⁽²⁾ⱼ = δⱼ, δ_(h⁽¹⁾₁), "
           "dE/dw^(2)_11 = delta_o1*h1, w^{(2)}_{11}, <mi>x</mi><mn>1</mn>, 0.15·0.05, grad_w1")
    assert not old_notation(new)
    before = Solution("backprop", {}, {}, (
        Step("Net input of h1", "net_h1 = w1*x1 + w2*x2 + b1", "0.15*0.05 + 0.2*0.1 + 0.35", 0.3775),
        Step("Gradient of w5 (W2[1,1]: h1 → o1)", "dE/dw5 = delta_o1*h1", "0.1384986*0.59327", 0.082167),
        Step("Update of w5", "w5_new = w5 - lr*dE/dw5", "0.4 - 0.5*0.08216704", 0.358916)))
    for face, text in solution_faces(before).items():
        caught = {hit.split(":")[0] for hit in old_notation(text)}
        assert {"entry (W₂)₁₁", "layer as a subscript W₁, b₁"} <= caught, (face, caught)
        assert caught & {"scalar weight w5", "scalar weight w₅", "scalar weight w_{5}"}, (face, caught)
