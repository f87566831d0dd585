"""``python -m dltutor.tui``: the full-screen app (what ``dltutor serve`` runs for each browser tab)."""

from dltutor.tui.app import make_app

if __name__ == "__main__":
    make_app().run()
