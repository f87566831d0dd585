"""A lesson in the terminal with Rich, and the formula printers every lesson face shares.

Text blocks are Markdown; ``math`` lines are pretty-printed by sympy (imported
here, lazily, only when a lesson is shown); ``solve`` blocks are worked out by
the calculator and drawn exactly as ``dltutor solve`` draws them; ``problem``
blocks name a practice problem and the command that draws a fresh one.
The exports (Markdown, HTML, PDF) live in ``render/lesson_export.py``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from dltutor.errors import InputError
from dltutor.lessons import (
    CheckItem,
    Lesson,
    ProblemRef,
    parse_math,
    problem_refs,
    run_solve,
)
from dltutor.render.wording import prompt_text

# ------------------------------------------------------------------ formulas

# sympy keeps "use unicode" in a module global, and its printer consults that global as well
# as its own setting; pretty() flips it for the call. Do the same, under a lock, so the output
# never depends on what sys.stdout is (Textual, pytest capture and pipes replace it).
_PRETTY_LOCK = threading.Lock()


_SUBSCRIPTS = dict(zip("aehijklmnoprstuvx0123456789", "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₀₁₂₃₄₅₆₇₈₉"))


def _lesson_printer():
    """sympy's pretty printer with the course's derivative: ∂E/∂w (d y/d u for a one-letter
    quantity of one variable, as ``render/formula_walk.is_ordinary_derivative``)."""
    import sympy
    from sympy.printing.pretty.pretty import PrettyPrinter
    from sympy.printing.pretty.stringpict import prettyForm

    class LessonPrettyPrinter(PrettyPrinter):
        def _print_Derivative(self, deriv):
            expr, variables = deriv.expr, deriv.variables
            if len(variables) != 1 or not isinstance(variables[0], sympy.Symbol):
                return super()._print_Derivative(deriv)
            var = variables[0]
            if isinstance(expr, sympy.Symbol):
                ordinary = len(expr.name) == 1 and expr.name.islower() and len(var.name) == 1
            else:
                ordinary = isinstance(expr, sympy.Function) and expr.free_symbols == {var}
            d = "d" if ordinary else "∂"
            bottom = prettyForm(*self._print(var).left(d))
            if isinstance(expr, sympy.Symbol):      # ∂E/∂w: one fraction
                top = prettyForm(*self._print(expr).left(d))
                frac = prettyForm(*top.below("─" * max(top.width(), bottom.width()), bottom))
                frac.baseline = top.height()
                frac.binding = prettyForm.MUL
                return frac
            frac = prettyForm(*prettyForm(d).below("─" * bottom.width(), bottom))
            frac.baseline = 1
            body = prettyForm(*self._print(expr).parens())
            return prettyForm(*frac.right(body), binding=prettyForm.MUL)

        def _print_KroneckerDelta(self, expr):
            names = [str(a) for a in expr.args]
            if all(len(n) == 1 and n in _SUBSCRIPTS for n in names):       # δᵢⱼ on one line
                return prettyForm("δ" + "".join(_SUBSCRIPTS[n] for n in names))
            return super()._print_KroneckerDelta(expr)

    return LessonPrettyPrinter({"use_unicode": True, "order": "none", "wrap_line": False})


def formula_text(chain: list) -> str:
    """A chain ``a = b = c`` of sympy expressions as one 2-D unicode picture (whatever stdout is).

    Minus signs are true minus signs (−), not hyphens."""
    from sympy.printing.pretty.pretty_symbology import pretty_use_unicode
    from sympy.printing.pretty.stringpict import prettyForm, stringPict

    printer = _lesson_printer()
    with _PRETTY_LOCK:
        previous = pretty_use_unicode(True)
        try:
            picture = None
            for part in chain:
                form = printer._print(part)
                picture = form if picture is None else prettyForm(*stringPict.next(picture, " = ", form))
            # sympy draws fraction bars with '─' and sums with '_‾': a '-' is always a minus
            return picture.render(wrap_line=False).replace("-", "−") if picture is not None else ""
        finally:
            pretty_use_unicode(previous)


def formula_latex(chain: list) -> str:
    import sympy

    return " = ".join(sympy.latex(part, order="none") for part in chain)


def formula_mathml(chain: list) -> str:
    """Presentation MathML (the ``<math>`` element's content) for a chain."""
    import sympy

    return "<mo>=</mo>".join(sympy.mathml(part, printer="presentation", order="none") for part in chain)


# ------------------------------------------------------------------ live blocks

@dataclass(frozen=True)
class Worked:
    """A solve block after running it: the command and its Solution, or why it failed."""

    command: str
    solution: object | None = None
    error: str = ""


def work_out(command: str) -> Worked:
    """Run one solve line; a failure is kept as text so one bad block never hides a lesson."""
    try:
        return Worked(command, run_solve(command))
    except InputError as exc:
        return Worked(command, error=str(exc))
    except ModuleNotFoundError as exc:   # a kind whose module is not written yet
        return Worked(command, error=f"this calculator kind is not available yet ({exc.name})")


def family_title(family: str) -> str:
    """The family's title when the families module knows it, else the id."""
    try:
        from dltutor.practice import families

        return families.get_family(family).title
    except (ImportError, InputError, KeyError):
        return family


def practice_problem(ref: ProblemRef, seed: int | None = None):
    """A freshly drawn problem of the family (its ``Problem``), or None when none can be drawn."""
    import random

    try:
        from dltutor.practice import families

        family = families.get_family(ref.family)
        seed = random.randrange(10_000) if seed is None else seed
        return families.generate(family, seed, ref.difficulty or "medium")
    except (ImportError, InputError, KeyError, ValueError) as exc:
        if type(exc).__name__ == "ModuleNotFoundError" and getattr(exc, "name", "") != "dltutor.practice.families":
            raise
        return None


def practice_command(ref: ProblemRef) -> str:
    return f"dltutor generate {ref.family}" + (f" --difficulty {ref.difficulty}" if ref.difficulty else "")


# ------------------------------------------------------------------ Rich

def math_renderable(text: str):
    """A ``math`` block: each chain typeset by sympy, indented; a bad formula becomes one red line."""
    try:
        pictures = [formula_text(chain) for chain in parse_math(text)]
    except InputError as exc:
        return Text(f"(formula not shown: {exc})", style="red")
    return Padding(Text("\n\n".join(pictures), style="cyan"), (0, 0, 1, 4))


def solve_renderable(command: str, digits: int):
    """A ``solve`` block worked out now, in a panel, drawn as ``dltutor solve`` draws it."""
    from dltutor.render.terminal import solution_renderable

    worked = work_out(command)
    head = Text("$ " + " ".join(command.split()), style="dim")
    if worked.solution is None:
        body = Group(head, Text(f"could not work this example out: {worked.error}", style="red"))
    else:
        body = Group(head, Text(""), solution_renderable(worked.solution, digits))
    return Panel(body, title="Worked example", title_align="left", border_style="green")


def _problem_renderable(text: str):
    try:
        refs = problem_refs(text)
    except InputError as exc:
        return Text(str(exc), style="red")
    lines = Text()
    for i, ref in enumerate(refs):
        if i:
            lines.append("\n")
        lines.append(family_title(ref.family), style="bold")
        if ref.difficulty:
            lines.append(f"  ({ref.difficulty})", style="dim")
        problem = practice_problem(ref)
        if problem is not None:
            lines.append("\n" + prompt_text(problem).strip())
            lines.append(f"\n  worked solution: dltutor generate {problem.id}", style="yellow")
        else:
            lines.append("\n  try it: ")
            lines.append(practice_command(ref), style="yellow")
    return Panel(lines, title="Practice", title_align="left", border_style="yellow")


def check_renderable(items: list[CheckItem] | tuple[CheckItem, ...], start: int = 1,
                     answers: bool = False, hint: str = ""):
    """A "Check yourself" block: the questions numbered from ``start``; with ``answers``
    the answers follow, numbered the same; otherwise ``hint`` (how to see them) closes it."""
    from rich.table import Table

    def numbered(texts):
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", style="bold")
        grid.add_column()
        for n, text in enumerate(texts, start=start):
            grid.add_row(f"{n}.", Markdown(lesson_prose(text)))
        return grid

    parts: list = [numbered([item.question for item in items])]
    if answers:
        parts += [Text(""), Text("Answers", style="bold green"), numbered([item.answer for item in items])]
    elif hint:
        parts += [Text(""), Text(hint, style="dim")]
    return Panel(Group(*parts), title="Questions", title_align="left", border_style="blue")


def _check_blocks(lesson: Lesson, answers: bool, hint: str):
    """One renderable per check block of the lesson, numbered on through the lesson."""
    out, start = {}, 1
    for block in lesson.live("check"):
        try:
            items = block.checks()
        except InputError as exc:
            out[block.line] = Text(str(exc), style="red")
            continue
        out[block.line] = check_renderable(items, start, answers, hint)
        start += len(items)
    return out


_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)


