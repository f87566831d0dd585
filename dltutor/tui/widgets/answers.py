"""The answer form of a drawn problem: one field per part, tables filled cell by cell.

Every field is checked as you type with ``checking.parse_answer`` (the same
reader that marks the answer, which also refuses a vector or matrix of the wrong
size for its part, with the one-line reason), and the verdicts come from ``checking``:
this module only lays them out.
"""

from __future__ import annotations

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from dltutor.render.wording import column_names, label_text, message_text, slip_text
from dltutor.practice.checking import FORM_HELP, PartResult, parse_answer
from dltutor.tui.widgets.fields import GrammarValidator, first_failure
from dltutor.values import format_value, parse_fraction

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def reflow(prompt: str) -> str:
    """Join the hard-wrapped lines of a prompt so the screen can wrap them to its width.

    Blank lines, indented lines (matrices, data) and lines after a colon stay as they are."""
    out: list[str] = []
    for line in prompt.strip().splitlines():
        keep = (not out or not line.strip() or line[:1].isspace() or not out[-1].strip()
                or out[-1].rstrip().endswith(":") or out[-1][:1].isspace())
        if keep:
            out.append(line.rstrip())
        else:
            out[-1] = out[-1].rstrip() + " " + line.strip()
    return "\n".join(out)


def marks_text(marks: float) -> str:
    """``1 mark``, ``2 marks``, ``0.5 marks``."""
    return f"{marks:g} mark" + ("" if marks == 1 else "s")


def part_heading(i: int, part) -> str:
    return f"({LETTERS[i % 26]}) {label_text(part)}  [{marks_text(part.spec.marks)}; {FORM_HELP[part.spec.form]}]"


def expected_text(part, digits: int = 6, problem=None) -> str:
    """The right answer of a part as a student would type it.

    Given the ``problem``, with as many more digits as the checker needs to accept it (a value
    after a small update is judged on the size of the change), so a shown answer is never marked
    wrong when typed."""
    def shown(d: int) -> str:
        if part.spec.form == "table":
            return "\n".join(", ".join(format_value(c, d) for c in row) for row in part.expected)
        if part.spec.form == "boolean":
            return "yes" if part.expected else "no"
        return format_value(part.expected, d)

    if problem is None or part.spec.form == "boolean":
        return shown(digits)
    from dltutor.practice.checking import check_part

    for d in range(digits, 16):
        text = shown(d)
        if check_part(problem, part, text).correct:
            return text
    return shown(digits)


def verdict_lines(result: PartResult, with_expected: bool = False, digits: int = 6, part=None,
                  marks: bool = True, problem=None) -> tuple[Text, list[Text]]:
    """The verdict's first line (✓ right 2/2) and the lines under it (why, the slip, the answer)."""
    head = Text()
    if not result.answered:
        head.append("– not answered", style="yellow")
    elif result.correct:
        head.append("✓ right", style="bold green")
    else:
        head.append("✗ wrong", style="bold red")
    if marks:
        head.append(f"  {result.marks:g}/{marks_text(result.max_marks)}", style="dim")
    details: list[Text] = []
    if result.answered and not result.correct and result.message:
        details.append(Text(message_text(result)))
    if result.misconception:
        details.append(Text.assemble(("Typical slip: ", "bold yellow"), slip_text(result)))
    if with_expected and part is not None and not result.correct:
        details.append(Text.assemble(("answer: ", "cyan"), (expected_text(part, digits, problem), "cyan")))
    return head, details


def indented(lines: list, by: int):
    """Lines that keep their indent when the screen wraps them (a wrapped line starts under the first)."""
    return [Padding(line, (0, 0, 0, by)) for line in lines]


def verdict_text(result: PartResult, with_expected: bool = False, digits: int = 6, part=None,
                 marks: bool = True) -> Group:
    """The verdict of one part: its first line, then the reasons indented (also when wrapped)."""
    head, details = verdict_lines(result, with_expected, digits, part, marks)
    return Group(head, *indented(details, 2))


class PartInput(Vertical):
    """One non-table part: its heading, an input checked as you type, the verdict."""

    def __init__(self, index: int, part, value: str = ""):
        super().__init__()
        self.index, self.part, self.initial = index, part, value

    def compose(self) -> ComposeResult:
        form = self.part.spec.form
        yield Label(part_heading(self.index, self.part), markup=False)
        yield Input(self.initial, placeholder=FORM_HELP[form], compact=True, id=f"part-{self.index}",
                    validators=[GrammarValidator(lambda text: parse_answer(text, self.part))])
        yield Static("", classes="error").set_styles("display: none;")
        yield Static("", classes="verdict").set_styles("display: none;")

    @property
    def text(self) -> str:
        return self.query_one(Input).value

    @on(Input.Changed)
    def show_error(self, event: Input.Changed) -> None:
        show_message(self.query_one(".error", Static), first_failure(event.validation_result))

    def show(self, verdict: Text | str) -> None:
        show_message(self.query_one(".verdict", Static), verdict)


