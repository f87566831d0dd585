"""The help screen (``?`` or F1): what the screen below is for and every key it understands."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

GENERAL = ("Keyboard first: Tab / Shift+Tab move between fields, Enter activates, Esc goes back. "
           "The mouse works too. Ctrl+T switches dark/light; NO_COLOR=1 gives a colourless screen. "
           "Answers use the value grammar: 0.5, 1/3, 1,2,3 (vector), 1,2;3,4 (matrix), 24x24x6 (shape).")


def keys_table(screen) -> Table:
    """Every binding of ``screen`` and of the app that has a description, in the order they apply."""
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    seen = set()
    for binding in list(screen.BINDINGS) + list(screen.app.BINDINGS):
        if not isinstance(binding, Binding) or not binding.description or binding.action in seen:
            continue
        seen.add(binding.action)
        keys = binding.key_display or ", ".join(k.replace("_", " ") for k in binding.key.split(","))
        table.add_row(keys, binding.description)
    return table


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def __init__(self, about=None):
        super().__init__()
        self.about = about

    def compose(self) -> ComposeResult:
        about = self.about
        name = type(about).__name__.replace("Screen", "") if about is not None else "dltutor"
        with VerticalScroll(id="help-box") as box:
            box.border_title = f"Help · {name}"
            box.border_subtitle = "Esc closes"
            if about is not None and getattr(about, "HELP", ""):
                yield Static(Text(about.HELP), classes="help-text")
            if about is not None:
                yield Static(keys_table(about), classes="help-keys")
            yield Static(Text(GENERAL, style="dim"), classes="help-text")
