"""Exam: choose topics, count and time limit; answer with a countdown; submit; results with solutions.

The screen drives ``dltutor.exam.Exam`` (the same state object as ``dltutor
exam --plain``): answers are saved into it when you leave a question, and
``Exam.grade`` gives the marks. The exam and each question's attempt are
recorded in the progress store.

Opening it (the stable way in, used by ``dltutor exam`` in a terminal too)::

    app.open("exam", topics=["cnn"], count=5, minutes=20, seed=None)   # = ExamScreen(topics, count, minutes, seed)

The set-up form starts filled with those values; the student presses Start (or Enter).
"""

from __future__ import annotations

import time

from rich.console import Group
from rich.rule import Rule
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    Footer,
    Header,
    Input,
    Label,
    SelectionList,
    Static,
)

from dltutor.errors import InputError
from dltutor.tui.widgets.answers import AnswerForm, reflow, verdict_text
from dltutor.tui.widgets.fields import Field


def _count(text: str) -> int:
    from dltutor.values import parse_int

    return parse_int(text, "number of questions", minimum=1, maximum=50)


def _minutes(text: str) -> float:
    from dltutor.values import parse_number

    value = parse_number(text, "minutes")
    if value <= 0:
        raise InputError(f"minutes must be greater than 0, got {text}")
    return value


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class ExamScreen(Screen):
    HELP = ("Exam: pick topics (none = all), the number of questions and a time limit (empty = none). "
            "Move between questions freely; your answers are kept. Marks are shown at the end, with the "
            "worked solution of every question, unless you chose to see them as you go.")
    BINDINGS = [
        Binding("escape", "leave", "Back", tooltip="leave (during an exam: press twice; it is not marked)"),
        Binding("ctrl+b", "back", "Prev", tooltip="the previous question (your answers are kept)"),
        Binding("ctrl+n", "next", "Next", tooltip="the next question; Enter in the last field does it too"),
        Binding("ctrl+l", "list", "Questions", tooltip="the list of questions, answered or not, to jump to one"),
        Binding("ctrl+s", "submit", "Submit", tooltip="hand in and see the marks and worked solutions "
                                                      "(asks again when some are unanswered)"),
    ]

    def __init__(self, topics: list[str] | None = None, count: int = 5, minutes: float | None = None,
                 seed: int | None = None):
        super().__init__()
        self.topics, self.count, self.minutes, self.seed = topics or [], count, minutes, seed
        self.exam = None
        self.result = None
        self.exam_id = None
        self.confirm = None

    def compose(self) -> ComposeResult:
        from dltutor.practice.families import TOPICS

        yield Header()
        with VerticalScroll(id="exam-setup"):
            yield Label("Topics (none ticked = all):")
            yield SelectionList(*((t, t, t in self.topics) for t in TOPICS), id="topics")
            yield Field("Number of questions", _count, str(self.count), id="count")
            yield Field("Time limit in minutes (empty: none)", _minutes,
                        "" if self.minutes is None else f"{self.minutes:g}", id="minutes")
            yield Checkbox("Say whether each answer is right as I go", id="show-correct")
            yield Button("Start the exam", id="start", variant="primary")
        yield Static(id="exam-nav", classes="hidden")
        with VerticalScroll(id="exam-body", classes="hidden"):
            yield Static(id="question-title", classes="title")
            yield Static(id="question-prompt", classes="prompt")
            yield Vertical(id="form-holder")
            with Horizontal(id="actions"):
                yield Button("◀ Prev ^B", id="prev", compact=True)
                yield Button("Next ▶ ^N", id="next", compact=True)
                yield Button("Questions ^L", id="list", compact=True)
                yield Button("Submit ^S", id="submit", variant="warning", compact=True)
        yield VerticalScroll(Static(id="results"), id="exam-results", classes="hidden")
        yield Footer()

    def check_action(self, action: str, parameters) -> bool | None:
        """The question keys only while an exam runs (the footer hides them on the set-up and results)."""
        if action in ("back", "next", "list", "submit"):
            return self.exam is not None and self.result is None
        return True

    # ------------------------------------------------------------ start
    @on(Button.Pressed, "#start")
    async def start(self) -> None:
        from dltutor.practice.exam import build_exam

        count_field, minutes_field = self.query_one("#count", Field), self.query_one("#minutes", Field)
        for field in (count_field, minutes_field):
            if not field.valid:
                self.notify(field.error_text, severity="error")
                return
        topics = list(self.query_one("#topics", SelectionList).selected)
        count = _count(count_field.value or "5")
        minutes = _minutes(minutes_field.value) if minutes_field.value.strip() else None
        seed = self.seed if self.seed is not None else self.app.new_seed()
        show = self.query_one("#show-correct", Checkbox).value
        try:
            self.exam = build_exam(topics, count, seed, minutes=minutes, show_correct=show)
        except InputError as exc:
            self.notify(str(exc), severity="error")
            return
        store = self.app.store
        if store is not None:
            self.exam_id = store.start_exam(seed=seed, topics=topics, count=count, minutes=minutes)
        self.started = time.monotonic()
        self.query_one("#exam-setup").add_class("hidden")
        self.query_one("#exam-nav").remove_class("hidden")
        self.query_one("#exam-body").remove_class("hidden")
        self.timer = self.set_interval(1.0, self.tick)
        self.refresh_bindings()
        await self.show_question(0)

    # ------------------------------------------------------------ questions
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def tick(self) -> None:
        if self.exam is None or self.result is not None:
            return
        if self.exam.time_up(self.elapsed()):
            self.run_worker(self.finish("time is up"))
            return
        self.update_nav()

    def update_nav(self) -> None:
        exam = self.exam
        answered = len(exam.questions) - len(exam.unanswered())
        left = (f"{clock(exam.minutes * 60 - self.elapsed())} left" if exam.minutes
                else f"{clock(self.elapsed())} so far")
        marks = "".join("●" if q.answered else "○" for q in exam.questions)
        self.query_one("#exam-nav", Static).update(Text.assemble(
            (f"Question {exam.current + 1}/{len(exam.questions)}", "bold"), f"  {marks}  ",
            f"answered {answered}  ", (left, "bold yellow" if exam.minutes else "dim")))

    async def show_question(self, number: int) -> None:
        exam = self.exam
        exam.goto(number)
        q = exam.questions[number]
        problem = q.problem
        self.query_one("#question-title", Static).update(Text.assemble(
            f"{number + 1}. {problem.family.title}", (f"  {problem.family.topic} · {problem.marks:g} marks", "dim")))
        self.query_one("#question-prompt", Static).update(Text(reflow(problem.prompt)))
        holder = self.query_one("#form-holder")
        await holder.remove_children()
        form = AnswerForm(problem, q.answers)
        await holder.mount(form)
        if exam.show_correct and q.answered:
            form.show_results(exam.check(number))
        self.update_nav()
        self.query_one("#exam-body").scroll_home(animate=False)
        form.focus_first()

    def save_answers(self) -> None:
        if self.exam is None or self.result is not None:
            return
        for name, text in self.query_one(AnswerForm).answers().items():
            self.exam.answer(self.exam.current, name, text)

    async def move(self, number: int) -> None:
        if self.exam is None or self.result is not None:
            return
        self.save_answers()
        await self.show_question(number % len(self.exam.questions))

    @on(Input.Submitted)
    async def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.exam is None:
            await self.start()       # Enter in the set-up fields starts the exam
            return
        if self.result is not None:
            return
        self.save_answers()
        if self.exam.show_correct:
            self.query_one(AnswerForm).show_results(self.exam.check(self.exam.current))
            self.update_nav()
        elif self.exam.current + 1 < len(self.exam.questions):
            await self.move(self.exam.current + 1)
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

        if self.exam is None or self.result is not None:
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
        if self.exam is None or self.result is not None:
            return
        self.save_answers()
        left = self.exam.unanswered()
        if left and self.confirm != "submit":
            self.confirm = "submit"
            self.notify(f"Not answered: {', '.join(str(i + 1) for i in left)}. Press ^S again to submit.",
                        severity="warning")
            return
        await self.finish("submitted")

    def action_leave(self) -> None:
        if self.exam is not None and self.result is None and self.confirm != "leave":
            self.confirm = "leave"
            self.notify("The exam is running: press Esc again to leave it unmarked, or ^S to submit.",
                        severity="warning")
            return
        self.app.pop_screen()

    # ------------------------------------------------------------ results
    async def finish(self, reason: str) -> None:
        if self.result is not None:
            return
        self.timer.stop()
        self.result = result = self.exam.grade(reason, self.elapsed())
        self.record(result)
        self.query_one("#exam-nav").add_class("hidden")
        self.query_one("#exam-body").add_class("hidden")
        self.query_one("#exam-results").remove_class("hidden")
        self.query_one("#results", Static).update(self.results_renderable(result))
        self.refresh_bindings()
        self.query_one("#exam-results").focus()

    def record(self, result) -> None:
        store = self.app.store
        if store is None:
            return
        from dltutor.store import Attempt

        for q, r in zip(self.exam.questions, result.questions):
            store.record_attempt(Attempt(q.problem.id, q.problem.family.id, r.marks, r.max_marks,
                                         topic=q.problem.family.topic, answer=dict(q.answers), source="exam"),
                                 exam_id=self.exam_id)
        if self.exam_id is not None:
            store.finish_exam(self.exam_id, result.marks, result.max_marks)

    def results_renderable(self, result):
        from dltutor.render.terminal import solution_renderable

        digits = self.app.digits
        parts = [Text.assemble((f"Exam over ({result.reason}): ", "bold"),
                               (f"{result.marks:g}/{result.max_marks:g} marks ({result.percent:.0f}%)",
                                "bold green" if result.percent >= 50 else "bold red"),
                               f" in {clock(result.seconds)}"),
                 Text("Esc goes back home; scroll for every question's worked solution.", style="dim")]
        for q, r in zip(self.exam.questions, result.questions):
            parts.append(Rule(f"Question {r.number}: {r.title} · {r.marks:g}/{r.max_marks:g}", align="left"))
            parts.append(Text(reflow(q.problem.prompt), style="dim"))
            for i, (part, pr) in enumerate(zip(q.problem.parts, r.parts)):
                line = Text(f"({'abcdefghijklmnopqrstuvwxyz'[i % 26]}) {part.label}: ")
                line.append(pr.given.replace("\n", "; ") or "—", style="bold")
                line.append("  ")
                line.append_text(verdict_text(pr, with_expected=True, digits=digits, part=part))
                parts.append(line)
            parts.append(Text("Worked solution", style="bold yellow"))
            parts.append(solution_renderable(q.problem.solution, digits))
        return Group(*parts)
