"""Exam: choose topics, count and time limit; answer with a countdown; submit; results with solutions.

The screen is a face of ``dltutor.practice.session.ExamSession`` (the one
``dltutor exam --plain`` uses), which keeps the promises: every part is saved
the moment it is typed or changed (so an answer typed but not handed in counts
when the time runs out, and closing the window grades the exam as it stands),
unanswered questions are not attempts, and with "tell me as I go" the first
checked answer counts (the screen then freezes the question's fields). The
screen adds what only a screen can: Esc and Ctrl-Q ask before leaving a
running exam.

Opening it (the stable way in, used by ``dltutor exam`` in a terminal too)::

    app.open("exam", topics=["cnn"], count=5, minutes=20, seed=None)   # = ExamScreen(topics, count, minutes, seed)
    app.open("exam", ..., show_correct=True, difficulty="hard", record=False, ready=True)

The set-up form starts filled with those values; the student presses Start (or Enter;
with ``ready`` Start has the focus, so Enter begins at once).
"""

from __future__ import annotations

import time

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from dltutor.errors import InputError
from dltutor.render.wording import prompt_text
from dltutor.tui.widgets.answers import AnswerForm, marks_text, reflow, show_message
from dltutor.tui.widgets.fields import Field
from dltutor.tui.widgets.review import clock, exam_review
from dltutor.tui.widgets.ticks import TickBox, TickList


def _count(text: str) -> int:
    from dltutor.values import parse_int

    return parse_int(text, "number of questions", minimum=1, maximum=50)


def _minutes(text: str) -> float:
    from dltutor.values import parse_number

    value = parse_number(text, "minutes")
    if value <= 0:
        raise InputError(f"minutes must be greater than 0, got {text}")
    return value


