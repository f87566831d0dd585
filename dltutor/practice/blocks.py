"""Data blocks of a prompt: a matrix, a vector, labelled samples or a table, declared, not typed as text.

A family declares its blocks in ``[blocks]`` and places each on a line of its own in the prompt,
``{@name}``::

    prompt = \"\"\"
    Train a perceptron for one epoch on these samples, in this order:
    {@samples}
    \"\"\"
    [blocks]
    samples = { samples = "X", labels = "t", columns = ["x1", "x2", "t"] }
    K = { matrix = "K" }                  # shown as K = [...]; label = "..." to name it otherwise

Each face typesets a block as what it is (a bracketed matrix or a ruled table on paper, an
aligned grid in a terminal), so a prompt never reads ``-1,0:1; 0,1:-1`` or asks the reader to
know that channels are separated by ``|``. ``problem.prompt`` (a string, as scripts read it)
holds the aligned text grid; ``Problem.blocks`` the values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

BLOCK_KINDS = ("matrix", "vector", "samples", "table")
BLOCK_LINE = re.compile(r"^[ \t]*\{@([A-Za-z_][A-Za-z0-9_]*)\}[ \t]*$")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class BlockSpec:
    """A declared block: its kind, the expression of its value, a label, column names."""

    name: str
    kind: str
    expr: str
    labels: str = ""                     # samples: the expression of the label column
    label: str = ""                      # matrix, vector: the name shown before "="
    columns: tuple[str, ...] | str = ()  # names, or an expression giving them (they may depend on a draw)
    answer: str = ""                     # table: the part whose answer fills the last column (an answer grid)


@dataclass(frozen=True)
class DataBlock:
    """A drawn block: ``value`` is a matrix (list of rows), a tensor (channels of matrices), a
    vector, or the rows of a table (samples: the inputs then the label)."""

    kind: str
    value: Any
    label: str = ""
    columns: tuple[str, ...] = ()
    answer: str = ""

    @property
    def is_tensor(self) -> bool:
        return (self.kind == "matrix" and isinstance(self.value, list) and bool(self.value)
                and all(isinstance(r, list) and r and isinstance(r[0], list) for r in self.value))

    def to_dict(self) -> dict:
        out = {"kind": "tensor" if self.is_tensor else self.kind, "value": self.value}
        if self.label:
            out["label"] = self.label
        if self.columns:
            out["columns"] = list(self.columns)
        return out


def parse_blocks(data, where: str = "blocks") -> dict[str, BlockSpec]:
    """The ``[blocks]`` table of a family file; ValueError naming the field when it is wrong."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{where}: must be a table of name = {{ matrix = \"X\" }} (or vector, samples, table)")
    out = {}
    for name, spec in data.items():
        at = f"{where}.{name}"
        if not NAME.match(name):
            raise ValueError(f"{at}: a block name is letters, digits and _")
        if not isinstance(spec, dict):
            raise ValueError(f"{at}: must be a table such as {{ matrix = \"X\" }}")
        kinds = [k for k in BLOCK_KINDS if k in spec]
        if len(kinds) != 1:
            raise ValueError(f"{at}: needs exactly one of {', '.join(BLOCK_KINDS)}")
        kind = kinds[0]
        unknown = set(spec) - {kind, "labels", "label", "columns", "answer"}
        if unknown:
            raise ValueError(f"{at}: unknown key {sorted(unknown)[0]!r}")
        columns = spec.get("columns", [])
        if not isinstance(columns, str) and (not isinstance(columns, list)
                                             or not all(isinstance(c, str) for c in columns)):
            raise ValueError(f"{at}.columns: must be a list of column names (or an expression giving one)")
        if "answer" in spec and (kind != "table" or not isinstance(spec["answer"], str)):
            raise ValueError(f"{at}.answer: only a table block has one: the name of the part it is the grid of")
        if kind in ("samples", "table") and not columns:
            raise ValueError(f"{at}: a {kind} block needs columns = [...] (the names of its columns)")
        if kind == "samples" and not isinstance(spec.get("labels"), str):
            raise ValueError(f"{at}: a samples block needs labels = \"expression\" (the targets)")
        if "labels" in spec and kind != "samples":
            raise ValueError(f"{at}.labels: only a samples block has labels")
        label = spec.get("label", name if kind in ("matrix", "vector") else "")
        if not isinstance(label, str) or not isinstance(spec[kind], str):
            raise ValueError(f"{at}: {kind} and label must be texts")
        out[name] = BlockSpec(name, kind, spec[kind], spec.get("labels", ""), label,
                              columns if isinstance(columns, str) else tuple(columns), spec.get("answer", ""))
    return out


def block_names(prompt: str) -> list[str]:
    """The names of the ``{@name}`` lines of a prompt, in order."""
    return [m.group(1) for m in (BLOCK_LINE.match(line) for line in prompt.splitlines()) if m]


