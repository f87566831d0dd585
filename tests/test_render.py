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
            raw = {k: v for k, v in ctx.params.items() if k not in ("as_json", "digits", "brief", "no_pager")}
            yield pytest.param(kind.func(**parse_options(kind, raw)), id=f"{name}: {example[:30]}")


def make_command(kind):
    from dltutor.commands.solve import make_kind_command

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
     r"\alpha_{t} = \frac{\eta \cdot \sqrt{1 - \beta_{2}^{t}}}{1 - \beta_{1}^{t}}"),
    ("1 if z > 0 else 0", r"\begin{cases}1 & \text{if } z > 0 \\ 0 & \text{otherwise}\end{cases}"),
    ("x*1e-07", r"x \cdot 10^{-7}"),
    ("(a - b)*(c + d)", r"\left(a - b\right) \cdot \left(c + d\right)"),
    ("a - (b - c)", r"a - \left(b - c\right)"),
    ("shape = input[:-1]", r"\text{shape = input[:$-$1]}"),   # no formula: kept as text, its minus a minus
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


# The lessons' math vocabulary (lessons/README.md), each construct in every target.
# LaTeX and Typst strings are written out by hand from the usual textbook notation.
LESSON_FORMULAS = [
    ("S = Sum(w_i*x_i, (i, 1, n))", r"S = \sum_{i=1}^{n} w_{i} \cdot x_{i}",
     "S = sum_(i = 1)^(n) w_(i) dot x_(i)"),
    ("MSE = Sum((y_k - p_k)^2, (k, 1, n))/n", r"\mathrm{MSE} = \frac{\sum_{k=1}^{n} \left(y_{k} - p_{k}\right)^{2}}{n}",
     '"MSE" = (sum_(k = 1)^(n) (y_(k) - p_(k))^(2))/(n)'),
    ("Product(a_j, (j, k + 1, t))", r"\prod_{j=k + 1}^{t} a_{j}", "product_(j = k + 1)^(t) a_(j)"),
    ("y = Piecewise((1, z >= 0), (0, True))",
     r"y = \begin{cases}1 & \text{if } z \ge 0 \\ 0 & \text{otherwise}\end{cases}",
     'y = cases(1 & "if " z >= 0, 0 & "otherwise")'),
    ("Derivative(y, x) = Derivative(y, u)*Derivative(u, x)",
     r"\frac{\mathrm{d}y}{\mathrm{d}x} = \frac{\mathrm{d}y}{\mathrm{d}u} \cdot \frac{\mathrm{d}u}{\mathrm{d}x}",
     "(dif y)/(dif x) = (dif y)/(dif u) dot (dif u)/(dif x)"),
    ("Derivative(E, w_5) = delta_o1*h_1", r"\frac{\partial E}{\partial w_{5}} = \delta_{o1} \cdot h_{1}",
     '(partial E)/(partial w_(5)) = δ_("o1") dot h_(1)'),
    ("Derivative(sigmoid(z), z) = sigmoid(z)*(1 - sigmoid(z))",
     r"\frac{\mathrm{d}}{\mathrm{d}z} \sigma\left(z\right) = \sigma\left(z\right) \cdot \left(1 - \sigma\left(z\right)\right)",
     "dif/(dif z) sigma(z) = sigma(z) dot (1 - sigma(z))"),
    ("MAE = Abs(y - p)", r"\mathrm{MAE} = \left|y - p\right|", '"MAE" = abs(y - p)'),
    ("ReLU(z) = max(0, z)", r"\operatorname{ReLU}\left(z\right) = \max\left(0, z\right)", 'op("ReLU")(z) = max(0, z)'),
    ("y = f(z)", r"y = f\left(z\right)", "y = f(z)"),
    ("softmax_k(z) = exp(z_k)", r"\operatorname{softmax}_{k}\left(z\right) = e^{z_{k}}", 'op("softmax")_(k)(z) = e^(z_(k))'),
    ("h_t = tanh(W_h*h_(t-1))", r"h_{t} = \tanh\left(W_{h} \cdot h_{t - 1}\right)", "h_(t) = tanh(W_(h) dot h_(t - 1))"),
    ("theta = n*w - p", r"\theta = n \cdot w - p", "θ = n dot w - p"),
    ("L = L_0 + lamda*w^2", r"L = L_{0} + \lambda \cdot w^{2}", "L = L_(0) + λ dot w^(2)"),
    ("w_new = w - eta*g", r"w_{\mathrm{new}} = w - \eta \cdot g", 'w_("new") = w - η dot g'),
    ("mhat = m/(1 - beta_1^t)", r"\hat{m} = \frac{m}{1 - \beta_{1}^{t}}", "hat(m) = (m)/(1 - β_(1)^(t))"),
    ("c_t = ctilde_t*i_t", r"c_{t} = \tilde{c}_{t} \cdot i_{t}", "c_(t) = tilde(c)_(t) dot i_(t)"),
    ("f_t = sigmoid(W_f*[h_(t-1), x_t])", r"f_{t} = \sigma\left(W_{f} \cdot \left[h_{t - 1}, x_{t}\right]\right)",
     "f_(t) = sigma(W_(f) dot [h_(t - 1), x_(t)])"),
    ("x*k = F_inv(F(x))", r"x \cdot k = F_{\mathrm{inv}}\left(F\left(x\right)\right)", 'x dot k = F_("inv")(F(x))'),
    ("z[i,j] = b", r"z_{i, j} = b", "z_(i, j) = b"),
    ("0.1*0.4 + -0.03*0.5", r"0.1 \cdot 0.4 + \left(-0.03\right) \cdot 0.5", "0.1 dot 0.4 + (-0.03) dot 0.5"),
    ("y = a + b,  e = t - y", r"\begin{aligned}&y = a + b \\ &e = t - y\end{aligned}", "& y = a + b \\ & e = t - y"),
    # a layer's index as a parenthesised superscript, and an update
    ("Derivative(E, w^(2)_11) = delta_o1*h_1", r"\frac{\partial E}{\partial w^{(2)}_{11}} = \delta_{o1} \cdot h_{1}",
     '(partial E)/(partial w^((2))_(11)) = δ_("o1") dot h_(1)'),
    ("net_h = W^(1)*x + b^(1)", r"\mathrm{net}_{h} = W^{(1)} \cdot x + b^{(1)}", '"net"_(h) = W^((1)) dot x + b^((1))'),
    ("w^(l)_ij <- w^(l)_ij - eta*g", r"w^{(l)}_{ij} \leftarrow w^{(l)}_{ij} - \eta \cdot g",
     "w^((l))_(i j) <- w^((l))_(i j) - η dot g"),
    ("delta_(h^(1)_2) = 1 - h^(1)_2^2", r"\delta_{h^{(1)}_{2}} = 1 - \left(h^{(1)}_{2}\right)^{2}",
     "δ_(h^((1))_(2)) = 1 - (h^((1))_(2))^(2)"),
    ("dE/dW^(2) = W^(2)[10,1]", r"\frac{\partial E}{\partial W^{(2)}} = W^{(2)}_{10, 1}",
     "(partial E)/(partial W^((2))) = W^((2))_(10, 1)"),
    ("e^(z) = x^(2*i)", r"e^{z} = x^{2 \cdot i}", "e^(z) = x^(2 dot i)"),      # powers stay powers
]


