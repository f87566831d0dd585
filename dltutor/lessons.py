"""Lessons: Markdown files in ``lessons/`` with front matter and live blocks.

A lesson file looks like::

    ---
    id: perceptron
    title: The perceptron rule and linear separability
    topic: learning
    order: 30
    prerequisites: [neurons, mp-neuron]
    ---
    Text in Markdown ...

    ```math
    w_new = w_old + eta*(t - y)*x
    ```

    ```solve
    dltutor solve perceptron --data "0,0:0; 0,1:0; 1,0:0; 1,1:1" --w 0,0 --b 0
    ```

    ```problem
    perceptron-epoch medium
    ```

    ```check
    Q: Why does the perceptron never converge on XOR?
    A: No straight line separates its two classes.
    ```

The live blocks are run when a lesson is shown: ``math`` lines are read into
sympy expressions by a whitelist (nothing is evaluated), ``solve`` lines are
split with shlex and parsed with the kind's own option table (the same
parsers as ``dltutor solve``), ``problem`` lines name a problem family and an
optional difficulty; ``check`` blocks ("Check yourself") are ``Q:``/``A:``
pairs, read by ``parse_check`` into ``CheckItem``s. This module is core: no click, no rich.
"""

from __future__ import annotations

import ast
import difflib
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from dltutor.errors import InputError

LIVE_KINDS = ("math", "solve", "problem", "check")
DIFFICULTIES = ("easy", "medium", "hard")
# topics of lessons with numbers (the problem families' topics) and of the others
NUMERIC_TOPICS = ("neurons", "learning", "activations", "losses", "backprop", "cnn", "params",
                  "rnn", "optimizers", "metrics")
OTHER_TOPICS = ("foundations", "training", "regularization", "autoencoders", "gans", "frameworks")
TOPICS = NUMERIC_TOPICS + OTHER_TOPICS
REQUIRED_KEYS = ("id", "title", "topic", "order")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FENCE = re.compile(r"^(```+|~~~+)\s*([A-Za-z0-9_-]*)\s*$")


class LessonError(InputError):
    """A lesson file that does not follow the format (names the file and line)."""


@dataclass(frozen=True)
class CheckItem:
    """One question of a ``check`` block ("Check yourself") and its answer (Markdown text)."""

    question: str
    answer: str


@dataclass(frozen=True)
class Block:
    """A piece of a lesson: ``markdown`` text or a live ``math``/``solve``/``problem``/``check`` block."""

    kind: str
    text: str
    line: int = 0

    def checks(self) -> tuple[CheckItem, ...]:
        """The question/answer pairs of a ``check`` block (empty for other kinds)."""
        return parse_check(self.text, f"line {self.line}") if self.kind == "check" else ()


@dataclass(frozen=True)
class ProblemRef:
    family: str
    difficulty: str | None = None


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    topic: str
    order: int
    prerequisites: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = ()
    path: Path | None = field(default=None, compare=False)

    def live(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]

    def problems(self) -> list[ProblemRef]:
        return [ref for b in self.live("problem") for ref in problem_refs(b.text)]

    def checks(self) -> list[CheckItem]:
        """Every "Check yourself" question of the lesson, in order (numbered 1, 2, ... when shown)."""
        return [item for b in self.live("check") for item in b.checks()]

    @property
    def number(self) -> int | None:
        """The file's number (``11`` for ``11-backprop.md``), or None."""
        match = re.match(r"(\d+)-", self.path.name) if self.path is not None else None
        return int(match.group(1)) if match else None


# ------------------------------------------------------------------ loading

def lessons_dir() -> Path:
    from dltutor.resources import resource_dir

    return resource_dir("lessons")


def parse_front_matter(lines: list[str], where: str) -> tuple[dict, int]:
    """``key: value`` lines between two ``---`` lines; lists as ``[a, b]`` or ``a, b``.

    Returns the fields and the index of the first line after the front matter."""
    if not lines or lines[0].strip() != "---":
        raise LessonError(f"{where}: a lesson starts with front matter between '---' lines")
    meta: dict = {}
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, i + 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise LessonError(f"{where}:{i + 1}: front matter line {line.strip()!r} is not 'key: value'")
        meta[key.strip()] = value.strip()
    raise LessonError(f"{where}: the front matter has no closing '---'")


