"""The exam and practice sessions every face uses: what is saved when, and what counts."""

from __future__ import annotations

import pytest

from dltutor.errors import InputError
from dltutor.practice.exam import build_exam
from dltutor.practice.families import generate, get_family
from dltutor.practice.session import ExamSession, Locked, PracticeSession, StoreRecorder
from dltutor.practice.stress import answer_text
from tests.conftest import FakeClock


def right(problem, part):
    return answer_text(part.expected, part.spec.form)


def rows(store):
    return [dict(r) for r in store.attempts()]


def test_each_part_is_saved_the_moment_it_is_typed_and_an_erased_question_is_dropped(store):
    exam = build_exam(["cnn"], 2, seed=4)
    session = ExamSession(exam, StoreRecorder(store, exam))
    first = exam.questions[0].problem
    part = first.parts[0]
    session.answer(0, part.name, right(first, part))
    saved = rows(store)
    assert len(saved) == 1 and saved[0]["problem_id"] == first.id and saved[0]["exam_id"] is not None
    session.answer(0, part.name, "")            # erased: no longer an attempt
    assert rows(store) == []
    session.answer(0, part.name, right(first, part))
    result = session.finish("time is up")       # typed, never handed in: it counts
    assert result.questions[0].marks == pytest.approx(sum(p.spec.marks for p in first.parts[:1]))
    stored = rows(store)
    assert [r["problem_id"] for r in stored] == [first.id]   # the unanswered question is not an attempt
    assert store.exams()[0]["marks"] == result.marks
    assert session.finish("submitted") is result             # graded once
    assert len(rows(store)) == 1


def test_the_time_limit_is_the_sessions_clock():
    clock = FakeClock(100.0)
    session = ExamSession(build_exam(["params"], 1, seed=1, minutes=2), clock=clock)
    assert session.time_left() == 120 and not session.time_up()
    clock.now += 119.5
    assert session.time_left() == pytest.approx(0.5) and not session.time_up()
    clock.now += 1
    assert session.time_left() == 0 and session.time_up()
    assert ExamSession(build_exam(["params"], 1, seed=1)).time_left() is None


def test_tell_me_as_i_go_keeps_the_first_checked_answer(store):
    exam = build_exam(["cnn"], 1, seed=9, show_correct=True)
    session = ExamSession(exam, StoreRecorder(store, exam))
    problem = exam.questions[0].problem
    with pytest.raises(InputError, match="no answer"):
        session.check(0)
    session.answers(0, {p.name: "0" for p in problem.parts})
    verdict = session.check(0)
    assert not all(r.correct for r in verdict)
    with pytest.raises(Locked, match="first checked answer"):
        session.answer(0, problem.parts[0].name, right(problem, problem.parts[0]))
    assert session.check(0) is verdict
    result = session.finish()
    assert result.questions[0].marks == sum(r.marks for r in verdict) < problem.marks
    assert rows(store)[0]["marks"] == result.questions[0].marks


def test_check_needs_tell_me_as_i_go():
    session = ExamSession(build_exam(["cnn"], 1, seed=9))
    with pytest.raises(InputError, match="not set"):
        session.check(0)


def test_practice_records_the_first_check_with_the_hints_taken_before_it(store):
    problem = generate(get_family("conv-output-size"), 42, "easy")
    session = PracticeSession(problem, store)
    session.hint()
    wrong = session.check({p.name: "1" for p in problem.parts})
    assert wrong.recorded and not wrong.right and wrong.marks == 0
    session.hint()                                   # after the first check: not counted
    again = session.check({p.name: right(problem, p) for p in problem.parts})
    assert again.right and not again.recorded and again.marks == 0     # the recorded marks stay
    assert "0/" in session.score_text() and "practice" in session.score_text()
    stored = rows(store)
    assert len(stored) == 1 and stored[0]["marks"] == 0 and stored[0]["hints_used"] == 1
