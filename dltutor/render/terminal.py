"""A Solution in the terminal with Rich: for every step the formula, the numbers, the value."""

from __future__ import annotations

import re

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text

from dltutor.render.document import is_matrix
from dltutor.solution import Filled, Solution, Step, Table
from dltutor.values import format_value


def pretty_formula(text: str) -> str:
    """Light typesetting of sympy-syntax text for a terminal: ``**`` → ``^``, ``*`` → ``·``."""
    text = text.replace("**", "^")
    text = re.sub(r"\s*\*\s*", "·", text)
    return text


MAX_ROWS_SHOWN = 20


def matrix_text(rows: list[list], digits: int) -> str:
    """Rows aligned in columns; a long matrix shows its first and last rows (JSON keeps all)."""
    skipped = 0
    if len(rows) > MAX_ROWS_SHOWN:
        skipped = len(rows) - 15
        rows = rows[:10] + [None] + rows[-5:]
    cells = [[format_value(c, digits) for c in row] if row is not None else None for row in rows]
    if skipped:
        width = max(len(c) for row in cells if row for c in row)
        return "\n".join(f"  ... {skipped} more rows ..." if row is None else
                         "[ " + "  ".join(c.rjust(width) for c in row) + " ]" for row in cells)
    width = max(len(c) for row in cells for c in row)
    return "\n".join("[ " + "  ".join(c.rjust(width) for c in row) + " ]" for row in cells)


def value_text(value, digits: int) -> str:
    if is_matrix(value) and len(value) > 1:
        return matrix_text(value, digits)
    if (isinstance(value, list) and len(value) > MAX_ROWS_SHOWN
            and all(not isinstance(v, (list, dict)) for v in value)):
        head, tail = format_value(value[:10], digits)[:-1], format_value(value[-5:], digits)[1:]
        return f"{head}, ... {len(value) - 15} more ..., {tail}"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "\n".join("- " + format_value(v, digits) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k} = " + value_text(v, digits).replace("\n", "\n" + " " * (len(str(k)) + 3))
                         for k, v in value.items())
    return format_value(value, digits)


def table_renderable(table: Table, digits: int) -> RichTable:
    out = RichTable(show_header=True, header_style="bold", box=None, pad_edge=False, padding=(0, 2, 0, 0))
    for col in table.columns:
        out.add_column(col, justify="right")
    for row in table.rows:
        out.add_row(*(value_text(c, digits) for c in row))
    return out


def step_renderable(number: int, step: Step, digits: int):
    parts = []
    title = Text(f"{number}. {step.title}", style="bold")
    parts.append(title)
    lines = Text()
    if step.formula:
        lines.append(pretty_formula(step.formula), style="cyan")
    sub = step.substituted.render(digits) if isinstance(step.substituted, Filled) else step.substituted
    value = value_text(step.value, digits) if step.value is not None else ""
    prefix = "  = " if step.formula else ""
    if sub:
        if lines:
            lines.append("\n")
        lines.append(prefix + pretty_formula(sub))
    if value:
        if lines:
            lines.append("\n")
        # a dict value (several results of one step) reads as "→ y = 0, e = 1", not "= y = 0"
        lead = ("  → " if isinstance(step.value, dict) else prefix) if (step.formula or sub) else ""
        shown = value.replace("\n", "\n" + " " * len(lead)) if "\n" in value else value
        lines.append(lead + shown, style="bold green")
    if lines:
        parts.append(Padding(lines, (0, 0, 0, 3), expand=False))
    if step.note:
        parts.append(Padding(Text(step.note, style="italic dim"), (0, 0, 0, 3), expand=False))
    if step.table is not None:
        parts.append(Padding(table_renderable(step.table, digits), (0, 0, 0, 3), expand=False))
    return Group(*parts)


def solution_renderable(solution: Solution, digits: int = 6):
    steps = [step_renderable(i, s, digits) for i, s in enumerate(solution.steps, start=1)]
    answer = Text(value_text(solution.answer, digits), style="bold")
    inputs = ", ".join(f"{k} = {format_value(v, digits)}" for k, v in solution.inputs.items())
    header = Text.assemble((solution.kind, "bold magenta"), "  ", (inputs, "dim"))
    body = []
    for s in steps:
        body.extend([s, Text("")])
    return Group(header, Text(""), *body, Panel(answer, title="Answer", title_align="left", expand=False))


def print_solution(solution: Solution, digits: int = 6, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    console.print(solution_renderable(solution, digits))


def one_line(value, digits: int) -> str:
    """A value on one line: a matrix as rows separated by ";" (``[1, 2; 3, 4]``), a dict as ``k = v``."""
    if is_matrix(value):
        return "[" + "; ".join(", ".join(format_value(c, digits) for c in row) for row in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {one_line(v, digits)}" for k, v in value.items())
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return f"{len(value)} entries"
    return format_value(value, digits)


def brief_renderable(solution: Solution, digits: int = 6):
    """``--brief``: one line per step (its title and value, cut with "…" at the terminal's width)
    and the answer, for any kind."""
    lines = []
    for i, step in enumerate(solution.steps, start=1):
        line = Text(f"{i}. {step.title}", style="bold", no_wrap=True, overflow="ellipsis")
        if step.value is not None:
            line.append(": " + one_line(step.value, digits), style="not bold")
        lines.append(line)
    answer = Text(value_text(solution.answer, digits), style="bold")
    return Group(*lines, Text(""), Panel(answer, title="Answer", title_align="left", expand=False))
