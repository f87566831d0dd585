"""``dltutor sheet`` (printable problem sheets and answer keys) and ``dltutor export`` (LMS problem banks).

A thin shell: ``dltutor.render.sheet`` and ``dltutor.render.lms`` do the work. The
file is rendered in memory first and then written atomically, so a failed
run leaves no file and never touches an existing one.
"""

from __future__ import annotations

from pathlib import Path

import click

from dltutor.commands.common import CONTEXT, examples_epilog, parse_digits
from dltutor.errors import InputError
from dltutor.practice.spec import TOPICS
from dltutor.render.formats import describe, pick
from dltutor.render.lms import FORMATS as BANK_FORMATS
from dltutor.render.wording import marks_text, plural
from dltutor.render.sheets import FORMATS as SHEET_FORMATS


def _int(text: str | None, what: str, minimum: int, maximum: int) -> int | None:
    from dltutor.values import parse_int

    return None if text is None else parse_int(text, what, minimum=minimum, maximum=maximum)


def _seed(text: str | None) -> int:
    from dltutor.seeds import parse_seed

    seed = None if text is None else parse_seed(text)
    if seed is None:
        import secrets

        seed = secrets.randbelow(1_000_000)
    return seed


@click.command(context_settings=CONTEXT, epilog=examples_epilog("dltutor sheet", [
    "--topics cnn,params --count 6 --seed 7",
    "--seed 7 --count 6 --topics cnn,params --solutions -o key.pdf",
    "--format html --difficulty mixed --count 10 --seed 3",
    "--format tex --title \"Tutorial 4\" --seed 12 -o tutorial4.tex"]))
@click.option("--topics", default=None, metavar="A,B",
              help="topics to draw from (default: all): " + ", ".join(TOPICS))
@click.option("--count", default="6", metavar="N", show_default=True, help="number of problems (1 to 60)")
@click.option("--seed", default=None, metavar="N", help="seed of the sheet (default: a random one, in the file name)")
@click.option("--difficulty", default="medium", metavar="LEVEL", show_default=True,
              help="easy, medium, hard or mixed")
@click.option("--format", "fmt", default="pdf", metavar="FORMAT", show_default=True,
              help=describe(SHEET_FORMATS))
@click.option("-o", "--output", default=None, metavar="FILE",
              help="file to write, - for standard output (default: dltutor-sheet-SEED.FORMAT, "
                   "or dltutor-key-SEED.FORMAT with --solutions, in the current folder)")
@click.option("--solutions", is_flag=True, help="the answer key: answers and full worked solutions")
@click.option("--title", default=None, metavar="T", help="title printed on the sheet [default: Problem sheet]")
@click.option("--digits", default="6", metavar="N", show_default=True, help="significant digits of the numbers")
def sheet(topics, count, seed, difficulty, fmt, output, solutions, title, digits):
    """A printable problem sheet, or with --solutions its answer key.

    Numbered problems with their marks, answer space and, in the footer, the
    problem ids (dltutor generate ID regenerates one). The same options and
    seed give the same file.
    """
    from dltutor.files import write_atomic
    from dltutor.practice.selection import parse_topics
    from dltutor.render.sheet import build_sheet
    from dltutor.render.sheets import render_sheet

    pick(SHEET_FORMATS, fmt)
    n_digits = parse_digits(digits)
    n_seed = _seed(seed)
    chosen = parse_topics(topics)
    n_count = _int(count, "--count", 1, 60)
    if title is not None and (not title.strip() or len(title) > 200):
        raise InputError("--title must be 1 to 200 characters")
    # the key's default name differs from the sheet's, so making both never overwrites one
    path = Path(output) if output else Path(f"dltutor-{'key' if solutions else 'sheet'}-{n_seed}.{fmt}")
    the_sheet = build_sheet(chosen, n_count, n_seed, difficulty, title, solutions)
    data = render_sheet(the_sheet, fmt, n_digits)
    kind = "answer key" if solutions else "sheet"
    if output == "-":                  # standard output, for a pipe
        if isinstance(data, bytes):    # a PDF
            stream = click.get_binary_stream("stdout")
            stream.write(data)
            stream.flush()
        else:
            click.echo(data, nl=False)
        click.echo(f"{kind} of {plural(len(the_sheet.problems), 'problem')}, {marks_text(the_sheet.marks)} "
                   f"(seed {n_seed})", err=True)
        return
    write_atomic(path, data)
    click.echo(f"wrote {path}: {kind} of {plural(len(the_sheet.problems), 'problem')}, "
               f"{marks_text(the_sheet.marks)} (seed {n_seed})", err=True)


@click.command(context_settings=CONTEXT, epilog=examples_epilog("dltutor export", [
    "--format moodle --topics cnn,params --variants 5 --seed 1 -o cnn-bank.xml",
    "--format gift --variants 3 -o bank.gift"]))
@click.option("--format", "fmt", required=True, metavar="FORMAT", help=describe(BANK_FORMATS))
@click.option("--topics", default=None, metavar="A,B", help="topics to export (default: all)")
@click.option("--variants", default="3", metavar="N", show_default=True,
              help="variants per family, each drawn with its own seed (1 to 50)")
@click.option("--seed", default="0", metavar="N", show_default=True, help="seed that draws the variants' seeds")
@click.option("--difficulty", default="medium", metavar="LEVEL", show_default=True, help="easy, medium or hard")
@click.option("-o", "--output", default=None, metavar="FILE",
              help="file to write, - for standard output (default: dltutor-bank-SEED.xml or .gift in the current folder)")
@click.option("--digits", default="6", metavar="N", show_default=True, help="significant digits in the texts")
def export(fmt, topics, variants, seed, difficulty, output, digits):
    """A problem bank for a learning platform: Moodle XML or GIFT.

    One category per problem family, N variants each. Numerical answers carry
    their tolerance; the typical wrong answers are listed with 0% and the
    feedback that explains them; the worked solution is the general feedback.
    Moodle: a one-number problem is a numerical question, any other a cloze
    (embedded answers) question. GIFT has no cloze: one question per answer
    number.
    """
    from dltutor.files import write_atomic
    from dltutor.practice.selection import parse_topics
    from dltutor.render.lms import build_bank, render_bank

    extension = pick(BANK_FORMATS, fmt).extension
    n_digits = parse_digits(digits)
    from dltutor.seeds import parse_seed

    n_seed = 0 if seed is None else parse_seed(seed)
    n_variants = _int(variants, "--variants", 1, 50)
    bank = build_bank(parse_topics(topics), n_variants, n_seed, difficulty)
    data = render_bank(bank, fmt, n_digits)
    if output == "-":                  # standard output, for a pipe
        click.echo(data, nl=False)
        click.echo(f"{sum(len(v) for _, v in bank)} problems from {len(bank)} families", err=True)
        return
    path = Path(output) if output else Path(f"dltutor-bank-{n_seed}.{extension}")
    write_atomic(path, data)
    click.echo(f"wrote {path}: {sum(len(v) for _, v in bank)} problems from {len(bank)} families", err=True)
