"""Lesson reader: a lesson of ``lessons/*.md`` page by page (a page is one ``##`` section).

Text is Markdown; ``math`` blocks are typeset by sympy's pretty printer, ``solve``
blocks are worked out live by the calculator (``render.lesson``, the same code
as ``dltutor lesson``), ``problem`` blocks draw a fresh problem that ``p`` opens
in the practice screen. Pages are rendered in a worker thread (sympy is slow
to import the first time) and the page reached is saved in the progress store.
"""

from __future__ import annotations

from rich.console import Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from dltutor.lessons import Block, Lesson
from dltutor.render.wording import prompt_text


def pages(lesson: Lesson) -> list[list[Block]]:
    """The lesson's blocks cut into pages at each ``## `` heading (text before the first is a page too)."""
    out: list[list[Block]] = [[]]
    for block in lesson.blocks:
        if block.kind != "markdown":
            out[-1].append(block)
            continue
        chunk: list[str] = []
        for line in block.text.splitlines():
            if line.startswith("## ") and (chunk or out[-1]):
                if any(s.strip() for s in chunk):
                    out[-1].append(Block("markdown", "\n".join(chunk), block.line))
                out.append([])
                chunk = []
            chunk.append(line)
        if any(s.strip() for s in chunk):
            out[-1].append(Block("markdown", "\n".join(chunk), block.line))
    return [page for page in out if page]


CHOOSER_WIDTH = 62     # the lesson list's lines: the chooser is 70 wide less its border and scroll bar


def chooser_line(prefix: str, title: str, topic: str, width: int = CHOOSER_WIDTH) -> Text:
    """One line of the lesson list: the title cut with … where it would wrap, the topic at the right."""
    room = width - len(prefix) - len(topic) - 2
    if len(title) > room:
        title = title[:room - 1].rstrip() + "…"
    return Text.assemble(prefix, title, " " * (width - len(prefix) - len(title) - len(topic)), (topic, "dim"))


def check_renderable(block: Block, reveal: bool):
    """A "Check yourself" block: its questions, and their answers once revealed (key a)."""
    from dltutor.render.lesson import lesson_prose

    items = block.checks() if hasattr(block, "checks") else ()
    body = Table.grid(padding=(0, 1))
    body.add_column(no_wrap=True, style="bold")
    body.add_column(ratio=1)
    for n, item in enumerate(items, start=1):
        body.add_row(f"{n}.", Markdown(lesson_prose(item.question)))
        if reveal:
            body.add_row("", Markdown(lesson_prose(item.answer), style="green"))
    hint = "answers shown · a hides them" if reveal else "think first, then press a to see the answers"
    # the lesson's own heading says "Check yourself"; the panel names what is in it
    return Panel(body, title="Questions", title_align="left", subtitle=hint, subtitle_align="right",
                 border_style="cyan")


def page_renderable(lesson: Lesson, page: list[Block], number: int, total: int, digits: int, seed: int,
                    reveal: bool = False):
    """One page as a Rich renderable, and the practice problems drawn for its problem blocks."""
    from dltutor.lessons import problem_refs
    from dltutor.render.lesson import (
        family_title,
        lesson_prose,
        math_renderable,
        practice_problem,
        solve_renderable,
    )

    parts: list = []
    problems = []
    for block in page:
        if block.kind == "markdown":
            parts.append(Markdown(lesson_prose(block.text)))
        elif block.kind == "math":
            parts.append(math_renderable(block.text))
        elif block.kind == "solve":
            parts.append(solve_renderable(block.text, digits))
        elif block.kind == "problem":
            for ref in problem_refs(block.text):
                problem = practice_problem(ref, seed + len(problems))
                body = Text(family_title(ref.family), style="bold")
                if problem is not None:
                    problems.append(problem.id)
                    body.append("\n" + prompt_text(problem).strip())
                    body.append("\n  press p to answer it here", style="yellow")
                parts.append(Panel(body, title="Practice", title_align="left", border_style="yellow"))
        elif block.kind == "check":
            parts.append(check_renderable(block, reveal))
        if block.kind != "math":          # a formula brings its own space below
            parts.append(Text(""))
    return Group(*parts), problems


