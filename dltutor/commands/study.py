"""Study aids: ``dltutor glossary [TERM]`` and ``dltutor formulas [--topic T]``."""

from __future__ import annotations

import json
import sys

import click

from dltutor.commands.common import CONTEXT, examples_epilog


@click.command(context_settings=CONTEXT,
               epilog=examples_epilog("dltutor glossary", ["", "backpropagation", "relu", "AUC --json", "--json"]))
@click.argument("term", required=False, metavar="[TERM]")
@click.option("--json", "as_json", is_flag=True,
              help="print JSON: one {term, definition, lesson, also} object, or a list of them")
def glossary(term: str | None, as_json: bool) -> None:
    """The course's terms, each in one line, with the lesson that teaches it.

    TERM may be any of a term's names, in any case ("relu", "ReLU", "rectified linear unit").
    Without TERM, every term is listed by name.
    """
    from dltutor.lessons.glossary import find_term, load_glossary
    from dltutor.lessons import load_lessons

    terms = load_glossary()
    if term is not None:
        found = find_term(term, terms)
        if as_json:
            click.echo(json.dumps(found.as_dict(), ensure_ascii=False))
            return
        titles = {x.id: x.title for x in load_lessons()}
        click.echo(f"{found.name}: {found.means}")
        if found.also:
            click.echo(f"  also: {', '.join(found.also)}")
        title = titles.get(found.lesson)
        click.echo(f"  lesson: {found.lesson}" + (f" ({title}): dltutor lesson {found.lesson}" if title else ""))
        return
    if as_json:
        click.echo(json.dumps([t.as_dict() for t in terms], ensure_ascii=False))
        return
    from rich.console import Console
    from rich.padding import Padding
    from rich.text import Text

    console = Console(highlight=False)
    for t in terms:            # term and lesson on one line, the definition indented below it
        console.print(Text.assemble((t.name, "bold"), "  ", (f"lesson {t.lesson}", "dim")))
        console.print(Padding(Text(t.means), (0, 0, 0, 4)))
    console.print(f"\n{len(terms)} terms. One term: dltutor glossary TERM", style="dim")


@click.command(context_settings=CONTEXT,
               epilog=examples_epilog("dltutor formulas", [
                   "--topic optimizers", "--topic cnn --format html -o cnn-formulas.html",
                   "--format pdf -o formulas.pdf", "--topic rnn --format md -o rnn-formulas.md"]))
@click.option("--topic", default=None, metavar="T",
              help="one topic's sheet (a topic as 'dltutor lessons' shows it: cnn, rnn, losses, ...); "
                   "default: every topic")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf"]), default=None,
              help="md (LaTeX formulas), html (standalone page, MathML), pdf (typeset); default: typeset "
                   "in the terminal when stdout is one, md otherwise")
# a plain string, not click.Path (see `dltutor lesson`): '-' is stdout
@click.option("-o", "--output", default=None, metavar="FILE",
              help="file to write; '-' for stdout (default: stdout for md and html; pdf needs -o)")
def formulas(topic: str | None, fmt: str, output: str | None) -> None:
    """The formula sheet of each topic, typeset: one or two pages a topic.

    The formulas are those of the lessons, in lessons/formulas.toml.
    """
    from dltutor.lessons.formula_sheets import load_sheets, pick_sheets

    sheets = pick_sheets(topic, load_sheets())
    if fmt is None:
        if output is None and sys.stdout.isatty():
            _print_sheets(sheets)
            return
        fmt = "md"
    if fmt == "pdf" and output is None:
        raise click.UsageError("a PDF needs -o FILE (or -o - for stdout)")
    if fmt == "pdf" and output == "-" and (sys.stdout.isatty() or not hasattr(sys.stdout, "buffer")):
        raise click.UsageError("-o - writes the PDF to stdout only when it goes to a file or a pipe")
    from dltutor.render.formula_sheet import export

    data = export(sheets, fmt)
    if output is None or output == "-":
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            click.echo(data, nl=False)
        return
    from dltutor.files import write_atomic

    write_atomic(output, data)
    click.echo(f"wrote {output}", err=True)


def _print_sheets(sheets) -> None:
    """The formula sheets typeset in the terminal, as `dltutor lesson` shows math blocks."""
    from rich.console import Console, Group
    from rich.padding import Padding
    from rich.text import Text

    from dltutor.render.lesson import math_renderable

    console = Console()
    for sheet in sheets:
        parts = [Text(sheet.title, style="bold underline"), Text("")]
        for formula in sheet.formulas:
            parts.append(Text(formula.name, style="bold"))
            parts.append(Padding(math_renderable(formula.math), (0, 0, 0, 2)))
            if formula.note:
                parts.append(Padding(Text(formula.note, style="dim"), (0, 0, 0, 2)))
        console.print(Group(*parts))
        console.print()
