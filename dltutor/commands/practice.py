"""``dltutor generate``, ``dltutor stress`` and ``dltutor exam``: practice problems from the families.

A thin shell: the families (``dltutor.practice.families``), the checker
(``dltutor.practice.checking``) and the exam logic (``dltutor.practice.exam``) do the work;
this module parses options, reads lines and prints.
"""

from __future__ import annotations

import json
import sys

import click

from dltutor.commands.common import CONTEXT, digits_option, examples_epilog, parse_digits
from dltutor.commands.problem_lines import answer_line, print_problem, print_results
from dltutor.errors import InputError, did_you_mean
from dltutor.seeds import parse_seed
from dltutor.render.wording import marks_text, part_label


def check_family_name(name: str) -> None:
    """A misspelt family name is refused with the closest one (``conv-output-sise``: did you mean
    'conv-output-size'?); a family whose file is at fault is left to ``get_family`` to report."""
    from pathlib import Path

    from dltutor.practice.families import family_errors, load_families

    known = load_families()
    if name in known or any(Path(e.path).stem == name for e in family_errors()):
        return
    hint = did_you_mean(name, known)
    raise InputError(f"unknown problem family {name!r}" +
                     (f"{hint} (see 'dltutor generate --list')" if hint else "; see 'dltutor generate --list'"))

def _int_option(text: str | None, what: str, minimum: int = 0, maximum: int = 2**63 - 1) -> int | None:
    from dltutor.values import parse_int

    return None if text is None else parse_int(text, what, minimum=minimum, maximum=maximum)


def open_store(why: str = "", hint_no_record: bool = True):
    """The progress store, or exit 2 with its one-line message (and how to go on without it)."""
    from dltutor.store import Store, StoreError

    try:
        return Store()
    except StoreError as exc:
        hint = "; add --no-record to go on without saving progress" if hint_no_record else ""
        raise InputError(f"{why}{exc}{hint}") from None


# ------------------------------------------------------------------ generate

@click.command(context_settings=CONTEXT, epilog=examples_epilog("dltutor generate", [
    "conv-output-size --seed 42 --difficulty hard",
    "conv-output-size@1:42:hard --json",
    "conv-output-size --seed 42 --check 18 --no-record",
    "perceptron-epoch --seed 3 --check '1,0,-0.5,-0.5; 0,0,-0.5,-0.5; 0,0,-0.5,-0.5; 0,0.5,0,0' --no-record",
    "--list"]))
@click.argument("name", required=False, metavar="FAMILY|ID")
@click.option("--seed", default=None, metavar="N", help="seed of the draw (default: a random one, printed in the id)")
@click.option("--difficulty", default=None, metavar="LEVEL", help="easy, medium or hard [default: medium]")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object: id, prompt, parts, solution")
@click.option("--list", "list_", is_flag=True, help="list the problem families")
@click.option("--check", "checks", multiple=True, metavar="ANSWER",
              help="check answers, one --check per part in order (tables: rows on separate lines or ';')")
