"""Bidirectional, TimeDistributed and MultiHeadAttention (self-attention) against Keras 3: outputs,
∂L/∂X and weight gradients recorded by tests/reference/record_wrappers_keras.py (Keras 3 on its
torch backend, float64, autograd) into tests/data/wrappers_keras.json; training, saving and the
CLI on models that use them."""

import json

import numpy as np
import pytest

from conftest import assert_bad_input, load_data, run_cli
from dltutor.nn import datasets
from dltutor.nn.gradcheck import check_model
from dltutor.nn.model import build

DATA = load_data("wrappers_keras.json")
CASES = DATA["cases"]


def _layer(case):
    layer = build(case["spec"], seed=0, dtype=np.float64).layers[-1]
    assert len(layer.weights) == len(case["weights"])
    for (name, w), value in zip(layer.weights.items(), case["weights"]):     # Keras's get_weights order
        assert w.shape == np.shape(value), name
        w[...] = value
    layer.need_input_grad = True
    return layer


def _close(actual, expected, what=""):
    """Within 1e-5 of the array's scale: Keras 3 on torch multiplies float64 matrices in float32
    (its result_type maps float64 to float32 off TensorFlow), so its values carry float32 rounding."""
    expected = np.asarray(expected)
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(expected).max()),
                               err_msg=what)


@pytest.mark.parametrize("case", CASES, ids=[c["spec"] for c in CASES])
def test_forward_matches_keras(case):
    layer = _layer(case)
    _close(layer.forward(np.array(case["X"])), case["Y"])


@pytest.mark.parametrize("case", CASES, ids=[c["spec"] for c in CASES])
def test_backward_matches_keras_autograd(case):
    layer = _layer(case)
    layer.forward(np.array(case["X"]), training=True)
    dX = layer.backward(np.array(case["dY"]))
    _close(dX, case["dX"])
    for name, expected in zip(layer.weights, case["grads"]):
        if expected is None:
            continue
        _close(layer.grads[name], expected, name)


def test_the_cases_cover_every_merge_mode_and_the_awkward_shapes():
    specs = " ".join(c["spec"] for c in CASES)
    for fragment in ("merge_mode=concat", "merge_mode=sum", "merge_mode=mul", "merge_mode=ave", "GRU(2))",
                     "reset_after=False", "Input(3, 2, 4) -> TimeDistributed(Dense", "MultiHeadAttention(2, 3)"):
        assert fragment in specs, fragment
    # num_heads·key_dim ≠ the model width: 2·3 = 6 ≠ 4, 3·2 = 6 ≠ 5 (value_dim 4)
    assert "Input(5, 4) -> MultiHeadAttention(2, 3)" in specs
    assert "Input(4, 5) -> MultiHeadAttention(3, 2, value_dim=4)" in specs


@pytest.mark.parametrize("spec,loss", [
    ("Input(5, 3) -> Bidirectional(GRU(3, return_sequences=True), merge_mode=ave) -> TimeDistributed(Dense(4, tanh)) "
     "-> MultiHeadAttention(2, 3) -> Flatten -> Dense(3, softmax)", "cce"),
    ("Input(5, 3) -> Bidirectional(LSTM(3, return_sequences=True), merge_mode=mul) -> TimeDistributed(Dense(4, tanh)) "
     "-> Flatten -> Dense(3, softmax)", "cce"),
    ("Input(4, 3) -> Bidirectional(GRU(2, return_sequences=True)) -> TimeDistributed(Dense(3, softmax))", "cce"),
    ("Input(4, 3) -> TimeDistributed(Dense(2, sigmoid))", "bce"),
])
def test_whole_model_gradients_through_the_wrappers(spec, loss):
    """Finite differences of the batch loss, the fused softmax/sigmoid output inside a TimeDistributed."""
    rng = np.random.default_rng(0)
    model = build(spec, seed=0, dtype=np.float64).compile(loss=loss)
    for layer in model.layers:      # weights large enough that no gradient drowns in rounding noise
        for w in layer.weights.values():
            w[...] = rng.normal(0, 0.5, w.shape)
    X = rng.standard_normal((4,) + model.input_shape)
    K = model.output_shape[-1]
    Y = np.eye(K)[rng.integers(0, K, (4,) + model.output_shape[:-1])] if loss == "cce" else \
        rng.integers(0, 2, (4,) + model.output_shape).astype(float)
    assert model.fused()
    errors = check_model(model, X, Y)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("spec", [
    "Input(8, 8) -> Bidirectional(LSTM(6, return_sequences=True), merge_mode=sum) -> TimeDistributed(Dense(3, relu)) "
    "-> Flatten -> Dense(10, softmax)",
    "Input(8, 8) -> Bidirectional(GRU(6)) -> Dense(10, softmax)",
    "Input(8, 8) -> MultiHeadAttention(2, 3) -> Flatten -> Dense(10, softmax)",
])
def test_training_lowers_the_loss(spec):
    X, y = datasets.load("digits", seed=0)
    model = build(spec, seed=0).compile(loss="cce", optimizer="adam", lr=0.01)
    history = model.fit(X[:240], y[:240], epochs=6, batch_size=32)
    assert history[-1]["loss"] < 0.8 * history[0]["loss"], [h["loss"] for h in history]


