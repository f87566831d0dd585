"""Long terminal output through a pager: a lesson, a long worked solution.

Only when standard output is a terminal and the text is taller than it; never when the
output goes to a pipe or a file, and never with ``--no-pager``. The pager is ``$PAGER``
(``less`` when it is unset), run by click, which keeps the colours (``LESS=-R``).
"""

from __future__ import annotations

import io
import sys

import click

NO_PAGER_HELP = "never send long output to a pager (it is used only when stdout is a terminal)"


def wants_pager(lines: int, no_pager: bool) -> bool:
    """A pager helps a person read ``lines`` lines: stdout is a terminal shorter than the text."""
    if no_pager or not sys.stdout.isatty():
        return False
    import shutil

    return lines > shutil.get_terminal_size().lines - 1


class _Buffer(io.StringIO):
    """Text for a stream of this encoding: Rich reads ``encoding`` to choose its box characters."""

    def __init__(self, encoding: str):
        super().__init__()
        self._encoding = encoding

    @property
    def encoding(self):
        return self._encoding


def show(renderable, no_pager: bool = False, soft_wrap: bool = False) -> None:
    """Print a Rich renderable, through the pager when ``wants_pager``; ``soft_wrap``: long lines
    are not cut or broken by Rich but left to the terminal (``--brief``'s one line per step)."""
    from rich.console import Console

    console = Console(highlight=False)
    if not sys.stdout.isatty():        # a file or a pipe: the lines without Rich's padding to the width
        plain = _Buffer(getattr(sys.stdout, "encoding", None) or "utf-8")
        Console(file=plain, highlight=False, width=console.width, no_color=True).print(renderable,
                                                                                      soft_wrap=soft_wrap)
        sys.stdout.write("\n".join(line.rstrip() for line in plain.getvalue().split("\n")))
        sys.stdout.flush()
        return
    if no_pager:
        console.print(renderable, soft_wrap=soft_wrap)
        return
    buffer = io.StringIO()
    capture = Console(file=buffer, highlight=False, width=console.width, force_terminal=True,
                      color_system=console.color_system, no_color=console.no_color)
    capture.print(renderable, soft_wrap=soft_wrap)
    text = buffer.getvalue()
    if wants_pager(text.count("\n"), no_pager):
        click.echo_via_pager(text, color=False if console.no_color else None)
    else:
        console.print(renderable, soft_wrap=soft_wrap)
