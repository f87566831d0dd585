"""The expected answers of a drawn problem: run the family's solver, read off each part.

A drawn problem's names (parameters and derived values) fill the family's
option templates; the solver's answer, through each part's expression, gives
the part's expected value. A table part is computed row by row, each row from
the previous row's state (``table_row``, ``next_state``), and kept flattened
(one list of numbers per row) with its column headers. A misconception reruns
the solver with altered settings, or evaluates its own expression, to give the
wrong answer a student with that slip would write.

Comparing: ``tolerance`` is the precision the prompt states (significant figures of the
value, or of the change for a value after an update, or decimal places), ``close`` the one
test that uses it, ``scores_right`` adds ranges of right answers, and ``collision`` tells a
draw whose starting value or slip would score as right (the draw is made again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dltutor.errors import InputError
from dltutor.practice.concept_spec import normalize, spellings
from dltutor.practice.expressions import evaluate, fill_template
from dltutor.practice.spec import Family, MisconceptionSpec, PartSpec
from dltutor.solution import Solution


@dataclass
class Part:
    """One answer part of a drawn problem, with its expected value."""

    spec: PartSpec
    expected: Any                     # plain value; a table: list of flattened rows
    columns: tuple[str, ...] = ()     # table: the flattened column headers
    layout: tuple[tuple[str, int, bool], ...] = ()   # table: (column, cells, is a list) per column
    label: str = ""                   # the spec's label template, filled for this draw
    start: Any = None                 # the value before the update (spec.start), if the part is one
    interval: tuple | None = None     # (low, low_open, high, high_open): every value inside is right
    options: tuple[str, ...] = ()     # a choice part: the option texts in the order shown (A, B, ...)
    accepted: tuple[str, ...] = ()    # a text part: every accepted answer (compared normalised)

    def __post_init__(self):
        self.label = self.label or self.spec.label

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def tolerance(self):
        """How far an answer may be from ``expected`` (elementwise) and still be right."""
        if self.spec.table is not None:
            return None                   # table cells: computed row by row from the student's rows
        return tolerance(self.spec, self.expected, self.start)

    def cell_tolerances(self) -> list[float]:
        """The tolerance of every number of the answer, flattened like the answer (tables: row by row),
        for a face or an export that grades number by number (an LMS numerical question)."""
        if self.spec.table is not None:
            return [float(t) for row in self.expected
                    for t in np.ravel(np.broadcast_to(tolerance(self.spec, row), np.shape(row)))]
        if self.spec.exact:
            return [0.0] * int(np.size(self.expected))
        if self.interval is not None:
            lo, _, hi, _ = self.interval
            return [float(min(abs(self.expected - lo), abs(hi - self.expected)))]
        tol = np.asarray(self.tolerance, dtype=float)
        return np.ravel(np.broadcast_to(tol, np.shape(self.expected))).astype(float).tolist()

    def to_dict(self) -> dict:
        out = {"name": self.name, "label": self.label, "form": self.spec.form,
               "marks": self.spec.marks, "answer": self.expected}
        if not self.spec.exact:
            text = self.spec.precision_text()
            out["precision"] = text or "any value in the range"
            if self.spec.table is None and not self.interval:
                tol = np.asarray(self.tolerance, dtype=float)
                out["tolerance"] = float(tol) if tol.ndim == 0 else tol.tolist()
        if self.interval:
            lo, lo_open, hi, hi_open = self.interval
            bounds = {("above" if lo_open else "min"): lo, ("below" if hi_open else "max"): hi}
            out["accept"] = {k: v for k, v in bounds.items() if np.isfinite(v)}
        if self.columns:
            out["columns"] = list(self.columns)
        if self.options:
            out["options"] = list(self.options)
        if self.accepted:
            out["accepted"] = list(self.accepted)
        return out


# ---------------------------------------------------------------- running the solver

def derive(family: Family, params: dict, pinned: dict | None = None) -> dict:
    """Parameters plus the derived values, in file order; ``pinned`` values replace derived ones."""
    names = {**family.formulas, **params}
    pinned = pinned or {}
    for key, expr in family.derived.items():
        if key in pinned:
            names[key] = pinned[key]
        else:
            names[key] = evaluate(expr, names) if isinstance(expr, str) else expr
    names.update({k: v for k, v in pinned.items() if k not in names})
    return names


def option_texts(templates: dict[str, str], names: dict) -> dict[str, str]:
    """Fill option templates; keys become solver keyword names (``update-bias`` → ``update_bias``)."""
    return {k.replace("-", "_"): fill_template(v, names) for k, v in templates.items()}


def run_kind(kind: str, texts: dict[str, str]) -> Solution:
    from dltutor.solvers.registry import run

    try:
        return run(kind, **{k: v for k, v in texts.items() if v != ""})
    except ModuleNotFoundError as exc:   # a kind whose module is not written yet
        raise KindMissing(f"the solve kind {kind!r} is not available ({exc})") from None


class KindMissing(RuntimeError):
    """The family's kind cannot be imported: not a bad draw, the family cannot run at all."""