def show_message(widget: Static, message) -> None:
    """Update a message line, taking no room while it is empty."""
    widget.update(message)
    widget.display = bool(message)


def _cell_number(text: str) -> None:
    parse_fraction(text, "cell")


class TableInput(Vertical):
    """A table part filled cell by cell: one row per sample or step, one input per column.

    Enter moves to the next cell; on the last cell it submits the form."""

    def __init__(self, index: int, part, value: str = ""):
        super().__init__()
        self.index, self.part, self.initial = index, part, value

    def compose(self) -> ComposeResult:
        columns = self.part.columns
        rows = len(self.part.expected)
        given = [line.split(",") for line in self.initial.replace(";", "\n").splitlines()]
        yield Label(part_heading(self.index, self.part), markup=False)
        with Horizontal(classes="table-row"):
            yield Label("", classes="rowlabel")
            for name in column_names(self.part):
                yield Label(name, classes="colhead", markup=False)
        for r in range(rows):
            with Horizontal(classes="table-row"):
                yield Label(f"row {r + 1}", classes="rowlabel")
                for c in range(len(columns)):
                    value = given[r][c].strip() if r < len(given) and c < len(given[r]) else ""
                    yield Input(value, compact=True, classes="cell", id=f"cell-{self.index}-{r}-{c}",
                                validators=[GrammarValidator(_cell_number)])
        yield Static("", classes="error").set_styles("display: none;")
        yield Static("", classes="verdict").set_styles("display: none;")

    def cells(self) -> list[list[Input]]:
        n = len(self.part.columns)
        flat = list(self.query(".cell").results(Input))
        return [flat[i:i + n] for i in range(0, len(flat), n)]

    @property
    def text(self) -> str:
        """Rows on separate lines, cells separated by commas; trailing empty rows left out."""
        rows = [[cell.value.strip() for cell in row] for row in self.cells()]
        while rows and not any(rows[-1]):
            rows.pop()
        return "\n".join(",".join(row) for row in rows)

    @on(Input.Changed)
    def show_error(self, event: Input.Changed) -> None:
        show_message(self.query_one(".error", Static), first_failure(event.validation_result))

    @on(Input.Submitted)
    def next_cell(self, event: Input.Submitted) -> None:
        flat = [cell for row in self.cells() for cell in row]
        if event.input is not flat[-1]:
            event.stop()
            flat[flat.index(event.input) + 1].focus()

    def show(self, verdict: Text | str) -> None:
        show_message(self.query_one(".verdict", Static), verdict)


class AnswerForm(Vertical):
    """Every part of ``problem``, prefilled from ``answers`` (part name → text)."""

    DEFAULT_CSS = "AnswerForm { height: auto; }"

    def __init__(self, problem, answers: dict[str, str] | None = None, id: str | None = None):
        super().__init__(id=id)
        self.problem = problem
        self.initial = dict(answers or {})

    def compose(self) -> ComposeResult:
        for i, part in enumerate(self.problem.parts):
            widget = TableInput if part.spec.form == "table" else PartInput
            yield widget(i, part, self.initial.get(part.name, ""))

    def fields(self) -> list[PartInput | TableInput]:
        return [w for w in self.children if isinstance(w, (PartInput, TableInput))]

    def answers(self) -> dict[str, str]:
        return {part.name: field.text for part, field in zip(self.problem.parts, self.fields())}

    def show_results(self, results: list[PartResult], with_expected: bool = False, digits: int = 6,
                     marks: bool = True) -> None:
        """Each part's verdict under it; ``marks=False`` leaves the marks out (a practice retry, not marked)."""
        for field, result, part in zip(self.fields(), results, self.problem.parts):
            field.show(verdict_text(result, with_expected, digits, part, marks))

    def clear_results(self) -> None:
        for field in self.fields():
            field.show("")

    def inputs(self) -> list[Input]:
        return list(self.query(Input).results(Input))

    def focus_first(self) -> None:
        inputs = self.inputs()
        if inputs:
            inputs[0].focus()

    def empty_parts(self) -> list[str]:
        """The letters of the parts with nothing typed in them."""
        return [LETTERS[i % 26] for i, field in enumerate(self.fields()) if not field.text.strip()]

    def focus_part(self, letter: str) -> None:
        field = self.fields()[LETTERS.index(letter)]
        field.query(Input).first().focus()

    def freeze(self) -> None:
        """The answers can no longer be changed (an exam question checked with "tell me as I go")."""
        for widget in self.inputs():
            widget.disabled = True

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        """Enter in a part that is not the last moves to the next one; in the last it submits the form."""
        inputs = self.inputs()
        if event.input in inputs and event.input is not inputs[-1]:
            event.stop()
            inputs[inputs.index(event.input) + 1].focus()
