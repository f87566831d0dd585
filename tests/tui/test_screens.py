"""Pilot tests: the main flow of every screen, driven with keys as a student would.

Expected values come from outside the TUI: the problem's own answer (the
families' solver, tested elsewhere against the notes) or a textbook fact
(a 3x3 kernel, stride 2, padding 1 on a 32x32 input gives 16x16, as
PyTorch's Conv2d does).
"""

import pytest
from tui_support import app, home, plain, problem_id, started, sync, wait_for  # noqa: F401 (fixtures)

from dltutor.practice.families import problem_from_id
from dltutor.store import Store
from dltutor.tui.widgets.answers import expected_text
from tests.conftest import run_cli

SIZE = (80, 24)
FULL = 12     # digits of a typed key: enough for any tolerance the checker uses


async def type_text(pilot, text: str) -> None:
    await pilot.press(*["space" if ch == " " else ch for ch in text])


@sync
async def test_home_help_and_theme(app):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
        topics = app.screen.query_one("#topics")
        await wait_for(pilot, lambda: topics.option_count >= 10)   # read after the first paint
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        keys = plain(app.screen.query_one(".help-keys"))
        assert "Training lab" in keys and "ctrl+q" in keys        # the screen's keys and the app's
        await pilot.press("escape")
        theme = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != theme


@pytest.mark.parametrize("right", [True, False], ids=["right", "wrong"])
@sync
async def test_practice_answer_is_checked_and_recorded(app, home, right):
    pid = problem_id("conv-output-size", 42)
    expected = problem_from_id(pid).parts[0].expected
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.open("practice", problem_id=pid)
        await wait_for(pilot, lambda: app.screen.query("AnswerForm"))
        await pilot.pause()
        await type_text(pilot, str(expected if right else expected + 1))
        await pilot.press("enter")
        await pilot.pause()
        feedback = plain(app.screen.query_one("#feedback"))
        assert ("All right" in feedback) == right
        await pilot.press("ctrl+g")       # first piece of help: the family's first hint
        await pilot.pause()
        assert "Hint 1" in plain(app.screen.query_one("#helpbox"))
    rows = Store(home / "progress.sqlite3").attempts()
    assert len(rows) == 1 and rows[0]["problem_id"] == pid
    assert (rows[0]["marks"] == rows[0]["max_marks"]) == right


@pytest.mark.parametrize("family, typed, size", [
    ("softmax-values", "0.5, 0.5", "answer has 2 numbers; probabilities p needs 3"),
    ("pool-by-hand", "1, 2; 3, 4", "answer is 2×2; pooled map is 3×3 (rows × columns)"),
])
@sync
async def test_practice_field_refuses_a_wrong_size_as_you_type(app, family, typed, size):
    problem = problem_from_id(problem_id(family, 3))
    assert len(problem.parts) == 1 and len(problem.parts[0].expected) == 3   # 3 numbers, a 3x3 map
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.open("practice", problem_id=problem.id)
        await wait_for(pilot, lambda: app.screen.query("PartInput"))
        await pilot.pause()
        field = app.screen.query_one("PartInput")
        error = field.query_one(".error")
        await type_text(pilot, typed)
        await pilot.pause()
        message = plain(error)
        assert error.display and size in message and "\n" not in message.strip()
        field.query_one("Input").value = expected_text(problem.parts[0], FULL)   # the right size: no reason
        await pilot.pause()
        assert not error.display


@sync
async def test_practice_table_filled_cell_by_cell(app):
    pid = problem_id("perceptron-epoch", 1)
    problem = problem_from_id(pid)
    rows = expected_text(problem.parts[0], FULL).splitlines()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.open("practice", problem_id=pid)
        await wait_for(pilot, lambda: app.screen.query("TableInput"))
        await pilot.pause()
        cells = [cell.strip() for row in rows for cell in row.split(",")]
        inputs = [cell for row in app.screen.query_one("TableInput").cells() for cell in row]
        assert len(inputs) == len(cells)
        for widget, text in zip(inputs[:-1], cells[:-1]):
            widget.value = text
        inputs[0].focus()
        await pilot.press("enter")            # Enter moves to the next cell ...
        assert app.focused is inputs[1]
        inputs[-1].focus()
        await type_text(pilot, cells[-1])
        await pilot.press("enter")            # ... and on the last one checks the table
        await pilot.pause()
        assert "All right" in plain(app.screen.query_one("#feedback"))


@sync
async def test_exam_of_two_questions(app, home):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ExamScreen" and app.screen.query("#count"))
        screen = app.screen
        screen.query_one("#count").input.value = "2"
        screen.query_one("#start").press()      # below the fold at this size: pressed, not clicked
        await wait_for(pilot, lambda: screen.exam is not None and screen.query("AnswerForm"))
        first = screen.exam.questions[0].problem
        for i, part in enumerate(first.parts):
            text = expected_text(part, FULL)
            if part.spec.form == "table":
                pytest.skip("the drawn question is a table")   # seed 0 draws none; kept honest
            screen.query_one(f"#part-{i}").value = text
        await pilot.press("ctrl+n")              # answers are kept when leaving a question
        await wait_for(pilot, lambda: screen.exam.current == 1)
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: screen.exam.current == 0)
        assert screen.exam.questions[0].answered
        await pilot.press("ctrl+s")              # one question unanswered: asks to confirm
        await pilot.pause()
        assert screen.result is None
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.result is not None)
        assert screen.result.marks == first.marks
        assert screen.result.max_marks == screen.exam.max_marks
        assert "Worked solution" in plain(screen.query_one("#results"))
    store = Store(home / "progress.sqlite3")
    exam = store.exams()[0]
    assert exam["count"] == 2 and exam["finished_at"] and exam["marks"] == first.marks
    assert {r["source"] for r in store.attempts()} == {"exam"}


