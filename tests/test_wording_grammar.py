"""Grammar of generated text: "an 11x11 input", "1 problem, 1 mark"."""

from __future__ import annotations

import re

import pytest

from dltutor.practice.families import generate, get_family, load_families
from dltutor.render.sheet import Sheet
from dltutor.render.sheets import render_sheet

# sizes read with a vowel sound: eight, eleven, eighteen, eighty-..., eight hundred ...
VOWEL_SOUND = re.compile(r"^(8\d*|11|18)$")


@pytest.mark.parametrize("name", ["conv-output-size", "conv-same-padding", "separable-cost"])
@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_the_article_before_a_size_agrees_with_how_it_is_read(name, difficulty):
    for seed in range(40):
        prompt = generate(get_family(name), seed, difficulty).prompt
        for article, size in re.findall(r"\b([Aa]n?) (\d+)x\d", prompt):
            expected = "an" if VOWEL_SOUND.match(size) else "a"
            assert article.lower() == expected, f"{name}@{seed}: '{article} {size}x…'"


def _one_mark_problem():
    for family in load_families().values():
        problem = generate(family, 0)
        if problem.marks == 1:
            return problem
    pytest.skip("no family of one mark")


@pytest.mark.parametrize("fmt", ["md", "html", "tex"])
def test_a_sheet_of_one_problem_of_one_mark_says_so_in_the_singular(fmt):
    sheet = Sheet([_one_mark_problem()], 0, [], "medium")
    text = render_sheet(sheet, fmt)
    assert re.search(r"1 problem\W+1 mark\b", text), text[:400]
    assert "1 problems" not in text and "1 marks" not in text
