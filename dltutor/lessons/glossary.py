"""The course's glossary: ``lessons/glossary.toml``, one line per term and the lesson that teaches it.

A term is found by its name or one of its other names (``also``), whatever
the case: ``relu``, ``ReLU`` and ``rectified linear unit`` are one term. This
module reads data only: the standard library.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass

from dltutor.errors import InputError

GLOSSARY_FILE = "glossary.toml"


@dataclass(frozen=True)
class Term:
    name: str
    means: str                 # the one-line definition
    lesson: str                # id of the lesson that teaches it
    also: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"term": self.name, "definition": self.means, "lesson": self.lesson, "also": list(self.also)}


def load_glossary(path=None) -> list[Term]:
    """Every term of the glossary file (default: the shipped ``lessons/glossary.toml``), by name."""
    if path is None:
        from dltutor.lessons.model import lessons_dir

        path = lessons_dir() / GLOSSARY_FILE
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    terms = []
    for i, entry in enumerate(data.get("term", []), start=1):
        missing = [key for key in ("name", "means", "lesson") if not str(entry.get(key, "")).strip()]
        if missing:
            raise InputError(f"{path}: term {i} ({entry.get('name', '?')!r}) has no {', '.join(missing)}")
        terms.append(Term(entry["name"].strip(), " ".join(entry["means"].split()), entry["lesson"].strip(),
                          tuple(a.strip() for a in entry.get("also", []))))
    return sorted(terms, key=lambda t: t.name.lower())


def _key(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


def find_term(text: str, terms: list[Term] | None = None) -> Term:
    """The term named ``text`` (any case, hyphens or spaces, or one of its other names);
    otherwise bad input with the closest names."""
    terms = load_glossary() if terms is None else terms
    names = {}
    for term in terms:
        for name in (term.name, *term.also):
            names.setdefault(_key(name), term)
    key = _key(text)
    if key in names:
        return names[key]
    close = difflib.get_close_matches(key, list(names), n=4, cutoff=0.6)
    close += [n for n in names if key and (key in n.split() or key in n) and n not in close]
    shown = list(dict.fromkeys(names[n].name for n in close))[:5]
    hint = f"; did you mean {', '.join(shown)}?" if shown else ""
    raise InputError(f"no glossary term {text!r}{hint} (see 'dltutor glossary' for all terms)")
