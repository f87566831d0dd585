"""Problem sheets and answer keys: the layout every sheet printer shares.

A ``Sheet`` is a list of drawn ``Problem``s with the seed that chose them. The
same topics, count, seed and difficulty give the same sheet on every machine
(the problems are regenerated from their ids, ``family@version:seed:difficulty``).
The printers live in ``dltutor.render.sheet_text`` (Markdown, HTML) and
``dltutor.render.sheet_typeset`` (LaTeX ``exam`` class, Typst/PDF); this module
holds what they share: the prompt cut into paragraphs, display lines and typeset
values, and the answer grids of table parts. Problems are chosen by
``dltutor.practice.selection``; ``dltutor.render.sheets.FORMATS`` picks the printer.

    sheet = build_sheet(topics=["cnn"], count=4, seed=7)
    data = render_sheet(sheet, "pdf")      # str for md/html/tex, bytes for pdf
    write_atomic(Path("sheet.pdf"), data)  # never half a file
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dltutor.errors import InputError
from dltutor.render.document import is_matrix, is_tensor
from dltutor.render.formula_unicode import prose
from dltutor.practice.blocks import BLOCK_LINE, DataBlock
from dltutor.practice.families import TOPICS, Part, Problem, generate
from dltutor.practice.selection import SEED_RANGE, choose_families, difficulties

MAX_COUNT = 60
COURSE = "Introduction to deep learning"


@dataclass
class Sheet:
    """The problems of one sheet and how they were chosen (printed in its footer)."""

    problems: list[Problem]
    seed: int
    topics: list[str]
    difficulty: str
    title: str = "Problem sheet"
    solutions: bool = False
    course: str = COURSE
    count: int = 0

    @property
    def marks(self) -> float:
        return sum(p.marks for p in self.problems)

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.problems]

    def command(self) -> str:
        """The command line that makes this sheet again."""
        out = f"dltutor sheet --seed {self.seed} --count {self.count or len(self.problems)}"
        if self.topics:
            out += " --topics " + ",".join(self.topics)
        if self.difficulty != "medium":
            out += f" --difficulty {self.difficulty}"
        return out + (" --solutions" if self.solutions else "")


def build_sheet(topics: list[str] | None = None, count: int = 6, seed: int = 0, difficulty: str = "medium",
                title: str | None = None, solutions: bool = False) -> Sheet:
    """A sheet of ``count`` problems drawn from ``topics``: the same arguments give the same sheet."""
    if not 1 <= count <= MAX_COUNT:
        raise InputError(f"--count {count} must be from 1 to {MAX_COUNT}")
    if not 0 <= seed < 2**63:
        raise InputError(f"--seed {seed} must be a whole number from 0 to 2**63 - 1")
    topics = list(topics or [])
    rng = np.random.default_rng([seed, 0x5E7])
    levels = difficulties(difficulty, count, rng)
    families = sorted(choose_families(topics, count, rng),
                      key=lambda f: TOPICS.index(f.topic))   # stable: a sheet reads topic by topic
    seeds = rng.integers(0, SEED_RANGE, size=count)
    problems = [generate(fam, int(s), lvl) for fam, s, lvl in zip(families, seeds, levels)]
    return Sheet(problems, seed, topics, difficulty, title or "Problem sheet", solutions, count=count)


# ---------------------------------------------------------------- the prompt, cut for typesetting

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")


@dataclass(frozen=True)
class Segment:
    """Plain text, or a value to typeset as math (a matrix or a multi-channel tensor), or a
    declared ``DataBlock`` (a labelled matrix or vector, samples, a table)."""

    text: str = ""
    value: Any = None

    @property
    def is_math(self) -> bool:
        return self.value is not None

    @property
    def data(self) -> DataBlock | None:
        return self.value if isinstance(self.value, DataBlock) else None


@dataclass(frozen=True)
class Block:
    """A paragraph, or a display line (indented by 4 spaces in the family's prompt)."""

    display: bool
    segments: tuple[Segment, ...] = field(default_factory=tuple)

    @property
    def has_math(self) -> bool:
        return any(s.is_math for s in self.segments)

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


def _segments(line: str, names: dict) -> list[Segment]:
    from dltutor.practice.expressions import evaluate, to_text

    out: list[Segment] = []
    at = 0
    for m in _PLACEHOLDER.finditer(line):
        text = line[at:m.start()]
        if m.group(1) is None:
            text += m.group(0)[0]
            value = None
        else:
            value = evaluate(m.group(1), names)
            if not ((is_matrix(value) and (len(value) > 1 or len(value[0]) > 1)) or is_tensor(value)):
                # a vector in prose reads better with a space after each comma: x = (0.5, -1)
                shown = ", ".join(to_text(v) for v in value) if isinstance(value, list) else to_text(value)
                text, value = text + shown, None
        if text:
            out.append(Segment(text))
        if value is not None:
            out.append(Segment(value=value))
        at = m.end()
    if line[at:]:
        out.append(Segment(line[at:]))
    merged: list[Segment] = []
    for seg in out:   # adjacent texts as one, so that printers see whole phrases
        if merged and not seg.is_math and not merged[-1].is_math:
            merged[-1] = Segment(merged[-1].text + seg.text)
        else:
            merged.append(seg)
    # names and little formulas of the prose as mathematics: x**2 → x², h_(t-1) → hₜ₋₁, -0.5 → −0.5
    return [s if s.is_math else Segment(prose(s.text)) for s in merged]


def prompt_blocks(problem: Problem) -> list[Block]:
    """The prompt as paragraphs (hard-wrapped lines joined) and display lines, matrices as values."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush():
        if paragraph:
            blocks.append(Block(False, tuple(_segments(" ".join(paragraph), problem.names))))
            paragraph.clear()

    for line in problem.family.prompt.splitlines():
        block = BLOCK_LINE.match(line)
        if block:         # a declared data block: each printer typesets it (a matrix, a table)
            flush()
            blocks.append(Block(True, (Segment(value=problem.blocks[block.group(1)]),)))
        elif not line.strip():
            flush()
        elif line.startswith("    ") or line.startswith("\t"):
            flush()
            blocks.append(Block(True, tuple(_segments(line.strip(), problem.names))))
        else:
            paragraph.append(line.strip())
    flush()
    return blocks


# ---------------------------------------------------------------- parts and answers

def worked_solution(problem: Problem):
    """The worked solution of what the problem asks, and no more: steps that only lead to an answer
    no part asks for (backprop's weight updates when the parts ask for gradients) are left out,
    and the answer names only what the parts ask (``answer.grad_w3`` in a part: ∂E/∂W₃)."""
    from dataclasses import replace

    solution = problem.solution
    given = {name.replace("-", "_") for name in problem.option_texts}
    if problem.family.conceptual:    # its ids (family, question) are no setting a student reads
        solution = replace(solution, inputs={})
    elif given:          # the settings the question gives, not the solver's defaults (a learning rate it never named)
        solution = replace(solution, inputs={k: v for k, v in solution.inputs.items() if k in given})
    asked = {key for part in problem.parts for key in re.findall(r"\banswer\.(\w+)", part.spec.answer)}
    if not asked or not isinstance(solution.answer, dict) or not asked <= set(solution.answer):
        return solution
    steps = tuple(s for s in solution.steps if not s.gives or s.gives in asked)
    answer = {k: v for k, v in solution.answer.items() if k in asked}
    return replace(solution, steps=steps, answer=answer)


def answer_value(part: Part):
    """The expected answer as shown on the key (yes/no for booleans, ``24x24x6`` for shapes)."""
    if part.spec.form == "boolean":
        return "yes" if part.expected else "no"
    if part.spec.form in ("choice", "truefalse", "text"):
        from dltutor.render.wording import concept_answer

        return prose(concept_answer(part))
    if part.spec.form == "shape" and isinstance(part.expected, list):
        return "x".join(str(v) for v in part.expected)
    return part.expected


def grid(part: Part, digits: int, filled: bool) -> tuple[list[str], list[list[str]]]:
    """A table part as a grid: the header (row number, then the columns) and one row per sample/step.

    Student copy: the cells are empty; the key fills them."""
    from dltutor.values import format_value

    header = ["#"] + list(part.columns)
    rows = []
    for i, cells in enumerate(part.expected, start=1):
        rows.append([str(i)] + [prose(format_value(c, digits)) if filled else "" for c in cells])
    return header, rows


def column_parts(name: str) -> tuple[str, str]:
    """A grid column name as (formula name, accent): ``h_tilde`` → ("h", "tilde"), ``w1`` → ("w1", "")."""
    for accent in ("tilde", "hat"):
        if name.endswith("_" + accent):
            return name[: -len(accent) - 1], accent
    return name, ""


def answer_height(part: Part) -> float:
    """Centimetres of answer space: by the form of the answer, plus room for working per mark."""
    base = {"matrix": 2.4, "vector": 1.4, "table": 0.0}.get(part.spec.form, 1.1)
    return round(base + 0.5 * min(part.spec.marks, 4), 2)


# ---------------------------------------------------------------- data blocks of a prompt

def data_items(block: DataBlock) -> list[tuple[str, str, Any]]:
    """A matrix or vector block as (symbol, note, value) displays: a tensor gives one matrix per
    channel, ``("X", "channel 1", rows)``, so no reader needs to know how channels are typed."""
    if block.is_tensor:
        return [(block.label, f"channel {c}", channel) for c, channel in enumerate(block.value, start=1)]
    rows = block.value
    if block.kind == "matrix" and len(rows) == 1 and isinstance(rows[0], list) and len(rows[0]) == 1:
        return [(block.label, "", rows[0][0])]           # a 1×1 matrix (one unit's W_h) reads as its number
    return [(block.label, "", block.value)]


def data_table(block: DataBlock) -> tuple[list[str], list[list]]:
    """A samples or table block as (column names, rows of values); samples end with their label."""
    return list(block.columns), [list(row) for row in block.value]


MAX_GRID_CELLS = 12      # a vector longer than this gets a plain answer box, not one cell per entry


def answer_grid(problem: Problem, part: Part, digits: int, filled: bool):
    """The grid that fits a part's answer, or None for a plain answer box: ``(header, rows)`` of cell
    texts, ``header`` None when the grid has no column names.

    A table block declared as the part's grid (``answer = "y"``: a truth table's inputs) gives its
    columns, its given cells and the answer column (empty, or the key's values when ``filled``); a
    matrix part gets a grid of its shape and a short vector one row of cells (student copy only:
    the key typesets those answers)."""
    from dltutor.values import format_value

    block = next((b for b in problem.blocks.values() if getattr(b, "answer", "") == part.name), None)
    if block is not None:
        expected = part.expected if isinstance(part.expected, list) else [part.expected]
        rows = [[format_value(c, digits) for c in given] + [format_value(y, digits) if filled else ""]
                for given, y in zip(block.value, expected)]
        return list(block.columns), rows
    if filled:
        return None
    value = part.expected
    if part.spec.form == "matrix" and is_matrix(value) and value and isinstance(value[0], list):
        return None, [["" for _ in value[0]] for _ in value]
    if part.spec.form == "vector" and isinstance(value, list) and 1 < len(value) <= MAX_GRID_CELLS \
            and not any(isinstance(v, list) for v in value):
        return None, [["" for _ in value]]
    return None
