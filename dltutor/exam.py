"""Practice exams: choose problems, hold the answers, grade at the end.

Plain state objects, no I/O and no clock of their own (the caller passes the
time), so that the plain line-by-line mode of ``dltutor exam`` and the TUI
drive the same logic. An ``ExamResult`` is a plain record ready to be stored.

    exam = build_exam(topics=["cnn"], count=5, seed=7)
    exam.answer(0, "out", "24"); exam.goto(3); ...
    result = exam.grade(reason="submitted", seconds=812.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dltutor.checking import PartResult, check_answers
from dltutor.errors import InputError
from dltutor.families import DIFFICULTIES, TOPICS, Problem, generate, load_families

SEED_RANGE = 1_000_000


@dataclass
class Question:
    problem: Problem
    answers: dict[str, str] = field(default_factory=dict)

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


def parse_topics(text: str | None) -> list[str]:
    if not text:
        return []
    topics = [t.strip() for t in text.split(",") if t.strip()]
    for t in topics:
        if t not in TOPICS:
            raise InputError(f"--topics: {t!r} is not a topic; choose from {', '.join(TOPICS)}")
    return topics


def build_exam(topics: list[str] | None = None, count: int = 5, seed: int = 0, difficulty: str = "medium",
               minutes: float | None = None, show_correct: bool = False) -> Exam:
    """``count`` problems from the families of ``topics`` (all when empty), spread over the topics.

    Families are taken in a seeded random order, one per topic in turn, so a
    short exam covers as many topics as it can; a family repeats only when the
    topics have fewer families than ``count``."""
    if difficulty not in DIFFICULTIES:
        raise InputError(f"--difficulty {difficulty!r} is not one of {', '.join(DIFFICULTIES)}")
    if not 1 <= count <= 50:
        raise InputError(f"--count {count} must be from 1 to 50")
    families = [f for f in load_families().values() if not topics or f.topic in topics]
    if not families:
        raise InputError(f"no problem families for the topics {', '.join(topics or [])}")
    rng = np.random.default_rng([seed, 0xE7A])
    by_topic: dict[str, list] = {}
    for fam in families:
        by_topic.setdefault(fam.topic, []).append(fam)
    order = sorted(by_topic)
    for t in order:
        by_topic[t] = [by_topic[t][int(j)] for j in rng.permutation(len(by_topic[t]))]
    topic_order = [order[int(j)] for j in rng.permutation(len(order))]
    chosen = []
    round_ = 0
    while len(chosen) < count:
        fresh = [by_topic[t][round_] for t in topic_order if round_ < len(by_topic[t])]
        if not fresh:  # every family used once: repeat them, with other seeds
            fresh = [by_topic[t][round_ % len(by_topic[t])] for t in topic_order]
        chosen.extend(fresh[:count - len(chosen)])
        round_ += 1
    seeds = rng.integers(0, SEED_RANGE, size=count)
    questions = [Question(generate(fam, int(s), difficulty)) for fam, s in zip(chosen, seeds)]
    return Exam(questions, seed, list(topics or []), difficulty, minutes, show_correct)
