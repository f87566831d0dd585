"""A small, safe expression language for problem families (problems/*.toml).

Families are data, yet they need a little arithmetic: a constraint such as
``(n + 2*p - k) % s == 0``, a derived value such as ``ceil(n/s)``, a part's
answer such as ``answer.layers[0].params``, a misconception such as
``(1 - answer.gates[0].z)*h0 + answer.gates[0].z*answer.gates[0].h_tilde``.

The text is read by Python's parser into a syntax tree, and the tree is walked
node by node over a whitelist (numbers, strings, names, lists, arithmetic,
comparisons, ``and/or/not``, ``a if c else b``, indexing, ``x.key`` for a
dictionary key, and the functions in ``FUNCTIONS``). Nothing is ``eval``-ed.
Arithmetic on lists is elementwise (NumPy); ``@`` is the matrix product.

Templates (prompts, option texts) hold expressions in braces: ``"{n}x{n}"``;
``{{`` and ``}}`` are literal braces. A value in a template is written in the
value grammar of CLI.md (``1,2;3,4`` for a matrix), with the shortest float
text that reads back exactly, so that a problem's text is the same on every
machine.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from typing import Any

import numpy as np

from dltutor.solution import plain
from dltutor.values import format_number


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def _step(x):
    return np.where(np.asarray(x, dtype=float) >= 0, 1.0, 0.0)


def _sign(x):
    return np.where(np.asarray(x, dtype=float) >= 0, 1.0, -1.0)


def _dataset(X, t) -> str:
    """The data-set text of CLI.md: ``x1,x2:t; ...``."""
    X = np.asarray(X, dtype=float)
    t = np.asarray(t, dtype=float)
    if X.ndim == 1:
        X = X[None, :]
    t = t.reshape(len(X), -1)
    return "; ".join(f"{to_text(list(x))}:{to_text(list(y))}" for x, y in zip(X, t))


FUNCTIONS = {
    "abs": lambda x: np.abs(x), "min": min, "max": max, "round": round,
    "floor": lambda x: int(math.floor(x)), "ceil": lambda x: int(math.ceil(x)),
    "sqrt": np.sqrt, "exp": np.exp, "log": np.log, "tanh": np.tanh, "sigmoid": _sigmoid,
    "step": _step, "sign": _sign, "sum": lambda x: np.sum(x), "mean": lambda x: np.mean(x),
    "prod": lambda x: np.prod(x), "len": len, "int": int, "float": float, "str": lambda x: to_text(x),
    "dot": lambda a, b: np.dot(np.asarray(a, dtype=float), np.asarray(b, dtype=float)),
    "outer": lambda a, b: np.outer(a, b), "transpose": lambda a: np.transpose(a),
    "all": lambda x: bool(np.all(x)), "any": lambda x: bool(np.any(x)),
    "zeros": lambda n: [0.0] * int(n), "dataset": _dataset, "text": lambda x: to_text(x),
    "flat": lambda x: np.ravel(x), "concat": lambda *xs: np.concatenate([np.ravel(x) for x in xs]),
    "column": lambda m, j: [row[int(j)] for row in m], "take": lambda v, idx: [v[int(j)] for j in idx],
    "onehot": lambda i, n: [1 if j == int(i) else 0 for j in range(int(n))],
    "flip": lambda m: np.flip(np.asarray(m), axis=(-2, -1)),
    "argmax": lambda x: int(np.argmax(x)), "distinct": lambda x: len(set(np.ravel(x).tolist())) == np.size(x),
}

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
           ast.Pow: operator.pow, ast.MatMult: operator.matmul}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
            ast.NotIn: lambda a, b: a not in b}

_CACHE: dict[str, ast.Expression] = {}


class ExpressionError(Exception):
    """An expression that does not parse or does not evaluate (the loader names the file and field)."""


def _arith(a):
    return np.asarray(a, dtype=float) if isinstance(a, list) else a


def compile_expression(text: str) -> ast.Expression:
    if text not in _CACHE:
        try:
            _CACHE[text] = ast.parse(str(text).strip(), mode="eval")
        except SyntaxError:
            raise ExpressionError(f"{text!r} is not a valid expression") from None
    return _CACHE[text]


def evaluate(text: str, names: dict[str, Any]):
    """The value of expression ``text`` with the variables ``names`` (plain Python result)."""
    tree = compile_expression(text)
    try:
        return plain(_eval(tree.body, names, text))
    except ExpressionError:
        raise
    except (ArithmeticError, ValueError, TypeError, IndexError, KeyError) as exc:
        raise ExpressionError(f"{text!r} fails: {type(exc).__name__}: {exc}") from None


def _eval(node, names, text):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in names:
            return names[node.id]
        if node.id in ("true", "false"):
            return node.id == "true"
        raise ExpressionError(f"{text!r}: unknown name {node.id!r}")
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(e, names, text) for e in node.elts]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _arith(_eval(node.left, names, text)), _arith(_eval(node.right, names, text))
        if isinstance(node.op, ast.Pow) and np.max(np.abs(right)) > 100:
            raise ExpressionError(f"{text!r}: exponent too large")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, names, text)
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(node.op, ast.USub):
            return -_arith(value)
        if isinstance(node.op, ast.UAdd):
            return _arith(value)
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            result = True
            for v in node.values:
                result = _eval(v, names, text)
                if not result:
                    return result
            return result
        result = False
        for v in node.values:
            result = _eval(v, names, text)
            if result:
                return result
        return result
    if isinstance(node, ast.Compare):
        left = _eval(node.left, names, text)
        for op, comp in zip(node.ops, node.comparators):
            right = _eval(comp, names, text)
            if type(op) not in _COMPARE:
                break
            ok = _COMPARE[type(op)](left, right)
            if not bool(np.all(ok)):
                return False
            left = right
        else:
            return True
    if isinstance(node, ast.IfExp):
        return _eval(node.body if _eval(node.test, names, text) else node.orelse, names, text)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        if node.func.id not in FUNCTIONS:
            raise ExpressionError(f"{text!r}: unknown function {node.func.id!r}; "
                                  f"allowed: {', '.join(sorted(FUNCTIONS))}")
        return FUNCTIONS[node.func.id](*(_eval(a, names, text) for a in node.args))
    if isinstance(node, ast.Attribute):
        base = _eval(node.value, names, text)
        if isinstance(base, dict) and node.attr in base:
            return base[node.attr]
        raise ExpressionError(f"{text!r}: no key {node.attr!r}")
    if isinstance(node, ast.Subscript):
        base = _eval(node.value, names, text)
        if isinstance(node.slice, ast.Slice):
            parts = [None if p is None else int(_eval(p, names, text))
                     for p in (node.slice.lower, node.slice.upper, node.slice.step)]
            return base[slice(*parts)]
        key = _eval(node.slice, names, text)
        if isinstance(base, np.ndarray):
            base = base.tolist()
        return base[key if isinstance(key, str) else int(key)]
    raise ExpressionError(f"{text!r}: {type(node).__name__} is not allowed in a family expression")


# ---------------------------------------------------------------- templates

def to_text(value) -> str:
    """A value in the grammar of CLI.md: ``0.5``, ``1,2,3``, ``1,2;3,4``, ``a | b`` (tensor)."""
    value = plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(value, None)
    if isinstance(value, list):
        if value and all(isinstance(v, list) for v in value):
            if all(isinstance(c, list) for v in value for c in v):
                return " | ".join(to_text(v) for v in value)
            return ";".join(to_text(v) for v in value)
        return ",".join(to_text(v) for v in value)
    return str(value)


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")


def placeholders(template: str) -> list[str]:
    return [m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1)]


def fill_template(template: str, names: dict[str, Any]) -> str:
    """Replace every ``{expression}`` by its value as text."""

    def replace(match):
        if match.group(0) == "{{":
            return "{"
        if match.group(0) == "}}":
            return "}"
        return to_text(evaluate(match.group(1), names))

    return _PLACEHOLDER.sub(replace, template)
