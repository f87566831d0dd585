"""Checking a student's answers to a drawn problem, and progressive help.

Each part is read as students write it (``dltutor.practice.reading``: ``parse_answer``
is what a face calls as the student types) and compared with the part's form:
integers and shapes exactly, everything else to the precision the prompt states
(``answers.tolerance``), a range part anywhere in its range. Matrices are marked
cell by cell, marks in proportion, the first wrong cell named. A wrong answer
that equals misconceptions' answers names each of them and shows their feedback;
a right answer never does.

Table parts (an epoch, row by row) are checked row by row with the student's
own values carried forward: row r is recomputed from the student's row r−1,
so one slip costs one row, not the rest of the table. The first wrong cell
is named, with the misconception that explains it, if any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dltutor import values
from dltutor.errors import InputError
from dltutor.practice.answers import scores_right, table_row_right
from dltutor.practice.concept_spec import choice_letter
from dltutor.practice.reading import FORM_HELP, matrix_size, parse_answer, read_answer, read_table
from dltutor.practice.answers import ABS_FLOOR, tolerance
from dltutor.practice.families import (Part, Problem, close, initial_state, next_state, table_row,
                                       flatten_row, unflatten_row)
from dltutor.practice.spec import PartSpec
from dltutor.solution import Step

__all__ = ["FORM_HELP", "PartResult", "parse_answer", "read_answer", "read_table", "check_part", "check_answers",
           "Help", "Attempt"]


class Typed(str):
    """A value as the student wrote it, inside a verdict's message."""


SIGN_HINT = "check the sign convention (which way the error, or the gradient, points)"


@dataclass
class PartResult:
    """The verdict on one part: marks, and what to tell the student."""

    name: str
    label: str
    given: str
    expected: Any
    marks: float
    max_marks: float
    correct: bool
    answered: bool = True
    misconception: str | None = None          # the slip's id; several ids joined by ', ' when they agree
    feedback: str = ""
    message: str = ""
    first_wrong: str | None = None            # table: "row 2, w1"; matrix: "row 1, column 2"
    rows_correct: list[bool] = field(default_factory=list)
    misconceptions: list[str] = field(default_factory=list)   # every slip that gives this answer
    typed: list[tuple[int, int]] = field(default_factory=list)  # spans of ``message`` the student typed
    cells_correct: list[list[bool]] = field(default_factory=list)   # matrix: cell by cell

    def say(self, *pieces) -> None:
        """Set ``message`` from ``pieces``; a ``Typed`` piece is the student's own value, kept as
        typed when a face writes the message as mathematics (``typed`` holds where it is)."""
        self.message, self.typed = "", []
        for piece in pieces:
            if isinstance(piece, Typed):
                self.typed.append((len(self.message), len(self.message) + len(piece)))
            self.message += piece

    def to_dict(self) -> dict:
        out = {"name": self.name, "label": self.label, "given": self.given, "expected": self.expected,
               "marks": self.marks, "max_marks": self.max_marks, "correct": self.correct,
               "answered": self.answered, "misconception": self.misconception, "feedback": self.feedback,
               "message": self.message}
        if self.misconceptions:
            out["misconceptions"] = list(self.misconceptions)
        if self.first_wrong is not None or self.rows_correct:
            out["first_wrong"] = self.first_wrong
            out["rows_correct"] = self.rows_correct
        if self.cells_correct:
            out["cells_correct"] = self.cells_correct
        return out


def check_part(problem: Problem, part: Part, text: str | None) -> PartResult:
    """Marks and feedback for one part (``text`` None or blank: not answered)."""
    spec = part.spec
    result = PartResult(spec.name, part.label, text or "", part.expected, 0.0, spec.marks, False)
    if text is None or not str(text).strip():
        result.answered = False
        result.message = "not answered"
        return result
    if spec.table is not None:
        return _check_table(problem, part, text, result)
    try:
        given = read_answer(text, spec.form)
    except InputError as exc:
        result.say(Typed(f"could not read the answer: {FORM_HELP[spec.form]} ({exc})"))   # quotes the answer
        return result
    if part.options:                  # a choice: a letter, or an option's text, names the option
        letter = choice_letter(given, part.options)
        if letter is None:
            result.message = f"not one of the options: answer with a letter from A to {chr(64 + len(part.options))}"
            return result
        given = letter
    if scores_right(given, part):
        result.correct, result.marks = True, spec.marks
        return result
    if spec.form == "matrix" and np.shape(given) == np.shape(part.expected):
        _mark_cells(part, given, result)
    elif spec.form == "vector" and np.shape(given) == np.shape(part.expected):
        wrong = np.abs(np.asarray(given, dtype=float) - np.asarray(part.expected, dtype=float)) \
            > np.broadcast_to(np.asarray(part.tolerance, dtype=float), np.shape(part.expected))
        k = int(np.argmax(wrong))
        result.first_wrong = f"entry {k + 1}"
        result.say(f"{int(wrong.sum())} of {wrong.size} entries wrong; the first is entry {k + 1}: ",
                   Typed(values.format_number(given[k])))
    elif spec.form in ("vector", "shape"):
        result.say(f"the answer has {values.plural(len(given), 'number')}; {part.label} has {len(part.expected)}")
    elif spec.form == "matrix":
        result.say(f"the answer is {matrix_size(np.shape(given))}; {part.label} is "
                   f"{matrix_size(np.shape(part.expected))} (rows × columns)")
    if sign_flipped(given, part.expected, part):
        result.say(("every value has the wrong sign: " if np.size(given) > 1 else "the sign is wrong: ") + SIGN_HINT)
    if part.start is not None and close(given, part.start, part):
        result.marks = 0.0
        result.say("that is the value before the update: apply the update to it")
    _name_misconceptions(problem, part, given, result)
    return result


