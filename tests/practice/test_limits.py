"""The family language has limits: every attack on it is refused quickly, by name, and the other
families keep working (teachers' folders included); random expressions stay within the limits."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dltutor.errors import InputError
from dltutor.practice import catalog
from dltutor.practice.expressions import (FUNCTIONS, MAX_ELEMENTS, MAX_INT_BITS, MAX_STRING, ExpressionError,
                                          LimitError, budget, check_value, compile_expression, evaluate)
from dltutor.practice.families import DRAW_SECONDS, generate, load_families
from dltutor.practice.ranges import MAX_RANGE

ATTACKS = [
    "'a' * 10**9",                               # 991 MB before
    "'%0999999999d' % 1",                        # 991 MB before
    "onehot(0, 10**8)",                          # 800 MB before
    "zeros(10**8)",
    "((2**100)**100)**100",                      # a power tower: minutes before
    "2**99**99",
    "round(5, -10**9)",                          # 10**(10**9) inside round
    "outer(zeros(5000), zeros(5000))",           # 25 million entries from two small lists
    "zeros(5000) + transpose([zeros(5000)])",    # broadcasting to 25 million entries
    "int(1e308) * int(1e308)",
    "(" * 60 + "1" + ")" * 60,                   # nesting beyond the parser's comfort
    "1" + "+1" * 1500,                           # longer than an expression may be
]


@pytest.mark.parametrize("text", ATTACKS, ids=range(len(ATTACKS)))
def test_every_attack_is_refused_quickly(text):
    start = time.perf_counter()
    with pytest.raises(ExpressionError):
        evaluate(text, {})
    assert time.perf_counter() - start < 1.0


def test_constant_attacks_are_refused_when_the_file_is_read():
    # no names: evaluated once at compile time, so the loader reports the file and field
    with pytest.raises(LimitError):
        compile_expression("'b' * 10**8")
    assert compile_expression("1/0") is not None     # other faults are reported where the value is used


def test_values_within_the_limits_pass():
    assert evaluate("zeros(3) + 1", {}) == [1.0, 1.0, 1.0]
    assert evaluate("'ab' * 3", {}) == "ababab"
    assert evaluate("2**100", {}) == 2**100
    assert len(evaluate("onehot(2, n)", {"n": MAX_ELEMENTS})) == MAX_ELEMENTS
    with pytest.raises(LimitError):
        evaluate("onehot(2, n)", {"n": MAX_ELEMENTS + 1})
    with pytest.raises(LimitError):
        check_value("x" * (MAX_STRING + 1))
    with pytest.raises(LimitError):
        check_value(1 << (MAX_INT_BITS + 1))


def test_the_time_budget_stops_an_evaluation():
    with budget(0.0):
        time.sleep(0.01)
        with pytest.raises(LimitError, match="time budget"):
            evaluate("1 + 1", {})
    assert evaluate("1 + 1", {}) == 2          # outside the block: no budget


# ---------------------------------------------------------------- family files

GOOD = '''id = "{id}"
version = 1
title = "A teacher's conv output size"
topic = "cnn"
kind = "conv-output"
prompt = "An input of size {{n}} goes through a {{k}}x{{k}} convolution, stride 1, no padding. Output size?"
hints = ["n - k + 1"]
{extra_top}
[params]
n = {{ int = [8, 40] }}
k = {{ choice = [3, 5] }}
{params}
[easy]
n = {{ int = [8, 30] }}

[hard]
n = {{ int = [20, 60] }}

[derived]
{derived}
[options]
input = "{{n}}"
kernel = "{{k}}"

[[parts]]
name = "out"
form = "integer"
answer = "answer"
marks = 1

[[misconceptions]]
id = "forgot-plus-one"
answers = {{ out = "n - k" }}
feedback = "The first window is an output too: n - k + 1."
'''


def family_text(fid: str, params: str = "", derived: str = "", extra_top: str = "") -> str:
    return GOOD.format(id=fid, params=params, derived=derived, extra_top=extra_top)


def write_attacks(folder: Path) -> dict[str, str]:
    """Family files, each with one attack; name -> what its error says."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "huge-int": (family_text("huge-int", params="big = { int = [0, 1000000000000] }"), "at most"),
        "fine-grid": (family_text("fine-grid", params="g = { grid = [0, 1, 1e-12] }"), "at most"),
        "text-bomb": (family_text("text-bomb", derived="s = \"'a' * 10**9\""), "limit"),
        "format-bomb": (family_text("format-bomb", derived="s = \"'%0999999999d' % 1\""), "not part"),
        "onehot-bomb": (family_text("onehot-bomb", derived="v = \"onehot(0, 10**8)\""), "limit"),
        "tower": (family_text("tower", derived="t = \"((2**100)**100)**100\""), "limit"),
        "huge-shape": (family_text("huge-shape", params="m = { int = [0, 1], shape = [1000, 1000] }"), "limit"),
        "not-toml": ("id = \n", "not valid TOML"),
        "missing-kind": (family_text("missing-kind").replace('kind = "conv-output"\n', ""), "kind"),
    }
    for name, (text, _) in files.items():
        (folder / f"{name}.toml").write_text(text)
    return {name: why for name, (_, why) in files.items()}


