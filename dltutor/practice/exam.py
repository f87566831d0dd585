"""Practice exams: choose problems, hold the answers, grade at the end.

Plain state objects, no I/O and no clock of their own (the caller passes the
time), so that the plain line-by-line mode of ``dltutor exam`` and the TUI
drive the same logic. An ``ExamResult`` is a plain record ready to be stored.

    exam = build_exam(topics=["cnn"], count=5, seed=7)    # or review_exam(due families, seed)
    exam.answer(0, "out", "24"); exam.spend(0, 41.0); exam.goto(3); ...
    result = exam.grade(reason="submitted", seconds=812.0)
    attempts = exam_attempts(exam, result)                # the answered questions, for the store
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

from dltutor.practice.checking import PartResult, check_answers
from dltutor.errors import InputError
from dltutor.practice.families import DIFFICULTIES, Family, Problem, generate
from dltutor.practice.selection import SEED_RANGE, choose_families, parse_topics  # noqa: F401  (parse_topics: part of this API)
from dltutor.store import AttemptRecord

MAX_COUNT = 50


@dataclass
class Question:
    problem: Problem
    answers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0              # time spent on this question so far (the caller's clock)

    @property
    def answered(self) -> bool:
        return any(v.strip() for v in self.answers.values())


@dataclass
class QuestionResult:
    number: int
    id: str
    title: str
    topic: str
    marks: float
    max_marks: float
    parts: list[PartResult]

    def to_dict(self) -> dict:
        return {"number": self.number, "id": self.id, "title": self.title, "topic": self.topic,
                "marks": self.marks, "max_marks": self.max_marks, "parts": [p.to_dict() for p in self.parts]}


@dataclass
class ExamResult:
    """What an exam comes to: storable as it is (``to_dict`` is JSON-ready)."""

    seed: int
    topics: list[str]
    difficulty: str
    reason: str                       # submitted, end of input, interrupted, time is up
    seconds: float
    questions: list[QuestionResult]

    @property
    def marks(self) -> float:
        return round(sum(q.marks for q in self.questions), 4)

    @property
    def max_marks(self) -> float:
        return sum(q.max_marks for q in self.questions)

    @property
    def percent(self) -> float:
        return 100.0 * self.marks / self.max_marks if self.max_marks else 0.0

    def to_dict(self) -> dict:
        return {"seed": self.seed, "topics": self.topics, "difficulty": self.difficulty, "reason": self.reason,
                "seconds": self.seconds, "marks": self.marks, "max_marks": self.max_marks,
                "percent": self.percent, "questions": [q.to_dict() for q in self.questions]}


@dataclass
class Exam:
    questions: list[Question]
    seed: int
    topics: list[str]
    difficulty: str = "medium"
    minutes: float | None = None
    show_correct: bool = False
    current: int = 0
    title: str = "Exam"

    @property
    def max_marks(self) -> float:
        return sum(q.problem.marks for q in self.questions)

    def goto(self, number: int) -> None:
        """Move to question ``number`` (0-based)."""
        if not 0 <= number < len(self.questions):
            raise InputError(f"there is no question {number + 1}; the exam has {len(self.questions)}")
        self.current = number

    def next(self) -> bool:
        """Move on; False when already at the last question."""
        if self.current + 1 < len(self.questions):
            self.current += 1
            return True
        return False

    def back(self) -> bool:
        if self.current > 0:
            self.current -= 1
            return True
        return False

    def answer(self, number: int, part: str, text: str) -> None:
        self.questions[number].answers[part] = text

    def spend(self, number: int, seconds: float) -> None:
        """Add ``seconds`` to the time spent on question ``number``."""
        self.questions[number].seconds += max(0.0, seconds)

    def unanswered(self) -> list[int]:
        return [i for i, q in enumerate(self.questions) if not q.answered]

    def time_up(self, seconds: float) -> bool:
        return self.minutes is not None and seconds >= self.minutes * 60

    def check(self, number: int) -> list[PartResult]:
        """The verdict on one question now (for ``show_correct``)."""
        q = self.questions[number]
        return check_answers(q.problem, q.answers)

    def grade(self, reason: str = "submitted", seconds: float = 0.0) -> ExamResult:
        results = []
        for i, q in enumerate(self.questions):
            parts = check_answers(q.problem, q.answers)
            results.append(QuestionResult(i + 1, q.problem.id, q.problem.family.title, q.problem.family.topic,
                                          round(sum(p.marks for p in parts), 4), q.problem.marks, parts))
        return ExamResult(self.seed, list(self.topics), self.difficulty, reason, round(seconds, 1), results)


def question_attempt(exam: Exam, number: int) -> AttemptRecord | None:
    """The store ``AttemptRecord`` of question ``number`` as answered so far (None if unanswered)."""
    q = exam.questions[number]
    if not q.answered:
        return None
    marks = round(sum(p.marks for p in exam.check(number)), 4)
    return AttemptRecord(q.problem.id, q.problem.family.id, marks, q.problem.marks, topic=q.problem.family.topic,
                   answer=dict(q.answers), hints_used=0, seconds=round(q.seconds, 1), source="exam")


def exam_attempts(exam: Exam, result: ExamResult | None = None) -> list[AttemptRecord]:
    """One store ``AttemptRecord`` per answered question (unanswered ones are not attempts)."""
    found = (question_attempt(exam, i) for i in range(len(exam.questions)))
    return [a for a in found if a is not None]


def _check(difficulty: str, count: int) -> None:
    if difficulty not in DIFFICULTIES:
        raise InputError(f"--difficulty {difficulty!r} is not one of {', '.join(DIFFICULTIES)}")
    if not 1 <= count <= MAX_COUNT:
        raise InputError(f"--count {count} must be from 1 to {MAX_COUNT}")


def build_exam(topics: list[str] | None = None, count: int = 5, seed: int = 0, difficulty: str = "medium",
               minutes: float | None = None, show_correct: bool = False) -> Exam:
    """``count`` problems from the families of ``topics`` (all when empty), spread over the topics
    (``dltutor.practice.selection.choose_families``, as a sheet chooses them); the same arguments give the same exam."""
    _check(difficulty, count)
    rng = np.random.default_rng([seed, 0xE7A])
    chosen = choose_families(list(topics or []), count, rng)
    seeds = rng.integers(0, SEED_RANGE, size=count)
    questions = [Question(generate(fam, int(s), difficulty)) for fam, s in zip(chosen, seeds)]
    return Exam(questions, seed, list(topics or []), difficulty, minutes, show_correct)


def family_seed(seed: int, family_id: str) -> int:
    """The variant a review exam of ``seed`` draws from one family: stable on every machine
    (crc32, not Python's salted ``hash``), different from family to family."""
    rng = np.random.default_rng([seed, zlib.crc32(family_id.encode())])
    return int(rng.integers(0, SEED_RANGE))


def review_exam(families: list[Family], seed: int, difficulty: str = "medium", minutes: float | None = None,
                show_correct: bool = False) -> Exam:
    """One question per family (those due for review), in the order given, each a fresh variant."""
    _check(difficulty, len(families))
    questions = [Question(generate(fam, family_seed(seed, fam.id), difficulty)) for fam in families]
    topics = list(dict.fromkeys(fam.topic for fam in families))
    return Exam(questions, seed, topics, difficulty, minutes, show_correct, title="Review of the families due")
