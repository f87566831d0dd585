"""A Solution as HTML with MathML formulas (static, no scripts, prints well)."""

from __future__ import annotations

import re
from html import escape

from dltutor.render.document import DocumentPrinter, is_matrix
from dltutor.render.formula_unicode import with_scripts
from dltutor.render.formula import (EQUALS, MathMLPrinter, mathml_aligned, mathml_number,  # noqa: F401
                                    split_statements)


def html_text(text: str) -> str:
    """Prose for HTML: escaped, a script Unicode cannot write as <sub> or <sup> (h_T → h<sub>T</sub>)."""
    def script(base, mark, inner):
        tag = "sub" if mark == "_" else "sup"
        return f"{escape(base)}<{tag}>{escape(inner)}</{tag}>"

    return with_scripts(text, escape, script)


def cell_text(text: str) -> str:
    """A table cell escaped, a number's minus sign a true minus (−0.7, not -0.7)."""
    return escape(re.sub(r"(?<![\w.])-(?=\.?\d)", "−", text))


class HtmlPrinter(DocumentPrinter):
    channel_separator = '<mspace width="0.6em"/><mo>|</mo><mspace width="0.6em"/>'
    block_sep = "\n"

    def heading(self, text):
        return f'<h4 class="step">{html_text(text)}</h4>'

    def formula(self, text, lead=False):
        # several statements (``y = …, e = …``) are each a whole line: no "=" in front of them
        eq = EQUALS if lead and len(split_statements(text)) == 1 else ""
        return f'<math display="block"><mrow>{eq}{MathMLPrinter().doprint(text)}</mrow></math>'

    def equals_value(self, value_math):
        return f'<math display="block"><mrow>{EQUALS}{value_math}</mrow></math>'

    def step(self, number, step):
        """As the other formats, but the formula, the numbers put in and the value are one
        display, lined up at '=' (``θ = w`` / ``= 1`` / ``= 1``)."""
        blocks = super().step(number, step)
        if not step.formula or len(split_statements(step.formula)) > 1:
            return blocks
        try:
            sides = MathMLPrinter().sides(step.formula)
        except ValueError:
            return blocks
        if len(sides) < 2:
            return blocks
        rows = [(sides[0], "<mo>=</mo>".join(sides[1:]))]
        math = [b for b in blocks[1:] if b.startswith('<math display="block">')]
        for b in math[1:]:                          # "= …" lines: the substituted formula, the value
            head = f'<math display="block"><mrow>{EQUALS}'
            if not b.startswith(head):              # several statements (dwx = …, dwh = …): a display of their own
                return blocks
            inner = b.removeprefix(head).removesuffix("</mrow></math>")
            if inner != rows[-1][1]:                # "= 1" once, not the numbers put in and the value alike
                rows.append(("", inner))
        aligned = f'<math display="block">{mathml_aligned(rows)}</math>'
        return [blocks[0], aligned] + [b for b in blocks[1:] if b not in math]

    def paragraph(self, text, *, emphasis=False):
        return f'<p class="note">{html_text(text)}</p>' if emphasis else f"<p>{html_text(text)}</p>"

    def table(self, columns, rows):
        head = "".join(f"<th>{html_text(c)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{cell_text(c)}</td>" for c in r) + "</tr>" for r in rows)
        return f'<table class="work"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    number = staticmethod(mathml_number)

    def value(self, value):
        if is_matrix(value) and len(value) == 1 and len(value[0]) > 1:   # one row: [a b c], not text
            return self.matrix([[self.text_of(c) for c in value[0]]])
        return super().value(value)

    def vector(self, items):
        return "<mrow><mo>(</mo>" + "<mo>,</mo>".join(mathml_number(i) for i in items) + "<mo>)</mo></mrow>"

    def matrix(self, rows):
        cells = "".join("<mtr>" + "".join(f"<mtd>{mathml_number(c)}</mtd>" for c in r) + "</mtr>" for r in rows)
        return f"<mrow><mo>[</mo><mtable>{cells}</mtable><mo>]</mo></mrow>"

    def plain_value(self, text):
        return f"<mtext>{escape(text)}</mtext>"

    def inline(self, text):
        return MathMLPrinter().doprint(text)

    def display(self, math):
        return f'<math display="block"><mrow>{math}</mrow></math>'

    def equals_sign(self):
        return "<mo>=</mo>"


def to_html_fragment(solution, digits: int = 6) -> str:
    return HtmlPrinter(digits).solution(solution)


PAGE_STYLE = """
body { font-family: "Latin Modern Roman", "Georgia", serif; max-width: 46rem; margin: 2rem auto;
       line-height: 1.45; color: #111; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
h4.step { margin: 1rem 0 .2rem; font-size: 1rem; }
math { font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math", "DejaVu Math TeX Gyre", math; }
math[display="block"] { margin: .3rem 0 .3rem 1.5rem; width: fit-content; }
p.note { font-style: italic; color: #444; margin: .2rem 0 .2rem 1.5rem; }
table.work { border-collapse: collapse; margin: .5rem 0 .5rem 1.5rem; font-variant-numeric: tabular-nums; }
table.work th, table.work td { border-bottom: 1px solid #ccc; padding: .15rem .6rem; text-align: right; }
.problem { break-inside: avoid; margin-bottom: 1.5rem; } .marks { float: right; color: #555; }
.answer-space { border: 1px dashed #bbb; min-height: 6rem; margin: .5rem 0; }
footer { margin-top: 2rem; font-size: .8rem; color: #666; border-top: 1px solid #ccc; padding-top: .3rem; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  math[display="block"], table.work tr, p.note { break-inside: avoid; page-break-inside: avoid; } }
"""


def page(title: str, body: str, style: str = "") -> str:
    """A standalone HTML page around ``body``; ``style`` is CSS added after the page style."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{PAGE_STYLE}{style}</style></head>\n<body>\n{body}\n</body></html>\n")
