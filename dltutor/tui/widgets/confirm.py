"""A modal question with two answers: dismisses with True (the first button) or False (the second, Esc).

    self.app.push_screen(ConfirmScreen("Submit and quit?", "Submit and quit", "Keep going"), then)
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "dismiss(False)", "Cancel"),
                Binding("left,right", "app.focus_next", "Switch", show=False)]

    def __init__(self, question: str, yes: str, no: str):
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-text", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(self.yes, id="yes", compact=True)   # the focus alone shows which one Enter picks
                yield Button(self.no, id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-box").border_subtitle = "Enter picks · Esc: " + self.no.lower()
        self.query_one("#no", Button).focus()     # the safe answer is the default

    @on(Button.Pressed)
    def answered(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
