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
solver raise, gives an all-zero answer or a misconception that cannot be told
from the right answer is drawn again (up to ``MAX_DRAWS`` times).
"""

from __future__ import annotations

import re
import tomllib
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from dltutor.errors import InputError
from dltutor.expressions import ExpressionError, evaluate, fill_template, placeholders, compile_expression
from dltutor.solution import Solution

DIFFICULTIES = ("easy", "medium", "hard")
TOPICS = ("neurons", "learning", "activations", "losses", "backprop", "cnn", "params", "rnn",
          "optimizers", "metrics")
FORMS = ("integer", "number", "fraction", "boolean", "vector", "shape", "matrix", "table")
MAX_DRAWS = 200
DEFAULT_TOL = 5e-4      # absolute
DEFAULT_REL = 1e-2      # relative: 3 significant digits are enough
ID_PATTERN = re.compile(r"^([a-z0-9][a-z0-9-]*)@(\d+):(\d+)(?::(easy|medium|hard))?$")


# ---------------------------------------------------------------- the data

@dataclass(frozen=True)
class TableSpec:
    """A part answered as a table, one row per sample/time step, each row from the previous row's state."""

    rows: str                               # expression: number of rows
    state: dict[str, str]                   # initial state: name -> expression
    columns: tuple[tuple[str, str], ...]    # (column name, expression over answer/state/i)
    next_state: dict[str, str]              # state after a row: expressions over row/state
    options: dict[str, str]                 # option templates of one row's solver run (may be empty)


@dataclass(frozen=True)
class PartSpec:
    name: str
    label: str
    form: str
    marks: float
    answer: str = "answer"
    tol: float = DEFAULT_TOL
    rel: float = DEFAULT_REL
    when: str = ""
    table: TableSpec | None = None


@dataclass(frozen=True)
class MisconceptionSpec:
    id: str
    feedback: str
    set: dict[str, Any] = field(default_factory=dict)          # parameter overrides (expressions)
    options: dict[str, str] = field(default_factory=dict)      # option-text overrides (templates)
    answers: dict[str, str] = field(default_factory=dict)      # part -> expression of the wrong answer
    row_options: dict[str, str] = field(default_factory=dict)  # table rows: option overrides
    columns: dict[str, str] = field(default_factory=dict)      # table rows: column expression overrides
    when: str = ""
    parts: tuple[str, ...] = ()

    @property
    def reruns(self) -> bool:
        return bool(self.set or self.options)


@dataclass(frozen=True)
class Family:
    id: str
    version: int
    title: str
    topic: str
    kind: str
    prompt: str
    params: dict[str, dict[str, dict]]     # difficulty -> name -> spec
    derived: dict[str, Any]
    constraints: tuple[str, ...]
    options: dict[str, str]
    parts: tuple[PartSpec, ...]
    misconceptions: tuple[MisconceptionSpec, ...]
    hints: tuple[str, ...]
    path: str = ""
    allow_zero: bool = False

    def summary(self) -> dict:
        return {"id": self.id, "title": self.title, "topic": self.topic, "kind": self.kind}


@dataclass
class Part:
    """One answer part of a drawn problem, with its expected value."""

    spec: PartSpec
    expected: Any                     # plain value; a table: list of flattened rows
    columns: tuple[str, ...] = ()     # table: the flattened column headers
    layout: tuple[tuple[str, int, bool], ...] = ()   # table: (column, cells, is a list) per column

    @property
    def name(self) -> str:
        return self.spec.name

    def to_dict(self) -> dict:
        out = {"name": self.name, "label": self.spec.label, "form": self.spec.form,
               "marks": self.spec.marks, "answer": self.expected}
        if self.spec.form not in ("integer", "boolean", "shape"):
            out["tolerance"] = {"abs": self.spec.tol, "rel": self.spec.rel}
        if self.columns:
            out["columns"] = list(self.columns)
        return out


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
                "marks": self.marks, "parts": [p.to_dict() for p in self.parts],
                "hints": list(self.family.hints),
                "misconceptions": [{"id": m.id, "feedback": m.feedback, "answers": m.values}
                                   for m in self.misconceptions],
                "solution": self.solution.to_dict(digits)}


