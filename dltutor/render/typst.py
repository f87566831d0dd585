"""A Solution as Typst markup, and PDF compilation with the ``typst`` Python package (offline)."""

from __future__ import annotations

import re

from dltutor.render.document import DocumentPrinter
from dltutor.render.formula import split_exponent, to_typst, typst_string
from dltutor.render.formula_unicode import SUB, SUP, with_scripts

_SUBS = {script: plain for plain, script in SUB.items() if plain != "-"}
_SUPS = {script: plain for plain, script in SUP.items() if plain != "-"}


def typst_escape(text: str) -> str:
    """Plain text safe inside Typst markup; Unicode sub- and superscripts (h̃₁, x²) set as #sub/#super,
    as the text fonts have few of those characters."""
    for ch in "\\#$*_`<>@[]=~/":
        text = text.replace(ch, "\\" + ch)
    text = re.sub(f"[{''.join(_SUBS)}]+", lambda m: "#sub[" + "".join(_SUBS[c] for c in m.group(0)) + "]", text)
    text = re.sub(r"(?<![\w\\])([A-Za-zΣα-ω][\u0302\u0303]?)\\_(\w|\([^()\s]*\))",        # h_T, Σ_j
                  lambda m: m.group(1) + "#sub[" + m.group(2).strip("()") + "]", text)
    text = re.sub(f"[{''.join(_SUPS)}]+", lambda m: "#super[" + "".join(_SUPS[c] for c in m.group(0)) + "]", text)
    return text.replace("];", "]\\;")      # a `;` right after an embedded #sub[..] would end it, unprinted


def typst_literal(text: str) -> str:
    """Literal text in Typst markup: a string, so no character is ever read as markup."""
    return "#" + typst_string(text) if text else ""


def typst_prose(text: str) -> str:
    """Prose in Typst markup: literal strings, a script Unicode cannot write (h_T, 10000^(2i/d))
    set with #sub or #super."""
    def script(base, mark, inner):
        return f"{typst_literal(base)}#{'sub' if mark == '_' else 'super'}[{typst_literal(inner)}]"

    return with_scripts(text, typst_literal, script)


def typst_number(text: str) -> str:
    mantissa, exp = split_exponent(text)
    if exp is None:
        return text
    return f"{mantissa} dot 10^({exp})"


class TypstPrinter(DocumentPrinter):
    channel_separator = " quad | quad "

    def heading(self, text):
        return f"*{typst_escape(text)}*"

    def formula(self, text, lead=False):
        return f"$ {'= ' if lead else ''}{to_typst(text)} $"

    def equals_value(self, value_math):
        return f"$ = {value_math} $"

    def paragraph(self, text, *, emphasis=False):
        return f"_{typst_escape(text)}_" if emphasis else typst_escape(text)

    def table(self, columns, rows):
        cells = ", ".join(f"[*{typst_escape(c)}*]" if c else "[]" for c in columns)
        cells += "".join(", " + ", ".join(f"[{typst_escape(c)}]" for c in row) for row in rows)
        return (f"#table(columns: {len(columns)}, align: right, stroke: (x, y) => if y == 0 "
                f"{{ (bottom: 0.6pt) }}, {cells})")

    number = staticmethod(typst_number)

    def vector(self, items):
        return "(" + ", ".join(typst_number(i) for i in items) + ")"

    def matrix(self, rows):
        return 'mat(delim: "[", ' + "; ".join(", ".join(typst_number(c) for c in r) for r in rows) + ")"

    def plain_value(self, text):
        return typst_string(text)

    def inline(self, text):
        return to_typst(text)

    def display(self, math):
        return f"$ {math} $"


def to_typst_markup(solution, digits: int = 6) -> str:
    return TypstPrinter(digits).solution(solution)


def compile_pdf(source: str, *, deterministic: bool = False) -> bytes:
    """Typeset Typst markup to PDF bytes (the typst package embeds the compiler and fonts).

    ``deterministic``: the same source gives the same bytes on every machine and
    day: a fixed creation timestamp, and only the fonts built into typst (New
    Computer Modern, Libertinus, DejaVu Sans Mono), never the system's."""
    from dltutor.errors import InputError

    try:
        import typst
    except ImportError:
        raise InputError("PDF output needs the 'typst' package (pip install typst); "
                         "--format html prints well too") from None
    if not deterministic:
        return typst.compile(source.encode("utf-8"))
    return typst.compile(source.encode("utf-8"), timestamp=0, ignore_system_fonts=True)
