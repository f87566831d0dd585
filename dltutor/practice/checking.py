"""Checking a student's answers to a drawn problem, and progressive help.

Each part is read in the value grammar of CLI.md (``dltutor.values``) and
compared with the part's form: integers and shapes exactly, numbers and
fractions (``1/3``) within the part's tolerance, vectors and matrices
elementwise. A wrong answer that equals a misconception's answer names that
misconception and shows its feedback.

Table parts (an epoch, row by row) are checked row by row with the student's
own values carried forward: row r is recomputed from the student's row r−1,
so one slip costs one row, not the rest of the table. The first wrong cell
is named, with the misconception that explains it, if any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


from dltutor import values
from dltutor.errors import InputError
from dltutor.practice.families import (Part, Problem, close, initial_state, next_state, table_row,
                              flatten_row, unflatten_row)
from dltutor.solution import Step

FORM_HELP = {
    "integer": "a whole number, e.g. 24",
    "number": "a number, e.g. 0.5 or 1/3",
    "fraction": "a fraction or a decimal, e.g. 3/4 or 0.75",
    "boolean": "yes or no",
    "vector": "numbers separated by commas, e.g. 0.1,-0.2",
    "shape": "sizes separated by x or commas, e.g. 24x24x6",
    "matrix": "rows separated by ';', e.g. 1,2;3,4",
    "table": "one row per line, the cells separated by commas",
}


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
    misconception: str | None = None
    feedback: str = ""
    message: str = ""
    first_wrong: str | None = None            # table: "row 2, w1"
    rows_correct: list[bool] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = {"name": self.name, "label": self.label, "given": self.given, "expected": self.expected,
               "marks": self.marks, "max_marks": self.max_marks, "correct": self.correct,
               "answered": self.answered, "misconception": self.misconception, "feedback": self.feedback,
               "message": self.message}
        if self.first_wrong is not None or self.rows_correct:
            out["first_wrong"] = self.first_wrong
            out["rows_correct"] = self.rows_correct
        return out


def read_answer(text: str, form: str):
    """Student text → a plain value of ``form``; InputError when it cannot be read."""
    text = values.check_length(text, "answer")
    if form == "integer":
        x = values.parse_fraction(text, "answer")
        if x.denominator != 1:
            raise InputError(f"answer {text!r} must be a whole number")
        return int(x)
    if form in ("number", "fraction"):
        return float(values.parse_fraction(text, "answer"))
    if form == "boolean":
        word = text.strip().lower()
        if word in ("yes", "y", "true", "1"):
            return True
        if word in ("no", "n", "false", "0"):
            return False
        raise InputError(f"answer {text!r} must be yes or no")
    if form == "shape":
        cleaned = text.strip().strip("()[]").replace("None,", "")
        return list(values.parse_shape(cleaned, "answer", maximum=10**9))
    if form == "vector":
        return values.parse_vector(text, "answer").tolist()
    return values.parse_matrix(text, "answer").tolist()


def check_part(problem: Problem, part: Part, text: str | None) -> PartResult:
    """Marks and feedback for one part (``text`` None or blank: not answered)."""
    spec = part.spec
    result = PartResult(spec.name, spec.label, text or "", part.expected, 0.0, spec.marks, False)
    if text is None or not str(text).strip():
        result.answered = False
        result.message = "not answered"
        return result
    if spec.table is not None:
        return _check_table(problem, part, text, result)
    try:
        given = read_answer(text, spec.form)
    except InputError as exc:
        result.message = f"could not read the answer: {FORM_HELP[spec.form]} ({exc})"
        return result
    if close(given, part.expected, spec):
        result.correct, result.marks = True, spec.marks
        return result
    for mis in problem.misconceptions:
        if part.name in mis.values and close(given, mis.values[part.name], spec):
            result.misconception, result.feedback = mis.id, mis.feedback
            break
    return result


def check_answers(problem: Problem, answers: dict[str, str | None]) -> list[PartResult]:
    return [check_part(problem, part, answers.get(part.name)) for part in problem.parts]


# ---------------------------------------------------------------- tables

def read_table(text: str, part: Part) -> list[list[float]]:
    """Rows separated by newlines or ';', cells by commas."""
    lines = [ln for ln in str(text).replace(";", "\n").splitlines() if ln.strip()]
    return [values.parse_vector(ln, f"row {i}").tolist() for i, ln in enumerate(lines, start=1)]


def _check_table(problem: Problem, part: Part, text: str, result: PartResult) -> PartResult:
    spec = part.spec
    try:
        rows = read_table(text, part)
    except InputError as exc:
        result.message = f"could not read the table: {exc}"
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
        if given is not None and len(given) == len(cells) and close(given, cells, spec):
            ok_rows.append(True)
            state = next_state(spec, scope, state, unflatten_row(given, part))
            continue
        ok_rows.append(False)
        if result.first_wrong is None:
            result.first_wrong, result.message = _first_wrong(part, i, given, cells)
            if given is not None and len(given) == len(cells):
                name = _row_misconception(problem, part, scope, i, state, given, cells, mis_specs)
                if name:
                    result.misconception = name
                    result.feedback = mis_specs[name].feedback
        # carry the student's own values forward when the row can be read, else the right ones
        carried = given if given is not None and len(given) == len(cells) else cells
        state = next_state(spec, scope, state, unflatten_row(carried, part))
    result.rows_correct = ok_rows
    n = len(expected_rows)
    result.marks = round(spec.marks * sum(ok_rows) / n, 4) if n else 0.0
    result.correct = all(ok_rows) and len(rows) == n
    if len(rows) > n and result.message == "":
        result.message = f"the table has {n} rows; {len(rows)} were given"
        result.correct = False
    return result


def _first_wrong(part: Part, i: int, given, cells) -> tuple[str, str]:
    if given is None:
        return f"row {i + 1}", f"row {i + 1} is missing"
    if len(given) != len(cells):
        return (f"row {i + 1}", f"row {i + 1} has {len(given)} cells; expected {len(cells)} "
                                f"({', '.join(part.columns)})")
    for j, (g, c) in enumerate(zip(given, cells)):
        if not close(g, c, part.spec):
            col = part.columns[j]
            return (f"row {i + 1}, {col}",
                    f"row {i + 1}, {col}: {values.format_number(g)} is wrong; from your previous row "
                    f"it is {values.format_number(c)}")
    return f"row {i + 1}", f"row {i + 1} is wrong"  # pragma: no cover - close() said otherwise


def _row_misconception(problem, part, scope, i, state, given, cells, mis_specs) -> str | None:
    for mis in problem.misconceptions:
        spec = mis_specs[mis.id]
        if part.name not in mis.values:
            continue
        try:
            alt = table_row(problem.family, part.spec, scope, i, state, spec)
        except InputError:
            continue
        wrong = flatten_row(alt)
        if len(wrong) == len(given) and close(given, wrong, part.spec) and not close(wrong, cells, part.spec):
            return mis.id
        # a misconception that reruns the whole problem is recognised on the first row
        mis_rows = mis.values[part.name]
        if i < len(mis_rows) and len(mis_rows[i]) == len(given) and close(given, mis_rows[i], part.spec):
            return mis.id
    return None


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
