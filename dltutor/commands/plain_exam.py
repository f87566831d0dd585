"""The line-by-line exam of ``dltutor exam --plain``, and how it is kept in the progress store.

``PlainExam`` asks each question on stdout and reads the answers from stdin
(commands: skip/next, back, goto N, list, submit); ``ExamRecord`` stores the
exam and its answered questions. The exam logic itself is ``dltutor.practice.exam``.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time

import click

from dltutor.commands.practice import expected_text, label, part_line, print_results
from dltutor.errors import InputError

EXAM_HELP = ("Commands at any prompt: skip or next (next question), back, goto N, list, submit. "
             "An empty line leaves a part unanswered.")


class ExamRecord:
    """The exam in the progress store: started before the first question; each question's
    attempt is saved as soon as it is answered (and replaced if the answer changes), so a
    crash keeps what was answered; at the end every answered question moves its family's
    review schedule once and the marks are written."""

    def __init__(self, store, exam):
        self.store = store
        self.exam_id = store.start_exam(seed=exam.seed, topics=exam.topics, count=len(exam.questions),
                                        minutes=exam.minutes)

    def save(self, exam, number: int) -> None:
        from dltutor.practice.exam import question_attempt

        attempt = question_attempt(exam, number)
        if attempt is not None:
            self.store.record_attempt(attempt, exam_id=self.exam_id, schedule=False)

    def finish(self, exam, result) -> None:
        from dltutor.practice.exam import exam_attempts

        for attempt in exam_attempts(exam, result):
            self.store.record_attempt(attempt, exam_id=self.exam_id)
        self.store.finish_exam(self.exam_id, result.marks, result.max_marks)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@contextlib.contextmanager
def _signals(handler, *names: str):
    """Handle the signals ``names`` (those this platform has) with ``handler`` inside the block.
    Used so that SIGTERM and SIGHUP (the terminal closed) end an exam as Ctrl-C does, keeping the
    answers, and so that Ctrl-C is ignored while the answers are being written."""
    if threading.current_thread() is not threading.main_thread():   # only the main thread may
        yield
        return
    old = {sig: signal.signal(sig, handler) for sig in (getattr(signal, n) for n in names if hasattr(signal, n))}
    try:
        yield
    finally:
        for sig, previous in old.items():
            signal.signal(sig, previous)


class _Submit(Exception):
    """The exam ends here (end of input, time up); the message is the reason."""


class PlainExam:
    """The line-by-line exam: prompts on stdout, answers from stdin."""

    def __init__(self, exam, digits: int, quiet: bool = False, record: ExamRecord | None = None):
        self.exam = exam
        self.digits = digits
        self.stdin = sys.stdin
        self.start = time.monotonic()
        self.quiet = quiet
        self.record = record

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
        n = len(exam.questions)
        self.say(f"{exam.title} (seed {exam.seed}): {n} question{'s' if n != 1 else ''}, "
                 f"{exam.max_marks:g} marks{minutes}.")
        self.say(EXAM_HELP)
        reason = "submitted"
        with _signals(_interrupt, "SIGTERM", "SIGHUP"):
            try:
                while True:
                    action = self.ask(exam.current)
                    if action == "submit":
                        break
            except _Submit as exc:
                reason = str(exc)
            except KeyboardInterrupt:
                reason = "interrupted"
            except BaseException:
                self.finish("internal error")     # keep the answers given, then report the error
                raise
        return self.finish(reason)

    def finish(self, reason: str):
        """Grade, and store the exam (Ctrl-C cannot cut the writing short)."""
        result = self.exam.grade(reason, time.monotonic() - self.start)
        if self.record is not None:
            with _signals(signal.SIG_IGN, "SIGINT"):
                self.record.finish(self.exam, result)
        return result

    def ask(self, index: int) -> str:
        """Ask every part of question ``index``; returns 'submit' or moves ``exam.current``."""
        exam = self.exam
        q = exam.questions[index]
        problem = q.problem
        self.say("")
        self.say(f"Question {index + 1} of {len(exam.questions)}  [{problem.family.topic}, "
                 f"{problem.marks:g} mark{'s' if problem.marks != 1 else ''}]  {problem.id}")
        self.say(problem.prompt)
        shown = time.monotonic()
        try:
            for i, part in enumerate(problem.parts):
                self.say(part_line(i, part))
                if part.name in q.answers:
                    self.say(f"      current answer: {q.answers[part.name]!r} (empty line keeps it)")
                if part.spec.form == "table":
                    text, command = self.read_table(part)
                else:
                    line = self.read(f"{label(i)}> ")
                    text, command = (None, line.strip().lower()) if self.is_command(line) else (line, None)
                if command:
                    return self.command(command)
                if text is not None and text.strip():
                    exam.answer(index, part.name, text)
        finally:
            exam.spend(index, time.monotonic() - shown)
            if self.record is not None:
                with _signals(signal.SIG_IGN, "SIGINT"):
                    self.record.save(exam, index)
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
        return [f"  {label(i)} {'right' if r.correct else 'wrong'} ({r.marks:g}/{r.max_marks:g})"
                for i, r in enumerate(results)]

    def review(self, result) -> None:
        from dltutor.render.terminal import print_solution

        click.echo("")
        click.echo(f"Exam over ({result.reason}): {result.marks:g}/{result.max_marks:g} marks "
                   f"({result.percent:.0f}%) in {result.seconds:.0f} s")
        for q, r in zip(self.exam.questions, result.questions):
            click.echo("")
            click.echo(f"Question {r.number}: {r.title}  {r.marks:g}/{r.max_marks:g}  ({r.id})")
            print_results(r.parts, self.digits)
            for i, part in enumerate(q.problem.parts):
                click.echo(f"      answer {label(i)}: {expected_text(part, self.digits)}")
            click.echo("  Worked solution:")
            sys.stdout.flush()
            print_solution(q.problem.solution, self.digits)
