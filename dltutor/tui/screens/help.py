"""The help screen (``?`` or F1): what the screen below is for and every key it understands."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

GENERAL = ("Answers use the value grammar: 0.5, 1/3, 1,2,3 (a vector), 1,2;3,4 (a matrix: rows "
           "separated by ;), 24x24x6 (a shape). NO_COLOR=1 gives a screen without colour.")

# keys every screen understands (Textual's own), shown after the screen's keys
MOVING = (("tab, ⇧tab", "move to the next / previous field, list or button"),
          ("↑ ↓ ↵", "move in a list; Enter opens or picks the highlighted line"),
          ("esc", "go back (on a screen), close (a list or this help)"))


def key_name(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    names = {"question_mark": "?", "right_square_bracket": "]", "left_square_bracket": "["}
    return ", ".join(names.get(k, k.replace("_", " ")) for k in binding.key.split(","))


def keys_table(screen) -> Table:
    """Every binding of ``screen`` and of the app with a description, then the general moving keys.

    A binding's ``tooltip`` is its longer explanation; two keys for one action share a row."""
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    table.add_column(style="bold cyan", no_wrap=True, max_width=12)
    table.add_column()
    rows: dict[str, list] = {}
    for binding in list(screen.BINDINGS) + list(screen.app.BINDINGS):
        if not isinstance(binding, Binding) or not binding.description:
            continue
        action = binding.action.removeprefix("app.")
        if action in rows:
            rows[action][0].append(key_name(binding))
            continue
        text = Text(binding.description)
        if binding.tooltip:
            text.append(": " + binding.tooltip, style="dim")
        rows[action] = [[key_name(binding)], text]
    for keys, text in rows.values():
        table.add_row(", ".join(dict.fromkeys(keys)), text)
    for keys, what in MOVING:
        table.add_row(keys, Text(what, style="dim"))
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
            store = getattr(self.app, "_store", None)
            if store is not None:          # where the data lives: said here, not on the learning screens
                yield Static(Text(f"Your progress is saved in {store.path}", style="dim"), classes="help-text")
