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
import threading
import time
from contextlib import contextmanager
from typing import Any

import numpy as np

from dltutor.solution import plain
from dltutor.values import format_number


# ---------------------------------------------------------------- limits
# Every intermediate value is bounded, so that no family file (a teacher's included) can make
# a command take gigabytes or minutes: a text of at most MAX_STRING characters, a list or array
# of at most MAX_ELEMENTS numbers, a whole number of at most MAX_INT_BITS bits, an exponent of
# at most MAX_EXPONENT, an expression of at most MAX_EXPRESSION characters and MAX_DEPTH levels
# of nesting; and an evaluation stops when the draw's time budget (``budget``) is spent.

MAX_STRING = 10_000
MAX_ELEMENTS = 10_000
MAX_INT_BITS = 256
MAX_EXPONENT = 100
MAX_EXPRESSION = 2_000
MAX_DEPTH = 40
MAX_DIGITS_ARG = 100        # round(x, n): |n| at most this


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
    "abs": lambda x: np.abs(x), "min": min, "max": max, "round": lambda x, *n: _round(x, *n),
    "floor": lambda x: int(math.floor(x)), "ceil": lambda x: int(math.ceil(x)),
    "sqrt": np.sqrt, "exp": np.exp, "log": np.log, "tanh": np.tanh, "sigmoid": _sigmoid,
    "step": _step, "sign": _sign, "sum": lambda x: np.sum(x), "mean": lambda x: np.mean(x),
    "prod": lambda x: np.prod(x), "len": len, "int": int, "float": float, "str": lambda x: to_text(x),
    "dot": lambda a, b: np.dot(np.asarray(a, dtype=float), np.asarray(b, dtype=float)),
    "outer": lambda a, b: _outer(a, b), "transpose": lambda a: np.transpose(a),
    "all": lambda x: bool(np.all(x)), "any": lambda x: bool(np.any(x)),
    "zeros": lambda n: [0.0] * _count(n), "dataset": _dataset, "text": lambda x: to_text(x),
    "flat": lambda x: np.ravel(x), "concat": lambda *xs: np.concatenate([np.ravel(x) for x in xs]),
    "column": lambda m, j: [row[int(j)] for row in m], "take": lambda v, idx: [v[int(j)] for j in idx],
    "onehot": lambda i, n: [1 if j == int(i) else 0 for j in range(_count(n))],
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


class LimitError(ExpressionError):
    """An expression that would exceed a size limit or the time budget of a draw."""


class LanguageError(ExpressionError):
    """Something the family language does not have (``%`` on a text)."""


class _Budget(threading.local):
    deadline: float | None = None
    seconds: float = 0.0


_BUDGET = _Budget()


@contextmanager
def budget(seconds: float):
    """Evaluations inside the block stop with ``LimitError`` once ``seconds`` have passed
    (nested blocks keep the earlier deadline)."""
    outer = _BUDGET.deadline, _BUDGET.seconds
    deadline = time.monotonic() + seconds
    if outer[0] is None or deadline < outer[0]:
        _BUDGET.deadline, _BUDGET.seconds = deadline, seconds
    try:
        yield
    finally:
        _BUDGET.deadline, _BUDGET.seconds = outer


def check_budget(what: str = "the draw") -> None:
    """Raise ``LimitError`` when the time budget of the enclosing ``budget`` block is spent."""
    if _BUDGET.deadline is not None and time.monotonic() > _BUDGET.deadline:
        raise LimitError(f"{what} took more than its time budget of {_BUDGET.seconds:g} s")


def _count(n) -> int:
    n = int(n)
    if n > MAX_ELEMENTS:
        raise LimitError(f"a list of {n:,} elements is over the limit of {MAX_ELEMENTS:,}")
    return n


def _round(x, *n):
    if n and abs(int(n[0])) > MAX_DIGITS_ARG:
        raise LimitError(f"round to {int(n[0])} digits is over the limit of {MAX_DIGITS_ARG}")
    return round(x, *n)


def _outer(a, b):
    size = np.size(a) * np.size(b)
    if size > MAX_ELEMENTS:
        raise LimitError(f"an outer product of {size:,} elements is over the limit of {MAX_ELEMENTS:,}")
    return np.outer(a, b)


def _size(value, limit: int = MAX_ELEMENTS) -> int:
    """The number of elements of a (nested) list or array, counting no further than ``limit`` + 1."""
    if isinstance(value, np.ndarray):
        return int(value.size)
    if isinstance(value, (list, tuple)):
        total = 0
        for v in value:
            total += _size(v, limit - total) if isinstance(v, (list, tuple, np.ndarray)) else 1
            if total > limit:
                break
        return total
    return 1


def check_value(value, text: str = ""):
    """``value`` itself, or ``LimitError`` when it is larger than the language allows."""
    where = f"{text!r}: " if text else ""
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise LimitError(f"{where}a text of {len(value):,} characters is over the limit of {MAX_STRING:,}")
    elif isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_INT_BITS:
            raise LimitError(f"{where}a whole number of more than {MAX_INT_BITS} bits is over the limit")
    elif isinstance(value, (list, tuple, np.ndarray)):
        size = _size(value)
        if size > MAX_ELEMENTS:
            raise LimitError(f"{where}a list of more than {MAX_ELEMENTS:,} elements is over the limit")
        if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
            for v in value.ravel()[:MAX_ELEMENTS]:
                check_value(v, text)
    return value


