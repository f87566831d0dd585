"""Calculator: pick a ``solve`` kind; a form built from its option table; the worked solution.

Each field is checked as you type by the option's own parser (the one the
command line uses), the solution comes from the kind's solver and is drawn by
``render.terminal`` exactly as ``dltutor solve`` draws it, and the equivalent
command line is shown to copy.
"""

from __future__ import annotations

import shlex

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Input, Select, Static

from dltutor.errors import InputError
from dltutor.tui.widgets.fields import Field


def example_texts(kind) -> dict:
    """The option texts of the kind's first example (what the form starts with)."""
    from dltutor.lessons import solve_args

    if not kind.examples:
        return {}
    try:
        return solve_args(f"dltutor solve {kind.name} {kind.examples[0]}")[1]
    except InputError:
        return {}


def command_line(kind, raw: dict) -> str:
    """``dltutor solve KIND ...`` for the texts in ``raw`` (empty ones left out), quoted for a shell."""
    words = ["dltutor", "solve", kind.name]
    for opt in kind.options:
        value = raw.get(opt.param)
        if opt.flag:
            if value:
                words.append(f"--{opt.name}")
        elif value not in (None, ""):
            words.extend([shlex.quote(value)] if opt.argument else [f"--{opt.name}", shlex.quote(value)])
    return " ".join(words)


def option_label(opt) -> Text:
    """The option's name in bold, then what it is, dimmed (so the label does not read as a value)."""
    tail = " [required]" if opt.required else (f" [default: {opt.default}]" if opt.default is not None else "")
    return Text.assemble((opt.spelling, "bold"), "  ", (f"{opt.help}{tail}", "dim"))


class CalculatorScreen(Screen):
    HELP = ("Calculator: choose a kind (the list at the top has the focus when the screen opens; Enter "
            "opens it, ^L comes back to it), fill its options with Tab between them (each is checked as you "
            "type by the same parser as the command line), press Enter or ^R: the view scrolls to the answer. The worked solution shows every step; the command "
            "line under the form gives the same answer in a terminal.")
    BINDINGS = [
        Binding("pagedown", "scroll_body(1)", "Scroll", show=False, key_display="PgDn/PgUp",
                tooltip="scroll the page down or up (the fields keep the focus)"),
        Binding("pageup", "scroll_body(-1)", "Scroll", show=False),
        Binding("escape", "app.pop_screen", "Back", tooltip="back to the home screen"),
        Binding("ctrl+r", "solve", "Solve", tooltip="work it out (Enter in any field does it too)"),
        # not ^E/^K: a focused field uses those (end of line, delete to the end)
        Binding("ctrl+o", "example", "Example", tooltip="put the kind's example values back in the form"),
        Binding("ctrl+l", "kind", "Kind", tooltip="choose another kind (the list at the top; Enter opens it)"),
    ]

    def __init__(self, kind: str = "conv-output", values: dict | None = None):
        super().__init__()
        self.kind_name = kind
        self.initial = values
        self.kind = None

    def compose(self) -> ComposeResult:
        from dltutor.solvers.registry import KIND_MODULES

        yield Header()
        with Horizontal(id="calc-bar"):
            yield Select([(name, name) for name in sorted(KIND_MODULES)], value=self.kind_name,
                         allow_blank=False, id="kind", compact=True)
        with VerticalScroll(id="calc-body", can_focus=False):   # Tab goes from the kind to the fields
            yield Static(id="summary", classes="muted")
            yield Vertical(id="form")
            yield Button("Solve ^R", id="solve", variant="primary", compact=True)
            yield Static(id="command-line")
            yield Static(id="solution")
        yield Footer()

    async def on_mount(self) -> None:
        await self.load_kind(self.kind_name, self.initial, focus=False)
        self.query_one("#kind", Select).focus()      # the first choice is the kind: one key away

    def action_kind(self) -> None:
        self.query_one("#kind", Select).focus()

    async def load_kind(self, name: str, values: dict | None = None, focus: bool = True) -> None:
        from dltutor.solvers.registry import get_kind

        self.kind = kind = get_kind(name)
        self.kind_name = name
        values = example_texts(kind) if values is None else values
        self.query_one("#summary", Static).update(kind.summary[0].upper() + kind.summary[1:] + ".")
        form = self.query_one("#form")
        await form.remove_children()
        widgets = []
        for opt in self.form_options():
            if opt.flag:
                widgets.append(Checkbox(f"{opt.spelling}  {opt.help}", bool(values.get(opt.param)),
                                        id=f"opt-{opt.param}", compact=True))
            else:
                parse = (lambda text, o=opt: o.parse(text, o.spelling))
                widgets.append(Field(option_label(opt), parse, str(values.get(opt.param, "") or ""),
                                     placeholder=opt.default or "", id=f"opt-{opt.param}"))
        await form.mount_all(widgets)
        self.query_one("#solution", Static).update("")
        self.update_command()
        inputs = list(form.query(Input).results(Input))
        if inputs and focus:
            inputs[0].focus()
        self.solve(scroll=False)

    def form_options(self) -> list:
        """The kind's options shown in the form. In a browser (``dltutor serve``) the person
        typing is not at this machine: an option that takes a path here (metavar PATH, the
        params ``--file``) is left out, so nothing typed in the page opens a server file."""
        from dltutor.tui.served import served

        return [opt for opt in self.kind.options if not (served() and opt.metavar == "PATH")]

    def raw_texts(self) -> dict:
        raw = {}
        for opt in self.form_options():
            widget = self.query_one(f"#opt-{opt.param}")
            raw[opt.param] = widget.value if isinstance(widget, Checkbox) else widget.value.strip()
        return raw

    def update_command(self) -> None:
        self.query_one("#command-line", Static).update(Text("$ " + command_line(self.kind, self.raw_texts())))

    @on(Select.Changed, "#kind")
    async def kind_changed(self, event: Select.Changed) -> None:
        if event.value != self.kind_name:
            await self.load_kind(event.value)

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def edited(self) -> None:
        if self.kind is not None:
            self.update_command()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_solve()

    @on(Button.Pressed, "#solve")
    def action_solve(self) -> None:
        self.solve(scroll=True)

    def solve(self, scroll: bool) -> None:
        """Work it out; with ``scroll``, bring the answer (the end of the solution) into view."""
        from dltutor.render.terminal import solution_renderable
        from dltutor.solvers.registry import parse_options

        out = self.query_one("#solution", Static)
        raw = {k: (v if v not in ("", False) else None) for k, v in self.raw_texts().items()}
        try:
            solution = self.kind.func(**parse_options(self.kind, raw))
        except InputError as exc:
            out.update(Text(f"error: {exc}", style="bold red"))
        else:
            self.solution = solution
            out.update(solution_renderable(solution, self.app.digits))
        if scroll:
            body = self.query_one("#calc-body", VerticalScroll)
            self.call_after_refresh(body.scroll_end, animate=False)

    async def action_example(self) -> None:
        await self.load_kind(self.kind_name)

    def action_scroll_body(self, direction: int) -> None:
        body = self.query_one("#calc-body")
        if direction > 0:
            body.scroll_page_down()
        else:
            body.scroll_page_up()
