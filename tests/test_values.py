"""The value grammar of CLI.md ("Value syntax"): examples of every form, properties, caps, safety.

Expected values are the literal meaning of the CLI.md examples; the properties
(never another exception, round trip through ``format_number``) need no oracle.
"""

from __future__ import annotations

import json
import math
import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_bad_input, run_cli
from dltutor import modelspec, values
from dltutor.errors import InputError
from dltutor.solution import Solution
from dltutor.solvers.formula_input import parse_formula

parse_formula("x")   # import sympy once, so that timings below measure parsing only


# ------------------------------------------------------------ every form of CLI.md

@pytest.mark.parametrize("text,expected", [
    ("0.5", 0.5), ("-3", -3.0), ("1/3", 1 / 3), ("1e-3", 0.001), ("+2", 2.0), (" 7 ", 7.0), (".5", 0.5),
    ("-1/4", -0.25), ("1/-4", -0.25), ("2.5e2", 250.0), ("3/1.5", 2.0), ("1E3", 1000.0),
])
def test_scalars(text, expected):
    assert values.parse_number(text) == expected


def test_fraction_is_exact():
    assert values.parse_fraction("1/3") == Fraction(1, 3)
    assert values.parse_fraction("2/6") * 3 == 1
    assert values.parse_fraction("0.1") == Fraction(1, 10)


@pytest.mark.parametrize("text,expected", [
    ("1,2,3", [1, 2, 3]), ("1, 2, 3", [1, 2, 3]), ("1 2 3", [1, 2, 3]), ("[1,2,3]", [1, 2, 3]),
    ("-1,2", [-1, 2]), ("1/3,-0.5,1e-3", [1 / 3, -0.5, 0.001]), ("4", [4]),
])
def test_vectors(text, expected):
    arr = values.parse_vector(text)
    assert arr.shape == (len(expected),) and np.allclose(arr, expected, rtol=0, atol=0)


@pytest.mark.parametrize("text", ["1,2,3;4,5,6", "[[1,2,3],[4,5,6]]", " 1, 2, 3 ; 4, 5, 6 ", "1,2,3;4,5,6;",
                                  "[ [1, 2, 3], [4, 5, 6] ]", "1 2 3; 4 5 6"])
def test_matrices(text):
    assert values.parse_matrix(text).tolist() == [[1, 2, 3], [4, 5, 6]]


def test_single_row_matrix():
    assert values.parse_matrix("1,2,3").tolist() == [[1, 2, 3]]


@pytest.mark.parametrize("text", ["1,2;3,4 | 5,6;7,8", "1,2;3,4|5,6;7,8", "[[[1,2],[3,4]],[[5,6],[7,8]]]"])
def test_tensors(text):
    arr = values.parse_tensor(text)
    assert arr.shape == (2, 2, 2)                        # (channels, rows, cols)
    assert arr.tolist() == [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]


def test_matrix_is_one_channel_tensor():
    assert values.parse_tensor("1,2;3,4").shape == (1, 2, 2)


def test_dataset():
    data = values.parse_dataset("1,1:1; 1,-1:-1; -1,1:-1; -1,-1:-1")
    assert data.X.tolist() == [[1, 1], [1, -1], [-1, 1], [-1, -1]]
    assert data.y.tolist() == [1, -1, -1, -1]
    multi = values.parse_dataset("0,1:1,0; 1,0:0,1")
    assert multi.y.tolist() == [[1, 0], [0, 1]]


@pytest.mark.parametrize("text,expected", [
    ("28", values.Size(28, 28, True)), ("28x32", values.Size(28, 32, False)), ("28 x 32", values.Size(28, 32, False)),
    ("28X32", values.Size(28, 32, False)), ("28×32", values.Size(28, 32, False)),
])
def test_sizes(text, expected):
    assert values.parse_size(text) == expected


def test_shapes():
    assert values.parse_shape("32x32x3") == (32, 32, 3)
    assert values.parse_shape("32x32x3", dims=3) == (32, 32, 3)
    with pytest.raises(InputError, match="3 sizes"):
        values.parse_shape("32x32", dims=3)


def test_choice():
    assert values.parse_choice("Leaky-ReLU", ("relu", "leaky_relu")) == "leaky_relu"
    with pytest.raises(InputError, match="'gelu'"):
        values.parse_choice("gelu", ("relu", "tanh"))


