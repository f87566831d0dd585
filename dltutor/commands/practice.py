"""``dltutor generate``, ``dltutor stress`` and ``dltutor exam``: practice problems from the families.

A thin shell: the families (``dltutor.families``), the checker
(``dltutor.checking``) and the exam logic (``dltutor.exam``) do the work;
this module parses options, reads lines and prints.
"""

from __future__ import annotations

import json
import sys
import time

import click

from dltutor.cli import CONTEXT, digits_option, examples_epilog, parse_digits
from dltutor.errors import InputError

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _int_option(text: str | None, what: str, minimum: int = 0, maximum: int = 2**63 - 1) -> int | None:
    from dltutor.values import parse_int

    return None if text is None else parse_int(text, what, minimum=minimum, maximum=maximum)


def _label(i: int) -> str:
    return f"({LETTERS[i % 26]})"


def _part_line(i: int, part) -> str:
    from dltutor.checking import FORM_HELP

    cols = f"; columns {', '.join(part.columns)}" if part.columns else ""
    marks = f"{part.spec.marks:g} mark" + ("s" if part.spec.marks != 1 else "")
    return f"  {_label(i)} {part.spec.label} [{marks}; {FORM_HELP[part.spec.form]}{cols}]"


def _expected_text(part, digits: int) -> str:
    from dltutor.values import format_value

    if part.spec.form == "table":
        lines = ["    " + "  ".join(part.columns)]
        lines += ["    " + ", ".join(format_value(c, digits) for c in row) for row in part.expected]
        return "\n" + "\n".join(lines)
    if part.spec.form == "boolean":
        return "yes" if part.expected else "no"
    return format_value(part.expected, digits)


def _print_problem(problem, with_parts: bool = True) -> None:
    fam = problem.family
    click.echo(f"{problem.id}  {fam.title} ({fam.topic}, {problem.difficulty}, {problem.marks:g} marks)")
    click.echo("")
    click.echo(problem.prompt)
    if with_parts:
        click.echo("")
        for i, part in enumerate(problem.parts):
            click.echo(_part_line(i, part))


def _print_results(results, digits: int, show_expected: bool = True) -> None:
    for i, r in enumerate(results):
        mark = "right" if r.correct else ("not answered" if not r.answered else "wrong")
        click.echo(f"  {_label(i)} {r.label}: {mark}, {r.marks:g}/{r.max_marks:g}")
        if r.answered and not r.correct and r.message:
            click.echo(f"      {r.message}")
        if r.misconception:
            click.echo(f"      typical slip ({r.misconception}): {r.feedback}")


# ------------------------------------------------------------------ generate

@click.command(context_settings=CONTEXT, epilog=examples_epilog("dltutor generate", [
    "conv-output-size --seed 42 --difficulty hard",
    "conv-output-size@1:42:hard --json",
    "perceptron-epoch --seed 3 --check $'0,0.5,0.5,0.5\\n1,0.5,0.5,0.5\\n...'",
    "--list"]))
@click.argument("name", required=False, metavar="FAMILY|ID")
@click.option("--seed", default=None, metavar="N", help="seed of the draw (default: a random one, printed in the id)")
@click.option("--difficulty", default=None, metavar="LEVEL", help="easy, medium or hard [default: medium]")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object: id, prompt, parts, solution")
@click.option("--list", "list_", is_flag=True, help="list the problem families")
@click.option("--check", "checks", multiple=True, metavar="ANSWER",
              help="check answers, one --check per part in order (tables: rows on separate lines or ';')")
@click.option("--no-solution", is_flag=True, help="print the problem without its worked solution")
@digits_option
def generate(name, seed, difficulty, as_json, list_, checks, no_solution, digits):
    """One randomized practice problem with its worked solution.

    FAMILY draws a new problem (its id is printed); an ID such as
    conv-output-size@1:42:hard gives back exactly the same problem.
    """
    from dltutor import families

    n_digits = parse_digits(digits)
    if list_:
        rows = [f.summary() for f in families.load_families().values()]
        if as_json:
            click.echo(json.dumps(rows))
        else:
            for r in rows:
                click.echo(f"{r['id']:<26} {r['topic']:<12} {r['kind']:<12} {r['title']}")
        return
    if not name:
        raise click.UsageError("give a FAMILY or an ID (or --list)")
    if "@" in name:
        if seed is not None or difficulty is not None:
            raise InputError("an ID fixes the seed and the difficulty; drop --seed/--difficulty")
        problem = families.problem_from_id(name)
    else:
        fam = families.get_family(name)
        n = _int_option(seed, "--seed")
        if n is None:
            import secrets

            n = secrets.randbelow(1_000_000)
        problem = families.generate(fam, n, difficulty or "medium")

    results = None
    if checks:
        from dltutor.checking import check_answers

        if len(checks) > len(problem.parts):
            raise InputError(f"{len(checks)} answers given with --check; the problem has {len(problem.parts)} parts")
        results = check_answers(problem, {p.name: a for p, a in zip(problem.parts, checks)})
    if as_json:
        out = problem.to_dict(n_digits)
        if results is not None:
            out["check"] = [r.to_dict() for r in results]
        click.echo(json.dumps(out, ensure_ascii=False, allow_nan=False))
        return
    _print_problem(problem)
    if results is not None:
        click.echo("")
        total = sum(r.marks for r in results)
        click.echo(f"Your answers: {total:g}/{problem.marks:g} marks")
        _print_results(results, n_digits)
    if no_solution:
        return
    from dltutor.render.terminal import print_solution

    click.echo("")
    click.echo("Worked solution")
    sys.stdout.flush()
    print_solution(problem.solution, n_digits)
    click.echo("Answers")
    for i, part in enumerate(problem.parts):
        click.echo(f"  {_label(i)} {part.spec.label}: {_expected_text(part, n_digits)}")