def lesson_prose(markdown: str) -> str:
    """A lesson's Markdown with the names and little formulas of its prose as mathematics
    (``h_t`` → hₜ, ``x1`` → x₁, ``-0.5`` → −0.5: ``formula_unicode.prose``); code spans and
    code blocks (commands to type) stay as written. A script Unicode cannot write stays h_T
    here; the typeset faces set it."""
    from dltutor.render.formula_unicode import prose

    return "".join(piece if i % 2 else prose(piece) for i, piece in enumerate(_CODE.split(markdown)))


def lesson_renderable(lesson: Lesson, digits: int = 6, answers: bool = False):
    """The whole lesson as one Rich renderable (every live block run now).

    ``answers``: show the answers of the "Check yourself" questions after them (the
    terminal's ``--answers``; a screen can rebuild the lesson with it toggled)."""
    hint = f"answers: dltutor lesson {lesson.id} --answers"
    checks = _check_blocks(lesson, answers, hint)
    parts: list = [Rule(Text(lesson.title, style="bold magenta")),
                   Text(f"{lesson.id} · topic {lesson.topic}"
                        + (f" · before this: {', '.join(lesson.prerequisites)}" if lesson.prerequisites else ""),
                        style="dim"),
                   Text("")]
    for block in lesson.blocks:
        if block.kind == "markdown":
            parts.append(Markdown(lesson_prose(block.text)))
            parts.append(Text(""))
        elif block.kind == "math":
            parts.append(math_renderable(block.text))
        elif block.kind == "solve":
            parts.extend([solve_renderable(block.text, digits), Text("")])
        elif block.kind == "problem":
            parts.extend([_problem_renderable(block.text), Text("")])
        elif block.kind == "check":
            parts.extend([checks[block.line], Text("")])
    return Group(*parts)


def print_lesson(lesson: Lesson, digits: int = 6, console: Console | None = None,
                 answers: bool = False) -> None:
    console = console or Console(highlight=False)
    console.print(lesson_renderable(lesson, digits, answers))