# ------------------------------------------------------------ errors name the text

@pytest.mark.parametrize("parser,text,fragment", [
    (values.parse_vector, "1,abc,3", "'abc'"),
    (values.parse_vector, "1,,3", "empty entry"),
    (values.parse_vector, "1,2;3,4", "'1,2;3,4'"),
    (values.parse_vector, "", "empty"),
    (values.parse_matrix, "1,2;3", "row 2 has 1 value, row 1 has 2"),
    (values.parse_matrix, "1,2;;3,4", "row 2 is empty"),
    (values.parse_matrix, "1,2|3,4", "'|'"),
    (values.parse_matrix, "[[1,2],[3]]", "ragged"),
    (values.parse_matrix, "[[1,2],[3,4]", "expected ',' or ']'"),
    (values.parse_matrix, "[[1,2]] x", "after the closing"),
    (values.parse_matrix, "[]", "empty list"),
    (values.parse_matrix, "[[[[1]]]]", "nested too deeply"),
    (values.parse_tensor, "1,2;3,4 | 5,6", "channel 2 is 1x2"),
    (values.parse_dataset, "1,2:1; 3:0", "sample 2 has 1 feature, sample 1 has 2"),
    (values.parse_dataset, "1,2; 3,4:1", "needs exactly one ':'"),
    (values.parse_size, "28x", "'28x'"),
    (values.parse_size, "28x32x3", "height x width"),
    (values.parse_size, "-4", "at least 1, got -4"),
    (values.parse_size, "4.5", "whole number"),
    (values.parse_int, "2.5", "'2.5'"),
    (values.parse_number, "1/0", "'1/0' divides by zero"),
    (values.parse_number, "1/2/3", "'1/2/3'"),
    (values.parse_number, "nan", "'nan' is not a finite number"),
    (values.parse_number, "-inf", "'-inf' is not a finite number"),
    (values.parse_number, "Infinity", "not a finite number"),
    (values.parse_number, "1e13", "too large"),
    (values.parse_number, "1e99999999", "exponent"),
    (values.parse_number, "1" * 400, "300 digits"),
    (values.parse_number, "0x10", "'0x10'"),
    (values.parse_number, "1_000", "'1_000'"),
])
def test_errors_name_the_text(parser, text, fragment):
    with pytest.raises(InputError) as info:
        parser(text)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "+Infinity", "1/0", "0/0", "1,nan", "1,2;3,inf",
                                  "[1, nan]", "1e400", "1/0,1"])
def test_non_finite_rejected_everywhere(text):
    for parser in (values.parse_vector, values.parse_matrix, values.parse_tensor):
        with pytest.raises(InputError):
            parser(text)


# ------------------------------------------------------------ caps

def test_text_cap_names_the_limit():
    with pytest.raises(InputError, match="10,000 characters long; the limit is 8,000"):
        values.parse_vector("1" * 10_000)


@pytest.mark.parametrize("parser", [values.parse_vector, values.parse_matrix, values.parse_tensor])
def test_element_cap_names_the_limit(parser):
    text = ",".join(["1"] * 5000)                 # 9,999 characters: the text cap answers first
    with pytest.raises(InputError, match="limit"):
        parser(text)
    with pytest.raises(InputError, match="limit"):
        parser("[" + text + "]")


@pytest.mark.parametrize("parser,text", [
    (values.parse_vector, ",".join(["1"] * 5000)),
    (values.parse_vector, "[" + ",".join(["1"] * 5000) + "]"),
    (values.parse_matrix, ";".join([",".join(["1"] * 50)] * 100)),
    (values.parse_tensor, "|".join([";".join([",".join(["1"] * 25)] * 10)] * 20)),
    (values.parse_dataset, ";".join(["1,2,3,4,5:1"] * 1000)),
], ids=["vector", "vector-brackets", "matrix", "tensor", "dataset"])
def test_element_cap_with_a_larger_text_cap(monkeypatch, parser, text):
    # 5,000 numbers in a text that passes a raised text cap: the element cap answers
    monkeypatch.setattr(values, "MAX_TEXT", 100_000)
    with pytest.raises(InputError, match="numbers; the limit is 4,096"):
        parser(text)


def test_formula_cap():
    with pytest.raises(InputError, match="limit is 500"):
        parse_formula("x+" * 300 + "x")