@pytest.mark.parametrize("text, latex, typst", LESSON_FORMULAS, ids=[f[0] for f in LESSON_FORMULAS])
def test_lesson_vocabulary_in_every_target(text, latex, typst):
    from dltutor.render.formula import MathMLPrinter

    assert to_latex(text) == latex
    assert to_typst(text) == typst
    ET.fromstring(to_mathml(text, display=True))
    assert "<mtext>" not in MathMLPrinter().strict(text).replace("<mtext>if </mtext>", "").replace(
        "<mtext>otherwise</mtext>", "")


@pytest.mark.parametrize("text, element", [
    ("S = Sum(x_i, (i, 1, n))", "munderover"), ("Derivative(E, w)", "∂"), ("mhat", "mover"),
    ("h_(t-1)", "<msub><mi>h</mi><mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow></msub>"),
    ("y = Piecewise((1, z > 0), (0, True))", "<mtable>"),
])
def test_mathml_uses_the_matching_elements(text, element):
    assert element in to_mathml(text)


def test_a_layer_index_reads_the_same_on_every_face():
    """w^(2)_11 (or w⁽²⁾₁₁ typed in Unicode, as a label) is w⁽²⁾₁₁: the layer up, the indices down."""
    from dltutor.render.formula_unicode import prose, to_unicode
    from dltutor.render.latex_text import latex_text

    assert to_unicode("w^(2)_11 <- w^(2)_11 - lr*dE/dw^(2)_11") == "w⁽²⁾₁₁ ← w⁽²⁾₁₁ − η·∂E/∂w⁽²⁾₁₁"
    assert to_unicode("net_(h^(1)_1) = W^(1)_new") == "net_(h⁽¹⁾₁) = W⁽¹⁾ⁿᵉʷ"
    assert to_latex("W⁽¹⁾") == "W^{(1)}"
    assert to_latex("dE/dw⁽²⁾₁₁") == r"\frac{\partial E}{\partial w^{(2)}_{11}}"
    assert (prose("Gradient of w^(2)_11 (h1 → o1); W^(3)ᵀ·δ, dE/dW^(2)")
            == "Gradient of w⁽²⁾₁₁ (h₁ → o₁); W⁽³⁾ᵀ·δ, ∂E/∂W⁽²⁾")
    assert "⁽" not in prose("e^(z_k)/Σe^(z_j), e^(z)")                   # powers, no layer there
    assert latex_text("w⁽²⁾₁₁ and x² and w₅ⁿᵉʷ") == r"w$^{(2)}_{11}$ and x\textsuperscript{2} and w$_{5}^{new}$"
    assert ('<msubsup><mi>w</mi><mn>11</mn><mrow><mo form="prefix" stretchy="false">(</mo><mn>2</mn>'
            '<mo form="postfix" stretchy="false">)</mo></mrow></msubsup>') in to_mathml("w^(2)_11")
    assert "<mo>←</mo>" in to_mathml("w <- w - eta*g")