@pytest.fixture
def teacher(tmp_path, monkeypatch):
    good = tmp_path / "good"
    good.mkdir()
    (good / "my-conv.toml").write_text(family_text("my-conv"))
    bad = tmp_path / "bad"
    reasons = write_attacks(bad)
    (good / "draw-bomb.toml").write_text(family_text("draw-bomb", params="m = { int = [1000000000, 1000000000] }",
                                                     derived="s = \"'a' * m\""))
    monkeypatch.setenv(catalog.ENV, os.pathsep.join([str(bad), str(good), str(tmp_path / "missing")]))
    return good, bad, reasons


def test_teacher_families_load_beside_the_built_in_ones_and_broken_files_are_left_out(teacher):
    good, bad, reasons = teacher
    start = time.perf_counter()
    families = load_families()
    errors = catalog.family_errors()
    assert time.perf_counter() - start < 20
    assert "my-conv" in families and "conv-output-size" in families
    by_file = {Path(e.path).stem: str(e) for e in errors}
    for name, why in reasons.items():       # constants over the limits are found when the file is read
        assert name in by_file, name
        assert why in by_file[name] and f"{name}.toml" in by_file[name]
    # a value only a draw makes: the draw is refused at once, naming the family
    start = time.perf_counter()
    with pytest.raises(InputError, match="draw-bomb.toml.*over the limit"):
        generate(families["draw-bomb"], 0, "easy")
    assert time.perf_counter() - start < 2
    assert any("missing" in str(e) and "not a folder" in str(e) for e in errors)
    problem = generate(families["my-conv"], 3, "medium")
    assert problem.parts[0].expected == problem.names["n"] - problem.names["k"] + 1


def test_an_id_taken_by_a_built_in_family_is_left_out(tmp_path, monkeypatch):
    (tmp_path / "conv-output-size.toml").write_text(family_text("conv-output-size"))
    monkeypatch.setenv(catalog.ENV, str(tmp_path))
    assert Path(load_families()["conv-output-size"].path).parent != tmp_path
    assert any("already used" in str(e) for e in catalog.family_errors())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_named_like_a_family_is_never_opened(tmp_path, monkeypatch):
    os.mkfifo(tmp_path / "pipe.toml")
    monkeypatch.setenv(catalog.ENV, str(tmp_path))
    start = time.perf_counter()
    assert "conv-output-size" in load_families()
    assert any("not a regular file" in str(e) for e in catalog.family_errors())
    assert time.perf_counter() - start < 20


def test_range_limits_are_the_documented_ones():
    readme = (Path(__file__).resolve().parents[2] / "problems" / "README.md").read_text()
    assert f"{MAX_RANGE:,}" in readme and f"{MAX_ELEMENTS:,}" in readme and f"{MAX_STRING:,}" in readme
    assert f"{DRAW_SECONDS:g} s" in readme


# ---------------------------------------------------------------- random expressions stay bounded

NAMES = {"n": 7, "v": [1.0, -2.0, 3.0], "m": [[1.0, 2.0], [3.0, 4.0]], "s": "ab", "big": 10**9}
OPERATORS = ["+", "-", "*", "/", "//", "%", "**", "@"]
SAFE_FUNCTIONS = sorted(set(FUNCTIONS) - {"dataset"})


def expressions():
    leaves = st.one_of(st.integers(-10**12, 10**12).map(str), st.sampled_from(sorted(NAMES)),
                       st.sampled_from(["'x'", "0.5", "1e300", "[1, 2, 3]", "[[1, 2], [3, 4]]", "true"]))

    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(OPERATORS), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(SAFE_FUNCTIONS), st.lists(inner, min_size=1, max_size=2)).map(
                lambda t: f"{t[0]}({', '.join(t[1])})"),
            st.tuples(inner, inner).map(lambda t: f"[{t[0]}, {t[1]}]"),
            inner.map(lambda e: f"-{e}"),
        )

    return st.recursive(leaves, extend, max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions())
def test_random_expressions_stay_within_the_limits(text):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with budget(2.0):
            value = evaluate(text, dict(NAMES))
        check_value(value)          # a value handed back is within every limit
    except ExpressionError:
        pass                        # refused: fine, as long as it was quick and small
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - start < 3.0, text
    assert peak < 64 * 2**20, (text, peak)
