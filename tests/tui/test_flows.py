"""Keyboard flows from a fresh data folder: what a new user does with the keys alone, and what is stored.

Expected answers come from the problems' own keys (``expected_text``: the families' solver,
tested elsewhere against the notes); what is stored is read back from the progress database.
"""

import pytest
from tui_support import app, home, plain, problem_id, started, sync, wait_for  # noqa: F401 (fixtures)

from dltutor.store import Store
from dltutor.tui.widgets.answers import expected_text

SIZE = (80, 24)
FULL = 12     # digits of a typed key: enough for any tolerance the checker uses


def name(app) -> str:
    return type(app.screen).__name__


def focused_id(app) -> str:
    widget = app.focused
    while widget is not None and not widget.id:
        widget = widget.parent
    return widget.id if widget is not None else ""


async def open_exam(pilot, **kwargs):
    pilot.app.open("exam", **kwargs)
    await wait_for(pilot, lambda: name(pilot.app) == "ExamScreen")
    await pilot.pause()
    return pilot.app.screen


async def start_exam(pilot, screen):
    screen.query_one("#start").focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.exam is not None and screen.query("AnswerForm Input"))
    await pilot.pause()


def right_texts(problem) -> list[str]:
    if any(part.spec.form == "table" for part in problem.parts):
        pytest.fail(f"{problem.id} has a table part: choose another seed for this test")
    return [expected_text(part, FULL).replace("\n", "; ") for part in problem.parts]


async def type_text(pilot, text: str) -> None:
    await pilot.press(*["space" if ch == " " else ch for ch in text])


@sync
async def test_home_enter_acts_on_the_highlighted_row_at_once(app):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        topics = app.screen.query_one("#topics")
        assert app.focused is topics and topics.highlighted == 0        # no arrow key needed
        await pilot.press("tab")
        links = app.screen.query_one("#links")
        assert app.focused is links and links.highlighted == 0
        await pilot.press("enter")                                        # "Continue reading"
        await wait_for(pilot, lambda: name(app) == "LessonScreen")


@sync
async def test_exam_setup_arrows_space_and_reading_order(app):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: name(app) == "ExamScreen")
        await pilot.pause()
        screen = app.screen
        topics = screen.query_one("#topics")
        assert app.focused is topics and topics.highlighted == 0
        await pilot.press("down", "space")
        assert topics.selected == [topics.get_option_at_index(1).value]
        order = []
        for _ in range(4):
            await pilot.press("tab")
            order.append(focused_id(app))
        assert order == ["count", "minutes", "show-correct", "start"]
        lines = topics.region.height - 2        # less the border: the list uses the room there is
        assert lines >= 8


@sync
async def test_calculator_kind_first_and_answer_in_view(app):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: name(app) == "CalculatorScreen" and getattr(app.screen, "solution", None))
        screen = app.screen
        assert focused_id(app) == "kind"                      # the kind selector, at once
        await pilot.press("tab", "ctrl+r")
        await pilot.pause(0.3)
        body = screen.query_one("#calc-body")
        answer = screen.query_one("#solution")
        assert body.max_scroll_y > 0                          # at 80x24 the solution is below the fold ...
        assert answer.region.bottom <= body.region.bottom + 1 and body.scroll_y > 0   # ... and scrolled to
        assert focused_id(app) != "kind"
        await pilot.press("ctrl+l")                           # back to the kind from a field
        assert focused_id(app) == "kind"


@sync
async def test_exam_answer_typed_but_not_submitted_counts_when_time_is_up(app, home):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        screen = await open_exam(pilot, topics=["cnn"], count=2, minutes=0.05, seed=5)
        await start_exam(pilot, screen)
        problem = screen.exam.questions[0].problem
        for i, text in enumerate(right_texts(problem)):
            screen.query_one(f"#part-{i}").value = text          # typed (Input.Changed), no Enter
        await wait_for(pilot, lambda: screen.result is not None, timeout=10)
        assert screen.result.reason == "time is up"
        assert screen.result.questions[0].marks == problem.marks
    store = Store(home / "progress.sqlite3")
    rows = store.attempts()
    assert [r["problem_id"] for r in rows] == [problem.id]    # the unanswered question is not an attempt
    assert rows[0]["marks"] == problem.marks
    assert store.exams()[0]["finished_at"]


