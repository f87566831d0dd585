"""A Solution as Markdown, formulas as LaTeX math (``$$ ... $$``)."""

from __future__ import annotations

from dltutor.render.document import DocumentPrinter
from dltutor.render.formula import to_latex
from dltutor.render.formula_unicode import with_scripts
from dltutor.render.latex import latex_matrix, latex_number


def md_script(base: str, mark: str, inner: str) -> str:
    """A script Unicode cannot write, as Markdown's inline math: W_x → $W_{x}$, net_(h) → $\\mathrm{net}_{h}$."""
    name = base if len(base) == 1 or base.isdigit() else r"\mathrm{" + base + "}"
    return f"${name}{mark}{{{inner}}}$"


def md_prose(text: str) -> str:
    """Prose as Markdown shows it: a script Unicode cannot write as inline math (W_x → $W_{x}$)."""
    return with_scripts(text, lambda piece: piece, md_script)


class MarkdownPrinter(DocumentPrinter):
    channel_separator = r" \;\Big|\; "

    def heading(self, text):
        return f"**{md_prose(text)}**"

    def formula(self, text, lead=False):
        return f"$$ {'= ' if lead else ''}{to_latex(text)} $$"

    def equals_value(self, value_math):
        return f"$$ = {value_math} $$"

    def paragraph(self, text, *, emphasis=False):
        return f"*{md_prose(text)}*" if emphasis else md_prose(text)

    def table(self, columns, rows):
        head = "| " + " | ".join(md_prose(c) for c in columns) + " |"
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
