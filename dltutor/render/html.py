"""A Solution as HTML with MathML formulas (static, no scripts, prints well)."""

from __future__ import annotations

from html import escape

from dltutor.render.document import DocumentPrinter
from dltutor.render.formula import MathMLPrinter, split_exponent


def mathml_number(text: str) -> str:
    mantissa, exp = split_exponent(text)
    if exp is None:
        return f"<mn>{escape(text)}</mn>"
    return f"<mn>{escape(mantissa)}</mn><mo>·</mo><msup><mn>10</mn><mn>{exp}</mn></msup>"


class HtmlPrinter(DocumentPrinter):
    block_sep = "\n"

    def heading(self, text):
        return f'<h4 class="step">{escape(text)}</h4>'

    def formula(self, text, lead=False):
        eq = "<mo>=</mo>" if lead else ""
        return f'<math display="block"><mrow>{eq}{MathMLPrinter().doprint(text)}</mrow></math>'

    def equals_value(self, value_math):
        return f'<math display="block"><mrow><mo>=</mo>{value_math}</mrow></math>'

    def paragraph(self, text, *, emphasis=False):
        return f'<p class="note">{escape(text)}</p>' if emphasis else f"<p>{escape(text)}</p>"

    def table(self, columns, rows):
        head = "".join(f"<th>{escape(c)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
        return f'<table class="work"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    number = staticmethod(mathml_number)

    def vector(self, items):
        return "<mo>[</mo>" + "<mo>,</mo>".join(mathml_number(i) for i in items) + "<mo>]</mo>"

    def matrix(self, rows):
        cells = "".join("<mtr>" + "".join(f"<mtd>{mathml_number(c)}</mtd>" for c in r) + "</mtr>" for r in rows)
        return f"<mrow><mo>[</mo><mtable>{cells}</mtable><mo>]</mo></mrow>"

    def plain_value(self, text):
        return f"<mtext>{escape(text)}</mtext>"


def to_html_fragment(solution, digits: int = 6) -> str:
    return HtmlPrinter(digits).solution(solution)


PAGE_STYLE = """
body { font-family: "Latin Modern Roman", "Georgia", serif; max-width: 46rem; margin: 2rem auto;
       line-height: 1.45; color: #111; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
h4.step { margin: 1rem 0 .2rem; font-size: 1rem; }
math[display="block"] { margin: .3rem 0 .3rem 1.5rem; text-align: left; }
p.note { font-style: italic; color: #444; margin: .2rem 0 .2rem 1.5rem; }
table.work { border-collapse: collapse; margin: .5rem 0 .5rem 1.5rem; font-variant-numeric: tabular-nums; }
table.work th, table.work td { border-bottom: 1px solid #ccc; padding: .15rem .6rem; text-align: right; }
.problem { break-inside: avoid; margin-bottom: 1.5rem; } .marks { float: right; color: #555; }
.answer-space { border: 1px dashed #bbb; min-height: 6rem; margin: .5rem 0; }
footer { margin-top: 2rem; font-size: .8rem; color: #666; border-top: 1px solid #ccc; padding-top: .3rem; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


def page(title: str, body: str, style: str = "") -> str:
    """A standalone HTML page around ``body``; ``style`` is CSS added after the page style."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{PAGE_STYLE}{style}</style></head>\n<body>\n{body}\n</body></html>\n")
