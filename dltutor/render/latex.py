"""A Solution as a LaTeX fragment (for the ``exam``-class sheets and answer keys)."""

from __future__ import annotations

from dltutor.render.document import DocumentPrinter
from dltutor.render.formula import split_exponent, to_latex
from dltutor.render.latex_text import TEXT_SYMBOLS, latex_escape, latex_text  # noqa: F401 (imported from here too)


def latex_number(text: str) -> str:
    mantissa, exp = split_exponent(text)
    if exp is None:
        return text
    return f"{mantissa} \\cdot 10^{{{exp}}}"


def latex_matrix(rows: list[list[str]]) -> str:
    body = r" \\ ".join(" & ".join(latex_number(c) for c in row) for row in rows)
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"


class LatexPrinter(DocumentPrinter):
    channel_separator = r" \;\Big|\; "

    def heading(self, text):
        return r"\textbf{" + latex_text(text) + "}"

    def formula(self, text, lead=False):
        return r"\[ " + ("= " if lead else "") + to_latex(text) + r" \]"

    def equals_value(self, value_math):
        return r"\[ = " + value_math + r" \]"

    def paragraph(self, text, *, emphasis=False):
        return (r"\emph{" + latex_text(text) + "}") if emphasis else latex_text(text)

    def table(self, columns, rows):
        spec = "r" * len(columns)
        lines = [r"\begin{tabular}{" + spec + "}", r"\hline",
                 " & ".join(r"\textbf{" + latex_text(c) + "}" for c in columns) + r" \\ \hline"]
        # each cell in braces: a row opening with "[1, -1]" after \\ would be read as \\[length]
        lines += [" & ".join("{" + latex_text(c) + "}" for c in row) + r" \\" for row in rows]
        lines += [r"\hline", r"\end{tabular}"]
        return "\n".join(lines)

    number = staticmethod(latex_number)

    def vector(self, items):
        return r"\left(" + ", ".join(latex_number(i) for i in items) + r"\right)"

    matrix = staticmethod(latex_matrix)

    def plain_value(self, text):
        return r"\text{" + latex_text(text) + "}"

    def inline(self, text):
        return to_latex(text)

    def display(self, math):
        return r"\[ " + math + r" \]"


def to_latex_fragment(solution, digits: int = 6) -> str:
    return LatexPrinter(digits).solution(solution)
