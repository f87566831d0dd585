"""Every printer on every kind's worked examples; formulas typeset, not mangled."""

from __future__ import annotations

import shlex
import xml.etree.ElementTree as ET

import pytest

from dltutor.render.formula import to_latex, to_mathml, to_typst
from dltutor.render.html import page, to_html_fragment
from dltutor.render.latex import to_latex_fragment
from dltutor.render.markdown import to_markdown
from dltutor.render.typst import compile_pdf, to_typst_markup
from dltutor.solvers.registry import KIND_MODULES, get_kind, parse_options


def solutions():
    for name in sorted(KIND_MODULES):
        kind = get_kind(name)
        cmd = make_command(kind)
        for example in kind.examples:
            ctx = cmd.make_context(name, shlex.split(example))
            raw = {k: v for k, v in ctx.params.items() if k not in ("as_json", "digits")}
            yield pytest.param(kind.func(**parse_options(kind, raw)), id=f"{name}: {example[:30]}")


def make_command(kind):
    from dltutor.cli import make_kind_command

    return make_kind_command(kind)


SOLUTIONS = list(solutions())


@pytest.mark.parametrize("solution", SOLUTIONS)
def test_markdown_and_latex_show_every_step(solution):
    md = to_markdown(solution)
    tex = to_latex_fragment(solution)
    for step in solution.steps:
        assert step.title.split(":")[0][:10].replace("_", "\\_") in tex or step.title[:10] in md
    assert md.count("$$") % 2 == 0
    assert tex.count("{") == tex.count("}"), "balanced braces"


@pytest.mark.parametrize("solution", SOLUTIONS)
def test_html_is_well_formed(solution):
    ET.fromstring("<div>" + to_html_fragment(solution).replace("&nbsp;", " ") + "</div>")


@pytest.mark.parametrize("solution", SOLUTIONS[:6])
def test_typst_compiles_to_pdf(solution):
    pdf = compile_pdf("#set page(width: 16cm, height: auto)\n" + to_typst_markup(solution))
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("text, latex", [
    ("out = floor((n + 2*p - k)/s) + 1", r"\mathrm{out} = \left\lfloor \frac{n + 2 \cdot p - k}{s}\right\rfloor + 1"),
    ("out = ceil(n/s)", r"\mathrm{out} = \left\lceil \frac{n}{s}\right\rceil"),
    ("alpha_t = lr*sqrt(1 - beta2**t)/(1 - beta1**t)",
     r"\alpha_{t} = \frac{\mathrm{lr} \cdot \sqrt{1 - \beta_{2}^{t}}}{1 - \beta_{1}^{t}}"),
    ("1 if z > 0 else 0", r"\begin{cases}1 & \text{if } z > 0 \\ 0 & \text{otherwise}\end{cases}"),
    ("x*1e-07", r"x \cdot 10^{-7}"),
    ("(a - b)*(c + d)", r"\left(a - b\right) \cdot \left(c + d\right)"),
    ("a - (b - c)", r"a - \left(b - c\right)"),
    ("shape = input[:-1]", r"\text{shape = input[:-1]}"),
])
def test_formula_to_latex(text, latex):
    assert to_latex(text) == latex


def test_formula_printers_agree_on_structure():
    text = "w = w - alpha_t*m/(sqrt(v) + eps)"
    assert to_typst(text) == "w = w - (α_(t) dot m)/(sqrt(v) + ε)"
    ET.fromstring(to_mathml(text))


def test_page_is_standalone():
    html = page("t", "<p>x</p>")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html and "<script" not in html
