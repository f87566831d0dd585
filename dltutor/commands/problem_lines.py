"""A problem, its parts and a check's results as lines of plain text (generate and the plain exam)."""

from __future__ import annotations

import click

from dltutor.render.formula_unicode import prose
from dltutor.render.wording import (column_names, expected_text, label_text, marks_text, message_text,
                                    part_label, prompt_text, slip_text)


def part_line(i: int, part) -> str:
    from dltutor.practice.checking import FORM_HELP

    cols = f"; columns {', '.join(column_names(part))}" if part.columns else ""
    return f"  {part_label(i)} {label_text(part)} [{marks_text(part.spec.marks)}; {FORM_HELP[part.spec.form]}{cols}]"


def answer_line(i: int, part, digits: int) -> str:
    """``  (a) h̃: 0.25``: a part's expected answer under its label (a table or matrix on the lines below)."""
    return f"  {part_label(i)} {label_text(part)}: {expected_text(part, digits)}"


def table_row_prompt(r: int, part) -> str:
    """The prompt for row ``r`` of a table part, its columns as mathematics: ``row 1 (z, r, h̃, h)> ``."""
    return f"   row {r + 1} ({', '.join(column_names(part))})> "


def print_problem(problem, with_parts: bool = True) -> None:
    fam = problem.family
    click.echo(f"{problem.id}  {fam.title} ({fam.topic}, {problem.difficulty}, {marks_text(problem.marks)})")
    click.echo("")
    click.echo(prompt_text(problem))
    if with_parts:
        click.echo("")
        for i, part in enumerate(problem.parts):
            click.echo(part_line(i, part))


def print_results(results, digits: int, show_expected: bool = True) -> None:
    for i, r in enumerate(results):
        mark = "right" if r.correct else ("not answered" if not r.answered else "wrong")
        click.echo(f"  {part_label(i)} {prose(r.label)}: {mark}, {r.marks:g}/{r.max_marks:g}")
        if r.answered and not r.correct and r.message:
            click.echo(f"      {message_text(r)}")
        if r.misconception:
            click.echo(f"      typical slip: {slip_text(r)}")