# ------------------------------------------------------------ safety: nothing is evaluated

ALL_PARSERS = [values.parse_fraction, values.parse_number, values.parse_int, values.parse_vector, values.parse_matrix,
               values.parse_tensor, values.parse_dataset, values.parse_size, values.parse_shape,
               lambda t: values.parse_choice(t, ("relu", "tanh")), parse_formula, modelspec.resolve]


@pytest.mark.parametrize("text", ["__import__('os')", "__import__('os').system('echo hacked')",
                                  "open('/etc/passwd')", "exec('1')", "(1).__class__", "[x for x in ()]"])
@pytest.mark.parametrize("index", range(len(ALL_PARSERS)))
def test_python_is_never_evaluated(text, index):
    with pytest.raises(InputError):
        ALL_PARSERS[index](text)


@pytest.mark.parametrize("text,expected", [
    ("x**2 + 10*y**2", lambda x, y: x ** 2 + 10 * y ** 2),
    ("sigmoid(x)", lambda x, y: 1 / (1 + math.exp(-x))),
    ("exp(-x)*sin(y)", lambda x, y: math.exp(-x) * math.sin(y)),
    ("x^2 - y/3", lambda x, y: x ** 2 - y / 3),
    ("sqrt(x**2 + 1) + log(2) - cos(y) + tanh(x)",
     lambda x, y: math.sqrt(x * x + 1) + math.log(2) - math.cos(y) + math.tanh(x)),
    ("-(x - 1)**2", lambda x, y: -(x - 1) ** 2),
    ("1e-3*x + 0.5", lambda x, y: 0.001 * x + 0.5),
])
def test_formula_accepts(text, expected):
    import sympy

    expr = parse_formula(text)
    x, y = sympy.Symbol("x", real=True), sympy.Symbol("y", real=True)
    f = sympy.lambdify((x, y), expr, "math")
    for point in [(0.3, -1.2), (2.0, 0.5), (-1.5, 3.0)]:
        assert f(*point) == pytest.approx(expected(*point), rel=1e-12)


@pytest.mark.parametrize("text,fragment", [
    ("__import__('os')", "'__import__'"),
    ("x.real", "'x.real'"),
    ("x.__class__", "x.__class__"),
    ("(lambda: 1)()", "lambda"),
    ("lambda x: x", "lambda"),
    ("[x for x in y]", "[x for x in y]"),
    ("{x for x in y}", "{x for x in y}"),
    ("sum(x for x in y)", "sum"),
    ("exp(x=1)", "exp(x=1)"),
    ("sin(x, y)", "exactly one argument"),
    ("w + x", "'w'"),
    ("foo(x)", "'foo'"),
    ("x if y else z", "x if y else z"),
    ("x < y", "x < y"),
    ("x[0]", "x[0]"),
    ("'abc'", "'abc'"),
    ("True*x", "True"),
    ("1j*x", "1j"),
    ("x; y", "not an arithmetic expression"),
    ("2x", "not an arithmetic expression"),
    ("x/0", "divides by zero"),
    ("x/(y - y)", "divides by zero"),
    ("log(0)*x", "not a real, finite"),
    ("x + sqrt(-1)", "not a real, finite"),
    ("x**(10**9)", "too large"),
    ("((9**99)**99)**99", "too large"),
    ("1e999*x", "out of range"),
    ("", "not an arithmetic expression"),
    ("x\x00", "not an arithmetic expression"),
])
def test_formula_rejects(text, fragment):
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        parse_formula(text)
    assert fragment in str(info.value)
    assert time.perf_counter() - start < 2


def test_formula_variables_are_configurable():
    assert str(parse_formula("a*b", variables=("a", "b"))) == "a*b"
    with pytest.raises(InputError, match="'x'"):
        parse_formula("x", variables=("a",))


# ------------------------------------------------------------ properties

PARSE_ANY = [values.parse_number, values.parse_int, values.parse_vector, values.parse_matrix, values.parse_tensor,
             values.parse_dataset, values.parse_size, values.parse_shape, parse_formula]