@click.option("--no-solution", is_flag=True, help="print the problem without its worked solution")
@click.option("--no-record", is_flag=True, help="do not save a --check attempt in the progress database")
@digits_option
def generate(name, seed, difficulty, as_json, list_, checks, no_solution, no_record, digits):
    """One randomized practice problem with its worked solution.

    FAMILY draws a new problem (its id is printed); an ID such as
    conv-output-size@1:42:hard gives back exactly the same problem.
    """
    from dltutor.practice import families

    n_digits = parse_digits(digits)
    if list_:
        rows = [f.summary() for f in families.load_families().values()]
        for error in families.family_errors():
            click.echo(f"left out: {error}", err=True)
        if as_json:
            click.echo(json.dumps(rows))
        else:
            widths = {key: max([len(str(r[key])) for r in rows], default=0) for key in ("id", "topic", "kind")}
            for r in rows:                   # columns as wide as their longest entry (a long family name)
                click.echo(f"{r['id']:<{widths['id']}}  {r['topic']:<{widths['topic']}}  "
                           f"{r['kind']:<{widths['kind']}}  {r['title']}")
        return
    if not name:
        raise click.UsageError("give a FAMILY or an ID (or --list)")
    check_family_name(name.split("@")[0])
    if "@" in name:
        if seed is not None or difficulty is not None:
            raise InputError("an ID fixes the seed and the difficulty; drop --seed/--difficulty")
        problem = families.problem_from_id(name)
    else:
        fam = families.get_family(name)
        n = None if seed is None else parse_seed(seed)
        if n is None:
            import secrets

            n = secrets.randbelow(1_000_000)
        problem = families.generate(fam, n, difficulty or "medium")

    results = None
    if checks:
        from dltutor.practice.checking import check_answers, parse_answer
        from dltutor.values import check_length

        checks = [check_length(answer, "--check") for answer in checks]   # capped like every answer
        if len(checks) > len(problem.parts):
            raise InputError(f"{len(checks)} answers given with --check; the problem has {len(problem.parts)} parts")
        for i, (part, answer) in enumerate(zip(problem.parts, checks)):
            try:
                parse_answer(answer, part)          # unreadable: refused here, never scored 0 later
            except InputError as exc:
                raise InputError(f"--check {part_label(i)}: {exc}") from None
        given = {p.name: a for p, a in zip(problem.parts, checks)}
        results = check_answers(problem, given)
        if not no_record:
            _record_practice(problem, given, results)
    if as_json:
        out = problem.to_dict(n_digits)
        if results is not None:
            out["check"] = [r.to_dict() for r in results]
        click.echo(json.dumps(out, ensure_ascii=False, allow_nan=False))
        return
    print_problem(problem)
    if results is not None:
        click.echo("")
        total = sum(r.marks for r in results)
        click.echo(f"Your answers: {total:g}/{marks_text(problem.marks)}")
        print_results(results, n_digits)
    if no_solution:
        return
    from dltutor.render.sheet import worked_solution
    from dltutor.render.terminal import print_solution

    click.echo("")
    click.echo("Worked solution")
    sys.stdout.flush()
    print_solution(worked_solution(problem), n_digits)
    click.echo("Answers")
    for i, part in enumerate(problem.parts):
        click.echo(answer_line(i, part, n_digits))


def _record_practice(problem, given: dict[str, str], results) -> None:
    """A checked practice problem is an attempt: it counts for mastery and the review schedule."""
    from dltutor.store import AttemptRecord

    with open_store() as store:
        store.record_attempt(AttemptRecord(problem.id, problem.family.id, round(sum(r.marks for r in results), 4),
                                     problem.marks, topic=problem.family.topic, answer=given,
                                     source="practice"))


# ------------------------------------------------------------------ stress

@click.command(context_settings=CONTEXT, epilog=examples_epilog("dltutor stress", [
    "conv-output-size -n 200", "mp-threshold -n 600 --json"]))
@click.argument("family", required=False)
@click.option("-n", "count", default="600", metavar="N", show_default=True,
              help="variants drawn per family, the difficulties in turn (at most 5,000)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object {families: [...], problems: N}")