# ---------------------------------------------------------------- expected answers

def expected_part(family: Family, spec: PartSpec, names: dict, solution: Solution) -> Part:
    label = fill_template(spec.label, names)
    if spec.table is None:
        scope = {**names, "answer": solution.answer}
        value = evaluate(spec.answer, scope)
        if spec.form == "integer" and isinstance(value, float) and value.is_integer():
            value = int(value)
        start = evaluate(spec.start, scope) if spec.start else None
        interval = None
        if spec.accept:
            acc = {k: float(evaluate(v, scope)) for k, v in spec.accept.items()}
            interval = (acc.get("above", acc.get("min", -np.inf)), "above" in acc,
                        acc.get("below", acc.get("max", np.inf)), "below" in acc)
        return Part(spec, value, label=label, start=start, interval=interval)
    rows = table_rows(family, spec, names)
    _agrees_with_solution(family, spec, names, rows, solution)
    columns, layout = _headers(rows[0])
    return Part(spec, [flatten_row(r) for r in rows], columns, layout, label=label)


def _agrees_with_solution(family: Family, spec: PartSpec, names: dict, rows: list[dict], solution: Solution) -> None:
    """A table is computed row by row (so that a student's slip can be carried forward); its last
    state must be the worked solution's answer, or a row's run used other conventions than the
    whole problem's (the perceptron once re-inferred its output function from one label)."""
    if not isinstance(solution.answer, dict):
        return
    state = initial_state(spec, names)
    for row in rows:
        state = next_state(spec, names, state, row)
    for key, value in state.items():
        if key not in solution.answer:
            continue
        whole = solution.answer[key]
        if np.shape(whole) != np.shape(value) and np.ndim(whole) == np.ndim(value) + 1:
            whole = whole[-1]                     # a history (h_1..h_T): its last entry
        try:
            agree = np.shape(whole) == np.shape(value) and np.allclose(
                np.asarray(whole, dtype=float), np.asarray(value, dtype=float), rtol=1e-9, atol=1e-12)
        except (TypeError, ValueError):
            continue
        if not agree:
            raise InputError(f"problem family {family.id}: part {spec.name}'s rows end at {key} = {value}, "
                             f"but the worked solution has {whole}: a row's solver run must get the "
                             "problem's conventions (its [options])")


def misconception_values(family: Family, mis: MisconceptionSpec, names: dict, solution: Solution,
                         parts: list[Part]) -> dict | None:
    """The wrong answer of ``mis`` per part it changes, or None when it does not apply to this draw."""
    if mis.when and not evaluate(mis.when, names):
        return None
    alt = dict(names)
    if mis.set:
        params = {k: v for k, v in names.items() if k not in family.derived}
        changed = {k: (evaluate(v, names) if isinstance(v, str) else v) for k, v in mis.set.items()}
        params.update({k: v for k, v in changed.items() if k in params})
        alt = derive(family, params, {k: v for k, v in changed.items() if k not in params})
    wrong = solution
    if mis.reruns:
        texts = option_texts({**family.options, **mis.options}, alt)
        try:
            wrong = run_kind(family.kind, texts)
        except InputError:
            return None
    values = {}
    for part in parts:
        spec = part.spec
        if mis.parts and spec.name not in mis.parts:
            continue
        if spec.name in mis.answers:
            values[spec.name] = evaluate(mis.answers[spec.name],
                                         {**alt, "answer": solution.answer, "wrong": wrong.answer})
        elif spec.table is not None and (mis.reruns or mis.row_options or mis.columns):
            try:
                rows = table_rows(family, spec, alt, mis)
            except InputError:
                continue
            values[spec.name] = [flatten_row(r) for r in rows]
        elif mis.reruns:
            values[spec.name] = evaluate(spec.answer, {**alt, "answer": wrong.answer})
    return values or None