class LessonScreen(Screen):
    HELP = ("Lesson reader: n / b turn the page, ] and [ move to the next or previous lesson, o lists "
            "the lessons, p answers the practice problem of the page. Worked examples are computed "
            "when the page is shown. Your place is remembered.")
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", tooltip="back to the home screen (your page is kept)"),
        Binding("n,space", "page(1)", "Next", key_display="n",
                tooltip="the next page (space too); after the last page, the next lesson"),
        Binding("b", "page(-1)", "Prev", tooltip="the previous page"),
        Binding("right_square_bracket", "lesson(1)", "Next lesson", key_display="]",
                tooltip="the first page of the next lesson", show=False),
        Binding("left_square_bracket", "lesson(-1)", "Prev lesson", key_display="[",
                tooltip="the previous lesson", show=False),
        Binding("o", "choose", "Lessons", tooltip="the list of lessons (✓ read, · started)"),
        Binding("p", "practice", "Practise", tooltip="answer this page's practice problem here"),
        Binding("a", "answers", "Answers", tooltip="show (or hide) the answers of the page's "
                                                    "\"Check yourself\" questions"),
    ]

    def __init__(self, lesson_id: str | None = None, page: int | None = None):
        super().__init__()
        self.lesson_id = lesson_id
        self.start_page = page
        self.page = 0
        self.problems: list[str] = []
        self.seeds: dict[tuple[str, int], int] = {}    # one drawn problem per page, also when redrawn
        self.cache: dict[tuple[str, int, bool], tuple] = {}
        self.reveal = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="lesson-head")
        with VerticalScroll(id="lesson-body"):
            yield Static(id="lesson-page")
        yield Footer()

    def on_mount(self) -> None:
        from dltutor.lessons import load_lessons

        self.lessons = load_lessons()
        ids = [lesson.id for lesson in self.lessons]
        store = self.app.store
        lesson_id = self.lesson_id or (store.last_lesson() if store else None)
        if lesson_id not in ids:
            lesson_id = ids[0]
        page = self.start_page
        if page is None and store is not None and lesson_id in store.lesson_positions():
            page = store.lesson_positions()[lesson_id]["position"]
        self.show(lesson_id, page or 0)
        self.query_one("#lesson-body").focus()

    @property
    def lesson(self) -> Lesson:
        return next(lesson for lesson in self.lessons if lesson.id == self.lesson_id)

    def show(self, lesson_id: str, page: int) -> None:
        self.lesson_id = lesson_id
        self.pages = pages(self.lesson)
        self.page = max(0, min(page, len(self.pages) - 1))
        lesson = self.lesson
        number = self.lessons.index(lesson) + 1
        self.query_one("#lesson-head", Static).update(Text.assemble(
            (f"{number}. {lesson.title}", "bold"),
            (f"  page {self.page + 1}/{len(self.pages)} · {lesson.topic}", "dim")))
        if self.app.store is not None:
            last = self.page == len(self.pages) - 1
            self.app.store.set_lesson_position(lesson.id, self.page, completed=last)
        self.reveal = False
        self.draw()

    def draw(self, keep_scroll: bool = False) -> None:
        lesson = self.lesson
        key = (lesson.id, self.page, self.reveal)
        if key in self.cache:
            self.display_page(key, *self.cache[key], keep_scroll=keep_scroll)
        else:
            if not keep_scroll:
                self.query_one("#lesson-page", Static).update(Text("working out the examples…", style="dim"))
            seed = self.seeds.setdefault((lesson.id, self.page), self.app.new_seed())
            self.render_page(lesson, self.page, seed, self.reveal, keep_scroll)

    @work(thread=True, exclusive=True, group="lesson-page")
    def render_page(self, lesson: Lesson, page: int, seed: int, reveal: bool = False,
                    keep_scroll: bool = False) -> None:
        renderable, problems = page_renderable(lesson, self.pages[page], page, len(self.pages),
                                               self.app.digits, seed, reveal)
        self.app.call_from_thread(self.display_page, (lesson.id, page, reveal), renderable, problems,
                                  keep_scroll)

    def display_page(self, key, renderable, problems, keep_scroll: bool = False) -> None:
        self.cache[key] = (renderable, problems)
        if key != (self.lesson_id, self.page, self.reveal):
            return  # the reader has moved on meanwhile
        self.problems = problems
        self.query_one("#lesson-page", Static).update(renderable)
        if not keep_scroll:
            self.query_one("#lesson-body").scroll_home(animate=False)

    def action_answers(self) -> None:
        if not any(block.kind == "check" for block in self.pages[self.page]):
            self.notify("This page has no \"Check yourself\" questions.")
            return
        self.reveal = not self.reveal
        self.draw(keep_scroll=True)

    def action_page(self, step: int) -> None:
        target = self.page + step
        if 0 <= target < len(self.pages):
            self.show(self.lesson_id, target)
        else:
            self.action_lesson(step)

    def action_lesson(self, step: int) -> None:
        ids = [lesson.id for lesson in self.lessons]
        target = ids.index(self.lesson_id) + step
        if not 0 <= target < len(ids):
            self.notify("That was the " + ("last" if step > 0 else "first") + " lesson.")
            return
        new = self.lessons[target]
        self.show(new.id, 0 if step > 0 else len(pages(new)) - 1)

    def action_choose(self) -> None:
        from dltutor.tui.widgets.chooser import ChooserScreen

        positions = self.app.store.lesson_positions() if self.app.store else {}
        items = []
        for i, lesson in enumerate(self.lessons, start=1):
            row = positions.get(lesson.id)
            mark = "✓" if row is not None and row["completed"] else "·" if row is not None else " "
            row_text = chooser_line(f"{mark} {i:2d}. ", lesson.title, lesson.topic)
            items.append((lesson.id, row_text))

        def chosen(lesson_id) -> None:
            if lesson_id:
                row = positions.get(lesson_id)
                self.show(lesson_id, 0 if row is None or row["completed"] else row["position"])

        self.app.push_screen(ChooserScreen("Lessons", items, self.lesson_id), chosen)

    def action_practice(self) -> None:
        if self.problems:
            self.app.open("practice", problem_id=self.problems[0])
        else:
            families = [ref.family for ref in self.lesson.problems()]
            if families:
                self.app.open("practice", family=families[0])
            else:
                self.notify("This lesson has no practice problem.")