def _as_list(text: str) -> tuple[str, ...]:
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return tuple(part.strip().strip("'\"") for part in text.split(",") if part.strip())


def parse_lesson(text: str, where: str = "<lesson>", path: Path | None = None) -> Lesson:
    """A ``Lesson`` from the text of a lesson file (the format of lessons/README.md)."""
    lines = text.splitlines()
    meta, start = parse_front_matter(lines, where)
    missing = [k for k in REQUIRED_KEYS if not meta.get(k)]
    if missing:
        raise LessonError(f"{where}: front matter is missing {', '.join(missing)}")
    lesson_id = meta["id"].strip("'\"")
    if not _ID.match(lesson_id):
        raise LessonError(f"{where}: id {lesson_id!r} must be lower-case letters, digits and '-'")
    topic = meta["topic"].strip("'\"")
    if topic not in TOPICS:
        raise LessonError(f"{where}: topic {topic!r} is not one of {', '.join(TOPICS)}")
    try:
        order = int(meta["order"])
    except ValueError:
        raise LessonError(f"{where}: order {meta['order']!r} is not a whole number") from None
    blocks = split_blocks(lines[start:], where, first_line=start + 1)
    return Lesson(lesson_id, meta["title"].strip("'\""), topic, order,
                  _as_list(meta.get("prerequisites", "")), tuple(blocks), path)


def split_blocks(lines: list[str], where: str, first_line: int = 1) -> list[Block]:
    """Markdown text and the fenced live blocks, in order (other fences stay Markdown)."""
    blocks: list[Block] = []
    text: list[str] = []
    i = 0

    def flush():
        body = "\n".join(text).strip("\n")
        if body.strip():
            blocks.append(Block("markdown", body))
        text.clear()

    while i < len(lines):
        match = _FENCE.match(lines[i].strip())
        if match and match.group(2) in LIVE_KINDS:
            fence, kind, start = match.group(1), match.group(2), i
            body = []
            i += 1
            while i < len(lines) and lines[i].strip() != fence:
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise LessonError(f"{where}:{first_line + start}: the {kind} block is not closed")
            flush()
            blocks.append(Block(kind, "\n".join(body).strip(), first_line + start))
        else:
            text.append(lines[i])
        i += 1
    flush()
    return blocks


def load_lesson(path: Path) -> Lesson:
    return parse_lesson(path.read_text(encoding="utf-8"), path.name, path)


def load_lessons(directory: Path | None = None) -> list[Lesson]:
    """Every lesson of ``directory`` (default: the shipped lessons), by order then id."""
    directory = directory or lessons_dir()
    lessons = [load_lesson(p) for p in sorted(directory.glob("*.md")) if p.name.lower() != "readme.md"]
    return sorted(lessons, key=lambda lesson: (lesson.order, lesson.id))


def topic_lessons(topic: str, lessons: list[Lesson] | None = None) -> list[Lesson]:
    """The lessons of one topic (as the home screen groups them), in course order."""
    lessons = load_lessons() if lessons is None else lessons
    return [lesson for lesson in lessons if lesson.topic == topic]


def find_lesson(lesson_id: str, lessons: list[Lesson] | None = None) -> Lesson:
    """The lesson called ``lesson_id``; anything else is bad input with one suggestion line.

    ``BACKPROP`` (another case) and ``11`` (the file number of ``11-backprop.md``)
    name the lesson to type; other names list close matches among the ids."""
    lessons = load_lessons() if lessons is None else lessons
    by_id = {lesson.id: lesson for lesson in lessons}
    if lesson_id in by_id:
        return by_id[lesson_id]
    folded = lesson_id.strip().lower()
    if folded in by_id:
        raise InputError(f"unknown lesson {lesson_id!r}: lesson ids are lower case; "
                         f"did you mean 'dltutor lesson {folded}'?")
    if folded.isdigit():
        numbered = [x for x in lessons if x.number == int(folded)]
        if numbered:
            raise InputError(f"unknown lesson {lesson_id!r}: lesson {int(folded)} is "
                             f"{numbered[0].title!r}; try 'dltutor lesson {numbered[0].id}'")
    topics = sorted({x.topic for x in lessons})
    if folded in topics:
        raise InputError(f"unknown lesson {lesson_id!r}: topic names are lower case; "
                         f"did you mean 'dltutor lesson {folded}' (the topic's lessons)?")
    close = difflib.get_close_matches(folded, list(by_id), n=4, cutoff=0.5)
    close += [i for i in by_id if folded and folded in i and i not in close][:4 - len(close)]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise InputError(f"unknown lesson {lesson_id!r}{hint} (see 'dltutor lessons' for the list)")


