"""Progress: mastery per topic, the reviews due, recent attempts and exams (all from the store)."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


def plural(n: int, noun: str) -> str:
    """``1 attempt``, ``2 attempts``, ``0 days``."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def local_time(iso: str | None) -> str:
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


def titled(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", box=None, header_style="bold dim",
                  pad_edge=False, expand=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    return table


def or_empty(table: Table, message: str):
    """The table, or (when it has no rows) its title and a line saying why it is empty."""
    if table.row_count:
        return table
    return Text.assemble((str(table.title), "bold"), "\n", (message, "dim"))


class ProgressScreen(Screen):
    HELP = ("Progress: mastery is the mean score of each family's recent attempts, averaged per topic. "
            "Families come back for review on a spaced schedule (FSRS); r practises the ones due now.")
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", tooltip="back to the home screen"),
                Binding("r", "review", "Review due", tooltip="practise the families due for review now")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="progress-body"):
            yield Static(id="progress-view")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#progress-body").focus()     # ↑↓ and PgUp/PgDn scroll at once

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        store = self.app.store
        view = self.query_one("#progress-view", Static)
        if store is None:
            view.update(Text("The progress database cannot be used.", style="red"))
            return
        mastery, due, schedule = store.mastery(), store.due(), store.schedule()
        streak, attempts, exams = store.streak(), store.attempts(limit=50), store.exams(20)
        parts: list = []
        head = Text()
        head.append(f"{plural(len(store.attempts(limit=100000)), 'attempt')} · streak {plural(streak, 'day')}"
                    f" · {len(due)} due now", style="bold")
        parts.append(head)
        if not mastery:
            parts.append(Text("\nNo attempts yet: practise a problem or take an exam.", style="yellow"))
        table = titled("Mastery per topic", ("topic", "attempts", "mastery", "families"))
        for topic, entry in sorted(mastery.items()):
            fams = ", ".join(f"{f} {s:.0%}" for f, s in sorted(entry["families"].items()))
            table.add_row(topic, str(entry["attempts"]), f"{entry['mastery']:.0%}", fams)
        parts.extend([Text(""), or_empty(table, "none yet: each checked problem counts for its topic")])
        due_names = {r["family"] for r in due}
        table = titled("Review schedule", ("family", "topic", "next review"))
        for r in schedule:
            when = Text("due now", style="bold yellow") if r["family"] in due_names else local_time(r["due"])
            table.add_row(r["family"], r["topic"], when)
        parts.extend([Text(""), or_empty(table, "nothing scheduled yet: a family is scheduled once you answer "
                                                "one of its problems")])
        table = titled("Recent attempts", ("when", "problem", "marks", "hints", "source"))
        for r in attempts:
            table.add_row(local_time(r["created_at"]), r["problem_id"], f"{r['marks']:g}/{r['max_marks']:g}",
                          str(r["hints_used"]), r["source"])
        parts.extend([Text(""), or_empty(table, "none yet")])
        table = titled("Exams", ("started", "topics", "questions", "marks"))
        for r in exams:
            marks = f"{r['marks']:g}/{r['max_marks']:g}" if r["finished_at"] else "not finished"
            table.add_row(local_time(r["started_at"]), r["topics"] or "all", str(r["count"]), marks)
        parts.extend([Text(""), or_empty(table, "no exams yet: e on the home screen starts one")])
        view.update(Group(*parts))

    def action_review(self) -> None:
        if self.app.store is not None and self.app.store.due():
            self.app.open("practice", review=True)
        else:
            self.notify("No reviews are due now.")
