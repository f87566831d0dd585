"""The decision-boundary map of the training lab: the predicted class of every cell, the samples on top.

Each class has a colour and a shade character (so the map still reads without
colour, NO_COLOR), and each sample shows its true class as a letter-like mark:
a mark on a background of another class is a sample the model gets wrong.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

SHADES = (" ", "░", "▒", "▓", "·", ":", "-", "=", "~", "'")
MARKS = ("o", "x", "+", "*", "#", "@", "%", "&", "$", "^")
COLOURS = ("dodger_blue2", "dark_orange", "green3", "magenta", "gold1", "cyan", "red", "purple", "khaki1", "grey70")


def legend(n_classes: int) -> Text:
    """What the map's shading and marks mean: one swatch per predicted class, one mark per true class."""
    n = min(n_classes, len(MARKS))
    text = Text("shade = prediction:", style="dim")
    for k in range(n):
        text.append(" ")
        text.append(SHADES[k] * 2, style=f"{COLOURS[k]} on grey19" if k else f"{COLOURS[k]} on grey11")
        text.append(f" {k}")
    text.append("\nmark  = sample:    ", style="dim")
    for k in range(n):
        text.append(MARKS[k], style=f"bold {COLOURS[k]} on grey11")
        text.append(f" {k}  " if k < n - 1 else f" {k}")
    return text


class BoundaryMap(Widget):
    """The map, centred in its area; its grid has the size the session chose (keeping the data's shape)."""

    DEFAULT_CSS = "BoundaryMap { height: 1fr; }"

    def __init__(self, id: str | None = None):
        super().__init__(id=id)
        self.boundary = None
        self.message = "press ^R to train"

    def show(self, boundary, message: str = "") -> None:
        self.boundary, self.message = boundary, message
        self.refresh()

    def render(self):
        b = self.boundary
        if b is None:
            return Text(self.message, style="dim")
        h, w = b.classes.shape
        marks = {(r, c): label for r, c, label in b.points}
        text = Text(no_wrap=True, overflow="crop")
        left = " " * max(0, (self.size.width - w) // 2)        # centred: the grid keeps the data's shape
        text.append("\n" * max(0, (self.size.height - h) // 2))
        for r in range(h):
            text.append(left)
            for c in range(w):
                k = int(b.classes[r, c]) % len(COLOURS)
                if (r, c) in marks:
                    label = int(marks[(r, c)]) % len(COLOURS)
                    text.append(MARKS[label], style=f"bold {COLOURS[label]} on grey11")
                else:
                    text.append(SHADES[k], style=f"{COLOURS[k]} on grey19" if k else f"{COLOURS[k]} on grey11")
            if r < h - 1:
                text.append("\n")
        return text
