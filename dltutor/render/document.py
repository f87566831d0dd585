"""The walk shared by the document printers (Markdown, HTML, LaTeX, Typst).

A printer turns one ``Solution`` into text of its format: for every step the
title, the formula, the numbers substituted, the value, then a note and a
table if the step has them, and finally the answer. Subclasses only say how a
heading, a formula, a value, a table and a paragraph look in their format.
"""

from __future__ import annotations

from dltutor.render.answer_names import answer_name, per_layer
from dltutor.render.formula_unicode import prose
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
    def inline(self, text: str) -> str: ...                  # a formula (sympy syntax) as math, no delimiters
    def display(self, math: str) -> str: ...                 # math of this format as a display

    def equals_sign(self) -> str:
        return " = "

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
            return self.plain_value(prose(value))
        if is_matrix(value) and (len(value) > 1 or len(value[0]) > 1):     # one row too: [a b c]
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
        blocks = [self.heading(f"{number}. {prose(step.title)}")]
        if step.formula:
            blocks.append(self.formula(step.formula))
        sub = step.substituted.render(self.digits) if isinstance(step.substituted, Filled) else step.substituted
        if sub:
            blocks.append(self.formula(sub, lead=bool(step.formula)))
        if step.value is not None:
            if isinstance(step.value, dict):
                blocks.extend(self.named_values(step.value))
            elif isinstance(step.value, list) and step.value and isinstance(step.value[0], dict):
                blocks.append(self.records(step.value))
            else:
                blocks.append(self.equals_value(self.value(step.value)))
        if step.note:
            blocks.append(self.paragraph(prose(step.note), emphasis=True))
        if step.table is not None:
            blocks.append(self.table_block(step.table))
        return blocks

    def cell(self, value) -> str:
        """A table cell: a number with a true minus sign, yes/no, a name as mathematics."""
        if isinstance(value, bool):
            return "yes" if value else "no"
        return prose(self.text_of(value))

    def table_block(self, table: Table) -> str:
        return self.table([prose(c) for c in table.columns], [[self.cell(c) for c in row] for row in table.rows])

    # --- the answer, in the notation of the question ------------------
    def name(self, key, kind: str = "") -> str:
        """An answer's key as math of this format (``grad_w1`` → ∂E/∂W₁, ``receptive_field`` as words)."""
        text, is_formula = answer_name(key, kind)
        return self.inline(text) if is_formula else self.plain_value(text)

    def named_values(self, values: dict, kind: str = "") -> list[str]:
        """``name = value`` displays; a list of records (one per time step) as a table; yes/no in words."""
        blocks = []
        for key, val in values.items():
            if isinstance(val, list) and val and all(isinstance(v, dict) for v in val):
                blocks.append(self.records(val, kind))
            elif isinstance(val, bool):
                blocks.append(self.paragraph(f"{answer_name(key, kind)[0].capitalize()}: {'yes' if val else 'no'}"))
            else:
                blocks.append(self.display(self.name(key, kind) + self.equals_sign() + self.channels(val)))
        return blocks

    def records(self, records: list[dict], kind: str = "") -> str:
        """One row per record (a time step's gates, a layer of a model), one column per key."""
        keys = list(records[0])
        columns = ["t"] + [self.column(k, kind) for k in keys] if "t" not in keys else \
            [self.column(k, kind) for k in keys]
        rows = []
        for t, rec in enumerate(records, start=1):
            cells = [self.cell(rec.get(k)) for k in keys]
            rows.append(cells if "t" in keys else [str(t)] + cells)
        return self.table(columns, rows)

    def column(self, key, kind: str = "") -> str:
        text, is_formula = answer_name(key, kind)
        if not is_formula:
            return text.capitalize()
        from dltutor.render.formula_unicode import to_unicode
        return to_unicode(text)

    def answer(self, answer, kind: str = "") -> str:
        """The answer as the question asks for it: a parameter count as the layer table and its totals,
        a truth table as a table, a matrix as a matrix, a vector as (a, b), named quantities by name."""
        blocks = [self.paragraph("Answer:")]
        answer = per_layer(answer, kind)
        if isinstance(answer, dict) and "layers" in answer and "total" in answer:
            rows = [[str(r.get("layer", "")), "×".join(str(v) for v in r.get("output_shape") or []),
                     self.cell(r.get("params"))] for r in answer["layers"]]
            blocks.append(self.table(["Layer", "Output shape", "Parameters"], rows))
            line = f"Total: {answer['total']:,} parameters"
            if answer.get("non_trainable"):
                line += f" ({answer['trainable']:,} trainable, {answer['non_trainable']:,} non-trainable)"
            blocks.append(self.paragraph(line))
        elif isinstance(answer, dict) and "truth_table" in answer:
            table = answer["truth_table"]
            n = len(table[0]) - 1 if table else 0
            blocks.append(self.table([prose(f"x_{i + 1}") for i in range(n)] + ["y"],
                                     [[self.cell(c) for c in row] for row in table]))
            blocks.extend(self.named_values({k: v for k, v in answer.items() if k != "truth_table"}, kind))
        elif isinstance(answer, dict):
            blocks.extend(self.named_values(answer, kind))
        else:
            blocks.append(self.display(self.channels(answer)))
        return self.block_sep.join(b for b in blocks if b)

    def solution(self, solution: Solution) -> str:
        blocks: list[str] = []
        for i, step in enumerate(solution.steps, start=1):
            blocks.extend(self.step(i, step))
        blocks.append(self.answer(solution.answer, solution.kind))
        return self.block_sep.join(b for b in blocks if b)
