"""A lesson file read into a ``Lesson``: front matter, Markdown text and live blocks.

The format is lessons/README.md's; the package docstring (``dltutor.lessons``)
shows a whole file. ``problem`` and ``check`` blocks are parsed here (they are
plain data); ``math`` blocks are read by ``mathblock``, ``solve`` blocks run by
``live``. Core of the lessons: the standard library only.
"""

from __future__ import annotations

import difflib
import re
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