@sync
async def test_training_lab_runs_five_epochs_in_a_worker(app):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.open("train", data="xor")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "TrainScreen")
        screen = app.screen
        await pilot.pause()
        import threading

        threads = []
        train = screen.session.train
        screen.session.train = lambda *a, **k: (threads.append(threading.current_thread()), train(*a, **k))
        screen.query_one("#epochs").value = "5"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not screen.running, timeout=30)
        assert threads and threads[0] is not threading.main_thread()     # trained in a worker thread
        screen.query_one("#lr").value = "0.2"   # a new learning rate goes to the optimizer at once
        screen.query_one("#lr").focus()
        await pilot.press("enter")
        assert screen.session.epoch == 5
        assert [r["epoch"] for r in screen.session.history] == [1, 2, 3, 4, 5]
        assert screen.session.optimizer.lr == pytest.approx(0.2)
        assert screen.query_one("#map").boundary is not None      # xor is 2-D: a decision map
        assert "epoch 5/5" in plain(screen.query_one("#lab-status"))
        await pilot.press("ctrl+o")              # reset: a fresh model
        await pilot.pause()
        assert screen.session.epoch == 0


@sync
async def test_calculator_conv_output_size(app):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: app.screen.query("#opt-input"))
        screen = app.screen
        await pilot.pause()
        for name, value in (("input", "32"), ("kernel", "3"), ("stride", "2"), ("padding", "1")):
            screen.query_one(f"#opt-{name}").input.value = value
        await pilot.pause()
        screen.query_one("#opt-input").input.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(screen, "solution", None) is not None)
        assert screen.solution.answer == 16 or screen.solution.answer.get("out") == 16
        command = plain(screen.query_one("#command-line"))
        assert "dltutor solve conv-output --input 32 --kernel 3 --stride 2 --padding 1" in command
        screen.query_one("#opt-kernel").input.value = "3x"       # checked as you type
        await wait_for(pilot, lambda: "--kernel" in plain(screen.query_one("#opt-kernel .error")))


@sync
async def test_lesson_reader_pages_and_remembers(app, home):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        app.open("lesson", lesson_id="convolution")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LessonScreen")
        screen = app.screen
        await wait_for(pilot, lambda: ("convolution", 0, False) in screen.cache, timeout=20)
        await pilot.press("n")
        await wait_for(pilot, lambda: ("convolution", 1, False) in screen.cache, timeout=20)
        assert "By hand" in plain(screen.query_one("#lesson-page")) or screen.page == 1
    positions = Store(home / "progress.sqlite3").lesson_positions()
    assert positions["convolution"]["position"] == 1


@sync
async def test_progress_lists_attempts(app):
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        from dltutor.store import AttemptRecord

        app.store.record_attempt(AttemptRecord("conv-output-size@1:1:medium", "conv-output-size", 1, 1, topic="cnn"))
        await pilot.press("g")
        await pilot.pause()
        view = plain(app.screen.query_one("#progress-view"))
        assert "conv-output-size" in view and "cnn" in view


def test_plain_dltutor_prints_help_when_not_a_terminal():
    result = run_cli()
    assert result.code == 0 and "solve" in result.out


@sync
async def test_practice_hint_and_slip_read_as_mathematics(app, home):
    """The prompt, the family's hint and a typical slip's feedback as the terminal writes them
    (−1, √dₖ, not -1, √d_k), and without the slip's id."""
    pid = "attention-weights@2:438836:medium"
    async with app.run_test(size=(100, 40)) as pilot:
        await started(pilot)
        app.open("practice", problem_id=pid)
        await wait_for(pilot, lambda: app.screen.query("AnswerForm"))
        await pilot.pause()
        prompt = plain(app.screen.query_one("#prompt"))
        assert "q = (−1, 2)" in prompt and "[  2  −1 ]" in prompt and "-1" not in prompt   # as generate
        await pilot.press("minus")
        await type_text(pilot, "4, 1, 0")           # −4, 1, 0: the scores without the division by √dₖ
        for other in ("1, 0, 0", "1, 1"):           # the weights and the output (Enter moves on)
            await pilot.press("enter")
            await type_text(pilot, other)
        await pilot.press("enter")                  # in the last part Enter checks
        await pilot.pause()
        feedback = plain(app.screen.query("PartInput").first().query_one(".verdict"))
        assert "Typical slip: The dot products are divided by √dₖ" in feedback
        assert "not-scaled" not in feedback and "d_k" not in feedback
        await pilot.press("ctrl+g")
        await pilot.pause()
        hint = plain(app.screen.query_one("#helpbox"))
        assert "Hint 1: dₖ is the length of the query" in hint and "d_k" not in hint
