"""Screen snapshots at 80x24 and 120x40 (pytest-textual-snapshot): update with --snapshot-update after a
deliberate change, and look at the SVGs in __snapshots__/ before accepting them
(``rsvg-convert -o out.png in.svg``; rsvg drops spaces at the start of a coloured run and draws braille
wider than a cell, a terminal does not)."""

import shutil
import tempfile
from pathlib import Path

import pytest
from tui_support import problem_id, wait_for


@pytest.fixture(autouse=True)
def home(monkeypatch):
    """A fresh progress folder at a fixed place: the help screen shows where progress is saved."""
    folder = Path(tempfile.gettempdir()) / "dltutor-snapshots" / "home"
    shutil.rmtree(folder, ignore_errors=True)
    monkeypatch.setenv("DLTUTOR_HOME", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def make():
    from dltutor.tui.app import make_app

    return make_app(seed=0)


async def home_loaded(pilot):
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "lessons", None) is not None)  # read after the first paint
    await pilot.pause()


async def on_screen(pilot, name: str):
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == name)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare, size):
    assert snap_compare(make(), terminal_size=size, run_before=home_loaded)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, size):
    async def open_help(pilot):
        await home_loaded(pilot)
        await pilot.press("question_mark")
        await on_screen(pilot, "HelpScreen")

    assert snap_compare(make(), terminal_size=size, run_before=open_help)


@pytest.mark.parametrize("size", SIZES)
def test_calculator_opens_on_its_kind(snap_compare, size):
    async def open_calculator(pilot):
        await home_loaded(pilot)
        await pilot.press("c")
        await on_screen(pilot, "CalculatorScreen")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "solution", None) is not None)

    assert snap_compare(make(), terminal_size=size, run_before=open_calculator)


@pytest.mark.parametrize("size", SIZES)
def test_calculator_answer_in_view(snap_compare, size):
    async def solve(pilot):
        await home_loaded(pilot)
        await pilot.press("c")
        await on_screen(pilot, "CalculatorScreen")
        await pilot.press("tab", "ctrl+r")
        await pilot.pause(0.2)

    assert snap_compare(make(), terminal_size=size, run_before=solve)


@pytest.mark.parametrize("size", SIZES)
def test_practice_after_a_wrong_check(snap_compare, size):
    async def answer(pilot):
        await home_loaded(pilot)
        pilot.app.open("practice", problem_id=problem_id("conv-output-size", 42))
        await wait_for(pilot, lambda: pilot.app.screen.query("AnswerForm Input"))
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()

    assert snap_compare(make(), terminal_size=size, run_before=answer)


@pytest.mark.parametrize("size", SIZES)
def test_exam_setup(snap_compare, size):
    async def open_exam(pilot):
        await home_loaded(pilot)
        await pilot.press("e")
        await on_screen(pilot, "ExamScreen")
        await pilot.press("down", "space")           # the second topic ticked, the first not

    assert snap_compare(make(), terminal_size=size, run_before=open_exam)


@pytest.mark.parametrize("size", SIZES)
def test_training_lab_before_training(snap_compare, size):
    async def open_lab(pilot):
        await home_loaded(pilot)
        pilot.app.open("train", data="moons")
        await wait_for(pilot, lambda: pilot.app.screen.query("#map") and pilot.app.screen.query_one("#map").boundary)
        await pilot.pause()

    assert snap_compare(make(), terminal_size=size, run_before=open_lab)


@pytest.mark.parametrize("size", SIZES)
def test_progress_empty(snap_compare, size):
    async def open_progress(pilot):
        await home_loaded(pilot)
        await pilot.press("g")
        await on_screen(pilot, "ProgressScreen")

    assert snap_compare(make(), terminal_size=size, run_before=open_progress)


@pytest.mark.parametrize("size", SIZES)
def test_lesson_page(snap_compare, size):
    async def open_lesson(pilot):
        await home_loaded(pilot)
        pilot.app.open("lesson", lesson_id="perceptron")
        await on_screen(pilot, "LessonScreen")
        await wait_for(pilot, lambda: ("perceptron", 0, False) in pilot.app.screen.cache, timeout=20)
        await pilot.pause()

    assert snap_compare(make(), terminal_size=size, run_before=open_lesson)


@pytest.mark.parametrize("size", SIZES)
def test_lesson_chooser(snap_compare, size):
    async def open_chooser(pilot):
        await home_loaded(pilot)
        pilot.app.open("lesson", lesson_id="perceptron")
        await on_screen(pilot, "LessonScreen")
        await pilot.press("o")
        await on_screen(pilot, "ChooserScreen")

    assert snap_compare(make(), terminal_size=size, run_before=open_chooser)


@pytest.fixture
def frozen_clock(monkeypatch):
    """The exam's clock stands still, so its time shows 00:00 in every run."""
    import types

    monkeypatch.setattr("dltutor.tui.screens.exam.time", types.SimpleNamespace(monotonic=lambda: 1000.0))


async def exam_started(pilot):
    await home_loaded(pilot)
    pilot.app.open("exam", topics=["cnn"], count=2, seed=5)
    await on_screen(pilot, "ExamScreen")
    pilot.app.screen.query_one("#start").focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.screen.query("AnswerForm Input"))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_exam_question(snap_compare, size, frozen_clock):
    assert snap_compare(make(), terminal_size=size, run_before=exam_started)


@pytest.mark.parametrize("size", SIZES)
def test_exam_quit_asks_first(snap_compare, size, frozen_clock):
    async def quit_during_exam(pilot):
        await exam_started(pilot)
        await pilot.press("ctrl+q")
        await on_screen(pilot, "ConfirmScreen")

    assert snap_compare(make(), terminal_size=size, run_before=quit_during_exam)


@pytest.mark.parametrize("size", SIZES)
def test_exam_review(snap_compare, size, frozen_clock):
    async def submit(pilot):
        await exam_started(pilot)
        await pilot.press("1", "2", "ctrl+s", "ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen.result is not None)
        await pilot.pause()

    assert snap_compare(make(), terminal_size=size, run_before=submit)


@pytest.mark.parametrize("size", SIZES)
def test_training_lab_after_training(snap_compare, size):
    async def train(pilot):
        await home_loaded(pilot)
        pilot.app.open("train", data="moons")
        await wait_for(pilot, lambda: pilot.app.screen.query("#map") and pilot.app.screen.query_one("#map").boundary)
        screen = pilot.app.screen
        screen.query_one("#epochs").value = "20"
        screen.speed = None                           # as fast as it goes: the end state is what is compared
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.session.epoch == 20 and not screen.running, timeout=30)
        await pilot.pause(0.2)

    assert snap_compare(make(), terminal_size=size, run_before=train)