def test_a_lesson_math_line_with_a_layer_index_and_an_update():
    from dltutor.lessons import parse_math
    from dltutor.render.lesson import _lesson_printer

    (update,), = parse_math("w^(l)_ij <- w^(l)_ij - eta*Derivative(E, w^(l)_ij)")
    shown = _lesson_printer().doprint(update)
    assert "w⁽ˡ⁾ᵢⱼ ← w⁽ˡ⁾ᵢⱼ" in shown and "∂w⁽ˡ⁾ᵢⱼ" in shown


def test_lesson_formulas_compile_in_typst():
    pytest.importorskip("typst")
    body = "\n".join(f"$ {typst} $" for _, _, typst in LESSON_FORMULAS)
    assert compile_pdf("#set page(width: 16cm, height: auto)\n" + body).startswith(b"%PDF")


@pytest.mark.parametrize("text", ["shape = input[:-1]", "(10,) -> (64,)", "total = sum of the layers", ""])
def test_what_is_not_an_expression_stays_verbatim(text):
    from dltutor.render.formula import LatexPrinter

    with pytest.raises(ValueError):
        LatexPrinter().strict(text)
    assert to_latex(text).startswith(r"\text{")


# What a browser needs to draw the MathML right (seen in headless Chromium): commas as
# operators, β₁ᵗ as one msubsup, a prefix minus in its own row, 1e-07 as a power of ten.
@pytest.mark.parametrize("text, element", [
    ("f_t = sigmoid(W_f*[h_(t-1), x_t])", "</msub><mo>,</mo><msub>"),
    ("Y_c(i, j)", "<mi>i</mi><mo>,</mo><mi>j</mi>"),
    ("m/(1 - beta_1^t)", "<msubsup><mi>β</mi><mn>1</mn><mrow><mi>t</mi></mrow></msubsup>"),
    ("0.1*0.4 + -0.03*0.5", "<mrow><mo>−</mo><mn>0.03</mn></mrow>"),
    ("x*1e-07", "<msup><mn>10</mn><mn>−7</mn></msup>"),
    ("1 if z > 0 else 0", '<mtext>if </mtext><mspace width="0.4em"/>'),
])
def test_mathml_draws_well_in_a_browser(text, element):
    assert element in to_mathml(text)


def test_html_worked_step_lines_up_at_equals():
    from dltutor.solution import Solution, Step, fill

    sol = Solution("demo", {}, {"y": 1.0}, (Step("Net input", "z = w*x + b", fill("{}*{} + {}", 0.5, -1, 2), 1.5),))
    html = to_html_fragment(sol)
    step, answer = html.split("<p>Answer:</p>")            # the answer is a display of its own: y = 1
    assert step.count('<math display="block">') == 1 and '<mo form="infix">=</mo>' in step
    assert "<mi>y</mi><mo>=</mo><mn>1</mn>" in answer
    assert "<mrow><mo>−</mo><mn>1</mn></mrow>" in html
