"""What a student reads in practice and in the exam: the plain exam shows each problem as
``generate`` does, a typical slip is its feedback as mathematics without the program's id, a
sign error is named, row 1 of a table follows from the given starting values, sizes are
written with × and computed values with a true minus sign (what the student typed stays as
typed), and a misspelt topic gets a suggestion.

Expected values are the drawn problems' own keys (read from the problem, never recomputed
here); the wording is what the faces promise."""

from __future__ import annotations

import dataclasses
import re

import pytest

from conftest import run_cli, run_process
from dltutor.practice.checking import check_part, sign_flipped
from dltutor.practice.families import generate, get_family, problem_from_id
from dltutor.render.wording import message_text, slip_text

GRU = "gru-step@4:795275:medium"
ATTENTION = "attention-weights@2:438836:medium"
EXAM = ("exam", "--plain", "--topics", "rnn", "--count", "4", "--seed", "21", "--no-record")


def _prompt(generated: str) -> str:
    """The prompt in ``generate --no-solution`` output: after the title, before the parts."""
    body = generated.split("\n\n", 1)[1]
    return body[: body.index("\n\n  (a) ")]


def _table(rows: list[list[float]]) -> str:
    return "\n".join(", ".join(repr(float(c)) for c in row) for row in rows)


@pytest.fixture(scope="module")
def exam_out() -> str:
    result = run_process(*EXAM, input="skip\nskip\nskip\nsubmit\n")
    assert result.code == 0, result.err
    return result.out


def test_plain_exam_shows_each_prompt_as_generate_does(exam_out):
    questions = exam_out.split("Exam over")[0]
    ids = re.findall(r"^Question \d+ of 4 .*?  (\S+@\S+)", questions, re.M)
    assert GRU in ids and len(ids) == 4
    for pid in ids:
        generated = run_cli("generate", pid, "--no-solution")
        assert generated.code == 0
        assert _prompt(generated.out) in questions, pid
    assert "[hₜ₋₁, xₜ]" in questions and "W_z = (−0.9, −1)" in questions and "h₀ = 1" in questions
    for ascii_text in ("h_(t-1)", "(-0.9, -1)", "h_0 = 1", "√d_k"):
        assert ascii_text not in questions
    assert "row 1 (z, r, h̃, h)> " in questions and "h_tilde" not in questions


def test_plain_exam_review_shows_the_answers_as_generate_does(exam_out):
    generated = run_cli("generate", GRU).out
    answers = generated[generated.index("\nAnswers\n") + len("\nAnswers\n"):]
    head, table = answers.split("\n", 1)
    assert head == "  (a) one row per time step: "
    review = exam_out.split("Exam over")[1]
    assert "      answer (a) one row per time step: \n" + table.rstrip("\n") in review


def test_a_slip_is_its_feedback_as_mathematics_without_its_id():
    out = run_cli("generate", ATTENTION, "--check", "-4, 1, 0", "--no-solution", "--no-record").out
    assert "typical slip: The dot products are divided by √dₖ before the softmax." in out
    assert "not-scaled" not in out and "d_k" not in out

    problem = problem_from_id(GRU)
    part = problem.parts[0]
    slip = next(m for m in problem.misconceptions if m.id == "swapped-update-gate")
    result = check_part(problem, part, _table(slip.values[part.name]))
    assert result.misconception == "swapped-update-gate"           # the id stays in the data
    shown = slip_text(result)
    assert "hₜ = z·hₜ₋₁" in shown and "h_(t-1)" not in shown and "h_t" not in shown


def test_the_tui_shows_the_slip_as_the_terminal_does():
    pytest.importorskip("textual")
    from dltutor.tui.widgets.answers import verdict_lines

    problem = problem_from_id(ATTENTION)
    result = check_part(problem, problem.parts[0], "-4, 1, 0")
    _, details = verdict_lines(result)
    text = "\n".join(d.plain for d in details)
    assert "Typical slip: The dot products are divided by √dₖ before the softmax." in text
    assert "not-scaled" not in text


def test_the_lms_export_gives_the_slip_as_mathematics():
    from dltutor.render.lms import cells

    problem = problem_from_id(ATTENTION)
    feedback = [fb for _, part_cells in cells(problem) for cell in part_cells for _, fb in cell.wrong]
    assert feedback and all("√dₖ" in fb and "d_k" not in fb for fb in feedback)


