"""``dltutor progress``: mastery per topic, streak, reviews due and recent exams."""

from __future__ import annotations

import json
from datetime import datetime

import click

from dltutor.commands.common import CONTEXT, examples_epilog


@click.command(context_settings=CONTEXT,
               epilog=examples_epilog("dltutor progress", ["", "--json", "--recent 5"]))
@click.option("--json", "as_json", is_flag=True,
              help="print one JSON object {topics, due, streak, schedule, exams, attempts}")
@click.option("--recent", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="mastery = mean score of each family's last N attempts")
def progress(as_json: bool, recent: int) -> None:
    """Mastery per topic, your streak and the reviews due, from the local progress database.

    The database lives in the user data folder (DLTUTOR_HOME overrides it). It is only
    read, never written: a read-only folder or a database another program holds can
    still be shown."""
    from dltutor.store import Store

    with Store(readonly=True) as store:
        mastery = store.mastery(recent)
        due = [dict(r) for r in store.due()]
        upcoming = [dict(r) for r in store.schedule()]
        streak = store.streak()
        exams = [dict(r) for r in store.exams(5)]
        attempts = [{**dict(r), "answer": json.loads(r["answer"] or '""')} for r in store.attempts(limit=20)]
        path = store.path
    if as_json:
        click.echo(json.dumps({"database": str(path), "topics": mastery, "due": due, "streak": streak,
                               "schedule": upcoming, "exams": exams, "attempts": attempts}))
        return

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    if not mastery:
        console.print("No attempts yet. Try [bold]dltutor exam --plain[/] or [bold]dltutor generate --list[/].")
    else:
        table = Table(title="Mastery per topic", title_justify="left")
        for col, justify in (("topic", "left"), ("attempts", "right"), ("mastery", "right"),
                             ("families (score of recent attempts)", "left")):
            table.add_column(Text(col), justify=justify)
        for topic, entry in sorted(mastery.items()):
            fams = ", ".join(f"{f} {score:.0%}" for f, score in sorted(entry["families"].items()))
            table.add_row(*(Text(v) for v in (topic, str(entry["attempts"]), f"{entry['mastery']:.0%}", fams)))
        console.print(table)
        console.print(f"Streak: {streak} day{'s' if streak != 1 else ''}")
        console.print("Last attempts: " + "; ".join(
            f"{a['family']} {a['marks']:g}/{a['max_marks']:g} ({a['source']})" for a in attempts[:5]))
    if due:
        console.print("Due for review now: " + ", ".join(r["family"] for r in due))
    elif upcoming:
        nxt = upcoming[0]
        when = datetime.fromisoformat(nxt["due"]).astimezone().strftime("%Y-%m-%d %H:%M")
        console.print(f"Nothing due. Next review: {nxt['family']} at {when}")
    if exams:
        console.print("Recent exams: " + "; ".join(
            f"{e['started_at'][:10]} {e['marks'] or 0:g}/{e['max_marks'] or 0:g}" for e in exams
            if e["finished_at"]))
    console.print(f"[dim]database: {path}[/]")
