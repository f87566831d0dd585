"""``dltutor serve``: the full-screen app in a web browser, through textual-serve, on localhost.

Each browser tab runs its own ``python -m dltutor.tui`` process (textual-serve
starts it with its web driver); nothing leaves the machine unless ``--host``
says so.
"""

from __future__ import annotations

import shlex
import sys

import click

from dltutor.cli import CONTEXT, examples_epilog


def app_command() -> str:
    """The command textual-serve runs per browser tab: this Python, this package."""
    return f"{shlex.quote(sys.executable)} -m dltutor.tui"


@click.command(context_settings=CONTEXT, epilog=examples_epilog("dltutor serve", ["", "--port 8080"]))
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="TCP port to listen on")
@click.option("--host", default="localhost", show_default=True,
              help="address to listen on (localhost: only this machine can connect)")
def serve(port: int, host: str) -> None:
    """Serve the dltutor app in a web browser (open the printed address).

    Every tab gets its own session of the same app as the terminal one; progress
    goes to the same database. Ctrl+C stops the server.
    """
    from textual_serve.server import Server

    Server(app_command(), host=host, port=port, title="dltutor").serve()