# ------------------------------------------------------------------ stress

@click.command(context_settings=CONTEXT, epilog=examples_epilog("dltutor stress", [
    "conv-output-size -n 200", "-n 50 --json"]))
@click.argument("family", required=False)
@click.option("-n", "count", default="1000", metavar="N", show_default=True, help="variants drawn per family")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object {families: [...], problems: N}")
def stress(family, count, as_json):
    """Draw many variants of a family (default: every family) and report problems.

    Reports degenerate draws, misconceptions that equal the right answer,
    answers the checker gets wrong, repeated variants and slow generation.
    """
    from dltutor.families import get_family, load_families
    from dltutor.stress import stress_family

    n = _int_option(count, "-n", minimum=1, maximum=100_000)
    fams = [get_family(family)] if family else list(load_families().values())
    reports = []
    for fam in fams:
        report = stress_family(fam, n)
        reports.append(report)
        if not as_json:
            status = "ok" if not report.problems else f"{len(report.problems)} problem(s)"
            rejected = sum(report.rejections.values())
            click.echo(f"{fam.id:<26} {status:<14} {report.distinct} distinct of {n}, "
                       f"{rejected} draw(s) rejected, {1000 * report.seconds / n:.1f} ms each")
            for p in report.problems[:10]:
                click.echo(f"    {p}")
            if len(report.problems) > 10:
                click.echo(f"    ... and {len(report.problems) - 10} more")
    total = sum(len(r.problems) for r in reports)
    if as_json:
        click.echo(json.dumps({"families": [r.to_dict() for r in reports], "problems": total}))
    else:
        click.echo(f"{total} problem(s) in {len(reports)} famil{'y' if len(reports) == 1 else 'ies'}")


# ------------------------------------------------------------------ exam

EXAM_HELP = ("Commands at any prompt: skip or next (next question), back, goto N, list, submit. "
             "An empty line leaves a part unanswered.")


@click.command(context_settings=CONTEXT, epilog=examples_epilog("dltutor exam", [
    "--plain --topics cnn,params --count 4 --seed 7",
    "--plain --minutes 30 --show-correct",
    "--plain --seed 3 < answers.txt"]))
@click.option("--topics", default=None, metavar="A,B", help="topics to draw from (default: all)")
@click.option("--count", default="5", metavar="N", show_default=True, help="number of questions")
@click.option("--seed", default=None, metavar="N", help="seed of the exam (default: a random one, printed)")
@click.option("--difficulty", default="medium", metavar="LEVEL", show_default=True, help="easy, medium or hard")
@click.option("--minutes", default=None, metavar="M", help="time limit; the exam is submitted when it is over")
@click.option("--plain", is_flag=True, help="line-by-line prompts on stdin/stdout (scripts, screen readers)")
@click.option("--show-correct", is_flag=True, help="say after each question whether it was right")
@click.option("--json", "as_json", is_flag=True, help="after the exam, print the result as one JSON object")
@digits_option
def exam(topics, count, seed, difficulty, minutes, plain, show_correct, as_json, digits):
    """A practice exam, graded at the end with a review and worked solutions.

    Questions can be skipped and revisited; the marks are shown only at the
    end unless --show-correct is given. End of input submits what was
    answered; Ctrl-C stops and grades what was answered.
    """
    from dltutor.exam import build_exam, parse_topics
    from dltutor.values import parse_number

    n_digits = parse_digits(digits)
    if not plain:
        click.echo("the full-screen exam is not available yet; using the plain line-by-line mode", err=True)
    n_seed = _int_option(seed, "--seed")
    if n_seed is None:
        import secrets

        n_seed = secrets.randbelow(1_000_000)
    limit = None
    if minutes is not None:
        limit = parse_number(minutes, "--minutes")
        if limit <= 0:
            raise InputError(f"--minutes must be greater than 0, got {minutes}")
    the_exam = build_exam(parse_topics(topics), _int_option(count, "--count", minimum=1, maximum=50),
                          n_seed, difficulty, limit, show_correct)
    runner = PlainExam(the_exam, n_digits, quiet=as_json)
    result = runner.run()
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False))
    else:
        runner.review(result)


class _Submit(Exception):
    pass


