"""A Solution in the terminal with Rich: for every step the formula, the numbers, the value."""

from __future__ import annotations

import re

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text

from dltutor.render.document import is_matrix
from dltutor.render.formula_unicode import uniform_subscripts
from dltutor.render.wording import aligned_rows, display_width
from dltutor.solution import Filled, Solution, Step, Table
from dltutor.values import format_value


def pretty_formula(text: str) -> str:
    """Sympy-syntax text as Unicode mathematics for a terminal: ``x**2 + 10*y**2`` → ``x² + 10y²``,
    ``h_tilde_t`` → ``h̃ₜ``, ``Sum(e_k, (k, 1, n))`` → ``∑ₖ₌₁ⁿ eₖ`` (text that is no formula: its names)."""
    from dltutor.render.formula_unicode import UnicodePrinter, prose

    try:
        return UnicodePrinter().strict(text)
    except ValueError:
        text = prose(text)
        return re.sub(r"\s*\*\s*", "·", text.replace("**", "^"))


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
    if is_matrix(value):                                                # one row too: [ 0  0 ], not [[0, 0]]
        return matrix_text(value, digits)
    if (isinstance(value, list) and len(value) > MAX_ROWS_SHOWN
            and all(not isinstance(v, (list, dict)) for v in value)):
        head, tail = format_value(value[:10], digits)[1:-1], format_value(value[-5:], digits)[1:-1]
        return f"({head}, ... {len(value) - 15} more ..., {tail})"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "\n".join("- " + format_value(v, digits) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k} = " + value_text(v, digits).replace("\n", "\n" + " " * (len(str(k)) + 3))
                         for k, v in value.items())
    if isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return "(" + format_value(value, digits)[1:-1] + ")"            # a vector is (a, b)
    return format_value(value, digits)


def table_renderable(table: Table, digits: int) -> RichTable:
    """A step's table; every title and cell is a ``Text``, so ``[hₜ₋₁, xₜ]`` is never read as Rich markup."""
    from dltutor.render.formula_unicode import prose

    out = RichTable(show_header=True, header_style="bold", box=None, pad_edge=False, padding=(0, 2, 0, 0))
    for col in table.columns:
        out.add_column(Text(prose(col)), justify="right")
    for row in table.rows:
        out.add_row(*(Text(prose(value_text(c, digits))) for c in row))
    return out


def input_symbols(kind: str) -> dict[str, str]:
    """{input key: symbol} of the kind's options that name a symbol (none for an unknown kind)."""
    from dltutor.solvers.registry import REGISTRY

    found = REGISTRY.get(kind)
    return {o.param: o.symbol for o in found.options if o.symbol} if found else {}


def input_name(key: str, value=None, kind: str = "", symbol: str = "") -> str:
    """An input's name as read: ``update_bias`` → "update bias", ``h0`` → h₀, a matrix ``w1`` → W₁;
    backpropagation's layers ``w1``, ``b1`` → W⁽¹⁾, b⁽¹⁾; ``symbol`` (the option's name in the
    steps, ``W_f``) when the kind gives one."""
    from dltutor.render.answer_names import layer_parameter
    from dltutor.render.formula_unicode import to_unicode

    if symbol:
        return to_unicode(symbol)
    if "_" in key and len(key.split("_")[0]) > 2:
        return key.replace("_", " ")
    if kind == "backprop" and re.fullmatch(r"[wb]\d+", key):
        return to_unicode(layer_parameter(key))
    if is_matrix(value) and key[:1].islower() and key[1:].isdigit():     # --w3 "0.3,0.4" is the matrix W₃
        key = key[0].upper() + key[1:]
    return to_unicode(key)


def inline_value(value, digits: int) -> str:
    """A value on one line, as mathematics: a vector (a, b), a matrix [a, b; c, d], −0.5 with a minus sign."""
    from dltutor.render.formula_unicode import prose

    if isinstance(value, bool):
        return "yes" if value else "no"
    if is_matrix(value):
        return prose("[" + "; ".join(", ".join(format_value(c, digits) for c in row) for row in value) + "]")
    if isinstance(value, list) and all(not isinstance(v, (list, dict)) for v in value):
        return prose("(" + ", ".join(format_value(v, digits) for v in value) + ")")
    if isinstance(value, list):
        return " | ".join(inline_value(v, digits) for v in value)
    if isinstance(value, str):
        return prose(value.replace("_", " ") if re.fullmatch(r"[a-z]+(_[a-z]+)+", value) else value)
    return prose(format_value(value, digits))


# the widest per-step table the answer box shows as a table (an 80-column screen less its frame)
RECORDS_WIDTH = 74


