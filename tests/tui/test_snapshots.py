"""Screen snapshots at 80x24 (pytest-textual-snapshot): update with --snapshot-update after a
deliberate change, and look at the SVGs in __snapshots__/ before accepting them."""

from tui_support import home  # noqa: F401 (autouse fixture: a private progress folder)

SIZE = (80, 24)


def make():
    from dltutor.tui.app import make_app

    return make_app(seed=0)


def test_home(snap_compare):
    assert snap_compare(make(), terminal_size=SIZE)


def test_calculator(snap_compare):
    assert snap_compare(make(), press=["c"], terminal_size=SIZE)


def test_practice(snap_compare):
    async def open_problem(pilot):
        pilot.app.open("practice", problem_id="conv-output-size@1:42:medium")
        await pilot.pause(0.3)

    assert snap_compare(make(), terminal_size=SIZE, run_before=open_problem)


def test_help(snap_compare):
    assert snap_compare(make(), press=["question_mark"], terminal_size=SIZE)
