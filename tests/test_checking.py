"""Answer checking: forms, tolerance, misconceptions, carried-forward tables, help."""

from __future__ import annotations

import pytest

from dltutor.practice.checking import Attempt, check_answers, check_part, parse_answer, read_answer
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


# ---------------------------------------------------------------- every valid spelling, refused at entry otherwise

@pytest.mark.parametrize("text, form, value", [
    ("z = −1.4", "number", -1.4), ("−0.5", "number", -0.5), ("θ = 1.5", "number", 1.5),
    ("(0.1, −0.2)", "vector", [0.1, -0.2]), ("[1, 2]", "vector", [1.0, 2.0]), ("1, 2,", "vector", [1.0, 2.0]),
    ("(1,2,)", "vector", [1.0, 2.0]), ("δ_h = (0.1, 0.2)", "vector", [0.1, 0.2]), (" 1 ,  2 ", "vector", [1.0, 2.0]),
    ("[[1,2],[3,4]]", "matrix", [[1, 2], [3, 4]]), ("W1 = [[1, 2], [3, 4]]", "matrix", [[1, 2], [3, 4]]),
    ("(1, 2); (3, 4)", "matrix", [[1, 2], [3, 4]]), ("[1,2;3,4]", "matrix", [[1, 2], [3, 4]]),
    ("1 2\n3 4", "matrix", [[1, 2], [3, 4]]), ("24 x 24 x 6", "shape", [24, 24, 6]),
    ("(24, 24, 6)", "shape", [24, 24, 6]), ("out = 13", "integer", 13), ("Yes", "boolean", True),
])
def test_every_valid_spelling_is_read(text, form, value):
    got = read_answer(text, form)
    assert got == value if form != "number" else got == pytest.approx(value)


@pytest.mark.parametrize("text, fragment", [
    ("1,,2", "empty entry"), ("abc", "not a number"), ("1,2,3", "needs 2"), ("w =", "no value after"),
])
def test_unreadable_answer_is_refused_at_entry_with_one_line(text, fragment):
    problem = generate(get_family("sgd-momentum-step"), 1, "easy")
    part = problem.part("w1")
    with pytest.raises(InputError) as info:
        parse_answer(text, part)
    message = str(info.value)
    assert fragment in message and "\n" not in message and part.label in message
    assert parse_answer("", part) is None
    assert parse_answer("(1, −2)", part) == [1.0, -2.0]


# ---------------------------------------------------------------- the faults the audit found, by example

def test_perceptron_bipolar_rows_use_sign_output():
    # perceptron-epoch seed 15, hard: ±1 labels; a misclassified +1 sample moves w by lr·2·x.
    # By hand from the prompt: w = (0, -0.75), b = -0.75, lr = 1; sample (-2, 1):+1 gives
    # z = -1.5, y = -1, so w = (0, -0.75) + 2·(-2, 1) = (-4, 1.25), b = 1.25; then (-2, 0):-1 gives
    # z = 9.25, y = +1: w = (0, 1.25), b = -0.75; (1, -2):+1 gives z = -3.25: w = (2, -2.75),
    # b = 1.25; (2, 1):-1 gives z = 2.5: w = (-2, -4.75), b = -0.75.
    problem = generate(get_family("perceptron-epoch"), 15, "hard")
    part = problem.parts[0]
    assert problem.names["w"] == [0, -0.75] and problem.names["b"] == -0.75 and problem.names["lr"] == 1
    assert problem.names["P"][0] == [-2, 1] and problem.names["t"][0] == 1
    assert part.expected[0] == [-1.0, -4.0, 1.25, 1.25] and part.expected[-1][1:] == [-2.0, -4.75, -0.75]
    result = check_part(problem, part, answer_text(part.expected, "table"))
    assert result.correct and result.marks == part.spec.marks and result.misconception is None


@pytest.mark.parametrize("seed", range(6))
def test_mp_threshold_accepts_any_threshold_that_works(seed):
    # an AND or OR of excitatory inputs: θ works iff every firing sum ≥ θ > every silent sum,
    # worked out here from the truth table (not from the family's own range)
    import itertools

    problem = generate(get_family("mp-threshold"), seed, "easy")
    names = problem.names
    weights = names.get("weights", [1] * names["n"])
    assert names["gate"] in ("AND", "OR") and all(w > 0 for w in weights)
    sums = {x: sum(w * xi for w, xi in zip(weights, x)) for x in itertools.product([0, 1], repeat=len(weights))}
    fires = {x: all(x) if names["gate"] == "AND" else any(x) for x in sums}
    silent = max(s for x, s in sums.items() if not fires[x])
    firing = min(s for x, s in sums.items() if fires[x])
    part = problem.parts[0]
    for theta, right in ((firing, True), ((silent + firing) / 2, True), (silent + 1e-3, True),
                         (silent, False), (firing + 0.01, False), (silent - 1, False)):
        assert check_part(problem, part, repr(theta)).correct == right, (problem.id, theta)


def test_leaving_the_weights_unchanged_scores_nothing():
    problem = generate(get_family("backprop-hidden-weights"), 5, "medium")
    part = problem.part("w1")
    result = check_part(problem, part, answer_text(part.start, "matrix"))
    assert not result.correct and result.marks == 0 and "before the update" in result.message


def test_plain_sgd_is_not_adam_at_a_small_learning_rate():
    problem = generate(get_family("adam-step"), 122, "hard")
    assert problem.names["lr"] == 0.001
    sgd = next(m for m in problem.misconceptions if m.id == "plain-sgd")
    for name in ("w1", "w2"):
        result = check_part(problem, problem.part(name), answer_text(sgd.values[name], "vector"))
        assert not result.correct and "plain-sgd" in result.misconceptions


def test_matrix_is_marked_cell_by_cell():
    problem = generate(get_family("conv2d-by-hand"), 4, "medium")
    part = problem.parts[0]
    given = [list(map(float, row)) for row in part.expected]
    given[0][1] += 5
    result = check_part(problem, part, answer_text(given, "matrix"))
    cells = len(given) * len(given[0])
    assert not result.correct and result.first_wrong == "row 1, column 2"
    assert result.marks == pytest.approx(part.spec.marks * (cells - 1) / cells, abs=1e-4)


def test_every_slip_that_gives_the_answer_is_named():
    # conv-output-size seed 0, hard: 8 is right; forgetting the padding, padding one side only and
    # forgetting the +1 all give 7
    problem = generate(get_family("conv-output-size"), 0, "hard")
    assert problem.parts[0].expected == 8
    result = check_answers(problem, {"out": "7"})[0]
    assert set(result.misconceptions) == {"forgot-padding", "padding-one-side", "forgot-plus-one"}
    assert all(m.feedback in result.feedback for m in problem.misconceptions if m.id in result.misconceptions)
    right = check_answers(problem, {"out": "8"})[0]
    assert right.correct and right.misconception is None and right.misconceptions == []


def test_a_wrong_vector_names_its_first_wrong_entry():
    problem = generate(get_family("softmax-values"), 1, "easy")
    part = problem.parts[0]
    given = list(part.expected)
    given[1] += 0.1
    result = check_part(problem, part, answer_text(given, "vector"))
    assert not result.correct and result.first_wrong == "entry 2" and "1 of 3 entries wrong" in result.message
    short = check_part(problem, part, answer_text(given[:2], "vector"))
    assert not short.correct and "2 numbers" in short.message
