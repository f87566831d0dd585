"""The engine's weight arrays add up to `dltutor solve params` (and to Keras's counts,
recorded in tests/data/keras_params.json by tests/reference/record_keras_params.py)."""

import numpy as np
import pytest

from conftest import DATA, load_data, run_cli
from dltutor import modelspec
from dltutor.errors import InputError
from dltutor.nn.model import build

KERAS = load_data("keras_params.json")["models"] if (DATA / "keras_params.json").exists() else []
OWN = [
    "Input(2) -> Dense(8, tanh) -> Dense(1, sigmoid)",
    "Input(8,8,1) -> Conv2D(8, 3, relu) -> MaxPooling2D(2) -> Flatten -> Dense(10, softmax)",
    "Input(28,28,1) -> Conv2D(6,5) -> MaxPooling2D(2) -> Conv2D(16,5) -> MaxPooling2D(2) -> Flatten -> "
    "Dense(120) -> Dense(84) -> Dense(10)",
    "Input(20, 8) -> LSTM(32, return_sequences=True) -> GRU(16) -> Dense(4, softmax)",
    "Input(20, 8) -> GRU(16, reset_after=False) -> Dense(1)",
    "Input(10, 3) -> SimpleRNN(5, use_bias=False) -> Dense(2)",
    "Input(16,16,3) -> SeparableConv2D(8, 3, padding=same) -> BatchNormalization -> DepthwiseConv2D(3) "
    "-> GlobalAveragePooling2D -> Dropout(0.3) -> Dense(5)",
    "Input(12) -> Reshape(3, 4) -> Conv1D(6, 2) -> GlobalMaxPooling1D -> Activation(relu)",
]


def _supported(spec):
    try:
        modelspec.resolve(spec)
    except InputError:
        return False
    return True


@pytest.mark.parametrize("case", KERAS, ids=[c["id"] for c in KERAS])
def test_engine_counts_equal_keras(case):
    if not _supported(case["spec"]):
        pytest.skip("the model-spec grammar does not accept this spec yet")
    model = build(case["spec"], seed=0)
    assert model.count_params() == case["total"]
    trainable = sum(layer.weights[n].size for layer in model.layers for n in layer.trainable_names())
    assert trainable == case["trainable"]


@pytest.mark.parametrize("spec", OWN)
def test_engine_counts_equal_solve_params(spec):
    result = run_cli("solve", "params", spec, "--json")
    assert result.code == 0, result.err
    answer = result.json()["answer"]
    model = build(spec, seed=0)
    assert model.count_params() == answer["total"]
    per_layer = [layer["params"] for layer in answer["layers"] if not layer["layer"].lower().startswith("input")]
    assert [layer.count_params() for layer in model.layers] == per_layer


def test_weights_are_float32_and_seeded():
    a, b = build(OWN[1], seed=5), build(OWN[1], seed=5)
    c = build(OWN[1], seed=6)
    ka, kb, kc = (m.layers[0].weights["kernel"] for m in (a, b, c))
    assert ka.dtype == np.float32
    assert np.array_equal(ka, kb) and not np.array_equal(ka, kc)


def test_initialisers_follow_keras():
    model = build("Input(30) -> Dense(20) -> Reshape(4, 5) -> LSTM(6)", seed=0)
    dense, _, lstm = model.layers
    limit = np.sqrt(6 / (30 + 20))                        # Glorot uniform
    assert np.abs(dense.weights["kernel"]).max() <= limit
    assert np.abs(dense.weights["kernel"]).max() > 0.8 * limit
    assert not dense.weights["bias"].any()
    U = lstm.weights["recurrent_kernel"]                  # orthogonal (6, 24): orthonormal rows
    np.testing.assert_allclose(U @ U.T, np.eye(6), atol=1e-5)
    b = lstm.weights["bias"]                              # unit_forget_bias: the f block is 1
    assert np.all(b[6:12] == 1) and not b[:6].any() and not b[12:].any()


def test_unsupported_activation_is_rejected_clearly():
    with pytest.raises(InputError, match="elu"):
        build("Input(3) -> Dense(2, elu)")
