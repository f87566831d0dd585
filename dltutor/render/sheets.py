"""Sheets and answer keys in every format: one entry per format, name -> printer.

A new format is one entry here (a printer taking ``(sheet, digits)``).
"""

from __future__ import annotations

from dltutor.render.formats import Format, pick
from dltutor.render.sheet import Sheet
from dltutor.render.sheet_text import sheet_html, sheet_markdown
from dltutor.render.sheet_typeset import sheet_latex, sheet_pdf

FORMATS = {
    "pdf": Format(sheet_pdf, "typeset offline", "pdf"),
    "html": Format(sheet_html, "standalone, prints well", "html"),
    "md": Format(sheet_markdown, "", "md"),
    "tex": Format(sheet_latex, "LaTeX exam class", "tex"),
}


def render_sheet(sheet: Sheet, fmt: str, digits: int = 6) -> str | bytes:
    """The sheet in ``fmt``: text for md/html/tex, PDF bytes for pdf."""
    return pick(FORMATS, fmt).printer(sheet, digits)
