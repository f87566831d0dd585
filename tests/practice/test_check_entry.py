"""``dltutor generate --check``: an answer that cannot be read is refused at entry (exit 2, one
line naming the part and why), never scored 0; every spelling a student uses is checked."""

from __future__ import annotations

import pytest

from conftest import run_cli


@pytest.mark.parametrize("answer, fragment", [
    ("(1, −2, 3)", "--check (a): answer has 3 numbers; w after step 1 needs 2"),
    ("abc", "--check (a):"),
])
def test_unreadable_check_exits_2_with_one_line(answer, fragment):
    result = run_cli("generate", "adam-step", "--seed", "3", "--check", answer, "--no-record", "--no-solution")
    assert result.code == 2 and fragment in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_students_spelling_is_checked_not_refused():
    result = run_cli("generate", "adam-step", "--seed", "3", "--check", "w = (1, −2,)", "--no-record", "--no-solution")
    assert result.code == 0 and "w after step 1: wrong, 0/1" in result.out