def without_blocks(prompt: str) -> str:
    """The prompt with its block lines left out (what the expression checker reads)."""
    return "\n".join(line for line in prompt.splitlines() if not BLOCK_LINE.match(line))


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_rows(value) -> bool:
    """A non-empty list of equally long, non-empty rows of numbers."""
    return (isinstance(value, list) and bool(value) and all(isinstance(r, list) and r for r in value)
            and len({len(r) for r in value}) == 1 and all(_is_number(c) for r in value for c in r))


def draw_blocks(specs: dict[str, BlockSpec], names: dict) -> dict[str, DataBlock]:
    """The blocks of one draw; a value of the wrong shape is an ExpressionError naming the block."""
    from dltutor.practice.expressions import ExpressionError, evaluate
    from dltutor.solution import plain

    out = {}
    for name, spec in specs.items():
        value = plain(evaluate(spec.expr, names))
        if spec.kind == "samples":
            targets = plain(evaluate(spec.labels, names))
            if not isinstance(value, list) or not isinstance(targets, list) or len(value) != len(targets):
                raise ExpressionError(f"blocks.{name}: samples and labels must be lists of the same length")
            value = [list(x if isinstance(x, list) else [x]) + [t] for x, t in zip(value, targets)]
        elif spec.kind == "vector" and not isinstance(value, list):
            value = [value]
        elif spec.kind == "matrix" and isinstance(value, list) and not any(isinstance(v, list) for v in value):
            value = [value]              # one row: a 1 x n matrix, as the layer's weights are
        columns = spec.columns
        if isinstance(columns, str):
            columns = tuple(str(c) for c in evaluate(columns, names))
        if spec.kind == "vector":
            ok = isinstance(value, list) and bool(value) and all(_is_number(v) for v in value)
        elif spec.kind == "matrix":
            ok = _is_rows(value) or (isinstance(value, list) and bool(value) and all(_is_rows(c) for c in value))
        else:
            ok = _is_rows(value) and len(value[0]) + (1 if spec.answer else 0) == len(columns)
        if not ok:
            what = {"vector": "a list of numbers", "matrix": "rows of numbers (or channels of them)"}.get(
                spec.kind, f"rows of numbers, one cell per column of {list(columns)}")
            raise ExpressionError(f"blocks.{name}: {spec.expr!r} must give {what}")
        out[name] = DataBlock(spec.kind, value, spec.label, columns, spec.answer)
    return out


# ---------------------------------------------------------------- as plain text (terminal, JSON prompt)

INDENT = "    "


def _number(v) -> str:
    from dltutor.practice.expressions import to_text

    return to_text(v)


def _grid(rows: list[list[str]], right: bool = True) -> list[str]:
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    return ["  ".join(c.rjust(w) if right else c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def _matrix_lines(label: str, rows: list[list]) -> list[str]:
    cells = _grid([[_number(c) for c in row] for row in rows])
    lead = f"{label} = " if label else ""
    return [(lead if i == 0 else " " * len(lead)) + f"[ {line} ]" for i, line in enumerate(cells)]


def block_text(block: DataBlock) -> str:
    """The block as aligned plain text, each line indented by 4 spaces (a display line)."""
    if block.kind == "vector":
        lines = [(f"{block.label} = " if block.label else "") + "(" + ", ".join(_number(v) for v in block.value) + ")"]
    elif block.kind == "matrix" and block.is_tensor:
        lines = []
        for c, channel in enumerate(block.value, start=1):
            lines += ([""] if c > 1 else []) + _matrix_lines(f"{block.label} (channel {c})", channel)
    elif block.kind == "matrix":
        rows = block.value if isinstance(block.value[0], list) else [block.value]
        lines = ([f"{block.label} = {_number(rows[0][0])}"] if len(rows) == 1 and len(rows[0]) == 1  # 1×1: a number
                 else _matrix_lines(block.label, rows))
    else:
        lines = _grid([list(block.columns)] + [[_number(c) for c in row] for row in block.value])
    return "\n".join(INDENT + line if line else "" for line in lines)


PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")


def _fill_line(line: str, names: dict) -> str:
    """Placeholders filled as prose: a vector reads ``0.5, -1`` (a space after each comma), not
    the option syntax ``0.5,-1`` (the solver's option texts keep that)."""
    from dltutor.practice.expressions import evaluate, to_text

    def replace(match):
        if match.group(1) is None:
            return match.group(0)[0]
        value = evaluate(match.group(1), names)
        if isinstance(value, (list, tuple)) and not any(isinstance(v, (list, tuple)) for v in value):
            return ", ".join(to_text(v) for v in value)
        return to_text(value)

    return PLACEHOLDER.sub(replace, line)


def fill_prompt(template: str, names: dict, blocks: dict[str, DataBlock]) -> str:
    """The prompt as one string: placeholders filled, each block line replaced by its text grid."""
    out, after_block = [], False
    for line in template.splitlines():
        m = BLOCK_LINE.match(line)
        if m and after_block:
            out.append("")          # two matrices one under the other read as one without a gap
        out.append(block_text(blocks[m.group(1)]) if m else _fill_line(line, names))
        after_block = bool(m)
    return "\n".join(out)
