"""Screen snapshots at 80x24 (pytest-textual-snapshot): update with --snapshot-update after a
deliberate change, and look at the SVGs in __snapshots__/ before accepting them
(``rsvg-convert -o out.png in.svg``; rsvg drops spaces at the start of a coloured run, a terminal does not)."""

from tui_support import home, wait_for  # noqa: F401 (autouse fixture: a private progress folder)

SIZE = (80, 24)


def make():
    from dltutor.tui.app import make_app

    return make_app(seed=0)


async def home_loaded(pilot):
    await wait_for(pilot, lambda: pilot.app.screen.lessons is not None)   # read after the first paint
    await pilot.pause()


def test_home(snap_compare):
    assert snap_compare(make(), terminal_size=SIZE, run_before=home_loaded)


def test_calculator(snap_compare):
    assert snap_compare(make(), press=["c"], terminal_size=SIZE)


def test_practice(snap_compare):
    async def open_problem(pilot):
        pilot.app.open("practice", problem_id="conv-output-size@1:42:medium")
        await pilot.pause(0.3)

    assert snap_compare(make(), terminal_size=SIZE, run_before=open_problem)


def test_help(snap_compare):
    async def open_help(pilot):
        await home_loaded(pilot)
        await pilot.press("question_mark")

    assert snap_compare(make(), terminal_size=SIZE, run_before=open_help)


def test_training_lab_untrained_map(snap_compare):
    async def open_lab(pilot):
        pilot.app.open("train", data="moons")
        await wait_for(pilot, lambda: pilot.app.screen.query("#map") and pilot.app.screen.query_one("#map").boundary)
        await pilot.pause()

    assert snap_compare(make(), terminal_size=SIZE, run_before=open_lab)