# ---------------------------------------------------------------- tables

def table_row(family: Family, spec: PartSpec, names: dict, i: int, state: dict,
              mis: MisconceptionSpec | None = None) -> dict:
    """Row ``i`` of a table part computed from ``state`` (the previous row's values)."""
    table = spec.table
    scope = {**names, "i": i, "state": state}
    if table.options:
        # the row's run starts from the whole problem's options, so every convention the worked
        # solution uses (the output function, a mode) is passed to each row too, never re-inferred
        templates = {**family.options, **table.options}
        if mis is not None:
            templates.update(mis.options)
            templates.update(mis.row_options)
        texts = option_texts(templates, scope)
        scope["answer"] = run_kind(family.kind, texts).answer
    row = {}
    for name, expr in table.columns:
        if mis is not None and name in mis.columns:
            expr = mis.columns[name]
        row[name] = evaluate(expr, {**scope, "row": row})
    return row


def next_state(spec: PartSpec, names: dict, state: dict, row: dict) -> dict:
    scope = {**names, "state": state, "row": row}
    return {k: evaluate(v, scope) for k, v in spec.table.next_state.items()}


def initial_state(spec: PartSpec, names: dict) -> dict:
    return {k: evaluate(v, names) for k, v in spec.table.state.items()}


def row_count(spec: PartSpec, names: dict) -> int:
    rows = spec.table.rows
    return int(evaluate(rows, names) if isinstance(rows, str) else rows)


def table_rows(family: Family, spec: PartSpec, names: dict, mis: MisconceptionSpec | None = None) -> list[dict]:
    state = initial_state(spec, names)
    rows = []
    for i in range(row_count(spec, names)):
        row = table_row(family, spec, names, i, state, mis)
        rows.append(row)
        state = next_state(spec, names, state, row)
    return rows


def flatten_row(row: dict) -> list:
    cells = []
    for value in row.values():
        cells.extend(np.ravel(value).tolist() if isinstance(value, list) else [value])
    return cells


def _headers(row: dict) -> tuple[tuple[str, ...], tuple[tuple[str, int, bool], ...]]:
    columns, layout = [], []
    for name, value in row.items():
        if isinstance(value, list):
            n = len(np.ravel(value))
            columns.extend(f"{name}{j}" for j in range(1, n + 1))
            layout.append((name, n, True))
        else:
            columns.append(name)
            layout.append((name, 1, False))
    return tuple(columns), tuple(layout)


def unflatten_row(cells: list, part: Part) -> dict:
    """A flattened row back into columns (for carrying a student's row forward)."""
    out, at = {}, 0
    for name, width, is_list in part.layout:
        chunk = list(cells[at:at + width])
        out[name] = chunk if is_list else chunk[0]
        at += width
    return out


def table_row_right(given, cells, key_cells, spec: PartSpec) -> bool:
    """A student's table row is right: it follows from their own previous row (``cells``), or it
    is the key's row (a student who kept full precision between rows but wrote each row rounded)."""
    return given is not None and len(given) == len(cells) and (
        close(given, cells, spec) or close(given, key_cells, spec))


def table_rows_right(family: Family, part: Part, names: dict, rows: list) -> list[bool]:
    """Row by row, as the checker marks a table: each row recomputed from the given previous row
    (carried forward when it can be read, else the right row), right by ``table_row_right``."""
    spec, state, marks = part.spec, initial_state(part.spec, names), []
    for i, key_cells in enumerate(part.expected):
        cells = flatten_row(table_row(family, spec, names, i, state))
        given = rows[i] if i < len(rows) else None
        marks.append(table_row_right(given, cells, key_cells, spec))
        carried = given if given is not None and len(given) == len(cells) else cells
        state = next_state(spec, names, state, unflatten_row(carried, part))
    return marks


# ---------------------------------------------------------------- comparing

ABS_FLOOR = 1e-9       # below this a difference is float noise, not a different answer by hand


