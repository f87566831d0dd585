"""``dltutor lessons`` (the list) and ``dltutor lesson ID`` (one lesson, shown or exported)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dltutor.commands.common import CONTEXT, examples_epilog, parse_digits
from dltutor.commands.paging import NO_PAGER_HELP, show
from dltutor.errors import InputError


def _progress() -> dict:
    """lesson id -> "done"/"started", from the progress database when there is one.

    Listing never creates the database, and a database that cannot be read
    only hides the column's values (``progress`` reports it)."""
    try:
        from dltutor import store
    except ImportError:
        return {}
    try:
        if not (store.data_home() / store.DB_NAME).exists():
            return {}
        with store.Store() as db:
            rows = db.lesson_positions()
    except Exception:  # a broken or newer database is reported by `dltutor progress`, not here
        return {}
    return {lid: ("done" if row["completed"] else "started") for lid, row in rows.items()}


def _mark_read(lesson_id: str, blocks: int) -> None:
    import sqlite3

    from dltutor import store

    try:
        with store.Store() as db:
            db.set_lesson_position(lesson_id, blocks, completed=True)
    except (InputError, OSError, sqlite3.Error):
        return  # showing a lesson must not fail because progress cannot be saved


@click.command(context_settings=CONTEXT,
               epilog=examples_epilog("dltutor lessons", ["", "--json"]))
@click.option("--json", "as_json", is_flag=True, help="print a JSON list of {id, title, topic}")
def lessons(as_json: bool) -> None:
    """List the lessons, in course order, with your progress."""
    from dltutor.lessons import load_lessons

    found = load_lessons()
    if as_json:
        click.echo(json.dumps([{"id": x.id, "title": x.title, "topic": x.topic} for x in found],
                              ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    progress = _progress()
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("id", "title", "topic", "progress"):
        table.add_column(Text(column))
    for x in found:
        table.add_row(*(Text(v) for v in (x.id, x.title, x.topic, progress.get(x.id, "-"))))   # never markup
    console = Console(highlight=False)
    console.print(table)
    console.print("\nRead one with: dltutor lesson ID", style="dim")


def _topic_list(topic: str, found: list) -> None:
    """The lessons of one topic, in course order, and how to read one."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    progress = _progress()
    table = Table(box=None, header_style="bold", pad_edge=False, title=Text(f"Topic {topic}"),
                  title_justify="left", title_style="bold")
    for column in ("id", "title", "progress"):
        table.add_column(Text(column))
    for x in found:
        table.add_row(*(Text(v) for v in (x.id, x.title, progress.get(x.id, "-"))))
    console = Console(highlight=False)
    console.print(table)
    console.print(f"\nRead one with: dltutor lesson {found[0].id}", style="dim")


@click.command(context_settings=CONTEXT,
               epilog=examples_epilog("dltutor lesson", [
                   "backprop", "backprop --answers", "cnn", "convolution --format html -o convolution.html",
                   "perceptron --format md", "pooling-lenet --format pdf"]))
@click.argument("lesson_id", metavar="ID|TOPIC")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf"]), default=None,
              help="export instead of showing: md (worked steps written out), html (standalone, prints well), pdf")
# a plain string, not click.Path: click.Path stats the name, and a NUL byte in it escaped as ValueError
@click.option("-o", "--output", default=None, metavar="FILE",
              help="file to write (default: stdout for md/html, ID.pdf for pdf)")
@click.option("--digits", default="6", metavar="N", show_default=True,
              help="significant digits of the numbers shown")
@click.option("--answers", is_flag=True,
              help="print the answers of the 'Check yourself' questions after them (exports always "
                   "end with an Answers section)")
@click.option("--no-pager", is_flag=True, help=NO_PAGER_HELP)
def lesson(lesson_id: str, fmt: str | None, output: str | None, digits: str, answers: bool,
           no_pager: bool) -> None:
    """Show one lesson: text, formulas, worked examples computed live, practice problems,
    and 'Check yourself' questions.

    ID is a lesson id from 'dltutor lessons'; a TOPIC name as the home screen shows it
    (e.g. cnn) lists that topic's lessons. Showing a lesson in a terminal marks it read;
    output sent to a pipe or a file does not.
    """
    import sys

    from dltutor.lessons import find_lesson, load_lessons, topic_lessons

    n_digits = parse_digits(digits)
    every = load_lessons()
    if lesson_id not in {x.id for x in every} and topic_lessons(lesson_id, every):
        if fmt is not None or output is not None:
            raise click.UsageError(f"{lesson_id!r} is a topic: export one of its lessons by id")
        _topic_list(lesson_id, topic_lessons(lesson_id, every))
        return
    found = find_lesson(lesson_id, every)
    if fmt is None:
        if output is not None:
            raise click.UsageError("-o needs --format md|html|pdf")
        from dltutor.render.lesson import lesson_renderable

        show(lesson_renderable(found, n_digits, answers), no_pager)    # a pager on a terminal ($PAGER)
        if sys.stdout.isatty():       # read by a person, not piped to a file or another program
            _mark_read(found.id, len(found.blocks))
        return
    from dltutor.render.lesson_export import export

    data = export(found, fmt, n_digits)
    if output is None and fmt != "pdf":
        click.echo(data, nl=False)
        return
    path = Path(output) if output else Path(f"{found.id}.pdf")
    from dltutor.files import write_atomic

    write_atomic(path, data)
    click.echo(f"wrote {path}", err=True)
