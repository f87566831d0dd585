"""Output formats of a document kind: one dict per kind, name -> ``Format``.

Sheets (``render/sheets.py``), LMS banks (``render/lms.py``) and lesson exports
each keep one such dict; the command-line help and the error for an unknown
name are read from it, so a new format is one entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from dltutor.errors import InputError


@dataclass(frozen=True)
class Format:
    """A printer ``(document, digits) -> str | bytes``, a few words for the help, a file extension."""

    printer: Callable
    description: str = ""
    extension: str = ""


def describe(formats: dict[str, Format]) -> str:
    """``pdf (typeset offline), html (...), md, or tex (...)``: the choices for a help text."""
    words = [name + (f" ({f.description})" if f.description else "") for name, f in formats.items()]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + (", or " if len(words) > 2 else " or ") + words[-1]


def pick(formats: dict[str, Format], name: str, what: str = "--format") -> Format:
    """The format called ``name``; bad input naming the choices otherwise."""
    try:
        return formats[name]
    except KeyError:
        raise InputError(f"{what} {name!r} is not one of {', '.join(formats)}") from None