def stress(family, count, as_json):
    """Draw many variants of a family (default: every family) and report problems.

    Per family and difficulty: distinct problems (a floor of 200 where the
    ranges allow), degenerate draws, misconceptions or starting values that
    would score as right, prompt/key formula mismatches, answers the checker
    gets wrong, slow generation. Exit status 1 when a family fails, 0 when
    every family is ok. A run draws at most 50,000 problems and spends at most
    10 minutes on one family.
    """
    from dltutor.practice.families import family_errors, get_family, load_families
    from dltutor.practice.stress import MAX_N, MAX_TOTAL, stress_family
    from dltutor.values import parse_int

    n = parse_int(count, "-n", minimum=1, maximum=MAX_N)
    if family:
        check_family_name(family)
    fams = [get_family(family)] if family else list(load_families().values())
    if n * len(fams) > MAX_TOTAL:
        raise InputError(f"-n {n} over {len(fams)} families is {n * len(fams):,} draws; a run draws at most "
                         f"{MAX_TOTAL:,}: name one family or use -n {MAX_TOTAL // len(fams)}")
    left_out = [] if family else [str(e) for e in family_errors()]
    for line in left_out:
        click.echo(f"left out: {line}", err=True)
    reports = []
    for fam in fams:
        report = stress_family(fam, n)
        reports.append(report)
        if not as_json:
            status = "ok" if report.ok else f"{len(report.problems)} problem(s)"
            levels = ", ".join(f"{level} {d['distinct']}/{d['draws']}" for level, d in report.by_difficulty.items())
            click.echo(f"{fam.id:<26} {status:<14} distinct {levels}; degenerate {report.degenerate}, "
                       f"collisions {report.collisions}, formula mismatches {report.formula_mismatches}, "
                       f"{1000 * report.seconds / max(report.draws, 1):.1f} ms each")
            for p in report.problems[:10]:
                click.echo(f"    {p}")
            if len(report.problems) > 10:
                click.echo(f"    ... and {len(report.problems) - 10} more")
    total = sum(len(r.problems) for r in reports)
    failed = sum(not r.ok for r in reports)
    if as_json:
        click.echo(json.dumps({"families": [r.to_dict() for r in reports], "problems": total,
                               "failed": failed, "left_out": left_out}))
    else:
        click.echo(f"{total} problem(s) in {len(reports)} famil{'y' if len(reports) == 1 else 'ies'}; "
                   f"{failed} failed")
    if failed:
        click.get_current_context().exit(1)


# ------------------------------------------------------------------ exam

@click.command(context_settings=CONTEXT, epilog=examples_epilog("dltutor exam", [
    "--plain --topics cnn,params --count 4 --seed 7",
    "--plain --due",
    "--plain --minutes 30 --show-correct",
    "--plain --seed 3 < answers.txt"]))
@click.option("--topics", default=None, metavar="A,B", help="topics to draw from (default: all)")
@click.option("--count", default=None, metavar="N",
              help="number of questions [default: 5; with --due: every family due, at most 50]")