# ------------------------------------------------------------------ solve blocks

def solve_args(command: str) -> tuple[str, dict]:
    """Split a ``dltutor solve KIND ...`` line into the kind name and its raw option texts.

    Options are matched against the kind's own table (``--name VALUE``,
    ``--name=VALUE``, flags, one positional argument); values may start with
    ``-`` as on the command line."""
    from dltutor.solvers.registry import get_kind

    try:
        words = shlex.split(command.replace("\\\n", " "))
    except ValueError as exc:
        raise InputError(f"solve line {command!r}: {exc}") from None
    if words[:2] != ["dltutor", "solve"] or len(words) < 3:
        raise InputError(f"a solve block holds one 'dltutor solve KIND ...' line, not {command!r}")
    kind = get_kind(words[2])
    options = {f"--{o.name}": o for o in kind.options if not o.argument}
    positional = [o for o in kind.options if o.argument]
    raw: dict = {}
    rest = words[3:]
    i = 0
    while i < len(rest):
        word = rest[i]
        name, eq, value = word.partition("=")
        if word.startswith("--") and name in options:
            opt = options[name]
            if opt.flag:
                raw[opt.param] = True
            elif eq:
                raw[opt.param] = value
            elif i + 1 < len(rest):
                i += 1
                raw[opt.param] = rest[i]
            else:
                raise InputError(f"solve {kind.name}: {name} needs a value")
        elif word.startswith("--"):
            raise InputError(f"solve {kind.name}: no option {name}")
        elif positional and positional[0].param not in raw:
            raw[positional[0].param] = word
        else:
            raise InputError(f"solve {kind.name}: unexpected word {word!r}")
        i += 1
    return kind.name, raw


def run_solve(command: str):
    """The worked ``Solution`` of one solve line."""
    from dltutor.solvers.registry import run

    name, raw = solve_args(command)
    return run(name, **raw)


# ------------------------------------------------------------------ problem blocks

def problem_refs(text: str) -> list[ProblemRef]:
    """``FAMILY [easy|medium|hard]``, one per line."""
    refs = []
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1] not in DIFFICULTIES):
            raise InputError(f"problem line {line.strip()!r} is not 'FAMILY [easy|medium|hard]'")
        refs.append(ProblemRef(words[0], words[1] if len(words) == 2 else None))
    return refs


# ------------------------------------------------------------------ check blocks

_QA = re.compile(r"^([QA]):\s?(.*)$")


def parse_check(text: str, where: str = "check block") -> tuple[CheckItem, ...]:
    """``Q: question`` and ``A: answer`` lines, alternating, starting with a question.

    A question or an answer may continue on the following lines (up to the next
    ``A:`` or ``Q:``); blank lines inside are kept as paragraph breaks."""
    items: list[CheckItem] = []
    current: str | None = None          # "Q" or "A": the part being read
    question: list[str] = []
    answer: list[str] = []

    def finish():
        if current == "A":
            items.append(CheckItem("\n".join(question).strip(), "\n".join(answer).strip()))

    for raw in text.splitlines():
        match = _QA.match(raw.strip())
        if match:
            tag, rest = match.groups()
            if tag == "Q":
                if current == "Q":
                    raise LessonError(f"{where}: question {' '.join(question)[:40]!r} has no 'A:' answer")
                finish()
                question, answer = [rest], []
            else:
                if current != "Q":
                    raise LessonError(f"{where}: an 'A:' line must follow a 'Q:' question")
                answer = [rest]
            current = tag
        elif current is None:
            if raw.strip():
                raise LessonError(f"{where}: a check block starts with 'Q: question', not {raw.strip()!r}")
        else:
            (question if current == "Q" else answer).append(raw.strip())
    if current == "Q":
        raise LessonError(f"{where}: question {' '.join(question)[:40]!r} has no 'A:' answer")
    finish()
    if not items:
        raise LessonError(f"{where}: a check block holds at least one 'Q:' line and its 'A:' line")
    for item in items:
        if not item.question or not item.answer:
            raise LessonError(f"{where}: every 'Q:' and 'A:' line needs text after the colon")
    return tuple(items)


