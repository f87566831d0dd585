"""A problem family's file, read and checked: ``problems/<id>.toml`` -> ``Family``.

The format is in problems/README.md. A family is data: parameter ranges per
difficulty, derived values, constraints, a prompt template, the ``solve`` kind
that answers it and its option templates, the answer parts (``PartSpec``, a
table part with its ``TableSpec``), hints and misconceptions
(``MisconceptionSpec``). Every expression and template is compiled when the
file is read, so that a mistake in a file is reported with the file and the
field (``problem family x.toml: parts[1].answer: ...``), not when a student
draws a problem. Drawing is in ``dltutor.practice.families``; which folders are
read (the built-in one and teachers') is ``dltutor.practice.catalog``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dltutor.practice.blocks import block_names, parse_blocks, without_blocks
from dltutor.errors import InputError
from dltutor.practice.concept_spec import (CHOICES, CONCEPT_FORMS, LETTERS, PoolError, Question, pool_params,
                                           prompt_template, read_pool)
from dltutor.practice.expressions import ExpressionError, compile_expression, placeholders
from dltutor.practice.formulas import FORMULA_SOURCES, formula_text
from dltutor.resources import resource_dir

DIFFICULTIES = ("easy", "medium", "hard")
# course order; the topics without numbers (training, regularization, autoencoders, gans, frameworks)
# are practised with conceptual families (a question pool, no solver)
TOPICS = ("neurons", "learning", "activations", "losses", "backprop", "training", "regularization", "cnn",
          "params", "rnn", "optimizers", "metrics", "autoencoders", "gans", "frameworks")
FORMS = ("integer", "number", "fraction", "boolean", "vector", "shape", "matrix", "table") + CONCEPT_FORMS
EXACT_FORMS = ("integer", "shape", "boolean") + CONCEPT_FORMS
DEFAULT_SIG = 3         # significant figures asked for when a part says nothing
DEFAULT_TOL = 5e-4      # absolute, only for a part without a stated precision (none in problems/)
DEFAULT_REL = 1e-2
ACCEPT_KEYS = ("above", "min", "below", "max")


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
    """One answer part. Its precision is what the prompt asks for and what the checker accepts:
    ``sig`` significant figures (of the change from ``start`` when ``start`` is given: a value
    after an update is judged by the size of the update) or ``decimals`` places; ``accept``
    marks a part where every value in a range is right (``above``/``min``, ``below``/``max``)."""

    name: str
    label: str
    form: str
    marks: float
    answer: str = "answer"
    tol: float = DEFAULT_TOL
    rel: float = DEFAULT_REL
    when: str = ""
    table: TableSpec | None = None
    sig: int = 0
    decimals: int | None = None
    start: str = ""
    accept: dict[str, str] = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        return self.form in EXACT_FORMS

    def precision_text(self) -> str:
        """How precise the answer must be, as the prompt says it ('' for exact forms and ranges)."""
        if self.exact or self.accept:
            return ""
        if self.decimals == 0:
            return "as a whole number"
        if self.decimals is not None:
            return f"to {self.decimals} decimal place{'s' if self.decimals != 1 else ''}"
        if self.start:
            return (f"to {self.sig} significant figure{'s' if self.sig != 1 else ''} of its change from "
                    f"the value before the update")
        return f"to {self.sig} significant figure{'s' if self.sig != 1 else ''}"


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
    formulas: dict[str, Any] = field(default_factory=dict)   # name -> rule text (or table) from the solver's source
    questions: tuple[Question, ...] = ()   # a conceptual family's pool (kind is then ""); see concept_spec
    form: str = ""                         # a conceptual family's form: choice, truefalse or text
    blocks: dict[str, Any] = field(default_factory=dict)   # name -> BlockSpec: the prompt's {@name} data

    @property
    def conceptual(self) -> bool:
        return bool(self.questions)

    def summary(self) -> dict:
        return {"id": self.id, "title": self.title, "topic": self.topic, "kind": self.kind}


# ---------------------------------------------------------------- loading

def problems_dir() -> Path:
    """The shipped ``problems/`` folder (the wheel's copy, else the source checkout's)."""
    try:
        return resource_dir("problems")
    except FileNotFoundError:
        raise InputError("the problems folder is missing from this installation") from None


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
             "options", "parts", "misconceptions", "derived", "params", "formulas", "blocks")


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


def _header(data: dict, path: Path) -> tuple[str, int, str, str]:
    """The id (equal to the file name), version, title and topic every family starts with."""
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
    return fid, version, title, topic


def _validate(data: dict, path: Path) -> Family:
    from dltutor.solvers.registry import KIND_MODULES

    if "questions" in data:
        return _conceptual(data, path)
    try:
        fid, version, title, topic = _header(data, path)
        kind = _need(data, "kind", str)
        if kind not in KIND_MODULES:
            raise _Bad("kind", f"{kind!r} is not a solve kind")
        prompt = _need(data, "prompt", str).strip()
        _check_template(without_blocks(prompt), "prompt")
        try:
            blocks = parse_blocks(data.get("blocks"))
        except ValueError as exc:
            raise _Bad("blocks", str(exc).removeprefix("blocks: ")) from None
        for name, spec in blocks.items():
            _check_expr(spec.expr, f"blocks.{name}")
            _check_expr(spec.labels, f"blocks.{name}.labels")
            if isinstance(spec.columns, str):
                _check_expr(spec.columns, f"blocks.{name}.columns")
        missing = [n for n in block_names(prompt) if n not in blocks]
        if missing:
            raise _Bad("prompt", f"{{@{missing[0]}}} names no block of [blocks]")
        unused = [n for n, spec in blocks.items() if not spec.answer and n not in block_names(prompt)]
        if unused:
            raise _Bad(f"blocks.{unused[0]}", f"is not shown: put {{@{unused[0]}}} on a line of the prompt")
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
        for name, spec in blocks.items():
            if spec.answer and spec.answer not in names:
                raise _Bad(f"blocks.{name}.answer", f"{spec.answer!r} is not the name of a part")
        mis = tuple(_misconception(m, i, names) for i, m in enumerate(_need(data, "misconceptions", list)))
        if not mis:
            raise _Bad("misconceptions", "needs at least one misconception")
        if len({m.id for m in mis}) != len(mis):
            raise _Bad("misconceptions", "ids must be distinct")
        allow_zero = bool(data.get("allow_zero", False))
        refs = data.get("formulas", {})
        if not isinstance(refs, dict) or not all(isinstance(v, str) for v in refs.values()):
            raise _Bad("formulas", "must be a table of name = \"source\" (e.g. rule = \"optimizer:adam\")")
        unknown = [v for v in refs.values() if v not in FORMULA_SOURCES]
        if unknown:
            raise _Bad("formulas", f"{unknown[0]!r} is not one of {', '.join(sorted(FORMULA_SOURCES))}")
        formulas = {k: formula_text(v) for k, v in refs.items()}
        prompt = prompt + precision_sentence(parts)
    except _Bad as exc:
        raise InputError(f"problem family {path.name}: {exc}") from None
    return Family(fid, version, title, topic, kind, prompt, params, derived, constraints,
                  dict(options), parts, mis, hints, str(path), allow_zero, formulas, blocks=blocks)


CONCEPT_KEYS = ("id", "version", "title", "topic", "form", "hints", "marks", "questions")
CONCEPT_LABELS = {"choice": "the letter of your choice", "truefalse": "true or false",
                  "text": "your answer"}


def _conceptual(data: dict, path: Path) -> Family:
    """A conceptual family: a pool of questions of one form (concept_spec), no solver."""
    try:
        unknown = sorted(set(data) - set(CONCEPT_KEYS))
        if unknown:
            raise _Bad(unknown[0], "is not a key of a conceptual family (a [[questions]] pool, no kind)")
        fid, version, title, topic = _header(data, path)
        form = _need(data, "form", str)
        hints = tuple(_need(data, "hints", list))
        if not hints or not all(isinstance(h, str) for h in hints):
            raise _Bad("hints", "must be a non-empty list of texts")
        marks = data.get("marks", 1)
        if not isinstance(marks, (int, float)) or isinstance(marks, bool) or marks <= 0:
            raise _Bad("marks", "must be a number greater than 0")
        try:
            pool = read_pool(data, form)
            params = pool_params(form, pool)
        except PoolError as exc:
            raise _Bad(*str(exc).split(": ", 1)) from None
    except _Bad as exc:
        raise InputError(f"problem family {path.name}: {exc}") from None
    if form == "truefalse":
        reason = f"the letter of the reason (A-{LETTERS[CHOICES[form] - 1]})"
        parts = (PartSpec("verdict", "true or false", "truefalse", float(marks)),
                 PartSpec("reason", reason, "choice", float(marks)))
    else:
        label = CONCEPT_LABELS[form] + (f" (A-{LETTERS[CHOICES[form] - 1]})" if form == "choice" else "")
        parts = (PartSpec("answer", label, form, float(marks)),)
    misconceptions = tuple(MisconceptionSpec(w.id, w.why, when="question") for q in pool for w in q.wrong)
    misconceptions += tuple(MisconceptionSpec(f"{q.id}-verdict", q.trap, when="question")
                            for q in pool if form == "truefalse")
    return Family(fid, version, title, topic, "", prompt_template(form), params, {}, (), {}, parts,
                  misconceptions, hints, str(path), False, {}, pool, form)


def precision_sentence(parts: tuple[PartSpec, ...]) -> str:
    """The prompt's last line: the precision each inexact part wants (one source with the checker)."""
    wanted = [(p, p.precision_text()) for p in parts]
    wanted = [(p, t) for p, t in wanted if t]
    if not wanted:
        return ""
    texts = list(dict.fromkeys(t for _, t in wanted))
    if len(texts) == 1 and not wanted[0][0].start:
        body = f"give every number {texts[0]}"
    else:
        groups = []
        for text in texts:
            labels = [p.label for p, t in wanted if t == text]
            named = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
            groups.append(f"{named} {text}")
        body = "give " + "; ".join(groups)
    rounding = "" if all(p.decimals == 0 for p, _ in wanted) else " (round only the final answers)"
    return f"\nPrecision: {body}{rounding}."


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
    exact = form in EXACT_FORMS
    sig, decimals, start, accept = _precision(data, form, table, where)
    return PartSpec(name, label, form, float(marks), _check_expr(data.get("answer", "answer"), where + "answer"),
                    0.0 if exact else DEFAULT_TOL, 0.0 if exact else DEFAULT_REL,
                    _check_expr(data.get("when", ""), where + "when"), table,
                    sig, decimals, start, accept)


