"""Formulas of the worked steps (sympy-syntax text) typeset for LaTeX, Typst and MathML.

A step's formula is text such as ``out = floor((n + 2*p - k)/s) + 1``. It is
read by Python's parser into a syntax tree (never evaluated) and printed by a
printer per target, one method per node type, like sympy's printers. Text
that is not an expression (``1 if z > 0 else 0`` is; ``shape = input[:-1]``
is not) falls back to verbatim text, so nothing is ever lost.
"""

from __future__ import annotations

import ast
import re
from html import escape

from dltutor.values import format_number

GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "eta": "η", "theta": "θ",
         "sigma": "σ", "rho": "ρ", "eps": "ε", "epsilon": "ε", "mu": "μ", "lam": "λ", "tau": "τ",
         "phi": "φ", "omega": "ω", "nabla": "∇"}
LATEX_GREEK = {"ε": r"\varepsilon", "∇": r"\nabla"}
FUNCTIONS = {"exp", "log", "ln", "sqrt", "sin", "cos", "tanh", "sigmoid", "floor", "ceil", "max", "min",
             "Abs", "abs", "Sum", "sum", "softmax", "relu", "f", "g"}
_OPS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "·"}
LATEX_OPS = {"−": "-", "≤": r"\le", "≥": r"\ge", "≠": r"\ne"}
_CMP = {ast.Eq: "=", ast.Lt: "<", ast.Gt: ">", ast.LtE: "≤", ast.GtE: "≥", ast.NotEq: "≠"}


def split_equation(text: str) -> list[str]:
    """``a = b = c`` → [a, b, c] (``==``, ``<=`` and ``>=`` are not split)."""
    return [part.strip() for part in re.split(r"(?<![=<>!])=(?!=)", text)]


def split_exponent(text: str) -> tuple[str, int | None]:
    """``1e-07`` → ("1", -7); ``0.5`` → ("0.5", None)."""
    if "e" not in text.lower():
        return text, None
    mantissa, exp = text.lower().split("e")
    return mantissa, int(exp)


def parse_side(text: str):
    try:
        return ast.parse(text.replace("^", "**"), mode="eval").body
    except SyntaxError:
        return None


def symbol_parts(name: str) -> tuple[str, str]:
    """``beta1`` → (β, 1); ``k_eff`` → (k, eff); ``w_h`` → (w, h)."""
    base, _, sub = name.partition("_")
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", base)
    if m and not sub:
        base, sub = m.group(1), m.group(2)
    return GREEK.get(base, base), GREEK.get(sub, sub)


