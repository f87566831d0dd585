"""Formula sheets: ``lessons/formulas.toml``, the formulas of each topic in the math-block syntax.

One sheet per topic (the topic names of the lessons, as the home screen shows
them), in course order: the order of each topic's first lesson. The
documents (Markdown, HTML, PDF) are built in ``render/formula_sheet.py``.
The standard library only.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass

from dltutor.errors import InputError

FORMULAS_FILE = "formulas.toml"


@dataclass(frozen=True)
class Formula:
    name: str
    math: str            # one or more lines of the math-block syntax (lessons/README.md)
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    topic: str
    title: str
    formulas: tuple[Formula, ...]


def load_sheets(path=None, lessons=None) -> list[Sheet]:
    """Every topic's sheet from ``path`` (default: the shipped ``lessons/formulas.toml``),
    in course order; topics that no lesson has come last, by name."""
    from dltutor.lessons.model import TOPICS, lessons_dir, load_lessons

    path = lessons_dir() / FORMULAS_FILE if path is None else path
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    sheets = []
    for topic, table in data.items():
        if topic not in TOPICS:
            raise InputError(f"{path}: {topic!r} is not a lesson topic ({', '.join(TOPICS)})")
        formulas = []
        for i, entry in enumerate(table.get("formula", []), start=1):
            if not str(entry.get("name", "")).strip() or not str(entry.get("math", "")).strip():
                raise InputError(f"{path}: formula {i} of {topic!r} needs a name and a math line")
            formulas.append(Formula(entry["name"].strip(), entry["math"].strip(), " ".join(entry.get("note", "").split())))
        sheets.append(Sheet(topic, table.get("title", topic).strip(), tuple(formulas)))
    order = {}
    for lesson in (load_lessons() if lessons is None else lessons):
        order.setdefault(lesson.topic, len(order))
    return sorted(sheets, key=lambda s: (order.get(s.topic, len(order)), s.topic))


def pick_sheets(topic: str | None, sheets: list[Sheet]) -> list[Sheet]:
    """All sheets, or the one of ``topic``; an unknown topic is bad input naming the topics."""
    if topic is None:
        return sheets
    for sheet in sheets:
        if sheet.topic == topic:
            return [sheet]
    names = [s.topic for s in sheets]
    close = difflib.get_close_matches(topic.lower(), names, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise InputError(f"no formula sheet for topic {topic!r}; {hint}topics: {', '.join(names)}")
