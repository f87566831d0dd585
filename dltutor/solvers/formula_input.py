"""Formulas typed by a user (``solve optimizer --f "x**2 + 10*y**2"``), read into sympy safely.

The text goes through Python's parser into a syntax tree, and the tree is
translated node by node from a whitelist; nothing is evaluated. Depth, length
and exact powers are capped so that no formula can hang or exhaust memory.
"""

from __future__ import annotations

import math

from dltutor.errors import InputError
from dltutor.values import MAX_ABS, check_length
from dltutor.values import quote as _show

FORMULA_FUNCTIONS = ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid")


def parse_formula(text: str, variables: tuple[str, ...] = ("x", "y", "z"), what: str = "formula"):
    """A sympy expression from a whitelist: numbers, the named variables,
    + - * / **, parentheses and the functions exp, log, sqrt, sin, cos, tanh,
    sigmoid. The text is read by Python's parser into a syntax tree and the
    tree is translated node by node; nothing is evaluated."""
    import ast
    import warnings

    import sympy

    text = check_length(text, what)
    if len(text) > 500:
        raise InputError(f"{what} is {len(text)} characters long; the limit is 500")
    try:
        with warnings.catch_warnings():   # "2x" would print a SyntaxWarning on stderr
            warnings.simplefilter("ignore")
            source = text.replace("^", "**")
            tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError):     # ValueError: a NUL byte, on some Python versions
        raise InputError(f"{what} {_show(text)} is not an arithmetic expression") from None

    symbols = {name: sympy.Symbol(name, real=True) for name in variables}
    functions = {
        "exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "sin": sympy.sin,
        "cos": sympy.cos, "tanh": sympy.tanh, "sigmoid": lambda a: 1 / (1 + sympy.exp(-a)),
    }
    binary = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
              ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}
    nodes = 0

    def build(node):
        nonlocal nodes
        nodes += 1
        if nodes > 200:
            raise InputError(f"{what} {_show(text)} is too long (at most 200 terms)")
        if isinstance(node, ast.Expression):
            return build(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            # abs() first: math.isfinite() of a 400-digit int raises OverflowError
            if abs(node.value) > MAX_ABS or not math.isfinite(node.value):
                written = ast.get_source_segment(source, node) or repr(node.value)
                raise InputError(f"{what}: number {_show(written, 24)} is out of range "
                                 f"(the limit is {MAX_ABS:g} in magnitude)")
            return sympy.Rational(str(node.value)) if isinstance(node.value, float) else sympy.Integer(node.value)
        if isinstance(node, ast.Name):
            if node.id in symbols:
                return symbols[node.id]
            raise InputError(
                f"{what}: unknown name {node.id!r}; use the variables {', '.join(variables)} "
                f"and the functions {', '.join(FORMULA_FUNCTIONS)}")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = build(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp) and type(node.op) in binary:
            left, right = build(node.left), build(node.right)
            if isinstance(node.op, ast.Div) and right.is_zero:
                raise InputError(f"{what} {_show(text)} divides by zero")
            return binary[type(node.op)](left, right)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            base, exponent = build(node.left), build(node.right)
            _check_power(base, exponent, what)
            return base ** exponent
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            if node.func.id not in functions:
                raise InputError(
                    f"{what}: unknown function {node.func.id!r}; allowed: {', '.join(FORMULA_FUNCTIONS)}")
            if len(node.args) != 1:
                raise InputError(f"{what}: {node.func.id}() takes exactly one argument")
            return functions[node.func.id](build(node.args[0]))
        snippet = ast.get_source_segment(text.replace("^", "**"), node) or type(node).__name__
        raise InputError(f"{what}: {snippet!r} is not allowed; only arithmetic, ** and "
                         f"{', '.join(FORMULA_FUNCTIONS)} are")

    expr = build(tree)
    # 1/0, log(0), sqrt(-1): sympy answers zoo, nan or I; none is a real, finite formula
    if expr.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan, sympy.I):
        raise InputError(f"{what} {_show(text)} is not a real, finite expression "
                         f"(a division by zero, log of 0 or square root of a negative number?)")
    return expr


MAX_POWER_BITS = 4096    # an exact power of numbers in a formula: at most this many bits


def _check_power(base, exponent, what: str) -> None:
    """Refuse powers that sympy would compute exactly but hugely: ``x**(10**40)``,
    ``((9**99)**99)**99`` (millions of digits: minutes of work, then an overflow)."""
    if not exponent.is_number:
        return
    try:
        size = abs(complex(exponent))
    except (TypeError, ValueError, OverflowError):
        size = math.inf
    if not size <= 100:
        shown = str(exponent)
        shown = shown if len(shown) <= 20 else shown[:17] + "..."
        raise InputError(f"{what}: exponent {shown} is too large (at most 100 in magnitude)")
    if base.is_Rational and exponent.is_Rational:
        bits = max(abs(base.p).bit_length(), base.q.bit_length())
        if bits * size > MAX_POWER_BITS:
            raise InputError(f"{what}: a power of numbers is too large (more than "
                             f"{MAX_POWER_BITS} bits; the limit is about 1e1233)")