class Printer:
    """Walks a syntax tree; subclasses say how each node looks in their language."""

    def doprint(self, text: str) -> str:
        sides = [parse_side(s) for s in split_equation(text)]
        if not text.strip() or any(s is None for s in sides):
            return self.verbatim(text)
        try:
            return self.equals([self.node(s) for s in sides])
        except (TypeError, ValueError, KeyError):
            return self.verbatim(text)

    def node(self, n) -> str:
        method = getattr(self, "print_" + type(n).__name__, None)
        if method is None:
            raise TypeError(type(n).__name__)
        return method(n)

    def print_Constant(self, n):
        if isinstance(n.value, str):
            raise TypeError("str")
        return self.number(format_number(n.value, None))

    def print_Name(self, n):
        return self.symbol(*symbol_parts(n.id))

    def print_UnaryOp(self, n):
        if isinstance(n.op, ast.USub):
            return self.neg(self.wrap(n.operand, add=True, signed=True))
        if isinstance(n.op, ast.UAdd):
            return self.node(n.operand)
        raise TypeError("unary")

    def wrap(self, n, *, add=False, mul=False, signed=False) -> str:
        """Parenthesize what the source's (now gone) parentheses held: sums inside products,
        and a negative number after an operator (``0.5·(−0.1)``, ``−(−2)``)."""
        out = self.node(n)
        needs = isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub)) and (add or mul)
        needs = needs or (isinstance(n, ast.IfExp) and (add or mul))
        needs = needs or (signed and isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)))
        return self.parens(out) if needs else out

    def print_BinOp(self, n):
        if isinstance(n.op, ast.Div):
            return self.frac(self.node(n.left), self.node(n.right))
        if isinstance(n.op, ast.Pow):
            base = self.node(n.left)
            if isinstance(n.left, (ast.BinOp, ast.UnaryOp)):
                base = self.parens(base)
            return self.power(base, self.node(n.right))
        if isinstance(n.op, ast.Mult):
            return self.times(self.wrap(n.left, mul=True), self.wrap(n.right, mul=True, signed=True))
        if isinstance(n.op, (ast.Add, ast.Sub)):
            right = self.wrap(n.right, add=isinstance(n.op, ast.Sub), signed=True)
            return self.binary(self.node(n.left), _OPS[type(n.op)], right)
        raise TypeError("operator")

    def print_Compare(self, n):
        out = self.node(n.left)
        for op, right in zip(n.ops, n.comparators):
            out = self.binary(out, _CMP[type(op)], self.node(right))
        return out

    def print_IfExp(self, n):
        return self.cases(self.node(n.body), self.node(n.test), self.node(n.orelse))

    def print_Call(self, n):
        if not isinstance(n.func, ast.Name) or n.keywords:
            raise TypeError("call")
        name = n.func.id
        args = [self.node(a) for a in n.args]
        if name in ("Sum", "sum") and len(n.args) == 1:
            args = [self.wrap(n.args[0], add=True)]
        if name not in FUNCTIONS and not re.fullmatch(r"[a-zA-Z]\w*", name):
            raise TypeError("call")
        return self.call(name, args)

    def print_Tuple(self, n):
        return self.parens(", ".join(self.node(e) for e in n.elts))


class LatexPrinter(Printer):
    def verbatim(self, text):
        return r"\text{" + re.sub(r"([#$%&_{}\\])", r"\\\1", text).replace("~", r"\~{}") + "}"

    def equals(self, sides):
        return " = ".join(sides)

    def number(self, text):
        mantissa, exp = split_exponent(text)
        if exp is None:
            return text
        power = "10^{" + str(exp) + "}"
        return power if mantissa == "1" else mantissa + r" \cdot " + power

    def symbol(self, base, sub):
        base = LATEX_GREEK.get(base, "\\" + _greek_name(base) if _greek_name(base) else base)
        if len(base) > 1 and not base.startswith("\\"):
            base = r"\mathrm{" + base + "}"
        return base + ("_{" + (LATEX_GREEK.get(sub) or ("\\" + _greek_name(sub) if _greek_name(sub) else sub))
                       + "}" if sub else "")

    def neg(self, x):
        return "-" + x

    def parens(self, x):
        return r"\left(" + x + r"\right)"

    def frac(self, a, b):
        return r"\frac{" + a + "}{" + b + "}"

    def power(self, a, b):
        return a + "^{" + b + "}"

    def times(self, a, b):
        return a + r" \cdot " + b

    def binary(self, a, op, b):
        return f"{a} {LATEX_OPS.get(op, op)} {b}"

    def cases(self, body, test, orelse):
        return r"\begin{cases}" + body + r" & \text{if } " + test + r" \\ " + orelse + r" & \text{otherwise}\end{cases}"

    def call(self, name, args):
        inner = ", ".join(args)
        special = {"floor": (r"\left\lfloor ", r"\right\rfloor"), "ceil": (r"\left\lceil ", r"\right\rceil"),
                   "Abs": (r"\left|", r"\right|"), "abs": (r"\left|", r"\right|")}
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


def _greek_name(symbol: str) -> str:
    names = {v: k for k, v in GREEK.items() if k not in ("eps", "lam")}
    names["λ"] = "lambda"
    return names.get(symbol, "")