class ExamScreen(Screen):
    HELP = ("Exam: tick topics (none ticked = all) with Space or Enter, then set the number of questions "
            "and a time limit (empty = none); Tab moves on, Enter on Start begins. Move between questions "
            "freely: every answer is saved as you type it, and an answer typed but not handed in still "
            "counts when the time is up. Marks are shown at the end, with the worked solution of every "
            "question. With \"tell me as I go\", Enter in a question's last field checks it; the answer "
            "then stays as checked (the first checked answer counts). Questions left unanswered are not "
            "recorded as attempts.")
    BINDINGS = [
        Binding("pagedown", "scroll_body(1)", "Scroll", show=False, key_display="PgDn/PgUp",
                tooltip="scroll the page down or up (the fields keep the focus)"),
        Binding("pageup", "scroll_body(-1)", "Scroll", show=False),
        Binding("escape", "leave", "Back", tooltip="leave (during an exam: asks whether to submit it first)"),
        Binding("ctrl+b", "back", "Prev", tooltip="the previous question (your answers are kept)"),
        Binding("ctrl+n", "next", "Next", tooltip="the next question; Enter in the last field does it too"),
        Binding("ctrl+l", "list", "Questions", tooltip="the list of questions, answered or not, to jump to one"),
        Binding("ctrl+s", "submit", "Submit", tooltip="hand in and see the marks and worked solutions "
                                                      "(asks again when some are unanswered)"),
    ]
    def __init__(self, topics: list[str] | None = None, count: int = 5, minutes: float | None = None,
                 seed: int | None = None, show_correct: bool = False, difficulty: str = "medium",
                 record: bool = True, ready: bool = False):
        super().__init__()
        self.ready = ready          # set up already (dltutor exam OPTIONS): Start has the focus
        self.topics, self.count, self.minutes, self.seed = topics or [], count, minutes, seed
        self.show_correct, self.difficulty, self.recording = show_correct, difficulty, record
        self.session = None
        self.confirm = None

    def compose(self) -> ComposeResult:
        from dltutor.lessons import load_lessons
        from dltutor.practice.families import TOPICS
        from dltutor.tui.course import topics_in_course_order

        yield Header()
        with Vertical(id="exam-setup"):
            yield Label("Topics (none ticked = all) · Space or Enter ticks", classes="setup-label")
            yield TickList(*((t, t, t in self.topics) for t in topics_in_course_order(TOPICS, load_lessons())),
                           id="topics")
            yield Field("Number of questions", _count, str(self.count), id="count")
            yield Field("Time limit in minutes (empty: none)", _minutes,
                        "" if self.minutes is None else f"{self.minutes:g}", id="minutes")
            yield TickBox("Tell me if each answer is right as I go (the first check counts)",
                          self.show_correct, id="show-correct", compact=True)
            yield Button("Start the exam", id="start", variant="primary", compact=True)
        yield Static(id="exam-nav", classes="hidden")
        with VerticalScroll(id="exam-body", classes="hidden", can_focus=False):
            yield Static(id="question-title", classes="title")
            yield Static(id="question-prompt", classes="prompt")
            yield Vertical(id="form-holder")
            yield Static(id="question-note", classes="muted")
            with Horizontal(id="actions"):
                yield Button("◀ Prev ^B", id="prev", compact=True)
                yield Button("Next ▶ ^N", id="next", compact=True)
                yield Button("Questions ^L", id="list", compact=True)
                yield Button("Submit ^S", id="submit", variant="warning", compact=True)
        yield VerticalScroll(Static(id="results"), id="exam-results", classes="hidden")
        yield Footer()

    def on_mount(self) -> None:
        topics = self.query_one("#topics", TickList)
        topics.highlighted = 0
        (self.query_one("#start", Button) if self.ready else topics).focus()

    @property
    def exam(self):
        return self.session.exam if self.session is not None else None

    @property
    def result(self):
        return self.session.result if self.session is not None else None

    @property
    def running(self) -> bool:
        return self.session is not None and self.session.running

    def check_action(self, action: str, parameters) -> bool | None:
        """The question keys only while an exam runs (the footer hides them on the set-up and results)."""
        if action in ("back", "next", "list", "submit"):
            return self.running
        return True

    # ------------------------------------------------------------ start
    @on(Button.Pressed, "#start")
    async def start(self) -> None:
        from dltutor.practice.exam import build_exam
        from dltutor.practice.session import ExamSession
        from dltutor.tui.recording import ScreenRecorder

        count_field, minutes_field = self.query_one("#count", Field), self.query_one("#minutes", Field)
        for field in (count_field, minutes_field):
            if not field.valid:
                self.notify(field.error_text, severity="error")
                field.input.focus()
                return
        topics = list(self.query_one("#topics", TickList).selected)
        count = _count(count_field.value or "5")
        minutes = _minutes(minutes_field.value) if minutes_field.value.strip() else None
        seed = self.seed if self.seed is not None else self.app.new_seed()
        show = self.query_one("#show-correct", TickBox).value
        try:
            exam = build_exam(topics, count, seed, difficulty=self.difficulty, minutes=minutes,
                              show_correct=show)
        except InputError as exc:
            self.notify(str(exc), severity="error")
            return
        store = self.app.store if self.recording else None
        recorder = ScreenRecorder(store, exam, warn=self.app.notify) if store is not None else None
        self.session = ExamSession(exam, recorder, clock=time.monotonic)
        self.query_one("#exam-setup").add_class("hidden")
        self.query_one("#exam-nav").remove_class("hidden")
        self.query_one("#exam-body").remove_class("hidden")
        self.timer = self.set_interval(1.0, self.tick)
        self.refresh_bindings()
        await self.show_question(0)

    # ------------------------------------------------------------ questions
    def tick(self) -> None:
        if not self.running:
            return
        if self.session.time_up():
            self.run_worker(self.finish("time is up"))
            return
        self.update_nav()

    def update_nav(self) -> None:
        exam = self.exam
        answered = len(exam.questions) - len(exam.unanswered())
        left = (f"{clock(self.session.time_left())} left" if exam.minutes
                else f"{clock(self.session.elapsed())} so far")
        marks = "".join(self.mark(i) for i in range(len(exam.questions)))
        self.query_one("#exam-nav", Static).update(Text.assemble(
            (f"Question {exam.current + 1}/{len(exam.questions)}", "bold"), f"  {marks}  ",
            f"answered {answered}  ", (left, "bold yellow" if exam.minutes else "dim")))

    def mark(self, number: int) -> str:
        """○ not answered, ● answered; with "tell me as I go", ✓ or ✗ once checked."""
        if self.session.locked(number):
            return "✓" if all(r.correct for r in self.session.checked[number]) else "✗"
        return "●" if self.exam.questions[number].answered else "○"

    async def show_question(self, number: int) -> None:
        exam = self.exam
        self.session.show(number)
        q = exam.questions[number]
        problem = q.problem
        self.query_one("#question-title", Static).update(Text.assemble(
            f"{number + 1}. {problem.family.title}", (f"  {problem.family.topic} · {marks_text(problem.marks)}",
                                                      "dim")))
        self.query_one("#question-prompt", Static).update(Text(reflow(prompt_text(problem))))
        holder = self.query_one("#form-holder")
        await holder.remove_children()
        form = AnswerForm(problem, q.answers)
        await holder.mount(form)
        note = ""
        if self.session.locked(number):
            form.show_results(self.session.checked[number])
            form.freeze()
            note = "Checked: this answer is kept as it was checked (the first checked answer counts)."
        elif exam.show_correct:
            note = "Enter in the last field checks this question; the answer is then kept as checked."
        show_message(self.query_one("#question-note", Static), note)
        self.update_nav()
        self.query_one("#exam-body").scroll_home(animate=False)
        if self.session.locked(number):
            self.query_one("#next", Button).focus()
        else:
            form.focus_first()

    def save_answers(self) -> None:
        """Give the session the form as it stands (it saves what changed; every key does this too)."""
        if not self.running or self.session.locked(self.exam.current) or not self.query(AnswerForm):
            return
        self.session.answers(self.exam.current, self.query_one(AnswerForm).answers())

    @on(Input.Changed, "#form-holder Input")
    def typed(self, event: Input.Changed) -> None:
        """Every key is saved at once: an answer typed but not handed in still counts."""
        self.save_answers()
        if self.running:
            self.update_nav()

    async def move(self, number: int) -> None:
        if not self.running:
            return
        self.save_answers()
        await self.show_question(number % len(self.exam.questions))

    @on(Input.Submitted)
    async def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.exam is None:
            await self.start()       # Enter in the set-up fields starts the exam
            return
        if not self.running:
            return
        self.save_answers()
        number = self.exam.current
        if self.exam.show_correct and not self.session.locked(number):
            if not self.exam.questions[number].answered:
                self.notify("Type an answer first (^N moves on without one).", severity="warning")
                return
            form = self.query_one(AnswerForm)
            form.show_results(self.session.check(number))
            form.freeze()
            show_message(self.query_one("#question-note", Static),
                         "Checked: this answer is kept as it was checked (the first checked answer counts).")
            self.update_nav()
            self.query_one("#next", Button).focus()
        elif number + 1 < len(self.exam.questions):
            await self.move(number + 1)
        else:
            self.update_nav()
            self.notify("That was the last question: ^S submits, ^L lists the questions.")

    @on(Button.Pressed, "#next")
    async def action_next(self) -> None:
        if self.exam is not None:
            await self.move(self.exam.current + 1)

    @on(Button.Pressed, "#prev")
    async def action_back(self) -> None:
        if self.exam is not None:
            await self.move(self.exam.current - 1)

    @on(Button.Pressed, "#list")
    def action_list(self) -> None:
        from dltutor.tui.widgets.chooser import ChooserScreen

        if not self.running:
            return
        self.save_answers()
        items = [(str(i), f"{i + 1}. {q.problem.family.title}  ({'answered' if q.answered else 'not answered'})")
                 for i, q in enumerate(self.exam.questions)]

        async def jump(choice) -> None:
            if choice is not None:
                await self.move(int(choice))

        self.app.push_screen(ChooserScreen("Questions", items, str(self.exam.current)), jump)

    @on(Button.Pressed, "#submit")
    async def action_submit(self) -> None:
        if not self.running:
            return
        self.save_answers()
        left = self.exam.unanswered()
        if left and self.confirm != "submit":
            self.confirm = "submit"
            self.notify(f"Not answered: {', '.join(str(i + 1) for i in left)}. Press ^S again to submit.",
                        severity="warning")
            return
        await self.finish("submitted")

    def quit_question(self) -> str | None:
        """What to ask before the app quits (None: nothing to ask)."""
        if not self.running:
            return None
        return ("An exam is running. Submit it now (your answers so far are marked and saved) and quit, "
                "or keep going?")

    def action_leave(self) -> None:
        from dltutor.tui.widgets.confirm import ConfirmScreen

        if not self.running:
            self.app.pop_screen()
            return
        self.save_answers()

        async def answered(submit: bool | None) -> None:
            if submit:
                await self.finish("submitted")

        self.app.push_screen(ConfirmScreen("An exam is running. Submit it now (your answers so far are "
                                           "marked and saved) to see the results, or keep going?",
                                           "Submit now", "Keep going"), answered)

    # ------------------------------------------------------------ results
    def grade(self, reason: str):
        """Mark the exam as it stands and record it (once, by the session); the result."""
        if self.running:
            self.timer.stop()
            self.save_answers()
        return self.session.finish(reason)

    def on_unmount(self) -> None:
        """The window closed (or the app quit) during an exam: it is graded as it stands."""
        if self.running:
            self.grade("the window was closed")

    async def finish(self, reason: str) -> None:
        if self.result is not None:
            return
        result = self.grade(reason)
        self.app.clear_notifications()          # "press ^S again" and the like no longer apply
        self.query_one("#exam-nav").add_class("hidden")
        self.query_one("#exam-body").add_class("hidden")
        self.query_one("#exam-results").remove_class("hidden")
        self.query_one("#results", Static).update(exam_review(self.exam, result, self.app.digits))
        self.refresh_bindings()
        self.query_one("#exam-results").focus()

    def action_scroll_body(self, direction: int) -> None:
        body = self.query_one("#exam-body")
        if direction > 0:
            body.scroll_page_down()
        else:
            body.scroll_page_up()
