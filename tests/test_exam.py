"""Exam logic: building, navigation, grading (no I/O)."""

from __future__ import annotations

import pytest

from dltutor.errors import InputError
from dltutor.exam import build_exam, parse_topics
from dltutor.stress import answer_text


def test_build_and_grade():
    exam = build_exam(["cnn"], count=3, seed=7)
    assert len(exam.questions) == 3 and all(q.problem.family.topic == "cnn" for q in exam.questions)
    assert len({q.problem.family.id for q in exam.questions}) == 3
    first = exam.questions[0].problem
    for part in first.parts:
        exam.answer(0, part.name, answer_text(part.expected, part.spec.form))
    exam.goto(2)
    assert exam.current == 2 and not exam.next() and exam.back()
    result = exam.grade("end of input", 12.5)
    assert result.questions[0].marks == first.marks
    assert result.marks == first.marks and result.max_marks == exam.max_marks
    assert result.to_dict()["reason"] == "end of input" and exam.unanswered() == [1, 2]


def test_same_seed_same_exam():
    a = build_exam(["cnn", "params"], 4, seed=3)
    b = build_exam(["cnn", "params"], 4, seed=3)
    assert [q.problem.id for q in a.questions] == [q.problem.id for q in b.questions]


def test_bad_topics_and_goto():
    with pytest.raises(InputError, match="not a topic"):
        parse_topics("cnn,poetry")
    exam = build_exam(["cnn"], 2, seed=1)
    with pytest.raises(InputError, match="no question 5"):
        exam.goto(4)