@sync
async def test_ctrl_q_during_an_exam_asks_and_submits(app, home):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        screen = await open_exam(pilot, topics=["cnn"], count=2, seed=5)
        await start_exam(pilot, screen)
        problem = screen.exam.questions[0].problem
        for i, text in enumerate(right_texts(problem)):
            screen.query_one(f"#part-{i}").value = text
        await pilot.pause()
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: name(app) == "ConfirmScreen")
        await pilot.press("escape")                             # keep going
        await wait_for(pilot, lambda: name(app) == "ExamScreen")
        assert app.is_running and screen.result is None
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: name(app) == "ConfirmScreen")
        await pilot.press("shift+tab", "enter")                 # Submit and quit
        await wait_for(pilot, lambda: screen.result is not None)
    store = Store(home / "progress.sqlite3")
    exam = store.exams()[0]
    assert exam["finished_at"] and exam["marks"] == problem.marks
    assert len(store.attempts()) == 1


@sync
async def test_closing_the_window_keeps_a_typed_answer(app, home):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        screen = await open_exam(pilot, topics=["cnn"], count=2, seed=5)
        await start_exam(pilot, screen)
        problem = screen.exam.questions[0].problem
        screen.query_one("#part-0").focus()
        await type_text(pilot, right_texts(problem)[0][:2])     # typed, not handed in
        app.exit()                                              # the window closes: no key, no submit
    store = Store(home / "progress.sqlite3")
    assert [r["problem_id"] for r in store.attempts()] == [problem.id]
    assert store.exams()[0]["finished_at"]


@sync
async def test_tell_me_as_i_go_keeps_the_first_checked_answer(app, home):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        screen = await open_exam(pilot, topics=["cnn"], count=1, seed=5, show_correct=True)
        assert screen.query_one("#show-correct").value
        await start_exam(pilot, screen)
        problem = screen.exam.questions[0].problem
        texts = right_texts(problem)
        inputs = list(screen.query("AnswerForm Input"))
        for widget in inputs[:-1]:
            widget.value = "999"
        inputs[-1].focus()
        await type_text(pilot, "999")
        await pilot.press("enter")                              # checked: wrong
        await pilot.pause()
        assert all(widget.disabled for widget in screen.query("AnswerForm Input"))
        assert "✗" in plain(screen.query_one("#exam-nav"))      # checked and wrong, at a glance
        inputs[-1].value = texts[-1]                            # even if it could be changed now ...
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.result is not None)
        assert screen.result.marks < problem.marks              # ... the first checked answer counts
    rows = Store(home / "progress.sqlite3").attempts()
    assert len(rows) == 1 and rows[0]["marks"] < problem.marks


@sync
async def test_practice_records_the_first_check_and_says_so(app, home):
    pid = problem_id("conv-output-size", 42)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.open("practice", problem_id=pid)
        await wait_for(pilot, lambda: app.screen.query("AnswerForm Input"))
        await pilot.pause()
        screen = app.screen
        right = expected_text(screen.problem.parts[0])
        await type_text(pilot, str(int(right) + 1))
        await pilot.press("enter")
        await pilot.pause()
        first = plain(screen.query_one("#feedback"))
        assert "Not yet" in first and "0/2 marks" in first and "recorded" in first
        screen.query_one("#part-0").value = right
        await pilot.press("enter")
        await pilot.pause()
        second = plain(screen.query_one("#feedback"))
        assert "Second try: all right" in second and "not recorded" in second
        assert "2/2" not in plain(screen.query_one("PartInput .verdict"))   # a retry shows no marks
        assert "Recorded: your first check" in plain(screen.query_one("#policy"))
    rows = Store(home / "progress.sqlite3").attempts()
    assert len(rows) == 1 and rows[0]["marks"] == 0 and rows[0]["max_marks"] == 2


