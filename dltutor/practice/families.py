"""Problem families: one TOML file each in ``problems/`` (the format is in problems/README.md).

A family is data: parameter ranges per difficulty, constraints, a prompt
template, the ``solve`` kind that answers it (and how the parameters become
its option texts), the answer parts with their marks and form, hints, and
misconceptions (altered settings that reproduce a typical wrong answer).

    Family  --draw(seed, difficulty)-->  Problem (prompt, parts with expected values,
                                                  the worked Solution, misconception answers)

A problem's id is ``family@version:seed:difficulty`` (the difficulty may be
left off: ``medium``). The same id gives the same problem on every machine:
the parameters come from ``numpy.random.default_rng([crc32(family), seed,
difficulty])`` in the order the file lists them, numbers are drawn on
declared grids and rounded to 10 decimals, and the texts given to the solver
use the shortest exact float text. A draw that breaks a constraint, makes the
solver raise, gives an all-zero answer, is not worth doing (``degenerate``: an
all-ones truth table, an epoch with no update, ...) or has a misconception that
cannot be told from the right answer is drawn again (up to ``MAX_DRAWS`` times),
within a time budget of ``DRAW_SECONDS``.

The pieces: ``dltutor.practice.spec`` reads and checks the files (``Family``,
``load_families``), ``dltutor.practice.answers`` computes a draw's expected and
misconception answers (``Part``, table rows, ``close``); this module draws
(``generate``, ``Problem``, ids). Every name is importable from here.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dltutor.errors import InputError
from dltutor.seeds import MAX_SEED
from dltutor.values import quote
from dltutor.practice.expressions import (MAX_ELEMENTS, ExpressionError, LimitError, budget, check_budget,
                                          evaluate, fill_template)
from dltutor.practice.answers import (KindMissing, Part, close, collision, derive, expected_part, flatten_row, initial_state,
                                   misconception_values, next_state, option_texts, row_count, run_kind,
                                   table_row, table_rows, unflatten_row)
from dltutor.practice.blocks import draw_blocks, fill_prompt
from dltutor.practice.degenerate import degenerate
from dltutor.practice.catalog import family_errors, get_family, load_families
from dltutor.practice.ranges import check_range, pick, range_size
from dltutor.practice.spec import (DEFAULT_REL, DEFAULT_TOL, DIFFICULTIES, FORMS, TOPICS, Family,
                                MisconceptionSpec, PartSpec, TableSpec, load_family, problems_dir)
from dltutor.solution import Solution

__all__ = ["DIFFICULTIES", "TOPICS", "FORMS", "MAX_DRAWS", "DEFAULT_TOL", "DEFAULT_REL", "ID_PATTERN",
           "TableSpec", "PartSpec", "MisconceptionSpec", "Family", "Part", "MisconceptionAnswer", "Problem",
           "problems_dir", "load_families", "get_family", "family_errors", "check_range", "load_family", "parse_id", "problem_from_id",
           "derive", "option_texts", "run_kind", "KindMissing", "Rejected", "generate",
           "misconception_values", "table_row", "next_state", "initial_state", "row_count", "table_rows",
           "flatten_row", "unflatten_row", "close"]

MAX_DRAWS = 200
ID_PATTERN = re.compile(r"^([a-z0-9][a-z0-9-]{0,80})@(\d{1,6}):(\d{1,18})(?::(easy|medium|hard))?$")


@dataclass
class MisconceptionAnswer:
    id: str
    feedback: str
    values: dict[str, Any]            # part name -> the wrong answer (tables: flattened rows)


@dataclass
class Problem:
    family: Family
    seed: int
    difficulty: str
    params: dict[str, Any]            # the drawn parameters
    names: dict[str, Any]             # parameters and derived values (what templates see)
    prompt: str
    option_texts: dict[str, str]
    solution: Solution
    parts: list[Part]
    misconceptions: list[MisconceptionAnswer]
    draws: int = 1
    rejections: dict[str, int] = field(default_factory=dict)
    blocks: dict[str, Any] = field(default_factory=dict)     # name -> DataBlock of the prompt's {@name} lines

    @property
    def id(self) -> str:
        return f"{self.family.id}@{self.family.version}:{self.seed}:{self.difficulty}"

    @property
    def marks(self) -> float:
        return sum(p.spec.marks for p in self.parts)

    def part(self, name: str) -> Part:
        return next(p for p in self.parts if p.name == name)

    def to_dict(self, digits: int = 6) -> dict:
        return {"id": self.id, "family": self.family.id, "version": self.family.version,
                "title": self.family.title, "topic": self.family.topic, "kind": self.family.kind,
                "difficulty": self.difficulty, "seed": self.seed, "prompt": self.prompt,
                "data": {name: block.to_dict() for name, block in self.blocks.items()},
                "marks": self.marks, "parts": [p.to_dict() for p in self.parts],
                "hints": list(self.family.hints),
                "misconceptions": [{"id": m.id, "feedback": m.feedback, "answers": m.values}
                                   for m in self.misconceptions],
                "solution": self.solution.to_dict(digits)}


# ---------------------------------------------------------------- drawing

def parse_id(text: str) -> tuple[str, int, int, str]:
    """``family@version:seed[:difficulty]`` → (family, version, seed, difficulty)."""
    m = ID_PATTERN.match(text.strip())
    if not m:
        raise InputError(f"problem id {quote(text)} must look like conv-output-size@1:42:hard "
                         "(a seed of at most 18 digits)")
    return m.group(1), int(m.group(2)), int(m.group(3)), m.group(4) or "medium"


def problem_from_id(text: str) -> Problem:
    name, version, seed, difficulty = parse_id(text)
    family = get_family(name)
    if version != family.version:
        raise InputError(f"problem id {text!r} asks for version {version} of {name}, "
                         f"but this dltutor has version {family.version}; the problem cannot be regenerated")
    return generate(family, seed, difficulty)


DRAW_SECONDS = 5.0         # time budget of one problem (every try of its draw together)


def _draw_one(spec: dict, rng: np.random.Generator, names: dict):
    shape = [int(evaluate(d, names)) if isinstance(d, str) else d for d in spec.get("shape", [])]
    count = int(np.prod(shape)) if shape else 1
    if count > MAX_ELEMENTS or count < 0:
        raise LimitError(f"a parameter of shape {shape} has {count:,} values; the limit is {MAX_ELEMENTS:,}")
    if "value" in spec:
        return spec["value"]
    picks = [pick(spec, int(j)) for j in rng.integers(0, range_size(spec), size=count)]
    if not shape:
        return picks[0]
    return np.array(picks, dtype=object).reshape(shape).tolist()


class Rejected(Exception):
    """A draw that cannot be used; the reason is counted by ``stress``."""


def generate(family: Family, seed: int, difficulty: str = "medium") -> Problem:
    """The problem ``family@version:seed:difficulty``: deterministic."""
    if difficulty not in DIFFICULTIES:
        raise InputError(f"difficulty {difficulty!r} is not one of {', '.join(DIFFICULTIES)}")
    if not 0 <= seed <= MAX_SEED:
        raise InputError(f"seed {seed} must be a whole number from 0 to {MAX_SEED} (at most 18 digits)")
    rng = np.random.default_rng([zlib.crc32(family.id.encode()), seed, DIFFICULTIES.index(difficulty)])
    rejections: dict[str, int] = {}
    with budget(DRAW_SECONDS):
        for draw in range(1, MAX_DRAWS + 1):
            params: dict[str, Any] = {}
            try:
                check_budget(f"drawing {family.id}@{family.version}:{seed}:{difficulty}")
                for name, spec in family.params[difficulty].items():
                    params[name] = _draw_one(spec, rng, params)
                problem = _build(family, seed, difficulty, params)
            except Rejected as exc:
                reason = str(exc)
                rejections[reason] = rejections.get(reason, 0) + 1
                continue
            except ExpressionError as exc:
                raise InputError(f"problem family {Path(family.path).name}: {exc}") from None
            except KindMissing as exc:
                raise InputError(f"problem family {family.id}: {exc}") from None
            except (MemoryError, RecursionError) as exc:
                raise InputError(f"problem family {Path(family.path).name}: a draw ran out of "
                                 f"{'memory' if isinstance(exc, MemoryError) else 'stack'}") from None
            problem.draws = draw
            problem.rejections = rejections
            return problem
    worst = max(rejections, key=rejections.get)
    raise InputError(f"problem family {family.id}: no usable draw in {MAX_DRAWS} tries for seed {seed} "
                     f"({difficulty}); most common reason: {worst}")


def _build(family: Family, seed: int, difficulty: str, params: dict) -> Problem:
    if family.conceptual:
        return _build_concept(family, seed, difficulty, params)
    names = derive(family, params)
    for c in family.constraints:
        if not evaluate(c, names):
            raise Rejected(f"constraint {c}")
    texts = option_texts(family.options, names)
    try:
        solution = run_kind(family.kind, texts)
    except InputError as exc:
        raise Rejected(f"the solver refused the draw ({exc})") from None
    parts = []
    for spec in family.parts:
        if spec.when and not evaluate(spec.when, names):
            continue
        parts.append(expected_part(family, spec, names, solution))
    if not family.allow_zero and all(_all_zero(p.expected) for p in parts):
        raise Rejected("every answer is zero")
    if not all(_finite(p.expected) for p in parts):
        raise Rejected("an answer is not a finite number")
    for p in parts:
        if p.start is not None and collision(p, p.start, family, names) != "apart":
            raise Rejected(f"the starting value of {p.name} would score as right")
    misconceptions = []
    for mis in family.misconceptions:
        values = misconception_values(family, mis, names, solution, parts)
        if values is None:
            continue
        verdicts = {p.name: collision(p, values[p.name], family, names) for p in parts if p.name in values}
        if "passes" in verdicts.values():
            raise Rejected(f"misconception {mis.id} would score as right at the stated precision")
        values = {k: v for k, v in values.items() if verdicts[k] != "same"}
        if not values:
            continue    # on this draw the slip changes nothing: no feedback for it
        misconceptions.append(MisconceptionAnswer(mis.id, mis.feedback, values))
    if not misconceptions:
        raise Rejected("no misconception can be told from the right answer")
    blocks = draw_blocks(family.blocks, names)
    prompt = fill_prompt(family.prompt, names, blocks)
    problem = Problem(family, seed, difficulty, params, names, prompt, texts, solution, parts, misconceptions,
                      blocks=blocks)
    why = degenerate(problem)
    if why:
        raise Rejected(f"degenerate: {why}")
    return problem


def _build_concept(family: Family, seed: int, difficulty: str, params: dict) -> Problem:
    """A conceptual problem: a question of the pool, its options arranged (``practice.concepts``)."""
    from dltutor.practice.concepts import concept_problem

    names, solution, parts, wrong = concept_problem(family, params)
    names = {**params, **names}
    misconceptions = [MisconceptionAnswer(mid, feedback, values) for mid, feedback, values in wrong]
    return Problem(family, seed, difficulty, params, names, fill_template(family.prompt, names), {},
                   solution, parts, misconceptions)


def _all_zero(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value == 0
    if isinstance(value, list):
        return all(_all_zero(v) for v in value)
    return False


def _finite(value) -> bool:
    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=float))))
    except (TypeError, ValueError):
        return True
