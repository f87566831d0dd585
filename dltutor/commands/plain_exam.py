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

from dltutor.commands.common import encode_what_cannot_be_shown
from dltutor.commands.problem_lines import answer_line, part_line, print_results, table_row_prompt
from dltutor.errors import InputError
from dltutor.render.wording import part_label, prompt_text

EXAM_HELP = ("Commands at any prompt: skip or next (next question), back, goto N, list, submit. "
             "An empty line leaves a part unanswered.")


class ExamRecord:
    """The exam in the progress store. Each answered part is saved as soon as it is typed
    (the question's attempt is replaced as answers change), so a crash keeps what was typed;
    at the end every answered question moves its family's review schedule once and the marks
    are written.

    A locked database or a full disk never ends the exam: a save that fails is kept in memory
    (``pending``) and tried again with the next save, one line on stderr says so once, and the
    end of the exam retries everything with the store's full patience before reporting, in one
    line, that the answers (shown in the review) were not saved."""

    def __init__(self, store, exam, warn=None):
        self.store = store
        self.exam = exam
        self.exam_id: int | None = None
        self.pending: set[int] = set()     # questions whose latest answers are not written yet
        self.saved: set[int] = set()       # questions with an attempt in the store
        self.warned = False
        self.unsaved: str | None = None      # the line reported when the end could not be saved
        self.warn = warn or (lambda line: click.echo(line, err=True))
        self._start(quick=True)      # a locked database does not hold up the first question

    def _start(self, quick: bool):
        """Create the exam's row if it is not there yet; None, or the StoreBusy that prevented it."""
        from dltutor.store import StoreBusy

        if self.exam_id is None:
            exam = self.exam
            try:
                with self.store.patience(0 if quick else None):
                    self.exam_id = self.store.start_exam(seed=exam.seed, topics=exam.topics,
                                                         count=len(exam.questions), minutes=exam.minutes)
            except StoreBusy as exc:
                self._warn(exc)
                return exc
        return None

    def _warn(self, exc) -> None:
        if not self.warned:
            self.warned = True
            self.warn(f"warning: {exc}; your answers are kept and saved as soon as it can be written")

    def save(self, exam, number: int) -> None:
        """Save question ``number`` as answered so far (and any save that failed before)."""
        self.pending.add(number)
        self.flush(quick=True)

    def flush(self, quick: bool):
        """Write the pending saves; None, or the StoreBusy that stopped them (warned once)."""
        from dltutor.practice.exam import question_attempt
        from dltutor.store import StoreBusy

        failure = self._start(quick)
        if failure is not None:
            return failure
        for number in sorted(self.pending):
            attempt = question_attempt(self.exam, number)
            try:
                with self.store.patience(0 if quick else None):
                    if attempt is not None:
                        self.store.record_attempt(attempt, exam_id=self.exam_id, schedule=False)
                        self.saved.add(number)
                    elif number in self.saved:      # its answers were erased: no longer an attempt
                        self.store.forget_exam_attempt(self.exam_id, self.exam.questions[number].problem.id)
                        self.saved.discard(number)
            except StoreBusy as exc:
                self._warn(exc)
                return exc
            self.pending.discard(number)
        return None

    def finish(self, exam, result) -> None:
        from dltutor.practice.exam import exam_attempts
        from dltutor.store import StoreBusy

        try:
            failure = self.flush(quick=False)
            if failure is not None:
                raise failure
            for attempt in exam_attempts(exam, result):
                self.store.record_attempt(attempt, exam_id=self.exam_id)
            self.store.finish_exam(self.exam_id, result.marks, result.max_marks)
        except StoreBusy as exc:
            self.unsaved = (f"error: {exc}; this exam was not saved (your answers and marks are in "
                            "the review)")
            self.warn(self.unsaved)


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
        encode_what_cannot_be_shown()
        self.exam = exam
        self.digits = digits
        self.stdin = sys.stdin           # None when the process was started with stdin closed
        from dltutor.practice.session import ExamSession

        self.session = ExamSession(exam, record)     # the rules shared with the TUI (practice/session.py)
        self.start = self.session.started
        self.reader = None               # the timed reader, made at the first read of a timed exam
        self.quiet = quiet
        self.record = record

    def say(self, text: str = "") -> None:
        click.echo(text, err=self.quiet)

    def read(self, prompt: str) -> str:
        """One line of at most MAX_TEXT characters (a longer one is refused and asked again);
        end of input (or a closed stdin) or the time limit ends the exam."""
        from dltutor.values import MAX_TEXT

        while True:
            if self.session.time_up():
                raise _Submit("time is up")
            self.say(self._time_left() + prompt)
            sys.stdout.flush()
            line, length = self._timed_readline(MAX_TEXT)
            if self.session.time_up():
                raise _Submit("time is up")
            if line is not None:
                return line
            self.say(f"That line is {length:,} characters long; the limit is {MAX_TEXT:,}. Type it again.")

    def _time_left(self) -> str:
        """``[12:05 left] `` in a timed exam, '' otherwise."""
        left = self.session.time_left()
        if left is None:
            return ""
        seconds = int(left + 0.999)
        return f"[{seconds // 60:02d}:{seconds % 60:02d} left] "

    def _timed_readline(self, limit: int) -> tuple[str | None, int]:
        """``_readline``, ended by the time limit while the student sits at the prompt: in a timed
        exam a reader thread waits for the line and this waits at most the time left for it."""
        left = self.session.time_left()
        if left is None:
            return self._readline(limit)
        from dltutor.commands.timed_input import TimedOut, TimedReader

        if self.reader is None:
            self.reader = TimedReader(lambda: self._readline(limit))
        try:
            return self.reader.read(left)
        except TimedOut:
            raise _Submit("time is up") from None

    def _readline(self, limit: int) -> tuple[str | None, int]:
        """(line without its end, length); (None, length) when longer than ``limit``: the rest of
        that line is read and dropped in chunks, never held whole."""
        try:
            if self.stdin is None:
                raise _Submit("end of input")
            line = self.stdin.readline(limit + 1)
            if line == "":
                raise _Submit("end of input")
            length = len(line.rstrip("\r\n"))
            if length <= limit:
                return line.rstrip("\r\n"), length
            while not line.endswith("\n"):
                line = self.stdin.readline(1 << 16)
                if line == "":
                    break
                length += len(line.rstrip("\r\n"))
            return None, length
        except (OSError, ValueError):      # stdin closed or gone (EBADF, EIO, I/O on a closed file)
            raise _Submit("end of input") from None

    def run(self):
        exam = self.exam
        minutes = f", {exam.minutes:g} minutes" if exam.minutes else ""
        from dltutor.render.wording import marks_text, plural

        self.say(f"{exam.title} (seed {exam.seed}): {plural(len(exam.questions), 'question')}, "
                 f"{marks_text(exam.max_marks)}{minutes}.")
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
        with _signals(signal.SIG_IGN, "SIGINT"):
            return self.session.finish(reason)

    def ask(self, index: int) -> str:
        """Ask every part of question ``index``; returns 'submit' or moves ``exam.current``."""
        exam = self.exam
        q = exam.questions[index]
        problem = q.problem
        self.say("")
        self.say(f"Question {index + 1} of {len(exam.questions)}  [{problem.family.topic}, "
                 f"{problem.marks:g} mark{'s' if problem.marks != 1 else ''}]  {problem.id}"
                 + (f"  {self._time_left().strip()}" if exam.minutes else ""))
        self.say(prompt_text(problem))
        shown = time.monotonic()
        if self.session.locked(index):
            self.say("  Checked: the answers are kept as they were checked (the first check counts).")
        try:
            for i, part in enumerate([] if self.session.locked(index) else problem.parts):
                self.say(part_line(i, part))
                if part.name in q.answers:
                    typed = q.answers[part.name].replace("\n", "; ")      # as typed, a table on one line
                    self.say(f"      current answer: {typed} (empty line keeps it)")
                while True:              # an answer that cannot be read is refused here, never scored 0 later
                    if part.spec.form == "table":
                        text, command = self.read_table(part)
                    else:
                        line = self.read(f"{part_label(i)}> ")
                        text, command = (None, line.strip().lower()) if self.is_command(line) else (line, None)
                    if command or text is None or not text.strip() or self.readable(text, part):
                        break
                if command:
                    return self.command(command)
                if text is not None and text.strip():
                    with _signals(signal.SIG_IGN, "SIGINT"):    # each part is kept the moment it is typed
                        self.session.answer(index, part.name, text)
        finally:
            exam.spend(index, time.monotonic() - shown)
            self.save(index)
        if exam.show_correct and q.answered:     # the first check counts: the question is locked
            with _signals(signal.SIG_IGN, "SIGINT"):
                verdict = self.session.check(index)
            for line in self.verdict(verdict):
                self.say(line)
        if not exam.next():
            left = exam.unanswered()
            note = f" Unanswered: {', '.join(str(i + 1) for i in left)}." if left else ""
            while True:
                line = self.read(f"That was the last question.{note} Type submit, back or goto N: ")
                if self.is_command(line):
                    return self.command(line.strip().lower())
        return "next"

    def readable(self, text: str, part) -> bool:
        """Whether ``text`` can be read as an answer to ``part``; if not, one line says why."""
        from dltutor.practice.reading import parse_answer

        try:
            parse_answer(text, part)
        except InputError as exc:
            self.say(f"  Cannot read that: {exc}. Type it again (or skip).")
            return False
        return True

    def save(self, index: int) -> None:
        if self.record is not None:
            with _signals(signal.SIG_IGN, "SIGINT"):
                self.record.save(self.exam, index)

    def read_table(self, part):
        rows = []
        for r in range(len(part.expected)):
            line = self.read(table_row_prompt(r, part))
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
        return [f"  {part_label(i)} {'right' if r.correct else 'wrong'} ({r.marks:g}/{r.max_marks:g})"
                for i, r in enumerate(results)]

    def review(self, result) -> None:
        from dltutor.render.sheet import worked_solution
        from dltutor.render.terminal import print_solution

        click.echo("")
        from dltutor.render.wording import marks_text

        click.echo(f"Exam over ({result.reason}): {result.marks:g}/{marks_text(result.max_marks)} "
                   f"({result.percent:.0f}%) in {result.seconds:.0f} s")
        for q, r in zip(self.exam.questions, result.questions):
            click.echo("")
            click.echo(f"Question {r.number}: {r.title}  {r.marks:g}/{r.max_marks:g}  ({r.id})")
            print_results(r.parts, self.digits)
            for i, part in enumerate(q.problem.parts):
                click.echo(f"      answer {answer_line(i, part, self.digits).lstrip()}")
            click.echo("  Worked solution:")
            sys.stdout.flush()
            print_solution(worked_solution(q.problem), self.digits)
