"""``python -m dltutor.tui.served``: the app as ``dltutor serve`` runs it for each browser tab.

``dltutor serve`` sets ``DLTUTOR_SERVED=1`` for the processes it starts. In a served
app the person typing is at a browser, not at this machine: nothing may open a file
on the server from a path typed in the page, so fields that take a path (the
calculator's ``--file``) are left out (``served()`` tells the screens).
"""

from __future__ import annotations

import os

SERVED_ENV = "DLTUTOR_SERVED"


def served() -> bool:
    """True inside an app process started by ``dltutor serve``."""
    return os.environ.get(SERVED_ENV) == "1"


def main() -> None:
    from dltutor.tui.app import DLTutorApp

    class ServedApp(DLTutorApp):
        # The header's default icon (U+2B58) is in no font the page ships, so browsers
        # without a fallback font draw a missing-glyph box: the page shows none.
        CSS = "HeaderIcon { visibility: hidden; }"

    os.environ[SERVED_ENV] = "1"
    ServedApp().run()


if __name__ == "__main__":
    main()