@click.option("--seed", default=None, metavar="N", help="seed of the exam (default: a random one, printed)")
@click.option("--difficulty", default="medium", metavar="LEVEL", show_default=True, help="easy, medium or hard")
@click.option("--minutes", default=None, metavar="M", help="time limit; the exam is submitted when it is over")
@click.option("--plain", is_flag=True, help="line-by-line prompts on stdin/stdout (scripts, screen readers)")
@click.option("--due", is_flag=True, help="one question per problem family due for review (see dltutor progress)")
@click.option("--show-correct", is_flag=True, help="say after each question whether it was right")
@click.option("--no-record", is_flag=True, help="do not save the exam and its answers in the progress database")
@click.option("--json", "as_json", is_flag=True, help="after the exam, print the result as one JSON object")
@digits_option
def exam(topics, count, seed, difficulty, minutes, plain, due, show_correct, no_record, as_json, digits):
    """A practice exam, graded at the end with a review and worked solutions.

    Questions can be skipped and revisited; the marks are shown only at the
    end unless --show-correct is given. End of input submits what was
    answered; Ctrl-C stops and grades what was answered. The exam and every
    answered question are saved in the progress database (--no-record: not
    saved); each answer reschedules the review of its problem family, and
    --due makes an exam of the families due.

    In a terminal, without --plain, the full-screen exam opens at its set-up
    form, filled in from --topics, --count, --minutes, --seed, --difficulty,
    --show-correct and --no-record, with Start focused: Enter begins. --due
    and --json, and input or output that is not a terminal, use the plain
    mode (a line on stderr says why).
    """
    from dltutor.practice.exam import build_exam, parse_topics
    from dltutor.values import parse_number

    n_digits = parse_digits(digits)
    topic_list = parse_topics(topics)
    n_count = _int_option(count, "--count", minimum=1, maximum=50)
    n_seed = None if seed is None else parse_seed(seed)
    limit = None
    if minutes is not None:
        limit = parse_number(minutes, "--minutes")
        if limit <= 0:
            raise InputError(f"--minutes must be greater than 0, got {minutes}")
    if not plain:
        why = _why_plain(due=due, as_json=as_json)
        if why is None:
            from dltutor.practice.families import DIFFICULTIES

            if difficulty not in DIFFICULTIES:
                raise InputError(f"--difficulty {difficulty!r} is not one of {', '.join(DIFFICULTIES)}")
            if not no_record:
                open_store().close()      # a broken store is reported here, before the screen opens
            exam_app(topic_list, n_count or 5, limit, n_seed, show_correct=show_correct, difficulty=difficulty,
                     record=not no_record).run()
            return
        click.echo(f"{why}; using the plain line-by-line mode (--plain)", err=True)

    store = (open_store("--due reads the review schedule: ", hint_no_record=False) if due
             else None if no_record else open_store())
    try:
        if n_seed is None:
            import secrets

            n_seed = secrets.randbelow(1_000_000)
        if due:
            the_exam = _due_exam(store, topic_list, n_count, n_seed, difficulty, limit, show_correct)
            if the_exam is None:
                _nothing_due(topic_list, n_seed, difficulty, as_json)
                return
        else:
            the_exam = build_exam(topic_list, n_count or 5, n_seed, difficulty, limit, show_correct)
        from dltutor.commands.plain_exam import ExamRecord, PlainExam

        record = None if no_record else ExamRecord(store, the_exam)
        runner = PlainExam(the_exam, n_digits, quiet=as_json, record=record)
        result = runner.run()
    finally:
        if store is not None:
            store.close()
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False))
    else:
        runner.review(result)


def _why_plain(*, due, as_json) -> str | None:
    """Why the full-screen exam cannot be used (None: it can)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return "no terminal"
    for flag, given in (("--due", due), ("--json", as_json)):
        if given:
            return f"the full-screen exam has no {flag}"
    return None


def exam_app(topics: list[str], count: int, minutes: float | None, seed: int | None, show_correct: bool = False,
             difficulty: str = "medium", record: bool = True):
    """The TUI opened on its exam screen, filled in from the options, Start focused (Esc goes home)."""
    from dltutor.tui.app import make_app

    app = make_app()
    app.call_later(app.open, "exam", topics=topics, count=count, minutes=minutes, seed=seed,
                   show_correct=show_correct, difficulty=difficulty, record=record, ready=True)
    return app


def _due_exam(store, topics, count, seed, difficulty, minutes, show_correct):
    """An exam of the families due for review (most overdue first), or None when none is."""
    from dltutor.practice.exam import review_exam
    from dltutor.practice.families import load_families
    from dltutor.practice.selection import available

    known = load_families()
    families = [known[r["family"]] for r in store.due()
                if r["family"] in known and available(known[r["family"]])
                and (not topics or known[r["family"]].topic in topics)]
    if not families:
        return None
    return review_exam(families[:count or 50], seed, difficulty, minutes, show_correct)


def _nothing_due(topics, seed, difficulty, as_json) -> None:
    of = f" in {', '.join(topics)}" if topics else ""
    line = f"Nothing is due for review{of} now; try dltutor exam --plain, or see dltutor progress."
    if not as_json:
        click.echo(line)
        return
    from dltutor.practice.exam import ExamResult

    click.echo(line, err=True)
    click.echo(json.dumps(ExamResult(seed, topics, difficulty, "nothing due", 0.0, []).to_dict()))