def answer_text(answer, kind: str, digits: int) -> str:
    """The answer in the question's notation: named quantities by their symbols (∂E/∂W₁, h̃),
    a parameter count as its layers and totals, a vector as (a, b)."""
    from dltutor.render.answer_names import answer_name, per_layer
    from dltutor.render.formula_unicode import prose, to_unicode

    def name(key):
        text, is_formula = answer_name(key, kind)
        return to_unicode(text) if is_formula else text

    def shown(value):
        if is_matrix(value):
            return prose(matrix_text(value, digits))
        if isinstance(value, list) and value and all(not isinstance(v, (list, dict)) for v in value):
            return prose("(" + ", ".join(format_value(v, digits) for v in value) + ")")
        if isinstance(value, bool):
            return "yes" if value else "no"
        return prose(value_text(value, digits))

    def cell(value):                     # a table cell keeps to one line: a matrix as [a, b; c, d]
        return inline_value(value, digits) if is_matrix(value) else shown(value)

    if not isinstance(answer, dict):
        return shown(answer)
    answer = per_layer(answer, kind)
    if "layers" in answer and "total" in answer:
        rows = [(str(r.get("layer", "")), "×".join(str(v) for v in r.get("output_shape") or []) or "—",
                 f"{r.get('params', 0):,}") for r in answer["layers"]]
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(("Layer", "Output shape", "Parameters"))]
        lines = ["  ".join(h.ljust(w) for h, w in zip(("Layer", "Output shape", "Parameters"), widths))]
        lines += ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
                  for r in rows]
        total = f"Total: {answer['total']:,} parameters"
        if answer.get("non_trainable"):
            total += f" ({answer['trainable']:,} trainable, {answer['non_trainable']:,} non-trainable)"
        return "\n".join(lines + [total])
    lines = []
    for key, value in answer.items():
        if key == "truth_table" and value:
            n = len(value[0]) - 1
            lines += aligned_rows([[prose(f"x_{i + 1}") for i in range(n)] + ["y"]] +
                                  [[format_value(c, digits) for c in row] for row in value])
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            keys = list(value[0])                                       # one row per time step, aligned
            numbered = [v.get("t") for v in value] == list(range(1, len(value) + 1))    # its own t column
            lead = [] if numbered else ["t"]
            table = aligned_rows([lead + [name(k) for k in keys]] +
                                 [([] if numbered else [str(t)]) + [cell(v[k]) for k in keys]
                                  for t, v in enumerate(value, start=1)])
            if max(display_width(line) for line in table) <= RECORDS_WIDTH:
                lines += table
            else:                                   # too wide for a table: one block per time step
                for t, v in enumerate(value, start=1):
                    lines.append(f"t = {v.get('t', t)}")
                    lines += [f"  {name(k)} = {cell(v[k])}" for k in keys if k != "t"]
        else:
            label = name(key)
            lines.append(f"{label} = " + shown(value).replace("\n", "\n" + " " * (len(label) + 3)))
    return "\n".join(lines)


def step_renderable(number: int, step: Step, digits: int):
    parts = []
    from dltutor.render.formula_unicode import prose

    title = Text(f"{number}. {prose(step.title)}", style="bold")
    parts.append(title)
    lines = Text()
    if step.formula:
        lines.append(pretty_formula(step.formula), style="cyan")
    sub = step.substituted.render(digits) if isinstance(step.substituted, Filled) else step.substituted
    value = prose(value_text(step.value, digits)) if step.value is not None else ""
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
        from dltutor.render.formula_unicode import prose

        parts.append(Padding(Text(prose(step.note), style="italic dim"), (0, 0, 0, 3), expand=False))
    if step.table is not None:
        parts.append(Padding(table_renderable(step.table, digits), (0, 0, 0, 3), expand=False))
    return Group(*parts)


class Header:
    """The kind and its inputs, ``name = value`` pairs separated by commas, a line broken only
    between two pairs (a pair wider than the screen wraps on its own)."""

    def __init__(self, kind: str, pairs: list[str]):
        self.kind, self.pairs = kind, pairs

    def __rich_console__(self, console, options):
        width = options.max_width
        line = Text.assemble((self.kind, "bold magenta"), "  ")
        for i, pair in enumerate(self.pairs):
            piece = pair + ("," if i < len(self.pairs) - 1 else "")
            gap = "" if i == 0 else " "
            if i and line.cell_len + len(gap) + Text(piece).cell_len > width:
                yield line
                line, gap = Text(""), ""
            line.append(gap + piece, style="dim")
        yield line


def solution_renderable(solution: Solution, digits: int = 6):
    steps = [step_renderable(i, s, digits) for i, s in enumerate(solution.steps, start=1)]
    answer = Text(answer_text(solution.answer, solution.kind, digits), style="bold")
    from dltutor.solution import plain

    shown = {k: plain(v) for k, v in solution.inputs.items()}
    symbols = input_symbols(solution.kind)
    pairs = [uniform_subscripts(f"{input_name(k, v, solution.kind, symbols.get(k, ''))} = {inline_value(v, digits)}")
             for k, v in shown.items()]
    header = Header(solution.kind, pairs)
    body = [header, Text("")] if shown else []          # a conceptual question has no settings to list
    for s in steps:
        body.extend([s, Text("")])
    return Group(*body, Panel(answer, title="Answer", title_align="left", expand=False))


def print_solution(solution: Solution, digits: int = 6, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    console.print(solution_renderable(solution, digits))


def one_line(value, digits: int) -> str:
    """A step's value on one line: a dict as ``k = v``, a list of records as their count, anything
    else as mathematics (``inline_value``: a vector (a, b), a matrix [a, b; c, d], −0.5)."""
    from dltutor.render.formula_unicode import prose

    if isinstance(value, dict):
        return ", ".join(f"{prose(str(k))} = {one_line(v, digits)}" for k, v in value.items())
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return f"{len(value)} entries"
    return inline_value(value, digits)


def brief_renderable(solution: Solution, digits: int = 6):
    """``--brief``: one line per step (its title and whole value: print it with ``soft_wrap`` so that
    the terminal, not Rich, wraps a long one) and the answer, for any kind."""
    from dltutor.render.formula_unicode import prose

    lines = []
    for i, step in enumerate(solution.steps, start=1):
        line = Text(f"{i}. {prose(step.title)}", style="bold")
        if step.value is not None:
            line.append(": " + one_line(step.value, digits), style="not bold")
        lines.append(line)
    answer = Text(answer_text(solution.answer, solution.kind, digits), style="bold")
    return Group(*lines, Text(""), Panel(answer, title="Answer", title_align="left", expand=False))