def tolerance(spec: PartSpec, expected, start=None):
    """The largest distance from ``expected`` that is still right, elementwise.

    ``sig`` significant figures: half a unit in the sig-th figure of |expected| (exactly what
    "correct to sig figures" means), or of |expected − start| for a value after an update, so
    that the update itself must be right to sig figures and the starting value never passes.
    ``decimals`` places: half a unit in the last place. Exact forms: 0."""
    if spec.exact:
        return 0.0
    y = np.asarray(expected, dtype=float)
    if spec.decimals is not None:
        tol = np.full(y.shape, 0.5 * 10.0 ** -spec.decimals)
    elif spec.sig:
        ref = np.abs(y - np.asarray(start, dtype=float)) if start is not None else np.abs(y)
        magnitude = np.floor(np.log10(np.where(ref > 0, ref, 1.0)))
        tol = np.where(ref > 0, 0.5 * 10.0 ** (magnitude - spec.sig + 1), 0.0)
    else:
        tol = np.maximum(spec.tol, spec.rel * np.abs(y))
    # a little slack so that a correctly rounded answer at a rounding boundary passes despite float error
    return np.maximum(tol * (1 + 1e-6), ABS_FLOOR)


def close(a, b, spec: PartSpec | Part) -> bool:
    """``a`` equals ``b`` within the part's tolerance, elementwise.

    Given a drawn ``Part``, the tolerance is the part's own (judged from its expected value and
    starting value, whatever ``b`` is); given a ``PartSpec``, it is judged from ``b``.
    Texts (a choice's letter, a short answer) are equal when they normalise the same, with or
    without a label copied in front ('ans = compile')."""
    if isinstance(b, bool) or isinstance(a, bool):
        return a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and any(
            normalize(x) == normalize(y) for x in spellings(a) for y in spellings(b))
    try:
        x = np.asarray(a, dtype=float)
        y = np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return a == b
    if x.shape != y.shape:
        return False
    if isinstance(spec, Part):
        tol = spec.tolerance if spec.spec.table is None else None
        if tol is None or np.shape(tol) not in ((), y.shape):   # a wrong answer of another shape
            tol = tolerance(spec.spec, b)
        spec_ = spec.spec
    else:
        tol, spec_ = tolerance(spec, b), spec
    if spec_.exact:
        return bool(np.all(np.abs(x - y) <= ABS_FLOOR))
    return bool(np.all(np.abs(x - y) <= tol))


def identical(a, b) -> bool:
    """The same answer (a slip that changes nothing on this draw is no slip)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and normalize(a) == normalize(b)
    try:
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return a == b
    return x.shape == y.shape and bool(np.all(np.abs(x - y) <= ABS_FLOOR))


def inside(value, interval) -> bool:
    """``value`` lies in the part's range of right answers (low, low_open, high, high_open)."""
    lo, lo_open, hi, hi_open = interval
    try:
        x = float(value)
    except (TypeError, ValueError):
        return False
    return (x > lo if lo_open else x >= lo - ABS_FLOOR) and (x < hi if hi_open else x <= hi + ABS_FLOOR)


def scores_right(given, part: Part) -> bool:
    """Would ``given`` get the part's marks (a range part: anywhere in the range)?"""
    if part.interval is not None:
        return inside(given, part.interval)
    if part.accepted:
        right = {normalize(a) for a in part.accepted}
        return isinstance(given, str) and any(normalize(t) in right for t in spellings(given))
    return close(given, part.expected, part)


def collision(part: Part, wrong, family: Family | None = None, names: dict | None = None) -> str:
    """How a wrong answer (a misconception's, or the starting value) stands to the right one:
    'same' (the slip changes nothing here), 'passes' (it would score as right: the draw cannot
    separate them and must be drawn again) or 'apart'.

    A table is judged as the checker marks it when ``family`` and the drawn ``names`` are given:
    each row against the row recomputed from the wrong answer's own previous row, so a slip that
    stays within the precision row by row (o·c for o·tanh(c) with a small c) passes even when its
    error, carried forward, takes a later row away from the key's."""
    if part.spec.table is not None:
        right_rows, wrong_rows = part.expected, wrong
        if len(right_rows) != len(wrong_rows):
            return "apart"
        if all(identical(w, r) for w, r in zip(wrong_rows, right_rows)):
            return "same"
        if all(len(w) == len(r) and close(w, r, part.spec) for w, r in zip(wrong_rows, right_rows)):
            return "passes"
        if family is not None and names is not None and all(table_rows_right(family, part, names, wrong_rows)):
            return "passes"
        return "apart"
    if identical(wrong, part.expected):
        return "same"
    return "passes" if scores_right(wrong, part) else "apart"
