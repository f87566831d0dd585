"""solve conv2d, pool, conv-cost: the course notes' examples (as corrected in
shared/seeds/README.md), PyTorch/Keras numbers recorded by
tests/reference/record_convolution.py, the CLI's JSON and human output, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import assert_bad_input, load_data, run_cli
from dltutor.solvers.registry import run

DATA = load_data("convolution_torch.json")

# Notes 002, single-channel example (5x5 input, 3x3 vertical-edge kernel, stride 1, no padding).
NOTES_INPUT = "1,2,3,0,1;4,5,6,1,2;7,8,9,2,3;1,2,3,4,5;6,7,8,9,0"
NOTES_KERNEL = "1,0,-1;1,0,-1;1,0,-1"
# Notes 002, multi-channel (RGB) example: the visible 2x2 corner of each channel, padding 1, bias 1.
RGB_INPUT = "156,155;153,154 | 167,166;164,165 | 163,162;160,161"
RGB_KERNEL = "-1,-1,1;0,1,-1;0,1,1 | 1,0,0;1,-1,-1;1,0,-1 | 0,1,1;0,1,0;1,-1,1"


def matrix_text(rows) -> str:
    return ";".join(",".join(repr(float(v)) for v in row) for row in rows)


def tensor_text(channels) -> str:
    return " | ".join(matrix_text(ch) for ch in channels)


def close(got, expected, tol=1e-9) -> bool:
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(
            close(g, e, tol) for g, e in zip(got, expected))
    return abs(got - expected) <= tol * max(1.0, abs(expected))


def step(solution_json: dict, title: str) -> dict:
    return next(s for s in solution_json["steps"] if s["title"] == title)


# ------------------------------------------------------------ course notes

@pytest.mark.parametrize("case", ["notes002-single-channel-notes-print-all-minus6-which-is-wrong"])
def test_notes_single_channel_example(case):
    result = run_cli("solve", "conv2d", "--input", NOTES_INPUT, "--kernel", NOTES_KERNEL, "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["answer"] == [[-6, 12, 12], [-6, 8, 8], [-6, 2, 12]]
    # the notes write out the first cell's sum: (1x1) + (2x0) + (3x-1) + (4x1) + ... = -6
    first = step(data, "Output cell (row 1, column 1)")
    assert first["substituted"] == "(1*1) + (2*0) + (3*-1) + (4*1) + (5*0) + (6*-1) + (7*1) + (8*0) + (9*-1)"
    assert first["value"] == -6
    assert len([s for s in data["steps"] if s["title"].startswith("Output cell")]) == 9


def test_notes_binary_image_first_output_is_4():
    # notes 002: 5x5 binary image, kernel [[1,0,1],[0,1,0],[1,0,1]], first convolved feature 4
    answer = run("conv2d", input="1,1,1,0,0;0,1,1,1,0;0,0,1,1,1;0,0,1,1,0;0,1,1,0,0",
                 kernel="1,0,1;0,1,0;1,0,1").answer
    assert answer[0][0] == 4
    assert len(answer) == 3 and all(len(row) == 3 for row in answer)


def test_notes_max_pooling_example():
    # notes 002: 5x5 map, 3x3 max pooling, stride 1
    solution = run("pool", input="3,3,2,1,0;0,0,1,3,1;3,1,2,2,3;2,0,0,2,2;2,0,0,0,1", size="3", stride="1")
    assert solution.answer == [[3, 3, 3], [3, 3, 3], [3, 2, 3]]
    assert len([s for s in solution.steps if s.title.startswith("Window")]) == 9


def test_notes_rgb_example_top_left_is_minus_25():
    # notes 002: channel sums 308, -498, 164, plus bias 1 = -25
    result = run_cli("solve", "conv2d", "--input", RGB_INPUT, "--kernel", RGB_KERNEL,
                     "--padding", "1", "--bias", "1", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["answer"][0][0] == -25
    first = step(data, "Output cell (row 1, column 1)")
    assert [row[2] for row in first["table"]["rows"]] == [308, -498, 164]
    assert first["substituted"] == "308 - 498 + 164 + 1"


@pytest.mark.parametrize("case", ["notes002-32x32x3-k3-f64-standard-in-notes-56623104-is-wrong"])
def test_notes_separable_cost(case):
    result = run_cli("solve", "conv-cost", "--input", "32x32x3", "--kernel", "3", "--filters", "64", "--json")
    assert result.code == 0, result.err
    answer = result.json()["answer"]
    assert {k: answer[k] for k in ("standard", "depthwise", "pointwise", "separable")} == {
        "standard": 1_769_472, "depthwise": 27_648, "pointwise": 196_608, "separable": 224_256}
    assert answer["ratio"] == pytest.approx(7.89, abs=0.005)
    assert isinstance(answer["standard"], int)


# ----------------------------------------------------------- PyTorch values

@pytest.mark.parametrize("case", DATA["conv2d"], ids=[
    f"torch-{i}-C{len(c['input'])}-s{c['stride']}-p{c['padding']}-{c['activation']}"
    for i, c in enumerate(DATA["conv2d"])])
def test_conv2d_matches_pytorch(case):
    solution = run("conv2d", input=tensor_text(case["input"]), kernel=tensor_text(case["kernel"]),
                   bias=repr(case["bias"]), stride=str(case["stride"]), padding=str(case["padding"]),
                   activation=case["activation"])
    assert close(solution.answer, case["output"]), (solution.answer, case["output"])


@pytest.mark.parametrize("case", DATA["pool"], ids=[
    f"torch-{c['mode']}-{i}-k{c['size']}-s{c['stride']}" for i, c in enumerate(DATA["pool"])])
def test_pool_matches_pytorch(case):
    solution = run("pool", input=matrix_text(case["input"]), size=str(case["size"]),
                   stride=str(case["stride"]), mode=case["mode"])
    assert close(solution.answer, case["output"]), (solution.answer, case["output"])


@pytest.mark.parametrize("case", DATA["conv_cost"], ids=[
    f"torch-flops-{c['input']}-k{c['kernel']}-f{c['filters']}-s{c['stride']}-p{c['padding']}"
    for c in DATA["conv_cost"]])
def test_conv_cost_matches_pytorch_flop_counter(case):
    answer = run("conv-cost", input=case["input"], kernel=str(case["kernel"]), filters=str(case["filters"]),
                 stride=str(case["stride"]), padding=str(case["padding"])).answer
    assert (answer["standard"], answer["depthwise"], answer["pointwise"]) == (
        case["standard"], case["depthwise"], case["pointwise"])
    assert answer["separable"] == case["depthwise"] + case["pointwise"]
    assert answer["ratio"] == pytest.approx(case["standard"] / (case["depthwise"] + case["pointwise"]))


# ------------------------------------------------------------ the working

def test_same_padding_puts_the_extra_zero_bottom_right():
    # 4x4 ones, 2x2 kernel of ones, 'same': Keras pads 0 rows on top, 1 at the bottom,
    # so the last row/column of the output only sees half a window (2 of 4 ones)
    solution = run("conv2d", input="1,1,1,1;1,1,1,1;1,1,1,1;1,1,1,1", kernel="1,1;1,1", padding="same")
    assert solution.answer == [[4, 4, 4, 2], [4, 4, 4, 2], [4, 4, 4, 2], [2, 2, 2, 1]]


def test_kernel_is_not_flipped():
    # cross-correlation: the kernel's top-left weight multiplies the window's top-left value
    assert run("conv2d", input="1,2;3,4", kernel="1,0;0,0").answer == [[1]]


def test_activation_and_stride_with_dropped_row():
    # by hand: z = x[r, c] - x[r+1, c+1] at r, c in {0, 2}: 1-1, 0-1, 2-1, 0-4 → relu → 0, 0, 1, 0;
    # (5 - 2) is not a multiple of 2, so the last row and column (the 9s) are never covered
    solution = run("conv2d", input="1,2,0,1,9;0,1,3,1,9;2,1,0,1,9;1,1,1,4,9;9,9,9,9,9", kernel="1,0;0,-1",
                   stride="2", activation="relu")
    assert solution.answer == [[0, 0], [1, 0]]
    size_step = next(s for s in solution.steps if s.title.startswith("Output size"))
    assert "dropped" in size_step.note
    assert solution.steps[-1].title == "Activation: relu"


def test_large_input_is_summarised():
    big = ";".join(",".join(str((i * 7 + j * 3) % 5) for j in range(12)) for i in range(12))
    solution = run("conv2d", input=big, kernel="1,0,-1;2,0,-2;1,0,-1")
    cells = [s for s in solution.steps if s.title.startswith("Output cell")]
    assert [c.title for c in cells] == ["Output cell (row 1, column 1)", "Output cell (row 10, column 10)"]
    assert len(solution.answer) == 10 and len(solution.answer[0]) == 10
    assert "100 cells" in solution.steps[-1].note


def test_conv2d_human_output_reads_like_the_notes():
    result = run_cli("solve", "conv2d", "--input", NOTES_INPUT, "--kernel", NOTES_KERNEL)
    assert result.code == 0, result.err
    assert "Output cell (row 1, column 1)" in result.out
    assert "1·1 + 2·0 + 3·(−1)" in result.out
    assert "not flipped" in result.out
    assert "Answer" in result.out and "Traceback" not in result.out


def test_pool_avg_human_output_and_json():
    result = run_cli("solve", "pool", "--input", "1,3,2,4;5,6,1,2;7,2,9,0;1,8,3,4", "--size", "2",
                     "--mode", "avg", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert set(data) == {"kind", "inputs", "answer", "steps"}
    assert data["answer"] == [[3.75, 2.25], [4.5, 4.0]]     # (1+3+5+6)/4 = 3.75 ...
    assert step(data, "Window (row 1, column 1)")["substituted"] == "(1 + 3 + 5 + 6)/4"
    human = run_cli("solve", "pool", "--input", "1,3,2,4;5,6,1,2;7,2,9,0;1,8,3,4", "--size", "2")
    assert human.code == 0 and "max(1, 3, 5, 6)" in human.out


def test_conv_cost_human_output_leaves_the_notes_error_to_the_lesson():
    result = run_cli("solve", "conv-cost", "--input", "32x32x3", "--kernel", "3", "--filters", "64")
    assert result.code == 0, result.err
    assert "1769472" in result.out and "56,623,104" not in result.out and "notes" not in result.out
    lesson = (Path(__file__).parents[1] / "lessons" / "20-separable-convolution.md").read_text()
    assert "56,623,104" in lesson and "1,769,472" in lesson


@pytest.mark.parametrize("kind", ["conv2d", "pool", "conv-cost"])
def test_help_examples_solve(kind):
    import shlex

    from dltutor.solvers.registry import get_kind

    for example in get_kind(kind).examples:
        result = run_cli("solve", kind, *shlex.split(example), "--json")
        assert result.code == 0, (example, result.err)


# --------------------------------------------------------------- bad input

@pytest.mark.parametrize("args, fragments", [
    (["conv2d", "--input", "1,2,3;4,5,6;7,8,9", "--kernel", "1,1,1,1,1;1,1,1,1,1;1,1,1,1,1;1,1,1,1,1;1,1,1,1,1"],
     ["kernel 5", "larger than the padded input 3"]),
    (["conv2d", "--input", "1,2;3,4", "--kernel", "1,1,1,1,1;1,1,1,1,1;1,1,1,1,1;1,1,1,1,1;1,1,1,1,1",
      "--padding", "1"], ["kernel 5", "padded input 4", "padding 1"]),
    (["conv2d", "--input", "1,2;3,4 | 5,6;7,8 | 1,1;1,1", "--kernel", "1,0;0,1"],
     ["--kernel has 1 channel", "--input has 3"]),
    (["conv2d", "--input", "1,2;3,4", "--kernel", "1,0;0,1 | 1,1;1,1"], ["--kernel has 2 channel", "--input has 1"]),
    (["conv2d", "--input", "1,2;3,4", "--kernel", "1", "--stride", "0"], ["--stride", "at least 1"]),
    (["conv2d", "--input", "1,2;3 | 4,5;6,7", "--kernel", "1"], ["--input", "ragged"]),
    (["conv2d", "--input", "1,2;3,4 | 5,6", "--kernel", "1"], ["--input", "channel 2"]),
    (["conv2d", "--input", "1,x;3,4", "--kernel", "1"], ["--input", "'x'"]),
    (["conv2d", "--input", "1,2;3,4", "--kernel", "1", "--padding", "-1"], ["--padding"]),
    (["conv2d", "--input", "1,2;3,4", "--kernel", "1", "--activation", "softmax"], ["--activation", "softmax"]),
    (["pool", "--input", "1,2,3;4,5,6;7,8,9", "--size", "4", "--mode", "avg"], ["pool 4", "larger", "input 3"]),
    (["pool", "--input", "1,2;3,4", "--size", "2", "--stride", "0"], ["--stride", "at least 1"]),
    (["pool", "--input", "1,2;3,4", "--size", "2", "--mode", "min"], ["--mode", "'min'"]),
    (["conv-cost", "--input", "32x32", "--kernel", "3", "--filters", "64"], ["--input", "3 sizes"]),
    (["conv-cost", "--input", "4x4x3", "--kernel", "5", "--filters", "8", "--padding", "0"], ["kernel 5", "input 4"]),
    (["conv-cost", "--input", "32x32x3", "--kernel", "3", "--filters", "0"], ["--filters", "at least 1"]),
], ids=["kernel-too-big", "kernel-too-big-padded", "channels-3-vs-1", "channels-1-vs-2", "stride-0",
        "ragged-tensor", "channel-sizes-differ", "not-a-number", "negative-padding", "unknown-activation",
        "avg-pool-window-too-big", "pool-stride-0", "pool-unknown-mode", "cost-shape-2d", "cost-kernel-too-big",
        "cost-no-filters"])
def test_bad_input(args, fragments):
    assert_bad_input(run_cli("solve", *args), *fragments)
    assert_bad_input(run_cli("solve", *args, "--json"), *fragments)
