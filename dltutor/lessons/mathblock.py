"""``math`` blocks: sympy-syntax lines read into sympy expressions by a whitelist.

Nothing is evaluated: Python's parser gives the syntax tree and only the nodes
of the lessons' vocabulary (lessons/README.md) are turned into sympy objects;
the course's own notation (⊙, ⊛, ℱ, ...) comes from ``notation``. sympy is
imported inside the functions.
"""

from __future__ import annotations

import ast
import re

from dltutor.errors import InputError

MATH_FUNCTIONS = {
    "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "sin": "sin", "cos": "cos",
    "tanh": "tanh", "floor": "floor", "ceil": "ceiling", "ceiling": "ceiling", "abs": "Abs",
    "Abs": "Abs", "Sum": "Sum",
    "Derivative": "Derivative", "Piecewise": "Piecewise", "Matrix": "Matrix", "Product": "Product",
}


def math_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def parse_math(text: str) -> list[list]:
    """Every line of a math block as a chain of sympy expressions (``a = b = c`` → [a, b, c])."""
    return [[parse_math_expr(part.strip(), line) for part in _split_equals(line)]
            for line in _check_chains(math_lines(text))]


def _check_chains(lines: list[str]) -> list[str]:
    for line in lines:
        # '>=' and '<=' are comparisons, '==' is not sympy syntax here
        parts = _split_equals(line)
        if "==" in line or any(not part.strip() for part in parts):
            raise InputError(f"math line {line!r}: write 'a = b' with something on both sides")
    return lines


def _split_equals(line: str) -> list[str]:
    return re.split(r"(?<![<>!=])=(?!=)", line)


def parse_math_expr(text: str, line: str | None = None):
    """One sympy expression from sympy-syntax text, by a whitelist of syntax nodes.

    Names become symbols (``eta`` → η, ``w_1`` → w₁, ``h_(t-1)`` → hₜ₋₁, ``w^(2)_11`` → w⁽²⁾₁₁;
    ``a <- b`` is an update a ← b), calls
    to the functions of ``MATH_FUNCTIONS`` become those functions, other calls
    (``f(z)``, ``sigma(z)``) undefined functions; nothing is evaluated."""
    import sympy

    from dltutor.lessons.notation import (
        DOTS,
        NOTATION,
        CompareChain,
        IndexSum,
        LayerSymbol,
    )
    from dltutor.render.formula_walk import mark_superscripts, split_superscript

    where = line or text
    if "<-" in text:                       # w <- w - eta*g: an update, w ← …
        target, _, rule = text.partition("<-")
        return CompareChain(parse_math_expr(target.strip(), where), sympy.Symbol("←"),
                            parse_math_expr(rule.strip(), where))
    text = mark_superscripts(text)         # w^(2)_11: w with the layer index (2) and subscript 11
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError:
        raise InputError(f"math line {where!r} is not sympy syntax") from None
    binary = {ast.Add: lambda a, b: sympy.Add(a, b, evaluate=False),
              ast.Sub: lambda a, b: sympy.Add(a, sympy.Mul(-1, b, evaluate=False), evaluate=False),
              ast.Mult: lambda a, b: sympy.Mul(a, b, evaluate=False),
              ast.Div: lambda a, b: (sympy.Pow(b, -1, evaluate=False) if a == 1 else
                                     sympy.Mul(a, sympy.Pow(b, -1, evaluate=False), evaluate=False)),
              ast.Pow: lambda a, b: sympy.Pow(a, b, evaluate=False)}
    compare = {ast.GtE: sympy.Ge, ast.LtE: sympy.Le, ast.Gt: sympy.Gt, ast.Lt: sympy.Lt}
    source = text.replace("^", "**")

    def build(node):
        if isinstance(node, ast.Expression):
            return build(node.body)
        if isinstance(node, ast.Constant) and type(node.value) is bool:
            return sympy.true if node.value else sympy.false
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return sympy.Integer(node.value) if isinstance(node.value, int) else sympy.Float(node.value)
        if isinstance(node, ast.Constant) and node.value is Ellipsis:
            return DOTS
        if isinstance(node, ast.Name):
            name, sup = split_superscript(node.id)
            if sup:                        # w^(2)_11: printed w⁽²⁾₁₁
                head, _, sub = name.partition("_")
                return LayerSymbol(f"{head}^({sup})" + (f"_{sub}" if sub else ""))
            if re.fullmatch(r"[Wb]_[A-Za-z]", node.id):   # a gate's W_f, b_z: spelled as the calculator does
                return LayerSymbol(node.id)
            return DOTS if node.id == "cdots" else sympy.Symbol(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = build(node.operand)
            return sympy.Mul(-1, inner, evaluate=False) if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp) and type(node.op) in binary:
            return binary[type(node.op)](build(node.left), build(node.right))
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in compare:
            return compare[type(node.ops[0])](build(node.left), build(node.comparators[0]), evaluate=False)
        if isinstance(node, ast.Compare) and all(type(op) in compare for op in node.ops):
            from dltutor.lessons.notation import COMPARE_SIGNS, CompareChain

            parts = [build(node.left)]              # a < b <= c: one chain
            for op, right in zip(node.ops, node.comparators):
                parts += [sympy.Symbol(COMPARE_SIGNS[type(op).__name__]), build(right)]
            return CompareChain(*parts)
        if isinstance(node, ast.Tuple):     # Sum limits, Piecewise pairs
            return [build(e) for e in node.elts]
        if isinstance(node, ast.List):      # [h, x]: a concatenated vector, kept as one symbol
            parts = [sympy.pretty(build(e), use_unicode=True) for e in node.elts]
            return sympy.Symbol("[" + ", ".join(parts) + "]")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            name = node.func.id
            if name.endswith("_") and len(node.args) == 1:   # h_(t-1): a subscript
                sub = ast.get_source_segment(source, node.args[0]) or ""
                return sympy.Symbol(name + sub.replace(" ", ""))
            args = [build(a) for a in node.args]
            if name in NOTATION:
                return NOTATION[name](*args)
            if name == "KroneckerDelta" and len(args) == 2:
                return sympy.KroneckerDelta(*args, evaluate=False)
            if name == "Sum" and len(args) == 2 and isinstance(args[1], sympy.Symbol):
                return IndexSum(*args)             # Sum(a_k, k): the range is understood
            if name in MATH_FUNCTIONS:
                func = getattr(sympy, MATH_FUNCTIONS[name])
                if name in ("Sum", "Product", "Piecewise"):
                    args = [tuple(a) if isinstance(a, list) else a for a in args]
                if name in ("Abs", "floor", "ceil", "ceiling", "exp", "log", "sqrt",
                            "sin", "cos", "tanh", "Derivative"):
                    return func(*args, evaluate=False)
                return func(*args)
            # sigmoid is shown as σ; max, relu, softmax ... as written
            return sympy.Function("sigma" if name == "sigmoid" else name)(*args)
        snippet = ast.get_source_segment(source, node) or type(node).__name__
        raise InputError(f"math line {where!r}: {snippet!r} is not allowed in a formula")

    try:
        return build(tree)
    except InputError:
        raise
    except Exception as exc:  # sympy rejecting a well-formed but meaningless call
        raise InputError(f"math line {where!r}: {exc}") from None
