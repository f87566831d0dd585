"""Formulas (sympy-syntax text) typeset for LaTeX, Typst and MathML: one printer per target.

The syntax tree is walked by ``Printer`` (``render/formula_walk.py``, which
also lists the vocabulary: Greek names, accents, subscripts, ``Sum`` and
``Product`` with limits, ``Piecewise``, ``Derivative``, named functions); a
printer here says how each construct looks in its language. Text that is not
an expression falls back to verbatim text.
"""

from __future__ import annotations

import re
from html import escape

from dltutor.render.formula_walk import (  # noqa: F401
    GREEK,
    LATEX_GREEK,
    LATEX_OPS,
    Printer,
    parse_side,
    split_accent,
    split_equation,
    split_exponent,
    split_statements,
    symbol_parts,
)

LATEX_INFIX = {"odot": r"\odot", "convolve": r"\circledast", "star": r"\star"}
TYPST_INFIX = {"odot": "⊙", "convolve": "⊛", "star": "⋆"}   # the characters themselves: symbol names differ between typst versions
UNICODE_INFIX = {"odot": "⊙", "convolve": "⊛", "star": "⋆"}


def _greek_name(symbol: str) -> str:
    names = {v: k for k, v in GREEK.items() if k not in ("eps", "lam", "lamda")}
    names["λ"] = "lambda"
    return names.get(symbol, "")


def _latex_letter(text: str) -> str:
    return LATEX_GREEK.get(text) or ("\\" + _greek_name(text) if _greek_name(text) else text)


class LatexPrinter(Printer):
    def verbatim(self, text):
        from dltutor.render.formula_unicode import prose
        from dltutor.render.latex_text import latex_text

        return r"\text{" + latex_text(prose(text)) + "}"

    def equals(self, sides):
        return " = ".join(sides)

    def number(self, text):
        mantissa, exp = split_exponent(text)
        if exp is None:
            return text
        power = "10^{" + str(exp) + "}"
        return power if mantissa == "1" else mantissa + r" \cdot " + power

    def symbol(self, base, sub, accent="", sub_math="", sup=""):
        base = _latex_letter(base)
        if len(base) > 1 and not base.startswith("\\"):
            base = r"\mathrm{" + base + "}"
        if accent == "prime":
            base = base + "'"
        elif accent:
            base = "\\" + ("widetilde" if accent == "tilde" and len(base) > 2 else accent) + "{" + base + "}"
        if sub and sub.isalpha() and len(sub) > 1 and not _greek_name(sub) and not (sup and len(sub) == 2):
            sub = r"\mathrm{" + sub + "}"                # w_new: a word, upright (w^(l)_ij: two indices)
        sub = sub_math or (_latex_letter(sub) if sub else "")
        if sup:                                          # w^{(2)}_{11}: the layer index
            base = base + "^{(" + _latex_letter(sup) + ")}"
        return base + ("_{" + sub + "}" if sub else "")

    def statements(self, parts):
        return r"\begin{aligned}&" + r" \\ &".join(parts) + r"\end{aligned}"

    def assign(self, target, rule):
        return target + r" \leftarrow " + rule

    def dots(self):
        return r"\dots"

    def neg(self, x):
        return "-" + x

    def parens(self, x):
        return r"\left(" + x + r"\right)"

    def brackets(self, x):
        return r"\left[" + x + r"\right]"

    def frac(self, a, b):
        return r"\frac{" + a + "}{" + b + "}"

    def power(self, a, b):
        return a + "^{" + b + "}"

    def times(self, a, b):
        return a + r" \cdot " + b

    def binary(self, a, op, b):
        return f"{a} {LATEX_OPS.get(op, op)} {b}"

    def cases(self, rows):
        lines = [value + (r" & \text{if } " + cond if cond is not None else r" & \text{otherwise}")
                 for value, cond in rows]
        return r"\begin{cases}" + r" \\ ".join(lines) + r"\end{cases}"

    def bigop(self, kind, index, lower, upper, body):
        sign = "\\" + ("prod" if kind == "product" else "sum")
        if lower is None:
            return sign + "_{" + index + "} " + body
        return sign + "_{" + index + "=" + lower + "}^{" + upper + "} " + body

    def infix(self, a, op, b):
        return f"{a} {LATEX_INFIX[op]} {b}"

    def transform(self, x, inverse):
        return r"\mathcal{F}" + ("^{-1}" if inverse else "") + r"\left(" + x + r"\right)"

    def juxtapose(self, items):
        out = ""
        for item in items:                               # δ_{ij}; \nabla f, not \nablaf
            out += (" " if re.search(r"\\[A-Za-z]+$", out) and re.match(r"[A-Za-z]", item) else "") + item
        return out

    def derivative(self, expr, var, ordinary):
        d = r"\mathrm{d}" if ordinary else r"\partial "
        return r"\frac{" + d + expr + "}{" + d + var + "}"

    def derivative_of(self, expr, var, ordinary):
        d = r"\mathrm{d}" if ordinary else r"\partial "
        return r"\frac{" + d.strip() + "}{" + d + var + "} " + expr

    def call(self, name, args):
        inner = ", ".join(args)
        special = {"floor": (r"\left\lfloor ", r"\right\rfloor"), "ceil": (r"\left\lceil ", r"\right\rceil"),
                   "Abs": (r"\left|", r"\right|"), "abs": (r"\left|", r"\right|"),
                   "Norm": (r"\left\|", r"\right\|")}
        if name in special:
            return special[name][0] + inner + special[name][1]
        if name == "sqrt":
            return r"\sqrt{" + inner + "}"
        if name == "exp":
            return "e^{" + inner + "}"
        if name in ("Sum", "sum"):
            return r"\sum " + inner
        if name == "sigmoid":
            return r"\sigma\left(" + inner + r"\right)"
        op = {"log": r"\log", "ln": r"\ln", "sin": r"\sin", "cos": r"\cos", "tanh": r"\tanh",
              "max": r"\max", "min": r"\min"}.get(name, r"\operatorname{" + name + "}")
        return op + r"\left(" + inner + r"\right)"

    def operator(self, name, sub, args):
        sub = r"\mathrm{" + sub + "}" if sub.isalpha() and len(sub) > 1 else _latex_letter(sub)
        return (r"\operatorname{" + name + "}" + ("_{" + sub + "}" if sub else "")
                + r"\left(" + ", ".join(args) + r"\right)")


