"""The engine's Conv2DTranspose and Conv1DTranspose against Keras 3 (torch backend), recorded by
tests/reference/record_transposed_keras.py into tests/data/transposed_keras.json: outputs,
input gradients and weight gradients; then training, saving and predicting with them."""

import json

import numpy as np
import pytest

from conftest import assert_bad_input, load_data, run_cli
from dltutor.nn.model import build

DATA = load_data("transposed_keras.json")
CASES = DATA["cases"]


def _layer(case):
    model = build(case["spec"], seed=0, dtype=np.float64)
    assert model.output_shape == np.shape(case["Y"])[1:]          # the spec's shape rule agrees with Keras
    layer = model.layers[-1]
    assert list(layer.weights) == list(case["weights"])
    for name, value in case["weights"].items():
        assert layer.weights[name].shape == np.shape(value), name
        layer.weights[name][...] = value
    layer.need_input_grad = True
    return layer


@pytest.mark.parametrize("case", CASES, ids=[c["spec"] for c in CASES])
def test_layer_matches_keras(case):
    layer = _layer(case)
    Y = layer.forward(np.array(case["X"]), training=True)
    np.testing.assert_allclose(Y, case["Y"], rtol=1e-9, atol=1e-10)
    dX = layer.backward(np.array(case["dY"]))
    np.testing.assert_allclose(dX, case["dX"], rtol=1e-9, atol=1e-10)
    assert set(layer.grads) == set(case["grads"])
    for name, expected in case["grads"].items():
        np.testing.assert_allclose(layer.grads[name], expected, rtol=1e-9, atol=1e-10, err_msg=name)


def test_recorded_cases_cover_the_awkward_settings():
    specs = " ".join(c["spec"] for c in CASES)
    for fragment in ("Input(4, 4, 2) -> Conv2DTranspose(3, 3, strides=2, padding=same)",   # even size
                     "Input(5, 3, 2) -> Conv2DTranspose(3, (3, 2), strides=2, padding=same)",  # odd size
                     "strides=3)", "use_bias=False", "output_padding=1", "dilation_rate=2", "Conv1DTranspose"):
        assert fragment in specs, fragment


def test_float32_model_agrees_with_keras():
    case = CASES[0]
    model = build(case["spec"], seed=0)
    for name, value in case["weights"].items():
        model.layers[0].weights[name][...] = value
    Y = model.predict(np.array(case["X"], dtype=np.float32))
    assert Y.dtype == np.float32
    np.testing.assert_allclose(Y, case["Y"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("spec", [
    "Input(3, 3, 1) -> Conv2D(2, 2) -> Conv2DTranspose(2, 3, strides=2, padding=same, activation=tanh) "
    "-> Conv2D(2, 3, strides=2) -> Flatten -> Dense(3, softmax)",
    "Input(4, 2) -> Conv1DTranspose(3, 2, strides=3, activation=tanh) -> Conv1DTranspose(2, 3, padding=same) "
    "-> Flatten -> Dense(3, softmax)"])
def test_whole_model_gradients_through_transposed_layers(spec):
    """Finite differences of the whole model's loss (float64), the transposed layers in the middle (no relu:
    with zero biases the cells between strided windows sit exactly on its kink)."""
    from dltutor.nn.gradcheck import check_model

    rng = np.random.default_rng(0)
    model = build(spec, seed=0, dtype=np.float64).compile(loss="cce")
    X = rng.standard_normal((4,) + model.input_shape)
    errors = check_model(model, X, np.eye(3)[rng.integers(0, 3, 4)])
    assert max(errors.values()) < 1e-6, errors


DECODER = "Input(4, 4, 2) -> Conv2DTranspose(3, 3, strides=2, padding=same, activation=tanh)"


def test_a_tiny_decoder_learns_a_decoder():
    """Targets made by another decoder of the same shape (a reachable target): the loss falls 100-fold."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 4, 4, 2)).astype(np.float32)
    Y = build(DECODER, seed=7).predict(X)
    model = build(DECODER, seed=0).compile(loss="mse", optimizer="adam", lr=0.05)
    history = model.fit(X, Y, epochs=30, batch_size=16)
    assert history[-1]["loss"] < history[0]["loss"] / 100
    assert model.evaluate(X, Y)["loss"] < 1e-3


def test_budgets_count_the_windows_at_the_input_cells():
    """Counted by hand for Input(4, 4, 4) -> Conv2DTranspose(8, 3, strides=2, padding=same): each of the
    16 input cells spreads a 3×3 window of 8 channels, computed from its 4 channels."""
    from dltutor.modelspec import resolve
    from dltutor.nn.training import values_per_sample, work_per_sample

    layer = resolve("Input(4, 4, 4) -> Conv2DTranspose(8, 3, strides=2, padding=same)").layers[0]
    assert work_per_sample(layer) == 16 * (3 * 3 * 8 * 4 + 8)           # multiply-adds (and the bias)
    assert values_per_sample(layer) == 64 + 8 * 8 * 8 + 16 * 3 * 3 * 8    # input, output, spread windows


@pytest.mark.parametrize("spec", ["Input(4, 4, 2) -> Conv2DTranspose(2, 3, strides=2, dilation_rate=2)",
                                  "Input(4, 2) -> Conv1DTranspose(2, 3, strides=2, output_padding=2)",
                                  "Input(4, 2) -> Conv1DTranspose(2, 3, dilation_rate=2, output_padding=1)"])
def test_what_keras_refuses_is_bad_input(spec):
    """Keras 3 refuses strides > 1 with dilation_rate > 1, and output_padding ≥ strides."""
    assert_bad_input(run_cli("solve", "params", spec), "Transpose")
    assert_bad_input(run_cli("train", "--data", "xor", "--model", spec), "Transpose")


def test_train_save_and_predict_from_the_cli(tmp_path):
    spec = ("Input(4, 4, 4) -> Conv2DTranspose(8, 3, strides=2, padding=same, activation=relu) "
            "-> Conv2D(8, 3, strides=2, activation=relu) -> Flatten -> Dense(10, softmax)")
    path = tmp_path / "up.npz"
    result = run_cli("train", "--data", "digits", "--model", spec, "--epochs", "4", "--save", str(path), "--json")
    assert result.code == 0, result.err
    out = result.json()
    losses = [r["loss"] for r in out["history"]]
    assert losses[-1] < losses[0] / 2 and out["final"]["val_accuracy"] > 0.7      # 10 classes: chance is 0.1
    assert out["final"]["params"] == (3 * 3 * 8 * 4 + 8) + (3 * 3 * 8 * 8 + 8) + (3 * 3 * 8 * 10 + 10)
    with np.load(path) as saved:
        assert saved["01.Conv2DTranspose.kernel"].shape == (3, 3, 8, 4)
    model = build(spec)
    model.load(path)
    X = np.random.default_rng(1).uniform(0, 16, (3, 64))
    csv = tmp_path / "x.csv"
    np.savetxt(csv, X, delimiter=",")
    predicted = run_cli("predict", str(path), "--input", str(csv), "--json")
    assert predicted.code == 0, predicted.err
    np.testing.assert_allclose(json.loads(predicted.out)["outputs"], model.predict(X), rtol=1e-5, atol=1e-6)
