"""Check boxes that look ticked or unticked at a glance: ✓ when on, an empty box when off.

Textual draws an ``X`` in both states and tells them apart by colour only,
so at a glance (and without colour, NO_COLOR) every box looks ticked.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList

TICK, NO_TICK = "✓", " "


class TickBox(Checkbox):
    """A check box whose button shows ✓ when ticked and nothing when not."""

    @property
    def BUTTON_INNER(self) -> str:  # Textual reads this name on every render
        return TICK if self.value else NO_TICK


class TickList(SelectionList):
    """A selection list whose boxes show ✓ when ticked and nothing when not."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        index = self.scroll_offset.y + y
        if len(segments) < 3 or index >= self.option_count:
            return strip
        ticked = self.get_option_at_index(index).value in self._selected
        _text, style, control = segments[1]
        segments[1] = Segment(TICK if ticked else NO_TICK, style, control)
        return Strip(segments, strip.cell_length)