def test_save_and_load_keep_every_direction(tmp_path):
    spec = "Input(4, 3) -> Bidirectional(LSTM(2, return_sequences=True)) -> TimeDistributed(Dense(2)) -> Flatten"
    model = build(spec, seed=1)
    path = tmp_path / "w.npz"
    model.save(path)
    with np.load(path) as data:
        assert {"01.Bidirectional.forward_kernel", "01.Bidirectional.backward_bias",
                "02.TimeDistributed.kernel"} <= set(data.files)
    other = build(spec, seed=2)
    X = np.random.default_rng(0).standard_normal((3, 4, 3))
    assert not np.allclose(other.predict(X), model.predict(X))
    other.load(path)
    np.testing.assert_array_equal(other.predict(X), model.predict(X))


def test_train_cli_end_to_end(tmp_path):
    path = tmp_path / "bi.npz"
    spec = ("Input(8, 8) -> MultiHeadAttention(2, 4) -> Bidirectional(GRU(8), merge_mode=ave) "
            "-> Dense(10, softmax)")
    result = run_cli("train", "--data", "digits", "--model", spec, "--epochs", "3", "--save", str(path), "--json")
    assert result.code == 0, result.err
    out = json.loads(result.out)
    assert out["final"]["params"] == build(spec).count_params()
    losses = [r["loss"] for r in out["history"]]
    assert losses[-1] < losses[0]
    csv = tmp_path / "x.csv"
    np.savetxt(csv, datasets.load("digits", seed=0)[0][:2].reshape(2, -1), delimiter=",")
    predicted = run_cli("predict", str(path), "--input", str(csv), "--json")
    assert predicted.code == 0, predicted.err
    rows = predicted.json()["outputs"]
    assert len(rows) == 2 and all(abs(sum(r) - 1) < 1e-5 for r in rows)


def test_attention_settings_the_engine_does_not_train_are_bad_input():
    assert_bad_input(run_cli("train", "--data", "digits", "--model",
                             "Input(8, 8) -> MultiHeadAttention(2, 4, attention_axes=1) -> Flatten -> Dense(10)"),
                     "attention_axes")


def test_the_budgets_count_the_attention_matrix_and_every_wrapped_step():
    """A T × T attention matrix per head, and a convolution at every cell of every frame, are counted
    before anything runs: a run they would make too large is refused, not started."""
    from dltutor.errors import InputError
    from dltutor.nn.training import check_batch, check_work

    attention = build("Input(3000, 4) -> MultiHeadAttention(2, 2)")      # 2 heads · 3000² scores per sample
    with pytest.raises(InputError, match="batch of 32"):
        check_batch(attention, 32)
    frames = build("Input(50, 64, 64, 3) -> TimeDistributed(Conv2D(64, 3))")
    with pytest.raises(InputError, match="multiply-adds"):
        check_work(frames, 1000, 10)          # 50 frames · 62² cells · 1,792 weights per sample
    check_work(build("Input(50, 4) -> TimeDistributed(Dense(3)) -> Flatten -> Dense(1)"), 1000, 10)