class PlainExam:
    """The line-by-line exam: prompts on stdout, answers from stdin."""

    def __init__(self, exam, digits: int, quiet: bool = False):
        self.exam = exam
        self.digits = digits
        self.stdin = click.get_text_stream("stdin")
        self.start = time.monotonic()
        self.quiet = quiet

    def say(self, text: str = "") -> None:
        click.echo(text, err=self.quiet)

    def read(self, prompt: str) -> str:
        """One line; EOF or the time limit ends the exam."""
        if self.exam.time_up(time.monotonic() - self.start):
            raise _Submit("time is up")
        self.say(prompt)
        sys.stdout.flush()
        line = self.stdin.readline()
        if line == "":
            raise _Submit("end of input")
        if self.exam.time_up(time.monotonic() - self.start):
            raise _Submit("time is up")
        return line.rstrip("\r\n")

    def run(self):
        exam = self.exam
        minutes = f", {exam.minutes:g} minutes" if exam.minutes else ""
        self.say(f"Exam (seed {exam.seed}): {len(exam.questions)} questions, {exam.max_marks:g} marks{minutes}.")
        self.say(EXAM_HELP)
        reason = "submitted"
        try:
            while True:
                action = self.ask(exam.current)
                if action == "submit":
                    break
        except _Submit as exc:
            reason = str(exc)
        except KeyboardInterrupt:
            reason = "interrupted"
        return exam.grade(reason, time.monotonic() - self.start)

    def ask(self, index: int) -> str:
        """Ask every part of question ``index``; returns 'submit' or moves ``exam.current``."""
        exam = self.exam
        q = exam.questions[index]
        problem = q.problem
        self.say("")
        self.say(f"Question {index + 1} of {len(exam.questions)}  [{problem.family.topic}, "
                 f"{problem.marks:g} marks]  {problem.id}")
        self.say(problem.prompt)
        for i, part in enumerate(problem.parts):
            self.say(_part_line(i, part))
            if part.name in q.answers:
                self.say(f"      current answer: {q.answers[part.name]!r} (empty line keeps it)")
            if part.spec.form == "table":
                text, command = self.read_table(part)
            else:
                line = self.read(f"{_label(i)}> ")
                text, command = (None, line.strip().lower()) if self.is_command(line) else (line, None)
            if command:
                return self.command(command)
            if text is not None and text.strip():
                exam.answer(index, part.name, text)
        if exam.show_correct:
            for line in self.verdict(exam.check(index)):
                self.say(line)
        if not exam.next():
            left = exam.unanswered()
            note = f" Unanswered: {', '.join(str(i + 1) for i in left)}." if left else ""
            while True:
                line = self.read(f"That was the last question.{note} Type submit, back or goto N: ")
                if self.is_command(line):
                    return self.command(line.strip().lower())
        return "next"

    def read_table(self, part):
        rows = []
        for r in range(len(part.expected)):
            line = self.read(f"   row {r + 1} ({', '.join(part.columns)})> ")
            if self.is_command(line):
                return None, line.strip().lower()
            if ";" in line and r == 0:       # the whole table on one line
                return line, None
            if not line.strip():
                break
            rows.append(line)
        return "\n".join(rows), None

    @staticmethod
    def is_command(line: str) -> bool:
        word = line.strip().lower().split(" ")[0] if line.strip() else ""
        return word in ("skip", "next", "back", "goto", "submit", "list")

    def command(self, command: str) -> str:
        exam = self.exam
        word, _, arg = command.partition(" ")
        if word == "submit":
            return "submit"
        if word in ("skip", "next"):
            if not exam.next():
                exam.goto(0)
            return "next"
        if word == "back":
            exam.back()
            return "back"
        if word == "list":
            for i, q in enumerate(exam.questions):
                state = "answered" if q.answered else "not answered"
                self.say(f"  {i + 1}. {q.problem.family.title} ({state})")
            return "list"
        try:
            exam.goto(int(arg) - 1)
        except (ValueError, InputError) as exc:
            self.say(f"goto needs a question number from 1 to {len(exam.questions)}"
                     + (f" ({exc})" if isinstance(exc, InputError) else ""))
        return "goto"

    def verdict(self, results) -> list[str]:
        return [f"  {_label(i)} {'right' if r.correct else 'wrong'} ({r.marks:g}/{r.max_marks:g})"
                for i, r in enumerate(results)]

    def review(self, result) -> None:
        from dltutor.render.terminal import print_solution

        click.echo("")
        click.echo(f"Exam over ({result.reason}): {result.marks:g}/{result.max_marks:g} marks "
                   f"({result.percent:.0f}%) in {result.seconds:.0f} s")
        for q, r in zip(self.exam.questions, result.questions):
            click.echo("")
            click.echo(f"Question {r.number}: {r.title}  {r.marks:g}/{r.max_marks:g}  ({r.id})")
            _print_results(r.parts, self.digits)
            for i, part in enumerate(q.problem.parts):
                click.echo(f"      answer {_label(i)}: {_expected_text(part, self.digits)}")
            click.echo("  Worked solution:")
            sys.stdout.flush()
            print_solution(q.problem.solution, self.digits)
