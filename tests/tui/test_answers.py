"""The right answer the TUI shows (worked solution, exam review) is one the checker accepts when typed."""

import pytest

from dltutor.practice.checking import check_part
from dltutor.practice.families import generate, load_families
from dltutor.tui.widgets.answers import expected_text, marks_text

FAMILIES = sorted(load_families())


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("difficulty", ["medium", "hard"])
def test_shown_answer_is_accepted(family, difficulty):
    """Seeds 0-11 include updates so small that 6 significant figures of the new value are not
    enough (adam-step@1:5:medium): the answer shown then has as many more as the checker needs."""
    families = load_families()
    for seed in range(12):
        problem = generate(families[family], seed, difficulty)
        for part in problem.parts:
            shown = expected_text(part, 6, problem)
            assert check_part(problem, part, shown).correct, (problem.id, part.name, shown)


@pytest.mark.parametrize("marks, text", [(1, "1 mark"), (2, "2 marks"), (0.5, "0.5 marks"), (0, "0 marks")])
def test_marks_text(marks, text):
    assert marks_text(marks) == text
