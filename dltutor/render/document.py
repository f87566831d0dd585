"""The walk shared by the document printers (Markdown, HTML, LaTeX, Typst).

A printer turns one ``Solution`` into text of its format: for every step the
title, the formula, the numbers substituted, the value, then a note and a
table if the step has them, and finally the answer. Subclasses only say how a
heading, a formula, a value, a table and a paragraph look in their format.
"""

from __future__ import annotations

from dltutor.solution import Filled, Solution, Step, Table
from dltutor.values import format_value


def is_matrix(value) -> bool:
    """A list of rows of numbers (one row or more): ``[[1, 2], [3, 4]]``."""
    return (isinstance(value, list) and len(value) >= 1 and all(isinstance(r, list) for r in value)
            and all(not isinstance(c, (list, dict)) for r in value for c in r))


def is_tensor(value) -> bool:
    """Channels of a multi-channel input: a list of matrices (each of several rows)."""
    return (isinstance(value, list) and bool(value)
            and all(is_matrix(m) and len(m) > 1 for m in value))


def is_vector(value) -> bool:
    return isinstance(value, list) and all(not isinstance(c, (list, dict)) for c in value)


class DocumentPrinter:
    """Prints a Solution as a sequence of blocks joined by ``self.block_sep``."""

    block_sep = "\n\n"
    channel_separator = " | "     # between the channels of a tensor, as math of this format

    def __init__(self, digits: int = 6):
        self.digits = digits

    # --- what subclasses provide ------------------------------------
    def heading(self, text: str) -> str: ...
    def formula(self, text: str, lead: bool = False) -> str: ...  # display math; lead: starts with "="
    def equals_value(self, value_math: str) -> str: ...      # "= value" as display math
    def paragraph(self, text: str, *, emphasis: bool = False) -> str: ...
    def table(self, columns: list[str], rows: list[list[str]]) -> str: ...
    def number(self, text: str) -> str: ...
    def vector(self, items: list[str]) -> str: ...
    def matrix(self, rows: list[list[str]]) -> str: ...
    def plain_value(self, text: str) -> str: ...

    # --- the walk ---------------------------------------------------
    def text_of(self, value) -> str:
        return format_value(value, self.digits)

    def value(self, value) -> str:
        """A value as math of this format: number, vector, matrix; dicts become 'k = v' pairs."""
        if isinstance(value, bool) or value is None:
            return self.plain_value(str(value).lower())
        if isinstance(value, (int, float)):
            return self.number(self.text_of(value))
        if isinstance(value, str):
            return self.plain_value(value)
        if is_matrix(value) and len(value) > 1:
            return self.matrix([[self.text_of(c) for c in row] for row in value])
        if is_vector(value):
            return self.vector([self.text_of(c) for c in value])
        return self.plain_value(self.text_of(value))

    def channels(self, value) -> str:
        """A value as math; a multi-channel tensor as its channel matrices side by side."""
        if is_tensor(value):
            return self.channel_separator.join(self.value(m) for m in value)
        return self.value(value)

    def step(self, number: int, step: Step) -> list[str]:
        blocks = [self.heading(f"{number}. {step.title}")]
        if step.formula:
            blocks.append(self.formula(step.formula))
        sub = step.substituted.render(self.digits) if isinstance(step.substituted, Filled) else step.substituted
        if sub:
            blocks.append(self.formula(sub, lead=bool(step.formula)))
        if step.value is not None:
            if isinstance(step.value, dict):
                blocks.append(self.paragraph("; ".join(f"{k} = {self.text_of(v)}" for k, v in step.value.items())))
            elif isinstance(step.value, list) and step.value and isinstance(step.value[0], dict):
                blocks.append(self.paragraph("; ".join(self.text_of(v) for v in step.value)))
            else:
                blocks.append(self.equals_value(self.value(step.value)))
        if step.note:
            blocks.append(self.paragraph(step.note, emphasis=True))
        if step.table is not None:
            blocks.append(self.table_block(step.table))
        return blocks

    def table_block(self, table: Table) -> str:
        return self.table(list(table.columns), [[self.text_of(c) for c in row] for row in table.rows])

    def answer(self, answer) -> str:
        if isinstance(answer, dict):
            items = []
            for key, val in answer.items():
                if isinstance(val, list) and val and isinstance(val[0], dict):
                    val = "; ".join(self.text_of(v) for v in val)
                items.append(f"{key} = {self.text_of(val)}")
            return self.paragraph("Answer: " + "; ".join(items))
        return self.paragraph("Answer: " + self.text_of(answer))

    def solution(self, solution: Solution) -> str:
        blocks: list[str] = []
        for i, step in enumerate(solution.steps, start=1):
            blocks.extend(self.step(i, step))
        blocks.append(self.answer(solution.answer))
        return self.block_sep.join(b for b in blocks if b)