def test_a_sign_error_is_named():
    problem = problem_from_id(ATTENTION)
    scores = problem.parts[0]
    flipped = ", ".join(repr(-v) for v in scores.expected)
    result = check_part(problem, scores, flipped)
    assert not result.correct and result.message.startswith("every value has the wrong sign")
    assert "sign convention" in result.message
    # one entry of the right sign: not a sign error, the entry is named as before
    partly = ", ".join(repr(v if k == 1 else -v) for k, v in enumerate(scores.expected))
    assert "sign" not in check_part(problem, scores, partly).message

    size = generate(get_family("conv-output-size"), 3, "medium")
    part = size.parts[0]
    result = check_part(size, part, str(-part.expected))
    assert result.message.startswith("the sign is wrong")


def test_no_sign_error_when_the_answer_is_about_zero():
    problem = problem_from_id(ATTENTION)
    zero = dataclasses.replace(problem.parts[0], expected=[0.0, 0.0, 0.0])
    assert not sign_flipped([0.0, 0.0, 0.0], zero.expected, zero)
    assert sign_flipped([1.0, -2.0, 0.0], [-1.0, 2.0, 0.0], problem.parts[0].spec)


def test_a_table_row_with_every_sign_wrong_is_named():
    problem = problem_from_id(GRU)
    part = problem.parts[0]
    rows = [[-c for c in part.expected[0]], part.expected[1]]
    result = check_part(problem, part, _table(rows))
    assert result.first_wrong == "row 1" and "every value has the wrong sign" in result.message


def test_row_one_follows_from_the_given_starting_values():
    problem = problem_from_id(GRU)
    part = problem.parts[0]
    first = list(part.expected[0])
    first[2] = -0.473                                              # h̃ of row 1
    result = check_part(problem, part, _table([first, part.expected[1]]))
    assert result.first_wrong == "row 1, h_tilde"
    assert "previous row" not in result.message and "from the given starting values" in result.message
    shown = message_text(result)
    assert shown == "row 1, h̃: -0.473 is wrong; from the given starting values it is −0.675034"

    second = list(part.expected[1])
    second[3] = 0.5
    result = check_part(problem, part, _table([part.expected[0], second]))
    assert result.first_wrong == "row 2, h" and "from your previous row it is −0.139539" in message_text(result)


def test_the_terminal_prints_the_message_as_mathematics():
    problem = problem_from_id(GRU)
    part = problem.parts[0]
    first = list(part.expected[0])
    first[2] = -0.473
    text = "; ".join(", ".join(repr(float(c)) for c in row) for row in [first, part.expected[1]])
    out = run_cli("generate", GRU, "--check", text, "--no-solution", "--no-record").out
    assert "row 1, h̃: -0.473 is wrong; from the given starting values it is −0.675034" in out


def test_a_matrix_of_the_wrong_size_is_written_with_times():
    problem = generate(get_family("pool-by-hand"), 1, "medium")
    result = check_part(problem, problem.parts[0], "1, 2; 3, 4")
    assert "2×2" in result.message and "3×3" in result.message and "(rows × columns)" in result.message
    assert "2x2" not in result.message


@pytest.mark.parametrize("command", [("sheet",), ("exam", "--plain"), ("export", "--format", "moodle")])
def test_a_misspelt_topic_gets_a_suggestion(command):
    result = run_cli(*command, "--topics", "backprp")
    assert result.code == 2 and result.out == ""
    line = result.err.strip()
    assert "\n" not in line and "'backprp' is not a topic; did you mean 'backprop'?" in line


def test_the_current_answer_is_shown_as_typed():
    result = run_process(*EXAM, input="C\nback\nsubmit\n")
    assert result.code == 0, result.err
    assert "current answer: C (empty line keeps it)" in result.out and "'C'" not in result.out


def test_reading_an_answer_counts_in_the_right_number():
    from dltutor.errors import InputError
    from dltutor.practice.reading import parse_answer

    gru = problem_from_id(GRU).parts[0]
    with pytest.raises(InputError, match=r"row 1 has 1 cell; each row needs 4"):
        parse_answer("0.5", gru)
    scores = problem_from_id(ATTENTION).parts[0]
    with pytest.raises(InputError, match=r"answer has 1 number; scaled scores needs 3"):
        parse_answer("0.5", scores)
