"""Exam logic: building, navigation, grading (no I/O)."""

from __future__ import annotations

import pytest

from dltutor.errors import InputError
from dltutor.practice.exam import build_exam, parse_topics
from dltutor.practice.stress import answer_text


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


def test_review_exam_draws_a_fresh_variant_per_family():
    from dltutor.practice.exam import family_seed, review_exam
    from dltutor.practice.families import get_family

    fams = [get_family("conv-same-padding"), get_family("perceptron-epoch")]
    exam = review_exam(fams, seed=5)
    assert [q.problem.family.id for q in exam.questions] == ["conv-same-padding", "perceptron-epoch"]
    assert [q.problem.id for q in exam.questions] == [q.problem.id for q in review_exam(fams, seed=5).questions]
    assert family_seed(5, "conv-same-padding") != family_seed(5, "perceptron-epoch")
    assert family_seed(5, "conv-same-padding") != family_seed(6, "conv-same-padding")
    assert exam.topics == ["cnn", "learning"] and exam.title.startswith("Review")
    with pytest.raises(InputError, match="--count 0"):
        review_exam([], seed=1)


def test_attempts_are_the_answered_questions():
    from dltutor.practice.exam import exam_attempts

    exam = build_exam(["cnn"], count=3, seed=7)
    first = exam.questions[0].problem
    for part in first.parts:
        exam.answer(0, part.name, answer_text(part.expected, part.spec.form))
    exam.spend(0, 30.0)
    exam.spend(0, 12.5)
    exam.answer(2, exam.questions[2].problem.parts[0].name, "1")
    (a, c) = exam_attempts(exam, exam.grade())
    assert (a.problem_id, a.family, a.topic, a.source) == (first.id, first.family.id, "cnn", "exam")
    assert (a.marks, a.max_marks, a.seconds, a.hints_used) == (first.marks, first.marks, 42.5, 0)
    assert c.problem_id == exam.questions[2].problem.id and c.seconds == 0.0


def test_exams_and_sheets_share_the_family_choice():
    """One family per topic in turn; a family repeats only once every family was used."""
    from dltutor.practice.families import load_families
    from dltutor.render.sheet import build_sheet

    cnn = {f.id for f in load_families().values() if f.topic == "cnn"}
    exam = build_exam(["cnn"], count=len(cnn) + 1, seed=2)
    drawn = [q.problem.family.id for q in exam.questions]
    assert set(drawn[:-1]) == cnn and drawn[-1] in cnn
    sheet = build_sheet(["cnn", "params"], count=len(cnn) + 2, seed=2)
    assert {p.family.topic for p in sheet.problems} == {"cnn", "params"}
    assert len({p.family.id for p in sheet.problems}) == len(sheet.problems)   # enough families: no repeat
