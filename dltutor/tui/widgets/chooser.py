"""A modal list to pick one item from (a lesson, an exam question); dismisses with the item's id."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class ChooserScreen(ModalScreen):
    BINDINGS = [Binding("escape", "dismiss(None)", "Close"),
                Binding("space", "pick", "Pick", show=False)]

    def __init__(self, title: str, items: list[tuple[str, object]], current: str | None = None):
        super().__init__()
        self.title_text, self.items, self.current = title, items, current

    def compose(self) -> ComposeResult:
        options = OptionList(*(Option(label, id=key) for key, label in self.items), id="chooser")
        options.border_title = self.title_text
        options.border_subtitle = "Enter picks · Esc closes"
        yield options

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keys = [key for key, _ in self.items]
        if self.current in keys:
            options.highlighted = keys.index(self.current)
        options.focus()

    def action_pick(self) -> None:
        self.query_one(OptionList).action_select()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
