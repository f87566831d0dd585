"""`solve conv-output` and `solve pool-output` against PyTorch/Keras, brute force and the course notes.

Expected values come from outside the code under test:
- tests/data/torch_shapes.json, recorded by tests/reference/record_torch_shapes.py
  (torch.nn.Conv2d / MaxPool2d / AvgPool2d on real tensors, Keras 'same' padding);
- a brute-force count of the window start positions that fit (hypothesis);
- the LeNet table of notes 002 (28 -> 24 with a 5x5 kernel, 24 -> 12 with 2x2 pooling).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import assert_bad_input, load_data, run_cli
from dltutor.errors import InputError
from dltutor.solvers.registry import run
from dltutor.modelspec.windows import window_output

DATA = load_data("torch_shapes.json")


def size_text(h: int, w: int, square: bool) -> str:
    return str(h) if square else f"{h}x{w}"


def expected_answer(out: list[int], square: bool):
    return out[0] if square else out


def case_id(case: dict) -> str:
    return "-".join(f"{k}{v[0]}x{v[1]}" if isinstance(v, list) else f"{k}{v}"
                    for k, v in case.items() if k not in ("output", "error"))


# ------------------------------------------------------------ PyTorch reference

@pytest.mark.parametrize("case", DATA["conv2d"], ids=case_id)
def test_conv_output_matches_torch_conv2d(case):
    h, w = case["input"]
    args = ["--kernel", str(case["kernel"]), "--stride", str(case["stride"]),
            "--padding", str(case["padding"]), "--dilation", str(case["dilation"]), "--json"]
    forms = [False] + ([True] if h == w else [])
    for square in forms:
        result = run_cli("solve", "conv-output", "--input", size_text(h, w, square), *args)
        if case.get("error"):
            # torch refuses: the (dilated) kernel does not fit the padded input
            assert_bad_input(result, f"kernel {case['kernel']}", "larger than")
        else:
            assert result.code == 0, result.err
            assert result.json()["answer"] == expected_answer(case["output"], square)


POOL_CASES = [(name, case) for name in ("maxpool2d", "avgpool2d") for case in DATA[name]]


@pytest.mark.parametrize("name,case", POOL_CASES, ids=[f"{n}-{case_id(c)}" for n, c in POOL_CASES])
def test_pool_output_matches_torch_pools(name, case):
    h, w = case["input"]
    for square in [False] + ([True] if h == w else []):
        result = run_cli("solve", "pool-output", "--input", size_text(h, w, square), "--pool", str(case["pool"]),
                         "--stride", str(case["stride"]), "--padding", str(case["padding"]), "--json")
        if case.get("error"):
            assert_bad_input(result, f"pool {case['pool']}", "larger than")
        else:
            assert result.code == 0, result.err
            assert result.json()["answer"] == expected_answer(case["output"], square)


@pytest.mark.parametrize("case", DATA["keras_same"], ids=case_id)
def test_same_padding_matches_keras(case):
    h, w = case["input"]
    if case["layer"] == "Conv2D":
        args = ["conv-output", "--input", f"{h}x{w}", "--kernel", str(case["kernel"]),
                "--dilation", str(case["dilation"])]
    else:
        args = ["pool-output", "--input", f"{h}x{w}", "--pool", str(case["kernel"])]
    result = run_cli("solve", *args, "--stride", str(case["stride"]), "--padding", "same", "--json")
    assert result.code == 0, result.err
    assert result.json()["answer"] == case["output"]


def test_reference_data_is_large_enough():
    assert len(DATA["conv2d"]) > 200 and len(DATA["maxpool2d"]) > 100 and len(DATA["avgpool2d"]) > 100
    assert sum(1 for c in DATA["conv2d"] if c.get("error")) >= 5      # rejected cases are covered too
    assert any(c["dilation"] > 1 for c in DATA["conv2d"])


# ------------------------------------------------------------ course notes

@pytest.mark.parametrize("args,answer", [
    # notes 002, LeNet table: Conv2D(6 filters, 5x5) on 28x28 gives 24x24
    (["conv-output", "--input", "28", "--kernel", "5"], 24),
    # notes 002, LeNet table: MaxPooling2D(2x2) on 24x24 gives 12x12, then 8 -> 4
    (["pool-output", "--input", "24", "--pool", "2"], 12),
    (["conv-output", "--input", "12", "--kernel", "5"], 8),
    (["pool-output", "--input", "8", "--pool", "2"], 4),
    # notes 002, single-channel convolution example: 5x5 input, 3x3 kernel, stride 1 -> 3x3
    (["conv-output", "--input", "5", "--kernel", "3"], 3),
    # notes 002, "padding keeps the size": 32x32 with 'same' stays 32x32
    (["conv-output", "--input", "32", "--kernel", "3", "--padding", "same"], 32),
], ids=["notes002-conv1", "notes002-pool1", "notes002-conv2", "notes002-pool2", "notes002-5x5", "same-32"])
def test_notes_examples(args, answer):
    result = run_cli("solve", *args, "--json")
    assert result.code == 0, result.err
    assert result.json()["answer"] == answer


# ------------------------------------------------------------ properties

def brute_force_positions(n: int, k: int, s: int, p: int, d: int) -> int:
    """Count the start positions 0, s, 2s, ... whose window (taps d apart) lies inside the padded input."""
    padded = n + 2 * p
    count, start = 0, 0
    while start < padded:
        last_tap = start + d * (k - 1)
        if last_tap <= padded - 1:
            count += 1
        start += s
    return count


@settings(max_examples=300, derandomize=True, deadline=None)
@given(n=st.integers(1, 60), k=st.integers(1, 12), s=st.integers(1, 8), p=st.integers(0, 6), d=st.integers(1, 4))
def test_output_size_is_the_number_of_window_positions(n, k, s, p, d):
    expected = brute_force_positions(n, k, s, p, d)
    if expected == 0:
        with pytest.raises(InputError, match="larger than"):
            window_output(n, k, s, p, d)
    else:
        out, steps = window_output(n, k, s, p, d)
        assert out == expected
        assert steps and steps[-1].value == out


@settings(max_examples=150, derandomize=True, deadline=None)
@given(h=st.integers(1, 50), w=st.integers(1, 50), k=st.integers(1, 9), s=st.integers(1, 6), p=st.integers(0, 4))
def test_conv_output_hxw_is_brute_force_per_axis(h, w, k, s, p):
    eh, ew = brute_force_positions(h, k, s, p, 1), brute_force_positions(w, k, s, p, 1)
    result = run_cli("solve", "conv-output", "--input", f"{h}x{w}", "--kernel", str(k), "--stride", str(s),
                     "--padding", str(p), "--json")
    if eh == 0 or ew == 0:
        assert_bad_input(result, f"kernel {k}", "larger than")
    else:
        assert result.code == 0, result.err
        assert result.json()["answer"] == [eh, ew]


@settings(max_examples=200, derandomize=True, deadline=None)
@given(n=st.integers(1, 500), k=st.integers(1, 20), s=st.integers(1, 20), d=st.integers(1, 3))
def test_same_is_the_number_of_stride_positions_inside_the_input(n, k, s, d):
    # 'same' (Keras/TensorFlow): one output per stride position that starts inside the input, ceil(n/s)
    expected = len(range(0, n, s))
    out, _ = window_output(n, k, s, "same", d)
    assert out == expected


@settings(max_examples=100, derandomize=True, deadline=None)
@given(n=st.integers(1, 30), k=st.integers(1, 40), p=st.integers(0, 5))
def test_kernel_error_exactly_when_nothing_fits(n, k, p):
    fits = k <= n + 2 * p
    try:
        window_output(n, k, 1, p)
        raised = False
    except InputError as exc:
        raised = True
        assert str(k) in str(exc) and str(n) in str(exc)
    assert raised == (not fits)


# ------------------------------------------------------------ CLI: JSON, human output, bad input

def test_json_shape():
    result = run_cli("solve", "conv-output", "--input", "28", "--kernel", "5", "--json")
    assert result.code == 0 and result.err == ""
    data = result.json()
    assert set(data) == {"kind", "inputs", "answer", "steps"}
    assert data["kind"] == "conv-output"
    assert data["inputs"] == {"input": "28", "kernel": 5, "stride": 1, "padding": "0", "dilation": 1}
    assert data["answer"] == 24
    for step in data["steps"]:
        assert {"title", "formula", "value"} <= set(step) <= {"title", "formula", "value", "substituted", "note", "table"}
    assert data["steps"][-1]["value"] == 24
    assert data["steps"][-1]["formula"] == "out = floor((n + 2*p - d*(k - 1) - 1)/s) + 1"
    assert data["steps"][-1]["substituted"] == "floor((28 + 2*0 - 1*(5 - 1) - 1)/1) + 1"


def test_json_hxw_and_same_steps():
    data = run_cli("solve", "conv-output", "--input", "32x28", "--kernel", "3", "--stride", "2",
                   "--padding", "same", "--json").json()
    assert data["answer"] == [16, 14]
    titles = [s["title"] for s in data["steps"]]
    assert any("height" in t for t in titles) and any("width" in t for t in titles)
    assert any(s["formula"] == "out = ceil(n/s)" for s in data["steps"])


def test_pool_stride_defaults_to_pool_size():
    data = run_cli("solve", "pool-output", "--input", "7x9", "--pool", "3", "--json").json()
    assert data["inputs"]["stride"] == 3
    assert data["answer"] == [2, 3]


def test_dropped_rows_are_noted():
    data = run_cli("solve", "conv-output", "--input", "28", "--kernel", "3", "--stride", "2", "--json").json()
    assert data["answer"] == 13
    assert "dropped" in data["steps"][-1]["note"]


def test_human_output_shows_formula_numbers_and_value():
    result = run_cli("solve", "conv-output", "--input", "28", "--kernel", "5", "--stride", "1")
    assert result.code == 0
    out = result.out
    assert "⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1" in out               # the formula
    assert "⌊(28 + 2·0 − 1·(5 − 1) − 1)/1⌋ + 1" in out             # the numbers put in
    assert "24" in out.split("⌊(28")[1]                             # the value after them
    assert "Answer" in out


def test_digits_option():
    a = run_cli("solve", "conv-output", "--input", "28", "--kernel", "5", "--json", "--digits", "2")
    b = run_cli("solve", "conv-output", "--input", "28", "--kernel", "5", "--json")
    assert a.code == 0 and a.json() == b.json()                    # whole numbers: digits change nothing
    assert_bad_input(run_cli("solve", "conv-output", "--input", "28", "--kernel", "5", "--digits", "0"), "--digits")
    assert_bad_input(run_cli("solve", "conv-output", "--input", "28", "--kernel", "5", "--digits", "x"), "--digits")


@pytest.mark.parametrize("args,fragments", [
    (["--input", "28x", "--kernel", "3"], ["--input", "'28x'"]),
    (["--input", "abc", "--kernel", "3"], ["--input", "'abc'"]),
    (["--input", "2.5", "--kernel", "1"], ["--input", "2.5"]),
    (["--input", "-28", "--kernel", "3"], ["--input", "-28"]),
    (["--input", "28x-3", "--kernel", "3"], ["--input", "-3"]),
    (["--input", "0", "--kernel", "3"], ["--input", "0"]),
    (["--input", "28", "--kernel", "0"], ["--kernel", "0"]),
    (["--input", "28", "--kernel", "3", "--stride", "0"], ["--stride", "0"]),
    (["--input", "28", "--kernel", "3", "--padding", "-1"], ["--padding", "-1"]),
    (["--input", "28", "--kernel", "3", "--padding", "full"], ["--padding", "'full'"]),
    (["--input", "28", "--kernel", "3", "--dilation", "0"], ["--dilation", "0"]),
    (["--input", "4", "--kernel", "7", "--padding", "1"], ["kernel 7", "padded input 6", "input 4", "padding 1"]),
    (["--input", "5x9", "--kernel", "7"], ["kernel 7", "input 5", "height"]),
    (["--input", "9", "--kernel", "3", "--dilation", "5"], ["kernel 3", "effective size 11", "input 9"]),
    (["--input", "1e99999999", "--kernel", "3"], ["--input"]),
    (["--input", "28", "--kernel", "1e99999999"], ["--kernel", "exponent"]),
    (["--input", "999999999", "--kernel", "3"], ["--input", "limit"]),
    (["--input", "__import__('os')", "--kernel", "3"], ["--input", "__import__"]),
    (["--input", "28", "--kernel", "__import__('os').system('true')"], ["--kernel"]),
    (["--input", "28", "--kernel", "3", "--bogus", "1"], ["--bogus"]),
    (["--kernel", "3"], ["--input"]),
    (["--input", "1" * 10_000, "--kernel", "3"], ["--input", "limit", "8,000"]),
], ids=lambda v: " ".join(v)[:40] if isinstance(v, list) else None)
def test_conv_output_bad_input(args, fragments):
    assert_bad_input(run_cli("solve", "conv-output", *args), *fragments)
    assert_bad_input(run_cli("solve", "conv-output", *args, "--json"), *fragments)


@pytest.mark.parametrize("args,fragments", [
    (["--input", "4", "--pool", "5"], ["pool 5", "input 4"]),
    (["--input", "24", "--pool", "2", "--stride", "0"], ["--stride", "0"]),
    (["--input", "-24", "--pool", "2"], ["--input", "-24"]),
    (["--input", "24", "--pool", "2", "--dilation", "2"], ["--dilation"]),   # pools have no dilation
])
def test_pool_output_bad_input(args, fragments):
    assert_bad_input(run_cli("solve", "pool-output", *args), *fragments)


def test_option_values_may_start_with_a_dash():
    # `--padding -1` and `--input=-5` reach the parser as values (not as unknown options)
    assert_bad_input(run_cli("solve", "conv-output", "--input", "28", "--kernel", "3", "--padding", "-1"),
                     "--padding must be at least 0, got -1")
    assert_bad_input(run_cli("solve", "conv-output", "--input=-5", "--kernel", "3"), "--input must be at least 1")


def test_run_api_matches_cli():
    assert run("conv-output", input="32x28", kernel="3", stride="2", padding="same").answer == [16, 14]
    assert run("pool-output", input="24", pool="2").answer == 12