def _whole(value, lo: int, hi: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi


def _precision(data: dict, form: str, table, where: str) -> tuple[int, int | None, str, dict]:
    """A part's stated precision: (sig, decimals, start, accept); see PartSpec."""
    if "tol" in data or "rel" in data:
        raise _Bad(where + "tol", "is replaced by the precision the prompt states: sig = N (significant "
                                  "figures) or decimals = N")
    if form in EXACT_FORMS:
        if {"sig", "decimals", "start"} & set(data):
            raise _Bad(where + "sig", f"a {form} answer is exact; it takes no precision")
        sig, decimals = 0, None
    elif "sig" in data and "decimals" in data:
        raise _Bad(where + "sig", "give sig or decimals, not both")
    elif "decimals" in data:
        sig, decimals = 0, data["decimals"]
        if not _whole(decimals, 0, 12):
            raise _Bad(where + "decimals", f"must be a whole number from 0 to 12, got {decimals!r}")
    else:
        sig, decimals = data.get("sig", DEFAULT_SIG), None
        if not _whole(sig, 1, 12):
            raise _Bad(where + "sig", f"must be a whole number of significant figures from 1 to 12, got {sig!r}")
    start = _check_expr(data.get("start", ""), where + "start")
    if start and (decimals is not None or table is not None):
        raise _Bad(where + "start", "goes with sig (the change is judged to sig figures), not with decimals "
                                    "or a table")
    accept = data.get("accept", {})
    if not isinstance(accept, dict) or set(accept) - set(ACCEPT_KEYS):
        raise _Bad(where + "accept", "must be a table of above/min and below/max expressions")
    if {"above", "min"} <= set(accept) or {"below", "max"} <= set(accept):
        raise _Bad(where + "accept", "give one lower bound (above or min) and one upper bound (below or max)")
    if accept and form not in ("number", "fraction", "integer"):
        raise _Bad(where + "accept", "a range of right answers needs a number, fraction or integer part")
    for k, v in accept.items():
        _check_expr(v, f"{where}accept.{k}")
    return sig, decimals, start, dict(accept)


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