def _check_operands(op, left, right, text: str) -> None:
    """Refuse an operation whose result would be over a limit, before it is computed."""
    where = f"{text!r}: "
    if isinstance(op, ast.Mod) and isinstance(left, str):
        raise LanguageError(f"{where}% formats text in Python; it is not part of the family language")
    if isinstance(op, ast.Mult):
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str) and isinstance(times, (int, np.integer)) and not isinstance(times, bool):
                if len(seq) * max(int(times), 0) > MAX_STRING:
                    raise LimitError(f"{where}a text of {len(seq) * int(times):,} characters is over the "
                                     f"limit of {MAX_STRING:,}")
    if isinstance(op, ast.Pow):
        if np.max(np.abs(right)) > MAX_EXPONENT:
            raise LimitError(f"{where}exponent over the limit of {MAX_EXPONENT}")
        if isinstance(left, int) and isinstance(right, int) and left not in (0, 1, -1) and right > 0:
            bits = left.bit_length() * right
            if bits > MAX_INT_BITS:
                raise LimitError(f"{where}a whole number of about {bits} bits is over the limit of "
                                 f"{MAX_INT_BITS}")
    if isinstance(left, np.ndarray) and isinstance(right, np.ndarray):
        try:
            if isinstance(op, ast.MatMult):
                if left.ndim >= 2 and right.ndim >= 2:
                    size = int(np.prod(left.shape[:-1])) * int(np.prod(right.shape[:-2] + right.shape[-1:]))
                else:
                    size = max(left.size, right.size)
            else:
                size = int(np.prod(np.broadcast_shapes(left.shape, right.shape)))
        except ValueError:
            return      # the operation itself reports the mismatch
        if size > MAX_ELEMENTS:
            raise LimitError(f"{where}a result of {size:,} elements is over the limit of {MAX_ELEMENTS:,}")


def _arith(a):
    return np.asarray(a, dtype=float) if isinstance(a, list) else a


def _depth(node, limit: int) -> int:
    """The nesting depth of a syntax tree, counting no further than ``limit`` + 1 (no recursion)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _nesting(text: str) -> int:
    """The deepest bracket nesting of ``text`` (checked before Python's parser sees it)."""
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def compile_expression(text: str) -> ast.Expression:
    """The syntax tree of ``text``; too long or too deeply nested is refused before parsing.
    An expression that uses no names is evaluated once here, so that a constant over the limits
    (``'a' * 10**9``) is refused when the file is read."""
    if text not in _CACHE:
        source = str(text).strip()
        if len(source) > MAX_EXPRESSION:
            raise LimitError(f"an expression of {len(source):,} characters is over the limit of "
                             f"{MAX_EXPRESSION:,}")
        if _nesting(source) > MAX_DEPTH:
            raise LimitError(f"{source[:40]!r}...: brackets nested more than {MAX_DEPTH} deep")
        try:
            tree = ast.parse(source, mode="eval")
        except (SyntaxError, MemoryError, RecursionError, ValueError):
            raise ExpressionError(f"{text!r} is not a valid expression") from None
        if _depth(tree, 3 * MAX_DEPTH) > 3 * MAX_DEPTH:
            raise LimitError(f"{source[:40]!r}...: nested more than {MAX_DEPTH} deep")
        nodes = list(ast.walk(tree))
        called = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
        if not any(isinstance(n, ast.Name) and id(n) not in called and n.id not in ("true", "false")
                   for n in nodes):
            with budget(1.0):
                try:
                    plain(_eval(tree.body, {}, text))
                except (LimitError, LanguageError):
                    raise
                except Exception:       # other faults are reported where the value is used
                    pass
        if len(_CACHE) > 50_000:
            _CACHE.clear()
        _CACHE[text] = tree
    return _CACHE[text]


def evaluate(text: str, names: dict[str, Any]):
    """The value of expression ``text`` with the variables ``names`` (plain Python result)."""
    tree = compile_expression(text)
    try:
        return check_value(plain(_eval(tree.body, names, text)), text)
    except LimitError as exc:
        if str(exc).startswith(repr(text)):
            raise
        raise LimitError(f"{text!r}: {exc}") from None
    except ExpressionError:
        raise
    except MemoryError:
        raise LimitError(f"{text!r}: out of memory") from None
    except RecursionError:
        raise LimitError(f"{text!r}: nested too deeply") from None
    except (ArithmeticError, ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        raise ExpressionError(f"{text!r} fails: {type(exc).__name__}: {exc}") from None


def _eval(node, names, text):
    check_budget()
    return check_value(_eval_node(node, names, text), text)


def _eval_node(node, names, text):
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
        _check_operands(node.op, left, right, text)
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