# ---------------------------------------------------------------- loading

def problems_dir() -> Path:
    """``problems/`` of a source checkout, or the copy shipped inside the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "problems", here / "_data" / "problems"):
        if candidate.is_dir():
            return candidate
    raise InputError("the problems folder is missing from this installation")


@lru_cache(maxsize=None)
def load_families(directory: str | None = None) -> dict[str, Family]:
    """Every family in ``directory`` (default: the project's problems/), by id, sorted."""
    folder = Path(directory) if directory else problems_dir()
    families = {}
    for path in sorted(folder.glob("*.toml")):
        fam = load_family(path)
        families[fam.id] = fam
    return families


def get_family(name: str) -> Family:
    families = load_families()
    if name not in families:
        raise InputError(f"unknown problem family {name!r}; see 'dltutor generate --list'")
    return families[name]


def load_family(path: str | Path) -> Family:
    """Read and validate one family file; a bad file is an InputError naming the file and the field."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"problem family {path.name}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise InputError(f"problem family {path.name}: cannot be read ({exc.__class__.__name__})") from None
    return _validate(data, path)


class _Bad(Exception):
    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")


def _need(data: dict, key: str, kind: type | tuple, where: str = ""):
    label = f"{where}{key}"
    if key not in data:
        raise _Bad(label, "is missing")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float, (int, float))):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise _Bad(label, f"must be a {names}, got {value!r}")
    return value


def _check_expr(text, where: str) -> str:
    if not isinstance(text, str) or text == "":
        return text
    try:
        compile_expression(text)
    except ExpressionError as exc:
        raise _Bad(where, str(exc)) from None
    return text


def _check_template(text, where: str) -> str:
    if not isinstance(text, str):
        raise _Bad(where, f"must be a text template, got {text!r}")
    for expr in placeholders(text):
        _check_expr(expr, where)
    return text


TOP_LEVEL = ("id", "version", "title", "topic", "kind", "prompt", "hints", "constraints", "allow_zero",
             "options", "parts", "misconceptions", "derived", "params")


def _param_spec(spec, where: str) -> dict:
    if where.split(".")[-1] in TOP_LEVEL:
        raise _Bad(where, "is a top-level key written after a [table] header; "
                          "move it above the first [table] of the file")
    if not isinstance(spec, dict):
        return {"value": spec}
    kinds = [k for k in ("value", "int", "grid", "choice") if k in spec]
    if len(kinds) != 1:
        raise _Bad(where, "needs exactly one of value, int = [lo, hi], grid = [lo, hi, step], choice = [...]")
    unknown = set(spec) - {"value", "int", "grid", "choice", "shape", "nonzero"}
    if unknown:
        raise _Bad(where, f"unknown key {sorted(unknown)[0]!r}")
    if "int" in spec and (not isinstance(spec["int"], list) or len(spec["int"]) != 2
                          or not all(isinstance(v, int) for v in spec["int"]) or spec["int"][0] > spec["int"][1]):
        raise _Bad(where + ".int", "must be [lo, hi], whole numbers with lo <= hi")
    if "grid" in spec and (not isinstance(spec["grid"], list) or len(spec["grid"]) != 3
                           or not all(isinstance(v, (int, float)) for v in spec["grid"])
                           or spec["grid"][2] <= 0 or spec["grid"][0] > spec["grid"][1]):
        raise _Bad(where + ".grid", "must be [lo, hi, step] with lo <= hi and step > 0")
    if "choice" in spec and (not isinstance(spec["choice"], list) or not spec["choice"]):
        raise _Bad(where + ".choice", "must be a non-empty list")
    if "shape" in spec:
        shape = spec["shape"]
        if not isinstance(shape, list) or not all(isinstance(d, (int, str)) for d in shape):
            raise _Bad(where + ".shape", "must be a list of sizes (numbers or expressions)")
        for d in shape:
            _check_expr(d, where + ".shape")
    return spec


def _validate(data: dict, path: Path) -> Family:
    from dltutor.solvers.registry import KIND_MODULES

    try:
        fid = _need(data, "id", str)
        if fid != path.stem:
            raise _Bad("id", f"{fid!r} must equal the file name {path.stem!r}")
        version = _need(data, "version", int)
        if version < 1:
            raise _Bad("version", "must be at least 1")
        title = _need(data, "title", str)
        topic = _need(data, "topic", str)
        if topic not in TOPICS:
            raise _Bad("topic", f"{topic!r} is not one of {', '.join(TOPICS)}")
        kind = _need(data, "kind", str)
        if kind not in KIND_MODULES:
            raise _Bad("kind", f"{kind!r} is not a solve kind")
        prompt = _check_template(_need(data, "prompt", str), "prompt").strip()
        hints = tuple(_need(data, "hints", list))
        if not hints or not all(isinstance(h, str) for h in hints):
            raise _Bad("hints", "must be a non-empty list of texts")

        base = {k: _param_spec(v, f"params.{k}") for k, v in _need(data, "params", dict).items()}
        params = {}
        for diff in DIFFICULTIES:
            over = data.get(diff, {})
            if not isinstance(over, dict):
                raise _Bad(diff, "must be a table of parameter ranges")
            merged = dict(base)
            merged.update({k: _param_spec(v, f"{diff}.{k}") for k, v in over.items()})
            params[diff] = merged
        derived = data.get("derived", {})
        if not isinstance(derived, dict):
            raise _Bad("derived", "must be a table of name = expression")
        for k, v in derived.items():
            _check_expr(v, f"derived.{k}")
        constraints = tuple(data.get("constraints", []))
        for i, c in enumerate(constraints):
            if not isinstance(c, str):
                raise _Bad(f"constraints[{i}]", "must be an expression text")
            _check_expr(c, f"constraints[{i}]")
        options = _need(data, "options", dict)
        for k, v in options.items():
            _check_template(v, f"options.{k}")

        parts = tuple(_part(p, i) for i, p in enumerate(_need(data, "parts", list)))
        if not parts:
            raise _Bad("parts", "needs at least one part")
        names = [p.name for p in parts]
        if len(set(names)) != len(names):
            raise _Bad("parts", "part names must be distinct")
        mis = tuple(_misconception(m, i, names) for i, m in enumerate(_need(data, "misconceptions", list)))
        if not mis:
            raise _Bad("misconceptions", "needs at least one misconception")
        if len({m.id for m in mis}) != len(mis):
            raise _Bad("misconceptions", "ids must be distinct")
        allow_zero = bool(data.get("allow_zero", False))
    except _Bad as exc:
        raise InputError(f"problem family {path.name}: {exc}") from None
    return Family(fid, version, title, topic, kind, prompt, params, derived, constraints,
                  dict(options), parts, mis, hints, str(path), allow_zero)


def _part(data, i: int) -> PartSpec:
    where = f"parts[{i}]."
    if not isinstance(data, dict):
        raise _Bad(f"parts[{i}]", "must be a table")
    name = _need(data, "name", str, where)
    form = _need(data, "form", str, where)
    if form not in FORMS:
        raise _Bad(where + "form", f"{form!r} is not one of {', '.join(FORMS)}")
    marks = _need(data, "marks", (int, float), where)
    if marks <= 0:
        raise _Bad(where + "marks", "must be greater than 0")
    label = _check_template(data.get("label", name), where + "label")
    table = None
    if form == "table":
        columns = _need(data, "columns", list, where)
        cols = []
        for j, col in enumerate(columns):
            if not isinstance(col, dict) or "name" not in col or "answer" not in col:
                raise _Bad(f"{where}columns[{j}]", "must be {name = ..., answer = ...}")
            cols.append((str(col["name"]), _check_expr(col["answer"], f"{where}columns[{j}].answer")))
        state = data.get("state", {})
        nxt = data.get("next_state", {})
        for k, v in list(state.items()) + list(nxt.items()):
            _check_expr(v, f"{where}state.{k}")
        opts = data.get("options", {})
        for k, v in opts.items():
            _check_template(v, f"{where}options.{k}")
        table = TableSpec(_check_expr(_need(data, "rows", (str, int), where), where + "rows"),
                          dict(state), tuple(cols), dict(nxt), dict(opts))
    tol = data.get("tol", 0.0 if form in ("integer", "shape", "boolean") else DEFAULT_TOL)
    rel = data.get("rel", 0.0 if form in ("integer", "shape", "boolean") else DEFAULT_REL)
    return PartSpec(name, label, form, float(marks), _check_expr(data.get("answer", "answer"), where + "answer"),
                    float(tol), float(rel), _check_expr(data.get("when", ""), where + "when"), table)


def _misconception(data, i: int, part_names: list[str]) -> MisconceptionSpec:
    where = f"misconceptions[{i}]."
    if not isinstance(data, dict):
        raise _Bad(f"misconceptions[{i}]", "must be a table")
    mid = _need(data, "id", str, where)
    feedback = _need(data, "feedback", str, where)
    spec = MisconceptionSpec(
        mid, feedback, dict(data.get("set", {})), dict(data.get("options", {})), dict(data.get("answers", {})),
        dict(data.get("row_options", {})), dict(data.get("columns", {})),
        _check_expr(data.get("when", ""), where + "when"), tuple(data.get("parts", ())))
    if not (spec.set or spec.options or spec.answers or spec.row_options or spec.columns):
        raise _Bad(where[:-1], "needs set, options, answers, row_options or columns")
    for p in list(spec.answers) + list(spec.parts):
        if p not in part_names:
            raise _Bad(where + "answers", f"names an unknown part {p!r}")
    for k, v in spec.set.items():
        _check_expr(v, f"{where}set.{k}")
    for k, v in spec.answers.items():
        _check_expr(v, f"{where}answers.{k}")
    for k, v in list(spec.options.items()) + list(spec.row_options.items()):
        _check_template(v, f"{where}options.{k}")
    return spec


# ---------------------------------------------------------------- drawing

def parse_id(text: str) -> tuple[str, int, int, str]:
    """``family@version:seed[:difficulty]`` → (family, version, seed, difficulty)."""
    m = ID_PATTERN.match(text.strip())
    if not m:
        raise InputError(f"problem id {text!r} must look like conv-output-size@1:42:hard")
    return m.group(1), int(m.group(2)), int(m.group(3)), m.group(4) or "medium"


def problem_from_id(text: str) -> Problem:
    name, version, seed, difficulty = parse_id(text)
    family = get_family(name)
    if version != family.version:
        raise InputError(f"problem id {text!r} asks for version {version} of {name}, "
                         f"but this dltutor has version {family.version}; the problem cannot be regenerated")
    return generate(family, seed, difficulty)


def _draw_one(spec: dict, rng: np.random.Generator, names: dict):
    shape = [int(evaluate(d, names)) if isinstance(d, str) else d for d in spec.get("shape", [])]
    count = int(np.prod(shape)) if shape else 1
    if "value" in spec:
        return spec["value"]
    if "int" in spec:
        lo, hi = spec["int"]
        pool = [v for v in range(lo, hi + 1) if not (spec.get("nonzero") and v == 0)]
    elif "grid" in spec:
        lo, hi, step = spec["grid"]
        n = int(round((hi - lo) / step))
        pool = [round(lo + j * step, 10) for j in range(n + 1)]
        pool = [int(v) if float(v).is_integer() and isinstance(step, int) else v for v in pool]
        if spec.get("nonzero"):
            pool = [v for v in pool if v != 0]
    else:
        pool = spec["choice"]
    picks = [pool[int(j)] for j in rng.integers(0, len(pool), size=count)]
    if not shape:
        return picks[0]
    return np.array(picks, dtype=object).reshape(shape).tolist()


def derive(family: Family, params: dict, pinned: dict | None = None) -> dict:
    """Parameters plus the derived values, in file order; ``pinned`` values replace derived ones."""
    names = dict(params)
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


class Rejected(Exception):
    """A draw that cannot be used; the reason is counted by ``stress``."""


def generate(family: Family, seed: int, difficulty: str = "medium") -> Problem:
    """The problem ``family@version:seed:difficulty``: deterministic."""
    if difficulty not in DIFFICULTIES:
        raise InputError(f"difficulty {difficulty!r} is not one of {', '.join(DIFFICULTIES)}")
    if seed < 0 or seed >= 2**63:
        raise InputError(f"seed {seed} must be a whole number from 0 to 2**63 - 1")
    rng = np.random.default_rng([zlib.crc32(family.id.encode()), seed, DIFFICULTIES.index(difficulty)])
    rejections: dict[str, int] = {}
    for draw in range(1, MAX_DRAWS + 1):
        params: dict[str, Any] = {}
        try:
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
        problem.draws = draw
        problem.rejections = rejections
        return problem
    worst = max(rejections, key=rejections.get)
    raise InputError(f"problem family {family.id}: no usable draw in {MAX_DRAWS} tries for seed {seed} "
                     f"({difficulty}); most common reason: {worst}")


def _build(family: Family, seed: int, difficulty: str, params: dict) -> Problem:
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
        parts.append(_expected_part(family, spec, names, solution))
    if not family.allow_zero and all(_all_zero(p.expected) for p in parts):
        raise Rejected("every answer is zero")
    if not all(_finite(p.expected) for p in parts):
        raise Rejected("an answer is not a finite number")
    misconceptions = []
    for mis in family.misconceptions:
        values = misconception_values(family, mis, names, solution, parts)
        if values is None:
            continue
        if all(close(values[p.name], p.expected, p.spec) for p in parts if p.name in values):
            continue    # this draw cannot tell the slip from the right answer: no feedback for it
        misconceptions.append(MisconceptionAnswer(mis.id, mis.feedback, values))
    if not misconceptions:
        raise Rejected("no misconception can be told from the right answer")
    prompt = fill_template(family.prompt, names)
    return Problem(family, seed, difficulty, params, names, prompt, texts, solution, parts, misconceptions)


def _expected_part(family: Family, spec: PartSpec, names: dict, solution: Solution) -> Part:
    if spec.table is None:
        value = evaluate(spec.answer, {**names, "answer": solution.answer})
        if spec.form == "integer" and isinstance(value, float) and value.is_integer():
            value = int(value)
        return Part(spec, value)
    rows = table_rows(family, spec, names)
    columns, layout = _headers(rows[0])
    return Part(spec, [flatten_row(r) for r in rows], columns, layout)


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
        templates = dict(table.options)
        if mis is not None:
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


# ---------------------------------------------------------------- comparing

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


def close(a, b, spec: PartSpec) -> bool:
    """``a`` equals ``b`` within the part's tolerance: |a − b| ≤ max(tol, rel·|b|), elementwise."""
    if isinstance(b, bool) or isinstance(a, bool):
        return a == b
    try:
        x = np.asarray(a, dtype=float)
        y = np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return a == b
    if x.shape != y.shape:
        return False
    return bool(np.all(np.abs(x - y) <= np.maximum(spec.tol, spec.rel * np.abs(y)) + 1e-12))
