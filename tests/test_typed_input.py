"""Input as people type it: tuples in parentheses, a Unicode minus, spaces after commas,
and suggestions for near misses (a kind, a choice)."""

from __future__ import annotations

import pytest

from conftest import assert_bad_input, run_cli
from dltutor import values


@pytest.mark.parametrize("text, expected", [
    ("(1,2,3)", [1.0, 2.0, 3.0]),
    ("(1, 2, 3)", [1.0, 2.0, 3.0]),
    ("1, 2, \u22123", [1.0, 2.0, -3.0]),          # U+2212, the minus of printed problems
    ("(\u22120.5, 2)", [-0.5, 2.0]),
    ("[1, \u20132]", [1.0, -2.0]),                 # an en dash pasted from a word processor
])
def test_vectors_in_printed_notation(text, expected):
    assert values.parse_vector(text, "--x").tolist() == expected


@pytest.mark.parametrize("text, expected", [
    ("((1,2),(3,4))", [[1.0, 2.0], [3.0, 4.0]]),
    ("(1, 2), (3, \u22124)", [[1.0, 2.0], [3.0, -4.0]]),
    ("1, 2; 3, 4", [[1.0, 2.0], [3.0, 4.0]]),
])
def test_matrices_in_printed_notation(text, expected):
    assert values.parse_matrix(text, "--w").tolist() == expected


def test_a_unicode_minus_is_a_number_everywhere():
    assert values.parse_number("\u22121/3", "--b") == pytest.approx(-1 / 3)
    result = run_cli("solve", "neuron", "--x", "(1, 2, 3)", "--w", "0.5, \u22121, 0.8", "--b", "\u22120.2",
                     "--json")
    assert result.code == 0, result.err
    assert result.json()["answer"]["z"] == pytest.approx(0.5 - 2 + 2.4 - 0.2)


@pytest.mark.parametrize("args, fragments", [
    (["conv-outptu", "--input", "28"], ["unknown kind 'conv-outptu'", "did you mean 'conv-output'?"]),
    (["regresion-metrics"], ["did you mean 'regression-metrics'?"]),
    (["neuron", "--x", "1", "--w", "1", "--activation", "sigmod"], ["'sigmod' is not one of",
                                                                      "did you mean 'sigmoid'?"]),
    (["neuron", "--x", "(1,2", "--w", "1"], ["--x '(1'"]),
    (["neuron", "--x", "((1,2)", "--w", "1"], ["--x"]),
])
def test_near_misses_are_named_with_a_suggestion(args, fragments):
    assert_bad_input(run_cli("solve", *args), *fragments)
