"""How parts, marks and expected answers are worded, the same on every face.

The CLI, the TUI, the sheets and the LMS export all call these, so a part is
"(a)" everywhere, "1 mark" is singular everywhere, and an expected answer reads
the same in a terminal and on a key.
"""

from __future__ import annotations

from dltutor.values import plural  # noqa: F401  (the one home of "1 mark", "2 marks"; faces import it from here)

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def letter(index: int) -> str:
    """The letter of part ``index`` (0 → "a"); it wraps after "z"."""
    return LETTERS[index % 26]


def part_label(index: int) -> str:
    """``(a)``, ``(b)``, … as parts are labelled in prompts and feedback."""
    return f"({letter(index)})"


def label_text(part) -> str:
    """A part's label as mathematics (``dL/dw_x`` → ∂L/∂wₓ, ``h_1, ..., h_3`` → h₁, ..., h₃);
    a script Unicode cannot write (h_T) is left for the typeset faces to set."""
    from dltutor.render.formula_unicode import prose

    return prose(part.label)


def column_names(part) -> list[str]:
    """A table part's column names as mathematics (``c_tilde`` → c̃)."""
    from dltutor.render.formula_unicode import prose

    return [prose(name) for name in part.columns]


def marks_text(marks: float) -> str:
    return plural(marks, "mark")


def prompt_text(problem) -> str:
    """A problem's prompt (its data blocks included) as mathematics, the same on every face
    (generate, the plain exam, the TUI, a lesson): [hₜ₋₁, xₜ], (−0.9, −1), √dₖ, η = 0.5."""
    from dltutor.render.formula_unicode import prose

    return prose(problem.prompt)


def slip_text(result) -> str:
    """The feedback of the typical slip(s) a wrong answer matches (a verdict, or one
    misconception), as mathematics (√dₖ, hₜ₋₁), on every face: the terminal, the TUI, the LMS
    export. The slips' ids are the program's, not the student's, and are not shown."""
    from dltutor.render.formula_unicode import prose

    return prose(result.feedback)


def message_text(result) -> str:
    """A verdict's message as mathematics (column names and labels: h̃, ∂L/∂wₓ; computed values
    with a true minus sign), the student's own values (``result.typed``: spans of the message)
    kept as typed."""
    from dltutor.render.formula_unicode import prose

    out, at, text = [], 0, result.message
    for start, end in sorted(getattr(result, "typed", ())):
        out += [prose(text[at:start]), text[start:end]]
        at = end
    return "".join(out) + prose(text[at:])


def display_width(text: str) -> int:
    """Columns a text takes on a terminal: a combining accent (the tilde of c̃) takes none."""
    import unicodedata

    return sum(1 for ch in text if not unicodedata.combining(ch))


def aligned_rows(rows: list[list[str]], indent: str = "") -> list[str]:
    """A header and its rows as right-aligned columns, each as wide as its widest cell:
    ``y  w₁    w₂     b`` over ``1   0  −0.5  −0.5``."""
    n = max((len(r) for r in rows), default=0)
    rows = [list(r) + [""] * (n - len(r)) for r in rows]
    widths = [max(display_width(r[i]) for r in rows) for i in range(n)]
    return [indent + "  ".join(" " * (w - display_width(c)) + c for c, w in zip(r, widths)).rstrip()
            for r in rows]


def expected_text(part, digits: int) -> str:
    """A part's expected answer as plain text: a table as a header line and one line per row."""
    from dltutor.values import format_value

    if part.spec.form == "table":                                      # columns aligned under their names
        from dltutor.render.formula_unicode import prose

        cells = [[format_value(c, digits).replace("-", "−") for c in row] for row in part.expected]
        return "\n" + "\n".join(aligned_rows([[prose(c) for c in part.columns]] + cells, "    "))
    if part.spec.form == "boolean":
        return "yes" if part.expected else "no"
    value = part.expected
    if part.spec.form == "shape" and isinstance(value, list):
        return "x".join(str(v) for v in value)                          # as the question writes it
    if isinstance(value, list) and value and all(isinstance(r, list) for r in value):
        if all(isinstance(c, list) for r in value for c in r):        # channels of a tensor
            return "\n" + "\n\n".join(_rows(m, digits) for m in value)
        return "\n" + _rows(value, digits)                             # a matrix: one row a line
    if isinstance(value, list):
        return "(" + ", ".join(format_value(v, digits).replace("-", "−") for v in value) + ")"  # (a, b)
    return concept_answer(part) or format_value(value, digits)


def _rows(matrix: list[list], digits: int) -> str:
    """A matrix as aligned rows of plain text, indented under its part."""
    from dltutor.values import format_value

    cells = [[format_value(c, digits).replace("-", "−") for c in row] for row in matrix]
    width = max(len(c) for row in cells for c in row)
    return "\n".join("    " + "  ".join(c.rjust(width) for c in row) for row in cells)


def concept_answer(part) -> str:
    """A conceptual part's answer in words ('B) the option's text', 'true', the short answer); '' otherwise."""
    if part.spec.form == "choice" and part.options:
        return f"{part.expected}) {part.options['ABCDEFGH'.index(part.expected)]}"
    if part.spec.form == "truefalse":
        return "true" if part.expected else "false"
    if part.spec.form == "text":
        return str(part.expected)
    return ""
