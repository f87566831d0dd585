"""One exam session and one practice session, shared by ``dltutor exam --plain`` and the TUI.

The faces read keys or lines and draw; the rules of what counts and what is
stored live here, so that both faces keep the same promises:

Exam (``ExamSession``)
    * every part is saved the moment it is typed or changed (``answer``): into the
      exam at once, and into the progress store through the session's recorder;
      a part typed but not handed in counts when the time runs out or the window
      closes (``finish`` grades what the exam holds);
    * an unanswered question is not an attempt: erasing every part of a question
      drops its saved attempt, and ``finish`` records only answered questions;
    * the time limit ends the exam by itself: ``time_left()`` / ``time_up()`` use the
      session's clock, and a face waiting for input waits at most ``time_left()``
      seconds (plain mode: a timed read), then calls ``finish("time is up")``;
    * "tell me as I go" (``exam.show_correct``): ``check(n)`` marks question n and
      locks it; the first checked answer is the one that counts, and a later
      ``answer`` on it raises ``Locked`` (the face says so);
    * ``finish`` grades once (later calls return the same result) and records every
      answered question, moving its family's review schedule once.

Practice (``PracticeSession``), one problem at a time. The policy, for every face:
    * the first check of a problem is its attempt: its marks, the answers checked
      and the hints taken before it are recorded, and that is what schedules the
      family's next review;
    * checking again after a correction is practice: the verdict is shown, the
      recorded marks do not change (``check`` returns ``PracticeCheck.recorded`` False);
    * help taken after the first check is not counted (the attempt is already
      recorded), and ``score_text`` always shows the recorded marks, so what the
      screen says and what is stored agree.

A recorder is any object with ``save(exam, number)`` and ``finish(exam, result)``
(``StoreRecorder`` here writes straight to a ``Store``; ``dltutor exam --plain`` uses
one that retries a locked database). No I/O and no terminal here; the clock is
``time.monotonic`` unless a test passes another.

    session = ExamSession(build_exam(["cnn"], 3, seed=7, minutes=20), StoreRecorder(store))
    session.answer(0, "out", "24")          # saved now
    session.time_left()                     # seconds, or None without a limit
    result = session.finish("submitted")
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

from dltutor.errors import InputError
from dltutor.practice.checking import Attempt, PartResult
from dltutor.practice.exam import Exam, ExamResult, exam_attempts, question_attempt
from dltutor.practice.families import Problem
from dltutor.store import AttemptRecord


class Recorder(Protocol):
    def save(self, exam: Exam, number: int) -> None: ...

    def finish(self, exam: Exam, result: ExamResult) -> None: ...


class Locked(InputError):
    """An answer to a question already checked with "tell me as I go" (its first check counts)."""


class StoreRecorder:
    """Exam answers into a progress ``Store``: the exam's row is created on the first save;
    each answered question is one attempt, replaced as it changes, dropped when erased;
    ``finish`` records every answered question once more (moving its family's review
    schedule) and the marks."""

    def __init__(self, store, exam: Exam | None = None):
        self.store = store
        self.exam_id: int | None = None
        if exam is not None:
            self._start(exam)

    def _start(self, exam: Exam) -> int:
        if self.exam_id is None:
            self.exam_id = self.store.start_exam(seed=exam.seed, topics=list(exam.topics),
                                                 count=len(exam.questions), minutes=exam.minutes)
        return self.exam_id

    def save(self, exam: Exam, number: int) -> None:
        exam_id = self._start(exam)
        attempt = question_attempt(exam, number)
        if attempt is None:
            self.store.forget_exam_attempt(exam_id, exam.questions[number].problem.id)
        else:
            self.store.record_attempt(attempt, exam_id=exam_id, schedule=False)

    def finish(self, exam: Exam, result: ExamResult) -> None:
        exam_id = self._start(exam)
        for number, q in enumerate(exam.questions):
            if not q.answered:
                self.store.forget_exam_attempt(exam_id, q.problem.id)
        for attempt in exam_attempts(exam, result):
            self.store.record_attempt(attempt, exam_id=exam_id)
        self.store.finish_exam(exam_id, result.marks, result.max_marks)


@dataclass
class ExamSession:
    """An exam being taken: answers saved as typed, the clock, checks, the end (see the module)."""

    exam: Exam
    recorder: Recorder | None = None
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)
    checked: dict[int, list[PartResult]] = field(default_factory=dict)
    result: ExamResult | None = None
    _shown_at: float | None = None

    def __post_init__(self):
        self.started = self.clock()

    # ------------------------------------------------------------ time
    def elapsed(self) -> float:
        return self.clock() - self.started

    def time_left(self) -> float | None:
        """Seconds left (never below 0), or None for an exam without a time limit."""
        if self.exam.minutes is None:
            return None
        return max(0.0, self.exam.minutes * 60 - self.elapsed())

    def time_up(self) -> bool:
        return self.exam.time_up(self.elapsed())

    @property
    def running(self) -> bool:
        return self.result is None

    # ------------------------------------------------------------ questions
    def show(self, number: int) -> None:
        """Question ``number`` is on screen from now (its time is counted until another is shown)."""
        self._count_time()
        self.exam.goto(number)
        self._shown_at = self.clock()

    def _count_time(self) -> None:
        if self._shown_at is not None:
            self.exam.spend(self.exam.current, self.clock() - self._shown_at)
            self._shown_at = self.clock()

    def locked(self, number: int) -> bool:
        return number in self.checked

    def answer(self, number: int, part: str, text: str) -> None:
        """Keep ``text`` as the answer to ``part`` of question ``number`` and save it now.
        An empty text erases the part (a question with no part left is not an attempt)."""
        if not self.running:
            return
        if self.locked(number):
            raise Locked(f"question {number + 1} was checked; its first checked answer is the one that counts")
        q = self.exam.questions[number]
        if text.strip():
            if q.answers.get(part) == text:
                return
            self.exam.answer(number, part, text)
        elif part in q.answers:
            del q.answers[part]
        else:
            return
        self.save(number)

    def answers(self, number: int, texts: dict[str, str]) -> None:
        """Several parts of one question at once (a form's fields)."""
        for part, text in texts.items():
            self.answer(number, part, text)

    def save(self, number: int) -> None:
        if self.recorder is not None:
            self.recorder.save(self.exam, number)

    def check(self, number: int) -> list[PartResult]:
        """With "tell me as I go": mark question ``number`` as it stands and lock it (the first
        checked answer counts); checking it again returns the same verdict."""
        if not self.exam.show_correct:
            raise InputError("this exam was not set to say whether each answer is right as you go")
        if number not in self.checked:
            if not self.exam.questions[number].answered:
                raise InputError(f"question {number + 1} has no answer to check yet")
            self.checked[number] = self.exam.check(number)
            self.save(number)
        return self.checked[number]

    def unanswered(self) -> list[int]:
        return self.exam.unanswered()

    # ------------------------------------------------------------ the end
    def finish(self, reason: str = "submitted") -> ExamResult:
        """Grade the exam as it stands (once) and record it; the result."""
        if self.result is None:
            self._count_time()
            self._shown_at = None
            self.result = self.exam.grade(reason, self.elapsed())
            if self.recorder is not None:
                self.recorder.finish(self.exam, self.result)
        return self.result


@dataclass
class PracticeCheck:
    results: list[PartResult]
    recorded: bool            # True for the first check (the attempt stored), False for a retry
    marks: float              # the recorded marks (the first check's)
    max_marks: float

    @property
    def right(self) -> bool:
        return all(r.correct for r in self.results)


@dataclass
class PracticeSession:
    """One practice problem: checks, help, and the one attempt recorded (see the module)."""

    problem: Problem
    store: object | None = None
    source: str = "practice"
    clock: Callable[[], float] = time.monotonic
    attempt: Attempt | None = None
    record: AttemptRecord | None = None
    tries: int = 0

    def __post_init__(self):
        self.attempt = Attempt(self.problem)
        self.started = self.clock()

    @property
    def recorded(self) -> bool:
        return self.record is not None

    def hint(self):
        """The next piece of help (``checking.Help``); counted only before the first check."""
        return self.attempt.help()

    def check(self, answers: dict[str, str]) -> PracticeCheck:
        """Check ``answers``; the first check is recorded, later ones are practice."""
        hints_before = len(self.attempt.help_used)
        results = self.attempt.check(answers)
        self.tries += 1
        first = self.record is None
        if first:
            self.record = AttemptRecord(
                self.problem.id, self.problem.family.id, round(sum(r.marks for r in results), 4),
                self.problem.marks, topic=self.problem.family.topic,
                answer={k: v for k, v in answers.items() if v}, hints_used=hints_before,
                seconds=round(self.clock() - self.started, 1), source=self.source)
            if self.store is not None:
                self.store.record_attempt(self.record)
        return PracticeCheck(results, first, self.record.marks, self.problem.marks)

    def score_text(self) -> str:
        """What the face shows as the score: always the recorded (first) check."""
        if self.record is None:
            marks = self.problem.marks
            return f"not checked yet ({marks:g} mark{'' if marks == 1 else 's'})"
        again = "" if self.tries <= 1 else f"; later tries are practice ({self.tries - 1})"
        return f"{self.record.marks:g}/{self.problem.marks:g} (your first check, recorded{again})"
