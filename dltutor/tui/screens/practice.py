"""Practice: one problem at a time from a family or from the reviews due; check, hint, next.

A face of ``dltutor.practice.session.PracticeSession`` (answers, verdicts,
help used, the one attempt recorded) over a drawn ``families.Problem``. The
session's policy, said on the screen and in its help:
the first check of a problem is what is recorded in the progress store (its
marks, and the hints taken before it; that is what schedules the family's
next review). Checking again after a correction is practice: the screen
says whether the correction is right, without marks, and that it is not
recorded. Help taken after the first check is not counted either.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Select, Static

from dltutor.render.wording import label_text, prompt_text
from dltutor.tui.widgets.answers import (
    LETTERS,
    AnswerForm,
    expected_text,
    marks_text,
    reflow,
    show_message,
)

DUE = "__due__"
POLICY = ("Recorded: your first check of each problem, with the hints taken before it. "
          "Later checks and help are practice and are not recorded.")


class PracticeScreen(Screen):
    HELP = ("Practice: answer each part in the value grammar (the field says what it expects and checks "
            "it as you type). Enter checks. Help comes in stages: each hint, then the worked solution "
            "step by step, then all of it. A wrong answer that matches a typical slip says which. "
            "What is recorded: your first check of each problem (its marks, and the hints you took "
            "before it). Checking again after a correction tells you whether it is right, but is not "
            "recorded, and neither is help taken after the first check.")
    BINDINGS = [
        Binding("pagedown", "scroll_body(1)", "Scroll", show=False, key_display="PgDn/PgUp",
                tooltip="scroll the page down or up (the fields keep the focus)"),
        Binding("pageup", "scroll_body(-1)", "Scroll", show=False),
        Binding("escape", "app.pop_screen", "Back", tooltip="back to where you came from"),
        Binding("enter", "check", "Check", key_display="↵",
                tooltip="mark your answer (correct it and press Enter again as often as you like)"),
        Binding("ctrl+g", "hint", "Hint", tooltip="the next piece of help: a hint, then one worked step "
                                                  "at a time, then the whole solution"),
        Binding("ctrl+n", "next", "Next problem", tooltip="a new problem of the family chosen at the top"),
        Binding("ctrl+k", "check", "Check", show=False),
    ]

    def __init__(self, family: str | None = None, review: bool = False, problem_id: str | None = None,
                 difficulty: str = "medium"):
        super().__init__()
        self.family_id = family
        self.review = review
        self.problem_id = problem_id
        self.difficulty = difficulty
        self.problem = None
        self.session = None
        self.help_shown: list = []

    def compose(self) -> ComposeResult:
        from dltutor.lessons import load_lessons
        from dltutor.practice.families import DIFFICULTIES, load_families
        from dltutor.tui.course import families_in_course_order

        self.families = load_families()
        options = [(f"{f.topic}: {f.title}", f.id) for f in families_in_course_order(self.families, load_lessons())]
        options.insert(0, ("Reviews due now", DUE))
        yield Header()
        with Horizontal(id="practice-bar"):
            yield Select(options, prompt="Family", allow_blank=False, id="family", compact=True)
            yield Select([(d, d) for d in DIFFICULTIES], value=self.difficulty, allow_blank=False,
                         id="difficulty", compact=True)
        with VerticalScroll(id="practice-body", can_focus=False):
            yield Static(id="problem-title", classes="title")
            yield Static(id="problem-meta", classes="muted")
            yield Static(id="prompt", classes="prompt")
            yield Vertical(id="form-holder")
            yield Static(id="feedback")
            with Horizontal(id="actions"):
                yield Button("Check ↵", id="check", variant="primary", compact=True)
                yield Button("Hint ^G", id="hint", compact=True)
                yield Button("Next ^N", id="next", compact=True)
            yield Static(POLICY, id="policy", classes="muted")
            yield Static(id="helpbox")
        yield Footer()

    async def on_mount(self) -> None:
        await self.new_problem(self.problem_id)

    # ------------------------------------------------------------ choosing
    def choose_family(self) -> str | None:
        """The family of the next problem: the first one due (review), the chosen one, or any."""
        if self.review:
            store = self.app.store
            due = [r["family"] for r in store.due()] if store else []
            due = [f for f in due if f in self.families]
            if due:
                return due[0]
            self.notify("No more reviews are due: practising freely.")
            self.review = False
        if self.family_id in self.families:
            return self.family_id
        return self.app.rng.choice(sorted(self.families))

    async def new_problem(self, problem_id: str | None = None) -> None:
        from dltutor.practice import families
        from dltutor.practice.session import PracticeSession

        if problem_id:
            self.problem = families.problem_from_id(problem_id)
        else:
            family = self.choose_family()
            self.problem = families.generate(self.families[family], self.app.new_seed(), self.difficulty)
        problem = self.problem
        self.family_id = problem.family.id
        self.session = PracticeSession(problem, self.app.store, source="review" if self.review else "practice")
        self.warned_empty = None
        self.first_line = Text()
        self.help_shown = []
        self._set_select("#family", DUE if self.review else problem.family.id)
        self._set_select("#difficulty", problem.difficulty)
        fam = problem.family
        self.query_one("#problem-title", Static).update(fam.title)
        self.query_one("#problem-meta", Static).update(
            f"{fam.topic} · {problem.difficulty} · {marks_text(problem.marks)} · {problem.id}")
        self.query_one("#prompt", Static).update(Text(reflow(prompt_text(problem))))
        show_message(self.query_one("#feedback", Static), "")
        show_message(self.query_one("#helpbox", Static), "")
        holder = self.query_one("#form-holder")
        await holder.remove_children()
        form = AnswerForm(problem, id="answers")
        await holder.mount(form)
        self.call_after_refresh(form.focus_first)
        self.query_one("#practice-body").scroll_home(animate=False)

    def _set_select(self, selector: str, value) -> None:
        select = self.query_one(selector, Select)
        if select.value != value:
            with select.prevent(Select.Changed):
                select.value = value

    @on(Select.Changed, "#family")
    async def family_changed(self, event: Select.Changed) -> None:
        current = DUE if self.review else self.family_id
        if event.value != event.select.value or event.value == current or self.problem is None:
            return  # a stale event, or the screen setting the value itself
        if event.value == DUE:
            self.review = True
        else:
            self.review = False
            self.family_id = event.value
        await self.new_problem()

    @on(Select.Changed, "#difficulty")
    async def difficulty_changed(self, event: Select.Changed) -> None:
        if event.value == self.difficulty or self.problem is None:
            return
        self.difficulty = event.value
        await self.new_problem()

    # ------------------------------------------------------------ actions
    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_check()

    @on(Button.Pressed, "#check")
    def action_check(self) -> None:
        form = self.query_one(AnswerForm)
        answers = form.answers()
        if not any(text.strip() for text in answers.values()):
            self.notify("Type an answer first.", severity="warning")
            return
        empty = form.empty_parts()
        if empty and not self.session.recorded and self.warned_empty != answers:
            self.warned_empty = answers      # a second Enter checks it as it is
            self.notify(f"({', '.join(empty)}) not answered yet: your first check is the one recorded. "
                        "Press Enter again to check it as it is.", severity="warning")
            form.focus_part(empty[0])
            return
        from dltutor.practice.session import PracticeCheck
        from dltutor.store import StoreError

        tries = self.session.tries
        try:
            checked = self.session.check(answers)
            saved = self.app.store is not None
        except StoreError as exc:          # the check stands (it is the first); only saving it failed
            self.notify(f"This check could not be saved in your progress: {exc}", severity="warning")
            record = self.session.record
            checked = PracticeCheck(self.session.attempt.results, True, record.marks, record.max_marks)
            saved = False
        results, right = checked.results, checked.right
        if checked.recorded:
            form.show_results(results)
            total, full = checked.marks, checked.max_marks
            line = Text(f"{'All right!' if right else 'Not yet.'}  {total:g}/{marks_text(full)}",
                        style="bold green" if right else "bold red")
            if saved:
                line.append(" (recorded)", style="dim")
            if not right:
                line.append("\nCorrect it and press Enter to check again (practice, not recorded), "
                            "or ^G for help.", style="dim")
            self.first_line = line
        else:
            form.show_results(results, marks=False)
            line = self.first_line.copy()
            line.append("\nSecond try: " if tries == 1 else f"\nTry {tries + 1}: ", style="bold")
            line.append("all right" if right else "not yet", style="bold green" if right else "bold red")
            line.append(" (practice: not recorded; the first check above is)", style="dim")
        show_message(self.query_one("#feedback", Static), line)
        self.call_after_refresh(self.query_one("#feedback").scroll_visible)

    @on(Button.Pressed, "#hint")
    def action_hint(self) -> None:
        from dltutor.render.formula_unicode import prose
        from dltutor.render.sheet import worked_solution
        from dltutor.render.terminal import solution_renderable, step_renderable

        if self.help_shown and self.help_shown[-1][0] == "solution":
            return
        piece = self.session.hint()
        digits = self.app.digits
        if piece.level == "hint":
            n = sum(1 for level, _ in self.help_shown if level == "hint") + 1
            shown = Text.assemble((f"Hint {n}: ", "bold yellow"), prose(piece.text))   # √dₖ, hₜ₋₁
        elif piece.level == "step":
            n = sum(1 for level, _ in self.help_shown if level == "step") + 1
            shown = step_renderable(n, piece.step, digits)
        else:
            answers = Text("Answers", style="bold")
            for i, part in enumerate(self.problem.parts):
                answers.append(f"\n  ({LETTERS[i % 26]}) {label_text(part)}: ", style="dim")
                answers.append(expected_text(part, digits, self.problem).replace("\n", "\n      "), style="cyan")
            shown = Group(Text("Worked solution", style="bold yellow"),
                          solution_renderable(worked_solution(self.problem), digits), answers)
            self.help_shown = [entry for entry in self.help_shown if entry[0] == "hint"]
        self.help_shown.append((piece.level, shown))
        show_message(self.query_one("#helpbox", Static), Group(*(r for _, r in self.help_shown)))
        self.call_after_refresh(self.query_one("#helpbox").scroll_visible)

    @on(Button.Pressed, "#next")
    async def action_next(self) -> None:
        await self.new_problem()

    def action_scroll_body(self, direction: int) -> None:
        body = self.query_one("#practice-body")
        if direction > 0:
            body.scroll_page_down()
        else:
            body.scroll_page_up()