def typst_string(text: str) -> str:
    """A Typst string literal: backslashes and quotes escaped, so no character is read as markup."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class TypstPrinter(Printer):
    def verbatim(self, text):
        from dltutor.render.formula_unicode import prose, with_scripts

        def script(base, mark, inner):     # W_f: a script Unicode cannot write, set in math
            sub = inner if re.fullmatch(r"[A-Za-z]", inner) else typst_string(inner)
            return f" {base if len(base) == 1 else typst_string(base)}{mark}({sub}) "

        return with_scripts(prose(text), lambda piece: typst_string(piece) if piece else "", script).strip()

    def equals(self, sides):
        return " = ".join(sides)

    def number(self, text):
        mantissa, exp = split_exponent(text)
        if exp is None:
            return text
        return f"10^({exp})" if mantissa == "1" else f"{mantissa} dot 10^({exp})"

    def symbol(self, base, sub, accent="", sub_math="", sup=""):
        base = base if len(base) == 1 else f'"{base}"'
        if accent:
            base = f"{base}'" if accent == "prime" else f"{accent}({base})"
        if sup:                                          # w^((2))_(11): the layer index in parentheses
            base = base + f"^(({sup}))"
            if len(sub) == 2 and sub.isalpha():          # w^((l))_(i j): two indices, not a word
                return base + f"_({sub[0]} {sub[1]})"
        if sub_math:
            return base + f"_({sub_math})"
        return base + (f'_("{sub}")' if sub and len(sub) > 1 and not sub.isdigit() else f"_({sub})" if sub else "")

    def statements(self, parts):
        return "& " + " \\ & ".join(parts)

    def assign(self, target, rule):
        return f"{target} <- {rule}"

    def dots(self):
        return "dots"

    def neg(self, x):
        return "-" + x

    def parens(self, x):
        return "(" + x + ")"

    def brackets(self, x):
        return "[" + x + "]"

    def frac(self, a, b):
        return f"({a})/({b})"

    def power(self, a, b):
        return f"{a}^({b})"

    def times(self, a, b):
        return f"{a} dot {b}"

    def binary(self, a, op, b):
        return f"{a} {({'−': '-', '≤': '<=', '≥': '>=', '≠': '!='}).get(op, op)} {b}"

    def cases(self, rows):
        return "cases(" + ", ".join(f'{value} & "if " {cond}' if cond is not None else f'{value} & "otherwise"'
                                    for value, cond in rows) + ")"

    def bigop(self, kind, index, lower, upper, body):
        if lower is None:
            return f"{kind}_({index}) {body}"
        return f"{kind}_({index} = {lower})^({upper}) {body}"

    def infix(self, a, op, b):
        return f"{a} {TYPST_INFIX[op]} {b}"

    def transform(self, x, inverse):
        return "cal(F)" + ("^(-1)" if inverse else "") + f"({x})"

    def derivative(self, expr, var, ordinary):
        d = "dif" if ordinary else "partial"
        return f"({d} {expr})/({d} {var})"

    def derivative_of(self, expr, var, ordinary):
        d = "dif" if ordinary else "partial"
        return f"{d}/({d} {var}) {expr}"

    def call(self, name, args):
        inner = ", ".join(args)
        if name == "exp":
            return f"e^({inner})"
        if name in ("Abs", "abs"):
            return f"abs({inner})"
        if name == "Norm":
            return f"norm({inner})"
        if name in ("Sum", "sum"):
            return f"sum {inner}"
        if name == "sigmoid":
            return f"sigma({inner})"
        if name in ("floor", "ceil", "sqrt", "log", "ln", "sin", "cos", "tanh", "max", "min"):
            return f"{name}({inner})"
        return f'op("{name}")({inner})'

    def operator(self, name, sub, args):
        sub = (f'_("{sub}")' if len(sub) > 1 and sub.isalpha() else f"_({sub})") if sub else ""
        return f'op({typst_string(name)}){sub}(' + ", ".join(args) + ")"


def mathml_number(text: str) -> str:
    """``-0.5`` → <mn>−0.5</mn> (a true minus sign, kept tight to its digits); ``1e-07`` → 10⁻⁷."""
    mantissa, exp = split_exponent(text)
    mantissa = escape(mantissa.replace("-", "−"))
    if exp is None:
        return f"<mn>{mantissa}</mn>"
    power = f"<msup><mn>10</mn><mn>{str(exp).replace('-', '−')}</mn></msup>"
    return power if mantissa == "1" else f"<mn>{mantissa}</mn><mo>·</mo>{power}"


# Chromium reads MathML Core, which has no columnalign: the cells of a table say it in CSS.
LEFT_CELL = '<mtd style="text-align: left">'


def mathml_aligned(rows) -> str:
    """Lines aligned at their '=': ``rows`` are (left side, the rest after '=' or None); a
    left side of "" continues the line above (``= 0.5``)."""
    cells = []
    for left, rest in rows:
        cells.append('<mtr><mtd style="text-align: right; padding: .2em 0">' + left + "</mtd>"
                     + '<mtd style="text-align: left; padding: .2em 0">'
                     + ("" if rest is None else EQUALS + rest) + "</mtd></mtr>")
    return "<mtable>" + "".join(cells) + "</mtable>"


# first in its row, '=' would be read as a prefix operator and lose its spacing
EQUALS = '<mo form="infix">=</mo>'


class MathMLPrinter(Printer):
    def verbatim(self, text):
        from dltutor.render.formula_unicode import prose, with_scripts

        def script(base, mark, inner):     # W_f: a script Unicode cannot write, set in math
            tag = "msub" if mark == "_" else "msup"
            sub = f"<mi>{inner}</mi>" if re.fullmatch(r"[A-Za-z]", inner) else f"<mtext>{escape(inner)}</mtext>"
            return f"<{tag}><mi>{escape(base)}</mi>{sub}</{tag}>"

        return with_scripts(prose(text), lambda piece: f"<mtext>{escape(piece)}</mtext>" if piece else "", script)

    def equals(self, sides):
        return "<mo>=</mo>".join(sides)

    def number(self, text):
        return mathml_number(text)

    def symbol(self, base, sub, accent="", sub_math="", sup=""):
        tag = "mi" if len(base) == 1 else "mi mathvariant=\"normal\""
        b = f"<{tag}>{escape(base)}</mi>"
        if accent == "prime":
            b = f"<msup>{b}<mo>′</mo></msup>"
        elif accent:
            mark = {"hat": "^", "tilde": "~", "bar": "¯"}[accent]
            b = f'<mover accent="true">{b}<mo>{mark}</mo></mover>'
        tag = "mn" if sub.isdigit() else "mi"
        script = f"<mrow>{sub_math}</mrow>" if sub_math else f"<{tag}>{escape(sub)}</{tag}>" if sub else ""
        if sup:                                          # w⁽²⁾₁₁: the layer index in parentheses
            index = f"<{'mn' if sup.isdigit() else 'mi'}>{escape(sup)}</{'mn' if sup.isdigit() else 'mi'}>"
            # prefix and postfix fences: Chromium spaces a bare <mo>(</mo> as an operator, W⁽ ¹ ⁾
            upper = (f'<mrow><mo form="prefix" stretchy="false">(</mo>{index}'
                     '<mo form="postfix" stretchy="false">)</mo></mrow>')
            return f"<msubsup>{b}{script}{upper}</msubsup>" if script else f"<msup>{b}{upper}</msup>"
        return f"<msub>{b}{script}</msub>" if script else b

    def assign(self, target, rule):
        return f"{target}<mo>←</mo>{rule}"

    def statements(self, parts):
        rows = "".join(f"<mtr>{LEFT_CELL}{p}</mtd></mtr>" for p in parts)
        return f'<mtable columnalign="left">{rows}</mtable>'

    def comma_list(self, items):
        return "<mo>,</mo>".join(items)

    def dots(self):
        return "<mo>…</mo>"

    def neg(self, x):
        # in its own row the minus is a prefix operator: tight, not spaced like a subtraction
        return f"<mrow><mo>−</mo>{x}</mrow>"

    def parens(self, x):
        return f"<mrow><mo>(</mo>{x}<mo>)</mo></mrow>"

    def brackets(self, x):
        return f"<mrow><mo>[</mo>{x}<mo>]</mo></mrow>"

    def frac(self, a, b):
        return f"<mfrac><mrow>{a}</mrow><mrow>{b}</mrow></mfrac>"

    def power(self, a, b):
        if a.startswith("<msub>") and a.endswith("</msub>") and _one_element(a):
            return f"<msubsup>{a[6:-7]}<mrow>{b}</mrow></msubsup>"      # β₁ᵗ, not (β₁)ᵗ
        return f"<msup><mrow>{a}</mrow><mrow>{b}</mrow></msup>"

    def times(self, a, b):
        return f"{a}<mo>·</mo>{b}"

    def binary(self, a, op, b):
        return f"{a}<mo>{escape(op)}</mo>{b}"

    def cases(self, rows):
        cells = "".join(f"<mtr>{LEFT_CELL}{value}</mtd>{LEFT_CELL}"
                        + (f'<mtext>if </mtext><mspace width="0.4em"/>{cond}' if cond is not None
                           else "<mtext>otherwise</mtext>")
                        + "</mtd></mtr>" for value, cond in rows)
        return f"<mrow><mo>{{</mo><mtable>{cells}</mtable></mrow>"

    def infix(self, a, op, b):
        return f"{a}<mo>{UNICODE_INFIX[op]}</mo>{b}"

    def transform(self, x, inverse):
        head = "<mi>ℱ</mi>"
        if inverse:
            head = f"<msup>{head}<mrow><mo>−</mo><mn>1</mn></mrow></msup>"
        return f"{head}<mrow><mo>(</mo>{x}<mo>)</mo></mrow>"

    def juxtapose(self, items):
        return "".join(items)

    def bigop(self, kind, index, lower, upper, body):
        sign = "∏" if kind == "product" else "∑"
        if lower is None:
            return f"<mrow><munder><mo>{sign}</mo><mrow>{index}</mrow></munder>{body}</mrow>"
        return (f"<mrow><munderover><mo>{sign}</mo><mrow>{index}<mo>=</mo>{lower}</mrow>"
                f"<mrow>{upper}</mrow></munderover>{body}</mrow>")

    def _d(self, ordinary):
        return '<mi mathvariant="normal">d</mi>' if ordinary else "<mo>∂</mo>"

    def derivative(self, expr, var, ordinary):
        d = self._d(ordinary)
        return f"<mfrac><mrow>{d}{expr}</mrow><mrow>{d}{var}</mrow></mfrac>"

    def derivative_of(self, expr, var, ordinary):
        d = self._d(ordinary)
        return f"<mrow><mfrac><mrow>{d}</mrow><mrow>{d}{var}</mrow></mfrac>{expr}</mrow>"

    def call(self, name, args):
        inner = "<mo>,</mo>".join(args)
        brackets = {"floor": ("⌊", "⌋"), "ceil": ("⌈", "⌉"), "Abs": ("|", "|"), "abs": ("|", "|"),
                    "Norm": ("‖", "‖")}
        if name in brackets:
            left, right = brackets[name]
            return f"<mrow><mo>{left}</mo>{inner}<mo>{right}</mo></mrow>"
        if name == "sqrt":
            return f"<msqrt>{inner}</msqrt>"
        if name == "exp":
            return f"<msup><mi>e</mi><mrow>{inner}</mrow></msup>"
        if name in ("Sum", "sum"):
            return f"<mo>∑</mo>{inner}"
        shown = "σ" if name == "sigmoid" else name
        return f"<mi>{escape(shown)}</mi><mrow><mo>(</mo>{inner}<mo>)</mo></mrow>"

    def operator(self, name, sub, args):
        head = f"<mi>{escape(name)}</mi>"
        if sub:
            head = f"<msub>{head}<mi>{escape(sub)}</mi></msub>"
        return f"{head}<mrow><mo>(</mo>{'<mo>,</mo>'.join(args)}<mo>)</mo></mrow>"


def _one_element(text: str) -> bool:
    """Whether MathML ``text`` is a single element (``<msub>…</msub>``, not two side by side)."""
    import xml.etree.ElementTree as ET

    try:
        ET.fromstring(text)
    except ET.ParseError:
        return False
    return True


def to_latex(text: str) -> str:
    return LatexPrinter().doprint(text)


def to_typst(text: str) -> str:
    return TypstPrinter().doprint(text)


def to_mathml(text: str, display: bool = False) -> str:
    mode = ' display="block"' if display else ""
    return f"<math{mode}><mrow>{MathMLPrinter().doprint(text)}</mrow></math>"
