"""The kinds of the calculator-breadth work against values recorded from scikit-learn, Keras 3 and
PyTorch (tests/reference/record_breadth.py), their working and their bad input."""

from __future__ import annotations

import math

import pytest

from conftest import assert_bad_input, load_data, run_cli
from dltutor.solvers.registry import run

DATA = load_data("breadth_reference.json")
DATA_MODELS = load_data("modelspec_reference.json")
KINDS = [k for k in DATA if not k.startswith("_")]
RTOL, ATOL = 1e-9, 1e-12
# Keras keeps the learning rate in a float32 variable (0.1 is 0.10000000149...): optimizer
# weights carry relative errors near 1e-8
TOLERANCE = {"optimizer": (1e-6, 1e-9)}


def solve(kind: str, options: dict):
    """``run`` with the recorded options (flags are True, names spelled as on the command line)."""
    return run(kind, **{k.replace("-", "_"): v for k, v in options.items()})


def cli_args(options: dict) -> list[str]:
    args = []
    for key, value in options.items():
        if key == "spec":
            args.append(value)
        elif value is True:
            args.append(f"--{key}")
        else:
            args.append(f"--{key}={value}")
    return args


def close(got, expected, rtol=RTOL, atol=ATOL) -> bool:
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(close(got[k], v, rtol, atol) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(
            close(g, e, rtol, atol) for g, e in zip(got, expected))
    return math.isclose(got, expected, rel_tol=rtol, abs_tol=atol)


CASES = [pytest.param(kind, case, id=f"{kind}-{i}") for kind in KINDS for i, case in enumerate(DATA[kind])]


@pytest.mark.parametrize("kind, case", CASES)
def test_matches_the_recorded_framework_value(kind, case):
    solution = solve(kind, case["options"])
    if not isinstance(case["expected"], dict):        # conv2d, pool, conv-output answer a map or a size
        assert close(solution.answer, case["expected"]), (solution.answer, case["expected"])
        return
    for key, expected in case["expected"].items():
        assert close(solution.answer[key], expected, *TOLERANCE.get(kind, (RTOL, ATOL))), (
            key, solution.answer[key], expected)


@pytest.mark.parametrize("case", DATA["auc"], ids=lambda c: c["options"]["y"][:30])
def test_auc_steps_list_scikit_learns_roc_points(case):
    solution = solve("auc", case["options"])
    points = next(s for s in solution.steps if s.title == "ROC points").value
    assert close(points, case["roc"])


def test_bptt_contributions_add_up_and_the_last_step_dominates_a_small_recurrent_weight():
    answer = run("bptt", x="1,1,1,1", wx="0.5", wh="0.1", target="1").answer
    assert close(sum(c["dwx"] for c in answer["contributions"]), answer["dwx"])
    contributions = [abs(c["dwx"]) for c in answer["contributions"]]
    assert contributions == sorted(contributions)      # vanishing: earlier steps contribute less


@pytest.mark.parametrize("kind", KINDS)
def test_json_is_one_object_with_the_contract_keys(kind):
    result = run_cli("solve", kind, *cli_args(DATA[kind][0]["options"]), "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert set(data) == {"kind", "inputs", "answer", "steps"}
    if isinstance(DATA[kind][0]["expected"], dict):
        assert set(DATA[kind][0]["expected"]) <= set(data["answer"])
    for step in data["steps"]:
        assert step["title"] and "value" in step


@pytest.mark.parametrize("args, fragments", [
    (["regression-metrics", "--y", "1,2", "--p", "1"], ["--p has 1 value but --y has 2"]),
    (["auc", "--y", "1,1", "--scores", "0.1,0.2"], ["--y has no negative (0) label"]),
    (["auc", "--y", "1,2", "--scores", "0.1,0.2"], ["--y value 2 (position 2)"]),
    (["loss", "--kind", "huber", "--y", "1", "--p", "2", "--delta", "0"], ["--delta 0"]),
    (["loss", "--kind", "mae", "--y", "1", "--p", "2", "--delta", "1"], ["--delta", "huber"]),
    (["dropout", "--x", "1,2", "--rate", "1", "--mask", "1,0"], ["--rate 1"]),
    (["dropout", "--x", "1,2", "--rate", "0.5", "--mask", "1,0.5"], ["--mask value 0.5"]),
    (["dropout", "--x", "1,2", "--rate", "0.5", "--mask", "1"], ["--mask has 1 value but"]),
    (["batchnorm", "--x", "1,2;3,4", "--gamma", "1,2,3"], ["--gamma has 3 values"]),
    (["batchnorm", "--x", "1,2;3,4", "--mode", "infer"], ["--mode infer needs --mean and --var"]),
    (["batchnorm", "--x", "1;1", "--eps", "0"], ["variance 0 and --eps is 0"]),
    (["batchnorm", "--x", "1,2", "--mode", "infer", "--mean", "0,0", "--var", "1,-1"], ["--var value -1"]),
    (["attention", "--q", "1,0", "--k", "1,0,0", "--v", "1"], ["--k has 3 columns but --q has 2"]),
    (["attention", "--q", "1,0", "--k", "1,0;0,1", "--v", "1"], ["--v has 1 row but --k has 2"]),
    (["attention", "--q", "1,0", "--k", "1,0", "--v", "1", "--mask", "0"], ["--mask row 1 is all 0"]),
    (["attention", "--q", "1,0", "--k", "1,0", "--v", "1", "--mask", "1,1"], ["--mask is 1x2 but must be 1x1"]),
    (["positional-encoding", "--pos", "-1", "--d", "4"], ["--pos must be at least 0"]),
    (["positional-encoding", "--pos", "1", "--d", "0"], ["--d must be at least 1"]),
    (["bptt", "--x", "1,x", "--wx", "1", "--wh", "1", "--target", "0"], ["'x' is not a number"]),
    (["receptive-field", "Dense(3) -> Dense(2)"], ["no convolution or pooling layer"]),
    (["receptive-field", "Conv2D(8,3) -> Conv1D(8,3)"], ["is 1-D but the layers before it are 2-D"]),
    (["receptive-field", "Conv2D(8,3) -> Foo(2)"], ["unknown layer 'Foo' (layer 2)"]),
    (["receptive-field", "Conv2D(8,0)"], ["kernel_size must be at least 1"]),
    (["receptive-field", "Conv2D(8,3) -> UpSampling2D(2)"], ["makes the map larger"]),
])
def test_bad_input_is_one_line_naming_the_value(args, fragments):
    assert_bad_input(run_cli("solve", *args), *fragments)


def test_receptive_field_stops_at_the_first_layer_that_sees_everything():
    solution = run("receptive-field", spec="Conv2D(8,3) -> Flatten -> Dense(10) -> Conv2D(1,3)")
    assert solution.answer == {"receptive_field": 3, "jump": 1}
    assert "Flatten (layer 2)" in solution.steps[-1].note


def test_receptive_field_of_rectangular_kernels_is_per_axis():
    # kernel 3x1 then stride (1, 2) pooling: height 3 + 1, width 1 + 1
    answer = run("receptive-field", spec="Conv2D(4,(3,1)) -> MaxPooling2D((2,2),strides=(1,2))").answer
    assert answer == {"receptive_field": [4, 2], "jump": [1, 2]}


# ------------------------------------------------------------ conventions

@pytest.mark.parametrize("case", DATA["gru"], ids=lambda c: c["options"]["wz"][:30])
def test_gru_textbook_update_is_the_framework_cell_with_z_negated(case):
    # 1 - sigmoid(a) = sigmoid(-a): the textbook form with W_z, b_z (and rb_z) equals PyTorch's
    # cell with -W_z, -b_z, -rb_z, recorded above
    def negated(text):
        return ";".join(",".join(repr(-float(v)) for v in row.split(",")) for row in text.split(";"))

    options = dict(case["options"], **{"textbook-update": True})
    for key in ("wz", "bz", "rbz"):
        options[key] = negated(options[key])
    assert close(solve("gru", options).answer["h"], case["expected"]["h"])


@pytest.mark.parametrize("data, w, epochs, expected", [
    # Fausett, Fundamentals of Neural Networks (1994), AND with binary inputs, bipolar targets,
    # theta 0.2, lr 1: w = (2, 3), b = -4 once it stops changing
    ("1,1:1; 1,0:-1; 0,1:-1; 0,0:-1", "0,0", 10, {"w": [2.0, 3.0], "b": -4.0, "converged": True}),
    # the same with bipolar inputs: one epoch gives w = (1, 1), b = -1
    ("1,1:1; 1,-1:-1; -1,1:-1; -1,-1:-1", "0,0", 1, {"w": [1.0, 1.0], "b": -1.0, "converged": False}),
])
def test_perceptron_dead_band_reproduces_the_textbook(data, w, epochs, expected):
    theta = "0.2" if "0,0:" in data else "0"
    assert run("perceptron", data=data, w=w, theta=theta, epochs=str(epochs)).answer == expected


def test_perceptron_dead_band_output_zero_is_wrong_and_updates():
    # z = 0.1 is inside [-0.2, 0.2]: output 0, target 1, so w += x and b += 1
    answer = run("perceptron", data="1,0:1", w="0.1,0", theta="0.2").answer
    assert answer == {"w": [1.1, 0.0], "b": 1.0, "converged": False}


@pytest.mark.parametrize("args, fragments", [
    (["perceptron", "--data", "1,0:0", "--w", "0,0", "--theta", "0.2"], ["label 0", "-1 or +1"]),
    (["perceptron", "--data", "1,0:1", "--w", "0,0", "--theta", "-1"], ["--theta must not be negative"]),
    (["gru", "--x", "1", "--wz", "1,1", "--wr", "1,1", "--wh", "1,1", "--rbh", "1"], ["--rbh", "--reset-after"]),
    (["optimizer", "--method", "sgd", "--w", "1", "--grads", "1", "--v0", "1"], ["--v0", "not of sgd"]),
    (["optimizer", "--method", "momentum", "--w", "1", "--grads", "1", "--t0", "3"], ["--t0", "Adam"]),
    (["optimizer", "--method", "adam", "--w", "1,2", "--grads", "1,1", "--m0", "1,2,3"], ["--m0 has 3 values"]),
    (["optimizer", "--method", "rmsprop", "--w", "1", "--grads", "1", "--s0", "-1"], ["--s0", "negative"]),
    (["optimizer", "--method", "adam", "--w", "1", "--grads", "0", "--eps", "0"], ["--eps 0 divides by zero"]),
])
def test_convention_options_bad_input(args, fragments):
    assert_bad_input(run_cli("solve", *args), *fragments)


def test_receptive_field_padding_and_normalization_pass_through():
    answer = run("receptive-field", spec="ZeroPadding2D(1) -> Conv2D(4,3) -> LayerNormalization -> "
                                          "Cropping2D(1) -> Conv2D(4,3)").answer
    assert answer == {"receptive_field": 5, "jump": 1}


# ------------------------------------------------- windows: dilation, 'same' pools, transposed

def test_conv2d_dilated_cell_reads_every_dth_input():
    # a 2x2 kernel with dilation 2 on a 3x3 input: one window, the four corners
    solution = run("conv2d", input="1,2,3;4,5,6;7,8,9", kernel="1,1;1,1", dilation="2")
    assert solution.answer == [[1 + 3 + 7 + 9]]
    assert "every 2th row and column" in solution.steps[-2].note or any(
        "dilation 2" in s.note for s in solution.steps)


def test_pool_same_ignores_the_cells_outside_the_input():
    # 3x3 input, 2x2 windows, stride 2, 'same': out 2x2; the bottom-right window holds only 9
    assert run("pool", input="1,3,2;5,6,1;7,2,9", size="2", padding="same").answer == [[6, 2], [7, 9]]
    assert run("pool", input="1,3,2;5,6,1;7,2,9", size="2", padding="same", mode="avg").answer == [
        [3.75, 1.5], [4.5, 9.0]]


@pytest.mark.parametrize("args, fragments", [
    (["pool", "--input", "1,2;3,4", "--size", "2", "--padding", "1"], ["--padding 1 is not valid (0) or same"]),
    (["conv-output", "--input", "7", "--kernel", "3", "--output-padding", "1"], ["add --transposed"]),
    (["conv-output", "--input", "7", "--kernel", "3", "--stride", "2", "--transposed", "--output-padding", "2"],
     ["--output-padding 2 must be smaller than the stride 2"]),
    (["conv-output", "--input", "2", "--kernel", "1", "--padding", "3", "--transposed"], ["no output"]),
    (["conv-output", "--input", "7", "--kernel", "3", "--padding", "full"], ["--padding 'full'", "valid, same"]),
    (["conv2d", "--input", "1,2;3,4", "--kernel", "1,1;1,1", "--dilation", "2"], ["kernel 2 (effective size 3"]),
])
def test_window_options_bad_input(args, fragments):
    assert_bad_input(run_cli("solve", *args), *fragments)


def test_params_reads_pasted_pytorch_with_an_input_shape():
    case = next(c for c in DATA_MODELS["torch"] if c["id"] == "torch-cnn")
    result = run_cli("solve", "params", case["code"], "--input-shape", case["input_shape"], "--json")
    assert result.code == 0, result.err
    answer = result.json()["answer"]
    assert answer["total"] == case["total"]
    assert [l["output_shape"] for l in answer["layers"]] == [l["output_shape"] for l in case["layers"]]
