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


def _split_at_equals(math: str) -> tuple[str, str] | None:
    """``a = b = c`` → (``a``, ``= b = c``) at the first "=" (or ←) outside braces and \\left…\\right."""
    depth = 0
    i = 0
    while i < len(math):
        if math.startswith(r"\left", i) or math[i] == "{":
            depth += 1
        elif math.startswith(r"\right", i) or math[i] == "}":
            depth -= 1
        elif depth == 0 and (math.startswith(" = ", i) or math.startswith(r" \leftarrow ", i)):
            return math[:i], math[i + 1:]
        i += 1
    return None


def _aligned(displays: list[str]) -> str:
    """Displays of one step (``\\[ a = b \\]``, ``\\[ = c \\]``, ...) as one align* lined up at "="."""
    rows = []
    for k, block in enumerate(displays):
        math = block.removeprefix(r"\[ ").removesuffix(r" \]")
        if math.startswith("= "):
            rows.append("&" + math)
        else:
            split = _split_at_equals(math) if k == 0 else None
            rows.append(f"{split[0]} &{split[1]}" if split else f"&{math}")    # no "=": from the left
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


class LatexPrinter(DocumentPrinter):
    channel_separator = r" \;\Big|\; "

    def step(self, number, step):
        """As the other formats, but the formula, the numbers put in and the value are one
        display, lined up at "=" (not one centred display each)."""
        blocks = super().step(number, step)
        run = [b for b in blocks[1:] if b.startswith(r"\[ ") and b.endswith(r" \]")]
        if len(run) < 2 or blocks[1:1 + len(run)] != run:
            return blocks
        return [blocks[0], _aligned(run)] + blocks[1 + len(run):]

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