def sign_flipped(given, expected, part: Part | PartSpec) -> bool:
    """Every number of ``given`` is the negative of the ``expected`` one, within the part's tolerance,
    and the expected numbers are not all about zero (where the sign says nothing)."""
    try:
        x, y = np.asarray(given, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return False
    if x.shape != y.shape or x.size == 0 or isinstance(given, (bool, str)):
        return False
    spec = part.spec if isinstance(part, Part) else part
    if spec.form in ("shape", "boolean", "truefalse", "choice", "text"):
        return False
    floor = np.maximum(tolerance(spec, y), ABS_FLOOR)
    return bool(np.any(np.abs(y) > floor)) and close(-x, y, part)


def _mark_cells(part: Part, given, result: PartResult) -> None:
    """A matrix is marked cell by cell: marks in proportion, the first wrong cell named."""
    tol = np.broadcast_to(np.asarray(part.tolerance, dtype=float), np.shape(part.expected))
    ok = np.abs(np.asarray(given, dtype=float) - np.asarray(part.expected, dtype=float)) <= tol
    result.cells_correct = ok.tolist()
    result.marks = round(part.spec.marks * float(ok.mean()), 4)
    r, c = map(int, np.argwhere(~ok)[0])
    result.first_wrong = f"row {r + 1}, column {c + 1}"
    result.say(f"{int(ok.sum())} of {ok.size} cells right; the first wrong one is row {r + 1}, "
               f"column {c + 1}: ", Typed(values.format_number(given[r][c])))


def _name_misconceptions(problem: Problem, part: Part, given, result: PartResult) -> None:
    """Every slip whose answer this is (several slips can give the same number: name each)."""
    hits = [mis for mis in problem.misconceptions
            if part.name in mis.values and close(given, mis.values[part.name], part)]
    if hits:
        result.misconceptions = [m.id for m in hits]
        result.misconception = ", ".join(result.misconceptions)
        if len(hits) == 1:
            result.feedback = hits[0].feedback
        else:
            result.feedback = " Or: ".join(m.feedback for m in hits)


def check_answers(problem: Problem, answers: dict[str, str | None]) -> list[PartResult]:
    return [check_part(problem, part, answers.get(part.name)) for part in problem.parts]


# ---------------------------------------------------------------- tables

def _check_table(problem: Problem, part: Part, text: str, result: PartResult) -> PartResult:
    spec = part.spec
    try:
        rows = read_table(text, part)
    except InputError as exc:
        result.say(Typed(f"could not read the table: {exc}"))
        return result
    family, scope = problem.family, problem.names
    expected_rows = part.expected
    state = initial_state(spec, scope)
    mis_specs = {m.id: m for m in family.misconceptions}
    ok_rows: list[bool] = []
    for i, expected_cells in enumerate(expected_rows):
        row = table_row(family, spec, scope, i, state)
        cells = flatten_row(row)
        given = rows[i] if i < len(rows) else None
        if table_row_right(given, cells, expected_cells, spec):
            ok_rows.append(True)
            state = next_state(spec, scope, state, unflatten_row(given, part))
            continue
        ok_rows.append(False)
        if result.first_wrong is None:
            result.first_wrong = _first_wrong(part, i, given, cells, result)
            if given is not None and len(given) == len(cells):
                names = _row_misconceptions(problem, part, scope, i, state, given, cells, mis_specs)
                if names:
                    result.misconceptions = names
                    result.misconception = ", ".join(names)
                    result.feedback = " Or: ".join(mis_specs[n].feedback for n in names)
        # carry the student's own values forward when the row can be read, else the right ones
        carried = given if given is not None and len(given) == len(cells) else cells
        state = next_state(spec, scope, state, unflatten_row(carried, part))
    result.rows_correct = ok_rows
    n = len(expected_rows)
    result.marks = round(spec.marks * sum(ok_rows) / n, 4) if n else 0.0
    result.correct = all(ok_rows) and len(rows) == n
    if len(rows) > n and result.message == "":
        result.say(f"the table has {values.plural(n, 'row')}; {len(rows)} were given")
        result.correct = False
    return result


def _first_wrong(part: Part, i: int, given, cells, result: PartResult) -> str:
    """Where row ``i`` first goes wrong (``row 2, h``); says why in ``result``. Row 1 follows from
    the problem's starting values, every later row from the student's own previous row."""
    if given is None:
        result.say(f"row {i + 1} is missing")
        return f"row {i + 1}"
    if len(given) != len(cells):
        result.say(f"row {i + 1} has {values.plural(len(given), 'cell')}; expected {len(cells)} "
                   f"({', '.join(part.columns)})")
        return f"row {i + 1}"
    source = "from the given starting values" if i == 0 else "from your previous row"
    if sign_flipped(given, cells, part.spec):
        result.say(f"row {i + 1}: every value has the wrong sign; {SIGN_HINT}")
        return f"row {i + 1}"
    for j, (g, c) in enumerate(zip(given, cells)):
        if not close(g, c, part.spec):
            col = part.columns[j]
            result.say(f"row {i + 1}, {col}: ", Typed(values.format_number(g)),
                       f" is wrong; {source} it is {values.math_number(c)}")
            return f"row {i + 1}, {col}"
    result.say(f"row {i + 1} is wrong")  # pragma: no cover - close() said otherwise
    return f"row {i + 1}"


def _row_misconceptions(problem, part, scope, i, state, given, cells, mis_specs) -> list[str]:
    """Every slip that explains the first wrong row."""
    return [mis.id for mis in problem.misconceptions
            if _row_is_slip(problem, part, scope, i, state, given, cells, mis_specs, mis)]


def _row_is_slip(problem, part, scope, i, state, given, cells, mis_specs, mis) -> bool:
    """Row ``i`` as ``given`` is what the slip ``mis`` makes from the same previous row."""
    if part.name not in mis.values:
        return False
    try:
        wrong = flatten_row(table_row(problem.family, part.spec, scope, i, state, mis_specs[mis.id]))
    except InputError:
        wrong = None
    if wrong is not None and len(wrong) == len(given) and close(given, wrong, part.spec) \
            and not close(wrong, cells, part.spec):
        return True
    # a misconception that reruns the whole problem is recognised on the first row
    mis_rows = mis.values[part.name]
    return i < len(mis_rows) and len(mis_rows[i]) == len(given) and close(given, mis_rows[i], part.spec)


# ---------------------------------------------------------------- help and attempts

@dataclass
class Help:
    """One piece of help: a hint text, one step of the worked solution, or all of it."""

    level: str                 # "hint", "step", "solution"
    text: str
    step: Step | None = None


@dataclass
class Attempt:
    """A student's work on one problem: answers, verdicts, and the help used."""

    problem: Problem
    answers: dict[str, str] = field(default_factory=dict)
    results: list[PartResult] = field(default_factory=list)
    help_used: list[str] = field(default_factory=list)
    _hints: int = 0
    _steps: int = 0

    def help(self) -> Help:
        """The next piece of help: each hint, then each step, then the full solution."""
        hints = self.problem.family.hints
        steps = self.problem.solution.steps
        if self._hints < len(hints):
            self._hints += 1
            self.help_used.append(f"hint {self._hints}")
            return Help("hint", hints[self._hints - 1])
        if self._steps < len(steps):
            step = steps[self._steps]
            self._steps += 1
            self.help_used.append(f"step {self._steps}")
            return Help("step", _step_text(step), step)
        self.help_used.append("solution")
        return Help("solution", "\n".join(_step_text(s) for s in steps))

    def check(self, answers: dict[str, str | None]) -> list[PartResult]:
        self.answers.update({k: v for k, v in answers.items() if v is not None})
        self.results = check_answers(self.problem, self.answers)
        return self.results

    @property
    def marks(self) -> float:
        return sum(r.marks for r in self.results)

    def to_dict(self) -> dict:
        return {"id": self.problem.id, "answers": dict(self.answers), "marks": self.marks,
                "max_marks": self.problem.marks, "help_used": list(self.help_used),
                "parts": [r.to_dict() for r in self.results]}


def _step_text(step: Step) -> str:
    sub = step.substituted.render() if hasattr(step.substituted, "render") else step.substituted
    pieces = [step.title + ":", step.formula]
    if sub:
        pieces.append("= " + str(sub))
    if step.value is not None:
        pieces.append("= " + values.format_value(step.value))
    return " ".join(p for p in pieces if p)
