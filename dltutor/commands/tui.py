"""``dltutor serve``: the full-screen app in a web browser, through textual-serve.

Each browser tab runs its own app process (textual-serve's web driver); the
server itself is ``dltutor.commands.serve``: a token in the printed address,
same-origin requests only, a cap on sessions, no file fields, nothing loaded
from another host.
"""

from __future__ import annotations

import click

from dltutor.commands.common import CONTEXT, examples_epilog


@click.command(context_settings=CONTEXT,
               epilog=examples_epilog("dltutor serve", ["", "--port 8080", "--port 0 --max-sessions 2"]))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="TCP port to listen on (0: any free port, printed)")
@click.option("--host", default="localhost", show_default=True,
              help="address to listen on (localhost: only this machine can connect; any other "
                   "address prints a warning, and the token is still required)")
@click.option("--max-sessions", type=click.IntRange(1, 64), default=4, show_default=True,
              help="browser tabs that can run the app at once")
def serve(port: int, host: str, max_sessions: int) -> None:
    """Serve the dltutor app in a web browser (open the printed address).

    The address carries a random token: only someone who has it can open the
    app, and only from that page. Every tab gets its own session of the same app
    as the terminal one (without fields that read files on this machine);
    progress goes to the same database. Ctrl+C stops the server.
    """
    from dltutor.commands.serve import run

    run(host, port, max_sessions)
