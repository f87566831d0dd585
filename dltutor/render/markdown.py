"""A Solution as Markdown, formulas as LaTeX math (``$$ ... $$``)."""

from __future__ import annotations

from dltutor.render.document import DocumentPrinter
from dltutor.render.formula import to_latex
from dltutor.render.latex import latex_matrix, latex_number


class MarkdownPrinter(DocumentPrinter):
    channel_separator = r" \;\Big|\; "

    def heading(self, text):
        return f"**{text}**"

    def formula(self, text, lead=False):
        return f"$$ {'= ' if lead else ''}{to_latex(text)} $$"

    def equals_value(self, value_math):
        return f"$$ = {value_math} $$"

    def paragraph(self, text, *, emphasis=False):
        return f"*{text}*" if emphasis else text

    def table(self, columns, rows):
        head = "| " + " | ".join(columns) + " |"
        rule = "|" + "|".join("---:" for _ in columns) + "|"
        return "\n".join([head, rule] + ["| " + " | ".join(r) + " |" for r in rows])

    number = staticmethod(latex_number)

    def vector(self, items):
        return r"\left(" + ", ".join(latex_number(i) for i in items) + r"\right)"

    matrix = staticmethod(latex_matrix)

    def plain_value(self, text):
        return r"\text{" + text.replace("_", r"\_") + "}"

    def inline(self, text):
        return to_latex(text)

    def display(self, math):
        return f"$$ {math} $$"


def to_markdown(solution, digits: int = 6) -> str:
    return MarkdownPrinter(digits).solution(solution)