# ------------------------------------------------------------------ math blocks

MATH_FUNCTIONS = {
    "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "sin": "sin", "cos": "cos",
    "tanh": "tanh", "floor": "floor", "ceil": "ceiling", "ceiling": "ceiling", "abs": "Abs",
    "Abs": "Abs", "Sum": "Sum",
    "Derivative": "Derivative", "Piecewise": "Piecewise", "Matrix": "Matrix", "Product": "Product",
}


def math_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def parse_math(text: str) -> list[list]:
    """Every line of a math block as a chain of sympy expressions (``a = b = c`` → [a, b, c])."""
    return [[parse_math_expr(part.strip(), line) for part in _split_equals(line)]
            for line in _check_chains(math_lines(text))]


def _check_chains(lines: list[str]) -> list[str]:
    for line in lines:
        # '>=' and '<=' are comparisons, '==' is not sympy syntax here
        parts = _split_equals(line)
        if "==" in line or any(not part.strip() for part in parts):
            raise InputError(f"math line {line!r}: write 'a = b' with something on both sides")
    return lines


def _split_equals(line: str) -> list[str]:
    return re.split(r"(?<![<>!=])=(?!=)", line)


def parse_math_expr(text: str, line: str | None = None):
    """One sympy expression from sympy-syntax text, by a whitelist of syntax nodes.

    Names become symbols (``eta`` → η, ``w_1`` → w₁, ``h_(t-1)`` → hₜ₋₁), calls
    to the functions of ``MATH_FUNCTIONS`` become those functions, other calls
    (``f(z)``, ``sigma(z)``) undefined functions; nothing is evaluated."""
    import sympy

    from dltutor.lesson_notation import DOTS, NOTATION, IndexSum

    where = line or text
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError:
        raise InputError(f"math line {where!r} is not sympy syntax") from None
    binary = {ast.Add: lambda a, b: sympy.Add(a, b, evaluate=False),
              ast.Sub: lambda a, b: sympy.Add(a, sympy.Mul(-1, b, evaluate=False), evaluate=False),
              ast.Mult: lambda a, b: sympy.Mul(a, b, evaluate=False),
              ast.Div: lambda a, b: (sympy.Pow(b, -1, evaluate=False) if a == 1 else
                                     sympy.Mul(a, sympy.Pow(b, -1, evaluate=False), evaluate=False)),
              ast.Pow: lambda a, b: sympy.Pow(a, b, evaluate=False)}
    compare = {ast.GtE: sympy.Ge, ast.LtE: sympy.Le, ast.Gt: sympy.Gt, ast.Lt: sympy.Lt}
    source = text.replace("^", "**")

    def build(node):
        if isinstance(node, ast.Expression):
            return build(node.body)
        if isinstance(node, ast.Constant) and type(node.value) is bool:
            return sympy.true if node.value else sympy.false
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return sympy.Integer(node.value) if isinstance(node.value, int) else sympy.Float(node.value)
        if isinstance(node, ast.Constant) and node.value is Ellipsis:
            return DOTS
        if isinstance(node, ast.Name):
            return DOTS if node.id == "cdots" else sympy.Symbol(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = build(node.operand)
            return sympy.Mul(-1, inner, evaluate=False) if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp) and type(node.op) in binary:
            return binary[type(node.op)](build(node.left), build(node.right))
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in compare:
            return compare[type(node.ops[0])](build(node.left), build(node.comparators[0]), evaluate=False)
        if isinstance(node, ast.Compare) and all(type(op) in compare for op in node.ops):
            from dltutor.lesson_notation import COMPARE_SIGNS, CompareChain

            parts = [build(node.left)]              # a < b <= c: one chain
            for op, right in zip(node.ops, node.comparators):
                parts += [sympy.Symbol(COMPARE_SIGNS[type(op).__name__]), build(right)]
            return CompareChain(*parts)
        if isinstance(node, ast.Tuple):     # Sum limits, Piecewise pairs
            return [build(e) for e in node.elts]
        if isinstance(node, ast.List):      # [h, x]: a concatenated vector, kept as one symbol
            parts = [sympy.pretty(build(e), use_unicode=True) for e in node.elts]
            return sympy.Symbol("[" + ", ".join(parts) + "]")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            name = node.func.id
            if name.endswith("_") and len(node.args) == 1:   # h_(t-1): a subscript
                sub = ast.get_source_segment(source, node.args[0]) or ""
                return sympy.Symbol(name + sub.replace(" ", ""))
            args = [build(a) for a in node.args]
            if name in NOTATION:
                return NOTATION[name](*args)
            if name == "KroneckerDelta" and len(args) == 2:
                return sympy.KroneckerDelta(*args, evaluate=False)
            if name == "Sum" and len(args) == 2 and isinstance(args[1], sympy.Symbol):
                return IndexSum(*args)             # Sum(a_k, k): the range is understood
            if name in MATH_FUNCTIONS:
                func = getattr(sympy, MATH_FUNCTIONS[name])
                if name in ("Sum", "Product", "Piecewise"):
                    args = [tuple(a) if isinstance(a, list) else a for a in args]
                if name in ("Abs", "floor", "ceil", "ceiling", "exp", "log", "sqrt",
                            "sin", "cos", "tanh", "Derivative"):
                    return func(*args, evaluate=False)
                return func(*args)
            # sigmoid is shown as σ; max, relu, softmax ... as written
            return sympy.Function("sigma" if name == "sigmoid" else name)(*args)
        snippet = ast.get_source_segment(source, node) or type(node).__name__
        raise InputError(f"math line {where!r}: {snippet!r} is not allowed in a formula")

    try:
        return build(tree)
    except InputError:
        raise
    except Exception as exc:  # sympy rejecting a well-formed but meaningless call
        raise InputError(f"math line {where!r}: {exc}") from None