class TypstPrinter(Printer):
    def verbatim(self, text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def equals(self, sides):
        return " = ".join(sides)

    def number(self, text):
        mantissa, exp = split_exponent(text)
        if exp is None:
            return text
        return f"10^({exp})" if mantissa == "1" else f"{mantissa} dot 10^({exp})"

    def symbol(self, base, sub):
        base = base if len(base) == 1 else f'"{base}"'
        return base + (f'_("{sub}")' if sub and len(sub) > 1 and not sub.isdigit() else f"_({sub})" if sub else "")

    def neg(self, x):
        return "-" + x

    def parens(self, x):
        return "(" + x + ")"

    def frac(self, a, b):
        return f"({a})/({b})"

    def power(self, a, b):
        return f"{a}^({b})"

    def times(self, a, b):
        return f"{a} dot {b}"

    def binary(self, a, op, b):
        return f"{a} {({'−': '-', '≤': '<=', '≥': '>=', '≠': '!='}).get(op, op)} {b}"

    def cases(self, body, test, orelse):
        return f'cases({body} & "if " {test}, {orelse} & "otherwise")'

    def call(self, name, args):
        inner = ", ".join(args)
        if name in ("floor", "ceil", "sqrt", "exp") and name != "exp":
            return f"{name}({inner})"
        if name == "exp":
            return f"e^({inner})"
        if name in ("Abs", "abs"):
            return f"abs({inner})"
        if name in ("Sum", "sum"):
            return f"sum {inner}"
        if name == "sigmoid":
            return f"sigma({inner})"
        if name in ("log", "ln", "sin", "cos", "tanh", "max", "min"):
            return f"{name}({inner})"
        return f'op("{name}")({inner})'


class MathMLPrinter(Printer):
    def verbatim(self, text):
        return f"<mtext>{escape(text)}</mtext>"

    def equals(self, sides):
        return "<mo>=</mo>".join(sides)

    def number(self, text):
        return f"<mn>{escape(text)}</mn>"

    def symbol(self, base, sub):
        tag = "mi" if len(base) == 1 else "mi mathvariant=\"normal\""
        b = f"<{tag}>{escape(base)}</mi>"
        return f"<msub>{b}<mi>{escape(sub)}</mi></msub>" if sub else b

    def neg(self, x):
        return f"<mo>−</mo>{x}"

    def parens(self, x):
        return f"<mrow><mo>(</mo>{x}<mo>)</mo></mrow>"

    def frac(self, a, b):
        return f"<mfrac><mrow>{a}</mrow><mrow>{b}</mrow></mfrac>"

    def power(self, a, b):
        return f"<msup><mrow>{a}</mrow><mrow>{b}</mrow></msup>"

    def times(self, a, b):
        return f"{a}<mo>·</mo>{b}"

    def binary(self, a, op, b):
        return f"{a}<mo>{escape(op)}</mo>{b}"

    def cases(self, body, test, orelse):
        return (f"<mrow><mo>{{</mo><mtable><mtr><mtd>{body}</mtd><mtd><mtext>if </mtext>{test}</mtd></mtr>"
                f"<mtr><mtd>{orelse}</mtd><mtd><mtext>otherwise</mtext></mtd></mtr></mtable></mrow>")

    def call(self, name, args):
        inner = "<mo>,</mo>".join(args)
        brackets = {"floor": ("⌊", "⌋"), "ceil": ("⌈", "⌉"), "Abs": ("|", "|"), "abs": ("|", "|")}
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


def to_latex(text: str) -> str:
    return LatexPrinter().doprint(text)


def to_typst(text: str) -> str:
    return TypstPrinter().doprint(text)


def to_mathml(text: str, display: bool = False) -> str:
    mode = ' display="block"' if display else ""
    return f"<math{mode}><mrow>{MathMLPrinter().doprint(text)}</mrow></math>"