GRAMMAR_TEXT = st.lists(st.sampled_from(list("0123456789.,;:|[]()-+eExX/ *^xyz_'\"\n\t")
                                        + ["nan", "inf", "1e", "e9999", "**", "exp(", "sigmoid(", "__import__"]),
                        max_size=40).map("".join)


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=60), GRAMMAR_TEXT))
def test_any_text_parses_or_raises_input_error(text):
    for parser in PARSE_ANY:
        start = time.perf_counter()
        try:
            parser(text)
        except InputError as exc:
            assert "\n" not in str(exc)
        assert time.perf_counter() - start < 1.0, (parser.__name__, text)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(["Input(3)", "Dense(2)", "Conv2D(2,3)", "->", "(", ")", ",", "=", "relu", "same",
                                 "-1", "0", "28", "\n", "LSTM(4)", "Flatten", "padding", "(3,)", "'", "#"]),
                max_size=25).map("".join))
def test_any_model_spec_resolves_or_raises_input_error(text):
    try:
        modelspec.resolve(text)
    except InputError as exc:
        assert "\n" not in str(exc)


FLOATS = st.floats(min_value=-values.MAX_ABS, max_value=values.MAX_ABS, allow_nan=False, allow_infinity=False)


def text_of(arr: np.ndarray) -> str:
    """An array written in the grammar with the shortest exact number texts."""
    def row(r):
        return ",".join(values.format_number(float(x), None) for x in r)

    if arr.ndim == 1:
        return row(arr)
    if arr.ndim == 2:
        return ";".join(row(r) for r in arr)
    return " | ".join(";".join(row(r) for r in channel) for channel in arr)


def brackets_of(arr: np.ndarray) -> str:
    if arr.ndim == 0:
        return values.format_number(float(arr), None)
    return "[" + ", ".join(brackets_of(a) for a in arr) + "]"


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.integers(1, 8).flatmap(lambda n: st.lists(FLOATS, min_size=n, max_size=n)))
def test_vector_round_trip(xs):
    arr = np.array(xs, dtype=float)
    assert np.array_equal(values.parse_vector(text_of(arr)), arr)
    assert np.array_equal(values.parse_vector(brackets_of(arr)), arr)
    for x in xs:
        assert values.parse_number(values.format_number(x, None)) == x


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.tuples(st.integers(1, 5), st.integers(1, 5)).flatmap(
    lambda s: st.lists(FLOATS, min_size=s[0] * s[1], max_size=s[0] * s[1]).map(lambda v: np.array(v).reshape(s))))
def test_matrix_round_trip(arr):
    assert np.array_equal(values.parse_matrix(text_of(arr)), arr)
    assert np.array_equal(values.parse_matrix(brackets_of(arr)), arr)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4)).flatmap(
    lambda s: st.lists(FLOATS, min_size=math.prod(s), max_size=math.prod(s)).map(lambda v: np.array(v).reshape(s))))
def test_tensor_round_trip(arr):
    assert np.array_equal(values.parse_tensor(text_of(arr)), arr)
    assert np.array_equal(values.parse_tensor(brackets_of(arr)), arr)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(st.integers(-10**6, 10**6), st.integers(1, 10**6))
def test_fraction_round_trip(p, q):
    assert values.parse_fraction(f"{p}/{q}") == Fraction(p, q)
    assert values.parse_number(f"{p}/{q}") == p / q


# ------------------------------------------------------------ option values starting with '-'

def test_vector_option_values_may_start_with_a_dash(capsys):
    from dltutor.commands.solve import make_kind_command
    from dltutor.solvers.registry import Kind, Option, vector

    def echo(w):
        return Solution("echo", {"w": w}, w, ())

    kind = Kind("echo", echo, "test", "echo a vector", (Option("w", vector, "a vector", required=True),), ("--w 1,2",))
    command = make_kind_command(kind)
    for args, expected in [(["--w", "-1,2"], [-1, 2]), (["--w=-1,2"], [-1, 2]), (["--w", "-1.5e-3,-2"], [-0.0015, -2]),
                           (["--w", "-1/2"], [-0.5])]:
        command.main(args + ["--json"], standalone_mode=False)
        assert json.loads(capsys.readouterr().out)["answer"] == expected


def test_cli_rejects_python_in_any_option():
    assert_bad_input(run_cli("solve", "conv-output", "--input", "__import__('os')", "--kernel", "3"), "__import__")
    assert_bad_input(run_cli("solve", "params", "__import__('os')"), "__import__")
