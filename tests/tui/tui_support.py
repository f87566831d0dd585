"""Shared set-up of the TUI tests (imported by each test module; not a conftest, so the
project's tests/conftest.py stays the one `from conftest import` finds)."""

import pytest


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DLTUTOR_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def app():
    from dltutor.tui.app import make_app

    return make_app(seed=0)


async def wait_for(pilot, condition, timeout: float = 10.0, step: float = 0.05) -> None:
    """Let the app run until ``condition()`` is true; fail after ``timeout`` seconds."""
    import time

    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(step)


def sync(func):
    """Run an async test with asyncio.run (the project has no async pytest plugin)."""
    import asyncio
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return asyncio.run(func(*args, **kwargs))
    return wrapper


def plain(widget) -> str:
    """The text a Static shows (its Rich content printed without colour)."""
    import io

    from rich.console import Console

    console = Console(width=120, file=io.StringIO(), color_system=None, record=True)
    console.print(widget.content)
    return console.export_text()


async def started(pilot) -> None:
    """Wait until the home screen has painted and read its lessons (keys pressed earlier may
    reach a screen whose bindings are not active yet)."""
    app = pilot.app
    await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen"
                   and getattr(app.screen, "lessons", None) is not None)


def problem_id(family: str, seed: int, difficulty: str = "medium") -> str:
    """The id of a drawn problem at the family's current version (a family's version goes up when its
    draws change, and an id of an older version cannot be regenerated)."""
    from dltutor.practice.families import load_families

    return f"{family}@{load_families()[family].version}:{seed}:{difficulty}"
