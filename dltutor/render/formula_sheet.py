"""Formula sheets as documents: Markdown, standalone HTML, PDF (``dltutor formulas``).

Each formula is typeset by the printers the lesson exports use
(``render/lesson_export.py``: aligned LaTeX in Markdown, MathML in HTML, Typst
math in PDF), under its name and with its one-line note. Every topic starts a
new page in the PDF (one or two pages a topic).
"""

from __future__ import annotations

import html

from dltutor.lessons.formula_sheets import Sheet
from dltutor.render.lesson_export import (
    LESSON_STYLE,
    TYPST_PREAMBLE,
    _html_math,
    _md_math,
    _typst_math,
)
from dltutor.render.formula import typst_string
from dltutor.render.typst import typst_literal as _t

FORMATS = ("md", "html", "pdf")
TITLE = "Formula sheet"


def _heading(sheets: list[Sheet]) -> str:
    return sheets[0].title if len(sheets) == 1 else f"{TITLE}: the course"


def _subheading(sheet: Sheet, alone: bool) -> str:
    return f"{TITLE} · topic {sheet.topic}" if alone else f"topic {sheet.topic}"


def to_markdown(sheets: list[Sheet]) -> str:
    alone = len(sheets) == 1
    out = [f"# {_heading(sheets)}", ""]
    for sheet in sheets:
        out += ([] if alone else [f"## {sheet.title}", ""]) + [f"*{_subheading(sheet, alone)}*", ""]
        for f in sheet.formulas:
            out += [f"**{f.name}**" + (f": {f.note}" if f.note else ""), "", _md_math(f.math), ""]
    return "\n".join(out).rstrip() + "\n"


SHEET_STYLE = LESSON_STYLE + """
.formula { break-inside: avoid; margin: .4rem 0 .9rem; }
.formula .name { font-weight: bold; margin: 0; } .formula .note { color: #444; margin: .1rem 0; font-size: .92em; }
section.topic + section.topic { break-before: page; }
"""


def to_html(sheets: list[Sheet]) -> str:
    from dltutor.render.html import page

    e = html.escape
    alone = len(sheets) == 1
    body = [f"<h1>{e(_heading(sheets))}</h1>"]
    for sheet in sheets:
        rows = "".join(f'<div class="formula"><p class="name">{e(f.name)}</p>'
                       + (f'<p class="note">{e(f.note)}</p>' if f.note else "")
                       + f'<div class="math">{_html_math(f.math)}</div></div>' for f in sheet.formulas)
        head = "" if alone else f"<h2>{e(sheet.title)}</h2>"
        body.append(f'<section class="topic">{head}'
                    f'<p class="meta">{e(_subheading(sheet, alone))}</p>{rows}</section>')
    return page(_heading(sheets), "\n".join(body), SHEET_STYLE)


def to_typst(sheets: list[Sheet]) -> str:
    heading = _heading(sheets)
    out = [TYPST_PREAMBLE.format(title=typst_string(heading), title_text=_t(heading), lesson_text=_t(TITLE),
                                 footer_text=_t("dltutor formulas")),
           f"#align(center)[#text(19pt, weight: \"bold\")[{_t(heading)}]]",
           "#v(2pt)\n#line(length: 100%, stroke: 0.7pt)\n"]
    alone = len(sheets) == 1
    for i, sheet in enumerate(sheets):
        if i:
            out.append("#pagebreak()")
        head = "" if alone else f"\n== {_t(sheet.title)}\n"
        out.append(head + f"#text(9pt, fill: luma(90))[{_t(_subheading(sheet, alone))}]\n")
        for f in sheet.formulas:
            note = (" \\ #text(9.5pt, fill: luma(70))[" + _t(f.note) + "]") if f.note else ""
            out.append("#block(breakable: false, width: 100%, above: 1.1em, below: 0.4em)["
                       + f"#strong[{_t(f.name)}]{note}\n" + _typst_math(f.math) + "]\n")
    return "\n".join(out)


def export(sheets: list[Sheet], fmt: str) -> str | bytes:
    """The sheets as one document in ``fmt`` (md, html: text; pdf: bytes)."""
    if fmt == "md":
        return to_markdown(sheets)
    if fmt == "html":
        return to_html(sheets)
    if fmt == "pdf":
        from dltutor.render.typst import compile_pdf

        return compile_pdf(to_typst(sheets), deterministic=True)
    from dltutor.errors import InputError

    raise InputError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