@sync
async def test_practice_family_list_is_by_topic_in_course_order(app):
    from dltutor.lessons import load_lessons

    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.open("practice", problem_id=problem_id("conv-output-size", 42))
        await wait_for(pilot, lambda: app.screen.query("AnswerForm"))
        select = app.screen.query_one("#family")
        topics = [label.split(":")[0] for label, value in select._options if value != "__due__"]
        course = list(dict.fromkeys(lesson.topic for lesson in load_lessons()))
        seen = list(dict.fromkeys(topics))
        assert seen == [t for t in course if t in seen]
        assert topics == sorted(topics, key=course.index)       # each topic's families together


@sync
async def test_training_lab_plan_speed_and_ticks(app):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.open("train", data="moons")
        await wait_for(pilot, lambda: name(app) == "TrainScreen" and app.screen.session is not None)
        await pilot.pause()
        screen = app.screen
        status = plain(screen.query_one("#lab-status"))
        assert "^R trains 100 epochs" in status and "10 epochs/s" in status     # what it will do, watchable
        assert screen.query_one("#lab-status").region.height <= 2
        screen.query_one("#epochs").value = "6"
        await pilot.press("ctrl+r")
        import time

        began = time.monotonic()
        await wait_for(pilot, lambda: not screen.running, timeout=30)
        assert time.monotonic() - began >= 0.45                 # 6 epochs at 10 a second: not in a flash
        boundary = screen.query_one("#map").boundary
        lo, hi = screen.session.extent()
        rows, cols = boundary.classes.shape
        data_ratio = (hi[1] - lo[1]) / (hi[0] - lo[0])
        assert abs(rows * 2 / cols - data_ratio) < 0.25 * data_ratio + 2 / cols   # not stretched
        assert "prediction" in plain(screen.query_one("#map-legend"))


@sync
async def test_lesson_check_yourself_answers_on_a_key(app):
    from dltutor.lessons import load_lessons
    from dltutor.tui.screens.lesson import pages

    lesson = next(lesson for lesson in load_lessons() if lesson.id == "neurons")
    page = next(i for i, blocks in enumerate(pages(lesson)) if any(b.kind == "check" for b in blocks))
    item = next(b for b in pages(lesson)[page] if b.kind == "check").checks()[0]
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        app.open("lesson", lesson_id="neurons", page=page)
        await wait_for(pilot, lambda: name(app) == "LessonScreen")
        screen = app.screen
        await wait_for(pilot, lambda: ("neurons", page, False) in screen.cache, timeout=20)
        shown = plain(screen.query_one("#lesson-page"))
        assert "press a to see the answers" in shown and item.question[:30] in shown
        assert item.answer[:20] not in shown                         # think first
        await pilot.press("a")
        await wait_for(pilot, lambda: ("neurons", page, True) in screen.cache, timeout=20)
        assert item.answer[:20] in plain(screen.query_one("#lesson-page"))


@sync
async def test_exam_command_options_fill_the_setup_and_enter_starts(home):
    from dltutor.commands.practice import exam_app

    app = exam_app(["cnn"], 1, None, 5, show_correct=True, difficulty="hard", record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: name(app) == "ExamScreen")
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#show-correct").value and focused_id(app) == "start"
        await pilot.press("enter")                              # Start has the focus: Enter begins
        await wait_for(pilot, lambda: screen.exam is not None)
        assert screen.exam.difficulty == "hard" and screen.exam.show_correct
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.result is not None)
    store = Store(home / "progress.sqlite3")
    assert store.exams() == [] and store.attempts() == []          # --no-record: nothing saved
