"""What every solver returns: a ``Solution`` made of ``Step``s.

A step holds the general formula, the same formula with the numbers put in,
and the value, so that every face (terminal, JSON, sheets, TUI) shows the same
working. Numbers inside the substituted text are kept as numbers (``Filled``)
until a renderer decides how many digits to show; values and answers are plain
Python (floats at full precision, lists of rows for matrices).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from dltutor.values import format_value


INPUT_DIGITS = 6     # significant figures of the numbers put into a formula, whatever --digits asks


@dataclass(frozen=True)
class Filled:
    """A formula with numbers substituted: ``Filled("{} + {}", (1.5, 2))``.

    The numbers are formatted when rendered. A step's result is rounded to ``digits``; the
    numbers put into its formula get one figure more, and never fewer than ``INPUT_DIGITS``, so
    that the line is true as printed: with ``--digits 3`` it reads
    ``1/(1 + exp(-1.10591)) = 0.751``, not ``1/(1 + exp(-1.11)) = 0.751`` (σ(1.11) is 0.752)."""

    template: str
    values: tuple = ()

    def render(self, digits: int | None = 6) -> str:
        shown = None if digits is None else max(digits + 1, INPUT_DIGITS)
        return self.template.format(*(format_value(v, shown) for v in self.values))

    def __str__(self) -> str:
        return self.render()


def fill(template: str, *values) -> Filled:
    """Shorthand for ``Filled(template, values)``."""
    return Filled(template, tuple(values))


@dataclass(frozen=True)
class Table:
    """A small table inside a step: a truth table, one row per sample of an epoch, a layer table."""

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]

    def to_dict(self) -> dict:
        return {"columns": list(self.columns), "rows": [[plain(c) for c in row] for row in self.rows]}


@dataclass(frozen=True)
class Step:
    """One line of working: title, general formula, the formula with numbers, the value."""

    title: str
    formula: str = ""
    substituted: str | Filled = ""
    value: Any = None
    note: str = ""
    table: Table | None = None
    # the answer key that only this step works towards (backprop's weight updates: "w2"): a
    # problem that does not ask for it leaves the step out of its worked solution
    gives: str = ""

    def to_dict(self, digits: int | None = 6) -> dict:
        out = {"title": self.title, "formula": self.formula, "value": plain(self.value)}
        sub = self.substituted.render(digits) if isinstance(self.substituted, Filled) else self.substituted
        if sub:
            out["substituted"] = sub
        if self.note:
            out["note"] = self.note
        if self.table is not None:
            out["table"] = self.table.to_dict()
        return out


@dataclass(frozen=True)
class Solution:
    """A solved problem: what was asked (``inputs``), the ``answer`` and the ``steps``."""

    kind: str
    inputs: dict
    answer: Any
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def to_dict(self, digits: int | None = 6) -> dict:
        """The JSON object of CLI.md: ``{"kind", "inputs", "answer", "steps"}``."""
        return {
            "kind": self.kind,
            "inputs": plain(self.inputs),
            "answer": plain(self.answer),
            "steps": [s.to_dict(digits) for s in self.steps],
        }


def plain(value):
    """NumPy arrays and scalars, tuples and Fractions as plain JSON-able Python."""
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, Filled):
        return value.render()
    return value