# ------------------------------------------------------------------ checking

def family_ids() -> set[str] | None:
    """The ids of the problem families, or None while there is no families module."""
    try:
        from dltutor.practice import families
    except ModuleNotFoundError as exc:
        if exc.name == "dltutor.practice.families":
            return None
        raise
    for name in ("family_ids", "list_families", "load_families", "all_families"):
        func = getattr(families, name, None)
        if callable(func):
            found = func()
            items = found.values() if isinstance(found, dict) else found
            return {item if isinstance(item, str) else getattr(item, "id") for item in items}
    return None


def check_lessons(lessons: list[Lesson], *, run: bool = True) -> list[str]:
    """Everything wrong with a set of lessons, one line each (empty: all fine).

    Ids unique; prerequisites exist and come earlier; every live block runs."""
    errors = []
    by_id: dict[str, Lesson] = {}
    for lesson in lessons:
        if lesson.id in by_id:
            errors.append(f"{lesson.id}: the id is used twice")
        by_id[lesson.id] = lesson
    families = family_ids() if run else None
    for lesson in lessons:
        for pre in lesson.prerequisites:
            if pre not in by_id:
                errors.append(f"{lesson.id}: unknown prerequisite {pre!r}")
            elif by_id[pre].order >= lesson.order:
                errors.append(f"{lesson.id}: prerequisite {pre!r} does not come earlier (order)")
        for block in lesson.blocks:
            if block.kind == "check":
                try:
                    block.checks()
                except InputError as exc:
                    errors.append(f"{lesson.id} {exc}")
            if block.kind in ("markdown", "check") or not run:
                continue
            try:
                if block.kind == "math":
                    parse_math(block.text)
                elif block.kind == "solve":
                    run_solve(block.text)
                elif block.kind == "problem":
                    for ref in problem_refs(block.text):
                        if families is not None and ref.family not in families:
                            raise InputError(f"unknown problem family {ref.family!r}")
            except InputError as exc:
                errors.append(f"{lesson.id} line {block.line}: {exc}")
            except ModuleNotFoundError as exc:   # a solve kind whose module is not written yet
                errors.append(f"{lesson.id} line {block.line}: kind not available ({exc.name})")
    return errors
