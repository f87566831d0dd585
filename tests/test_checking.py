"""Answer checking: forms, tolerance, misconceptions, carried-forward tables, help."""

from __future__ import annotations

import pytest

from dltutor.practice.checking import Attempt, check_answers, check_part, read_answer
from dltutor.errors import InputError
from dltutor.practice.families import generate, get_family
from dltutor.practice.stress import answer_text


@pytest.mark.parametrize("text, form, value", [
    ("24", "integer", 24), ("1/3", "fraction", 1 / 3), ("0.5", "number", 0.5), ("yes", "boolean", True),
    ("24x24x6", "shape", [24, 24, 6]), ("(None, 24, 24, 6)", "shape", [24, 24, 6]),
    ("1,2", "vector", [1.0, 2.0]), ("1,2;3,4", "matrix", [[1.0, 2.0], [3.0, 4.0]]),
])
def test_read_answer(text, form, value):
    got = read_answer(text, form)
    assert got == value or got == pytest.approx(value)


def test_unreadable_answer_is_a_message_not_an_error():
    problem = generate(get_family("conv-output-size"), 1, "easy")
    result = check_part(problem, problem.parts[0], "abc")
    assert not result.correct and "could not read" in result.message
    with pytest.raises(InputError):
        read_answer("2.5", "integer")


def test_misconception_named():
    # conv-output-size@1:3:medium: 15x15 input, 5x5 kernel, stride 1, padding 1 -> 13 (by hand)
    problem = generate(get_family("conv-output-size"), 3, "medium")
    assert problem.parts[0].expected == 13
    result = check_answers(problem, {"out": "11"})[0]
    assert result.misconception == "forgot-padding" and "padding" in result.feedback


def test_table_carries_the_students_slip_forward():
    problem = generate(get_family("lms-online"), 5, "easy")
    part = problem.parts[0]
    rows = [list(r) for r in part.expected]
    # a slip in row 1's bias; the later rows recomputed from it would differ from the key
    rows[0][-1] += 0.5
    from dltutor.practice.families import flatten_row, next_state, table_row, unflatten_row, initial_state
    state = next_state(part.spec, problem.names, initial_state(part.spec, problem.names),
                       unflatten_row(rows[0], part))
    for i in range(1, len(rows)):
        rows[i] = flatten_row(table_row(problem.family, part.spec, problem.names, i, state))
        state = next_state(part.spec, problem.names, state, unflatten_row(rows[i], part))
    result = check_part(problem, part, answer_text(rows, "table"))
    assert result.rows_correct == [False, True, True, True]
    assert result.first_wrong == "row 1, b" and result.marks == pytest.approx(3.0)


def test_table_misconception_forgot_bias():
    problem = generate(get_family("perceptron-epoch"), 1, "hard")
    mis = next(m for m in problem.misconceptions if m.id == "forgot-bias-update")
    result = check_part(problem, problem.parts[0], answer_text(mis.values["epoch"], "table"))
    assert result.misconception == "forgot-bias-update"


def test_help_is_progressive_and_recorded():
    problem = generate(get_family("conv-output-size"), 3, "medium")
    attempt = Attempt(problem)
    levels = [attempt.help().level for _ in range(len(problem.family.hints) + len(problem.solution.steps) + 1)]
    assert levels == ["hint"] * len(problem.family.hints) + ["step"] * len(problem.solution.steps) + ["solution"]
    assert attempt.help_used[0] == "hint 1" and attempt.help_used[-1] == "solution"
    attempt.check({"out": "13"})
    assert attempt.marks == 2 and attempt.to_dict()["help_used"]
