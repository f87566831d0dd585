"""Properties of grading over random family × seed × difficulty (hypothesis).

For any drawn problem: the right answer written to the precision the prompt states gets full
marks and names no slip; the starting value of an update and every slip's answer never score
as right; the answer spelled as students write it (brackets, a true minus sign, 'name =',
a trailing comma, spaces) reads the same as the plain spelling.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dltutor.practice.checking import check_part, parse_answer
from dltutor.practice.families import DIFFICULTIES, generate, load_families
from dltutor.practice.stress import answer_text

FAMILIES = sorted(load_families())
draws = st.tuples(st.sampled_from(FAMILIES), st.integers(0, 10**6), st.sampled_from(DIFFICULTIES))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def draw(case):
    name, seed, difficulty = case
    return generate(load_families()[name], seed, difficulty)


def written_to_precision(part):
    """The key as a student writes it to the stated precision (worked out here, not by the checker)."""
    spec, value = part.spec, np.asarray(part.expected, dtype=float)
    if spec.decimals is not None:
        return np.round(value, spec.decimals)
    base = np.asarray(part.start, dtype=float) if part.start is not None else 0.0
    change = value - base
    mag = np.floor(np.log10(np.where(np.abs(change) > 0, np.abs(change), 1.0)))
    unit = 10.0 ** (mag - spec.sig + 1)
    return base + np.round(change / unit) * unit


@SETTINGS
@given(draws)
def test_right_answer_to_the_stated_precision_gets_full_marks(case):
    problem = draw(case)
    for part in problem.parts:
        if part.spec.exact or part.spec.table is not None or part.interval is not None:
            text = answer_text(part.expected, part.spec.form)
        else:
            text = answer_text(written_to_precision(part).tolist(), part.spec.form)
        result = check_part(problem, part, text)
        assert result.correct and result.marks == part.spec.marks, (problem.id, part.name, text)
        assert result.misconception is None and not result.misconceptions


@SETTINGS
@given(draws)
def test_starting_values_and_slips_never_score_as_right(case):
    problem = draw(case)
    for part in problem.parts:
        if part.start is not None:
            got = check_part(problem, part, answer_text(part.start, part.spec.form))
            assert not got.correct and got.marks == 0, (problem.id, part.name)
        for mis in problem.misconceptions:
            if part.name in mis.values:
                got = check_part(problem, part, answer_text(mis.values[part.name], part.spec.form))
                assert not got.correct and got.marks < part.spec.marks, (problem.id, part.name, mis.id)
                assert mis.id in got.misconceptions, (problem.id, part.name, mis.id)


def spelled_like_a_student(value, form: str, name: str) -> str:
    text = answer_text(value, form).replace("-", "\u2212")
    if form == "vector":
        return f"{name} = ({text.replace(',', ', ')},)"
    if form == "matrix":
        return f"{name} = [" + ", ".join(f"[{row}]" for row in text.split(";")) + "]"
    if form == "shape":
        return "(" + text.replace("x", ", ") + ")"
    return f"{name} = {text}"


@SETTINGS
@given(draws)
def test_every_spelling_of_the_right_answer_is_right(case):
    problem = draw(case)
    for part in problem.parts:
        if part.spec.table is not None or part.spec.form == "boolean":
            continue
        text = spelled_like_a_student(part.expected, part.spec.form, "ans")
        assert parse_answer(text, part) is not None
        assert check_part(problem, part, text).correct, (problem.id, part.name, text)


@SETTINGS
@given(draws, st.floats(0.001, 0.999))
def test_any_value_in_a_range_of_right_answers_is_right(case, where):
    problem = draw(case)
    for part in problem.parts:
        if part.interval is None:
            continue
        lo, lo_open, hi, hi_open = part.interval
        inside = lo + where * (hi - lo)
        assert check_part(problem, part, repr(inside)).correct, (problem.id, inside)
        if lo_open:
            assert not check_part(problem, part, repr(lo)).correct, (problem.id, lo)
