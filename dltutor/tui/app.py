"""The dltutor app: a home screen and one screen per activity, opened by name.

    app = make_app(seed=0)          # the CLI, ``dltutor serve`` and the tests all use this
    app.run()

The app owns the progress store (opened on first use; a store that cannot be
opened is reported once and the app goes on without saving) and the random
source of practice problems (seeded in tests so screens are reproducible).
"""

from __future__ import annotations

import importlib
import random

from textual.app import App
from textual.binding import Binding

# screen name -> (module under dltutor.tui.screens, class): imported on first use
SCREENS_BY_NAME: dict[str, tuple[str, str]] = {
    "home": ("home", "HomeScreen"),
    "lesson": ("lesson", "LessonScreen"),
    "practice": ("practice", "PracticeScreen"),
    "exam": ("exam", "ExamScreen"),
    "calculator": ("calculator", "CalculatorScreen"),
    "train": ("train", "TrainScreen"),
    "progress": ("progress", "ProgressScreen"),
    "help": ("help", "HelpScreen"),
}

THEMES = ("textual-dark", "textual-light")


class DLTutorApp(App):
    """dltutor in the terminal (and, through textual-serve, in a browser)."""

    CSS_PATH = "app.tcss"
    TITLE = "dltutor"
    SUB_TITLE = "learn the mathematics of deep learning"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", key_display="?",
                tooltip="what this screen is for and every key it understands (also F1)"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, tooltip="switch between the dark and light themes"),
        Binding("ctrl+q", "quit", "Quit", priority=True,
                tooltip="leave dltutor (your progress is already saved; during an exam it asks first)"),
    ]

    def __init__(self, seed: int | None = None, store_path: str | None = None, theme: str | None = None,
                 digits: int = 6):
        super().__init__()
        self.rng = random.Random(seed)
        self.seeded = seed is not None
        self.store_path = store_path
        self.digits = digits
        self._store = None
        self._store_failed = False
        if theme:
            self.theme = theme

    # ------------------------------------------------------------ screens
    def get_default_screen(self):
        """Home is the bottom of the stack (no blank screen under it to compose and paint first)."""
        return self.screen_class("home")()

    def screen_class(self, name: str):
        module, attr = SCREENS_BY_NAME[name]
        return getattr(importlib.import_module(f"dltutor.tui.screens.{module}"), attr)

    def open(self, name: str, **kwargs) -> None:
        """Push screen ``name`` (imported now if it was not yet), e.g. ``app.open("exam", count=2, minutes=5)``.

        The keyword arguments are those of the screen's class; this is the public
        way in for other faces (``dltutor exam`` pushes the exam screen this way)."""
        self.push_screen(self.screen_class(name)(**kwargs))

    def action_open(self, name: str) -> None:
        self.open(name)

    def action_help(self) -> None:
        if type(self.screen).__name__ != "HelpScreen":
            self.open("help", about=self.screen)

    async def action_quit(self) -> None:
        """Quit, unless a screen has something to ask first (a running exam: submit it, or keep going)."""
        from dltutor.tui.widgets.confirm import ConfirmScreen

        if isinstance(self.screen, ConfirmScreen):
            return                       # already asking
        for screen in reversed(self.screen_stack):
            question = getattr(screen, "quit_question", lambda: None)()
            if question:
                async def answered(quit: bool | None, screen=screen) -> None:
                    if quit:
                        await screen.finish("submitted when quitting")
                        self.exit()

                self.push_screen(ConfirmScreen(question, "Submit and quit", "Keep going"), answered)
                return
        self.exit()

    def action_toggle_theme(self) -> None:
        self.theme = THEMES[1] if self.theme == THEMES[0] else THEMES[0]

    # ------------------------------------------------------------ state
    @property
    def store(self):
        """The progress store, or None when it cannot be used (said once, in a notification)."""
        if self._store is None and not self._store_failed:
            from dltutor.store import Store, StoreError

            try:
                self._store = Store(self.store_path)
            except StoreError as exc:
                self._store_failed = True
                self.notify(f"progress is not saved: {exc}", severity="error", timeout=10)
        return self._store

    def new_seed(self) -> int:
        return self.rng.randrange(1_000_000)

    def on_mount(self) -> None:
        """A closed terminal (SIGHUP) or a stopped session (SIGTERM) ends the app as Ctrl-Q would:
        the screens are closed in order, so a running exam is graded and saved first."""
        import asyncio
        import signal

        try:
            loop = asyncio.get_running_loop()
            for name in ("SIGHUP", "SIGTERM"):
                if hasattr(signal, name):
                    loop.add_signal_handler(getattr(signal, name), self.exit)
        except (NotImplementedError, RuntimeError, ValueError):   # not the main thread, or no signals here
            pass

    def on_unmount(self) -> None:
        if self._store is not None:
            self._store.close()


def make_app(seed: int | None = None, store_path: str | None = None, theme: str | None = None) -> DLTutorApp:
    """The app, as the CLI, ``dltutor serve`` and the tests use it."""
    return DLTutorApp(seed=seed, store_path=store_path, theme=theme)
