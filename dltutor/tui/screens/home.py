"""Home: the course's topics with mastery, reviews due today, "continue where I left off", quick links.

The screen paints first and fills in after: the lessons are read in a worker
thread, then the progress store (which stays on the app's thread) gives mastery,
reviews and the place to continue. Nothing here imports sympy or NumPy.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

# (screen or action, key, label in the list, what it does: the help screen's line)
LINKS = (
    ("continue", "l", "Continue reading", "continue the lesson you were reading (or start the first)"),
    ("review", "r", "Practise due reviews", "practise the problem families that are due for review"),
    ("practice", "p", "Practice problems", "one problem at a time, checked, with hints"),
    ("exam", "e", "Practice exam", "a timed set of questions, marked at the end"),
    ("calculator", "c", "Calculator", "any 'dltutor solve' kind, worked step by step"),
    ("train", "t", "Training lab", "train a small network and watch it learn"),
    ("progress", "g", "Progress", "mastery per topic, reviews due, past attempts and exams"),
)


def course_topics(lessons) -> list[tuple[str, list]]:
    """(topic, its lessons) in course order: a topic comes where its first lesson does."""
    by_topic: dict[str, list] = {}
    for lesson in lessons:
        by_topic.setdefault(lesson.topic, []).append(lesson)
    return list(by_topic.items())


def mastery_text(entry: dict | None) -> Text:
    if not entry:
        return Text("  –  ", style="dim")
    score = entry["mastery"]
    style = "green" if score >= 0.8 else "yellow" if score >= 0.5 else "red"
    return Text(f"{score:4.0%} ", style=style)


class HomeScreen(Screen):
    HELP = ("The home screen: pick a topic to read its lessons, or a quick link. "
            "Mastery is the mean score of your recent attempts in the topic's problem families.")
    # the links are listed on the screen with their keys, so the footer keeps to the general keys
    BINDINGS = ([Binding("enter", "open_highlighted", "Open", tooltip="open the highlighted topic or link"),
                 Binding("space", "open_highlighted", "Open", show=False)]
                + [Binding(key, f"link('{name}')", label, show=False, tooltip=what)
                   for name, key, label, what in LINKS]
                + [Binding("tab", "app.focus_next", "Switch list", show=False,
                           tooltip="move between the topics and the links")]
                + [Binding("q", "app.quit", "Quit", show=False)])

    lessons: list | None = None          # None until the worker has read them
    continue_id: str | None = None
    topic_lessons: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="home"):
            with Vertical(id="topics-box"):
                yield OptionList(id="topics")
            with Vertical(id="today-box"):
                yield Static(id="today")
                yield OptionList(id="links")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#topics-box").border_title = "Topics · mastery"
        self.query_one("#topics-box").border_subtitle = "↑↓ · ↵ reads · Tab: links"
        self.query_one("#today-box").border_title = "Today"
        self.query_one("#today", Static).update(Text("loading the course…", style="dim"))
        self.fill_links(None)
        self.query_one("#topics").focus()
        self.load_lessons()

    @work(thread=True, exclusive=True, group="home-data")
    def load_lessons(self) -> None:
        from dltutor.lessons import load_lessons

        lessons = load_lessons()
        self.app.call_from_thread(self.lessons_loaded, lessons)

    def lessons_loaded(self, lessons: list) -> None:
        self.lessons = lessons
        self.refresh_data()

    def on_screen_resume(self) -> None:
        if self.lessons is not None:
            self.refresh_data()

    def action_open_highlighted(self) -> None:
        focused = self.focused
        if isinstance(focused, OptionList):
            focused.action_select()

    def refresh_data(self) -> None:
        lessons = self.lessons or []
        store = self.app.store
        mastery = store.mastery() if store else {}
        due = store.due() if store else []
        streak = store.streak() if store else 0
        last = store.last_lesson() if store else None
        titles = {lesson.id: lesson.title for lesson in lessons}
        self.continue_id = last if last in titles else (lessons[0].id if lessons else None)

        topics = self.query_one("#topics", OptionList)
        highlighted = topics.highlighted
        topics.clear_options()
        self.topic_lessons = course_topics(lessons)
        for topic, members in self.topic_lessons:
            line = Text.assemble(mastery_text(mastery.get(topic)), (f"{topic:<15}", "bold"),
                                 (f" {len(members)} lesson{'s' if len(members) != 1 else ''}", "dim"))
            topics.add_option(Option(line, id=topic))
        if topics.option_count:       # a row is always highlighted, so Enter acts at once
            topics.highlighted = min(highlighted or 0, topics.option_count - 1)

        today = Text()
        today.append(f"Reviews due: {len(due)}\n", style="bold yellow" if due else "")
        today.append(f"Streak: {streak} day{'s' if streak != 1 else ''}\n")
        if self.continue_id:
            verb = "Continue" if last else "Start"
            today.append(f"{verb}: ", style="dim")
            today.append(titles[self.continue_id][:60])
        self.query_one("#today", Static).update(today)

        self.fill_links(len(due))

    def fill_links(self, due: int | None) -> None:
        """The quick links; the review count is unknown (None) until the store has been read."""
        links = self.query_one("#links", OptionList)
        highlighted = links.highlighted
        links.clear_options()
        for name, key, label, _what in LINKS:
            if name == "review" and due is not None:
                label = f"{label} ({due})"
            links.add_option(Option(Text.assemble((f"{key} ", "bold cyan"), label), id=name,
                                    disabled=name == "review" and not due))
        links.highlighted = highlighted or 0

    @on(OptionList.OptionSelected, "#topics")
    def topic_chosen(self, event: OptionList.OptionSelected) -> None:
        members = dict(self.topic_lessons)[event.option.id]
        positions = self.app.store.lesson_positions() if self.app.store else {}
        unread = [m for m in members if m.id not in positions or not positions[m.id]["completed"]]
        self.app.open("lesson", lesson_id=(unread or members)[0].id)

    @on(OptionList.OptionSelected, "#links")
    def link_chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_link(event.option.id)

    def action_link(self, name: str) -> None:
        if self.lessons is None:
            return  # still loading (a fraction of a second)
        if name == "continue":
            self.app.open("lesson", lesson_id=self.continue_id)
        elif name == "review":
            if self.app.store and self.app.store.due():
                self.app.open("practice", review=True)
            else:
                self.notify("No reviews are due now.")
        else:
            self.app.open(name)
