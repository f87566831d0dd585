"""`dltutor convert`: the scripts it writes, run with PyTorch and with Keras (KERAS_BACKEND=torch),
print what `dltutor predict` prints, within 1e-5, for every layer type the engine trains.

The expected values come from the frameworks: each model gets random weights (biases and
BatchNorm statistics far from their initial 0 and 1, so that a layout mistake shows), is saved
as `dltutor train --save` saves, predicted by dltutor, converted, and run by torch and by Keras.
All scripts of one framework run in one subprocess (importing a framework costs seconds).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from conftest import run_cli
from dltutor.nn.model import build
from framework_runs import require, run_scripts

# one entry per layout conversion (and the layers around it): (case id, model spec)
CASES = [
    ("dense", "Input(3) -> Dense(4, tanh) -> Dense(2, softmax)"),
    ("dense-no-bias", "Input(4) -> Dense(3, leaky_relu, use_bias=False) -> Dense(2, relu)"),
    ("dense-on-sequence", "Input(3, 4) -> Dense(2, sigmoid) -> Flatten"),
    ("conv2d-maxpool-flatten", "Input(6, 6, 2) -> Conv2D(3, 3, relu) -> MaxPooling2D(2) -> Flatten -> Dense(2)"),
    ("conv2d-same-stride-avgpool-same", "Input(7, 6, 2) -> Conv2D(3, (2, 3), strides=2, padding=same) "
                                        "-> AveragePooling2D(2, padding=same) -> Flatten"),
    ("conv2d-dilation-maxpool-same-gap", "Input(9, 9, 1) -> Conv2D(2, 3, tanh, dilation_rate=2) "
                                         "-> MaxPooling2D(2, padding=same) -> GlobalAveragePooling2D"),
    ("conv2d-softmax-channels-gmp", "Input(4, 4, 2) -> Conv2D(3, 2, softmax, padding=same) -> GlobalMaxPooling2D"),
    ("conv2d-then-dense", "Input(4, 4, 1) -> Conv2D(2, 3, use_bias=False) -> Dense(3, softmax) -> Flatten"),
    ("conv1d-maxpool1d", "Input(10, 2) -> Conv1D(3, 3, relu, padding=same, strides=2) -> MaxPooling1D(2) -> Flatten"),
    ("conv1d-dilation-avgpool1d-same", "Input(9, 2) -> Conv1D(3, 2, dilation_rate=2) "
                                       "-> AveragePooling1D(2, padding=same) -> GlobalMaxPooling1D"),
    ("conv1d-gap1d", "Input(6, 3) -> Conv1D(2, 2) -> AveragePooling1D(2) -> GlobalAveragePooling1D"),
    ("conv2d-transpose-same", "Input(4, 5, 2) -> Conv2DTranspose(3, 3, strides=2, padding=same, activation=relu) "
                              "-> Conv2DTranspose(2, 4, strides=2, padding=same) -> Flatten"),
    ("conv2d-transpose-valid-output-padding", "Input(3, 3, 2) -> Conv2DTranspose(2, (2, 3), strides=3, use_bias=False) "
                                              "-> Conv2DTranspose(2, 3, strides=2, padding=same, output_padding=1) "
                                              "-> Conv2DTranspose(2, 2, dilation_rate=2) -> Flatten"),
    ("conv1d-transpose", "Input(5, 2) -> Conv1DTranspose(3, 3, strides=2, padding=same, activation=tanh) "
                         "-> Conv1DTranspose(2, 2, strides=3, output_padding=1) "
                         "-> Conv1DTranspose(2, 3, padding=same, dilation_rate=2) -> Flatten"),
    ("depthwise-separable", "Input(6, 6, 2) -> DepthwiseConv2D(3, depth_multiplier=2, padding=same) "
                            "-> SeparableConv2D(3, 2, relu, depth_multiplier=2) -> Flatten"),
    ("batchnorm-dropout", "Input(5, 5, 2) -> Conv2D(3, 3) -> BatchNormalization -> ReLU -> Flatten "
                          "-> Dropout(0.5) -> BatchNormalization -> Dense(2)"),
    ("batchnorm-sequence", "Input(4, 3) -> BatchNormalization -> SimpleRNN(2)"),
    ("embedding-simplernn", "Input(5) -> Embedding(7, 3) -> SimpleRNN(4, return_sequences=True) -> SimpleRNN(2, relu)"),
    ("lstm", "Input(4, 3) -> LSTM(5, return_sequences=True) -> LSTM(2, use_bias=False)"),
    ("gru-reset-after", "Input(4, 3) -> GRU(3, return_sequences=True) -> GRU(2)"),
    ("gru-reset-before", "Input(4, 3) -> GRU(3, reset_after=False, return_sequences=True) "
                         "-> GRU(2, reset_after=False, use_bias=False)"),
    ("reshape-activations", "Input(12) -> Reshape(2, 3, 2) -> LeakyReLU(0.2) -> Activation(sigmoid) "
                            "-> Conv2D(2, 1) -> Flatten"),
    ("zeropadding-cropping-2d", "Input(4, 5, 2) -> ZeroPadding2D(((1, 2), (0, 3))) -> Conv2D(3, 2, tanh) "
                                "-> Cropping2D(((1, 0), (2, 1))) -> ZeroPadding2D((1, 2)) -> Cropping2D(1) -> Flatten"),
    ("zeropadding-cropping-1d", "Input(7, 2) -> ZeroPadding1D((2, 1)) -> Cropping1D((1, 3)) -> Conv1D(3, 2) "
                                "-> ZeroPadding1D(1) -> Cropping1D -> Flatten"),
    ("padding-cropping-channels-last", "Input(5, 3) -> LSTM(4, return_sequences=True) -> ZeroPadding1D((1, 2)) "
                                       "-> Cropping1D((2, 0)) -> Flatten"),
    ("upsampling-nearest-bilinear", "Input(3, 2, 2) -> UpSampling2D((2, 3)) -> Conv2D(2, 2) "
                                    "-> UpSampling2D((3, 2), interpolation=bilinear) -> Flatten"),
    ("upsampling1d", "Input(4, 2) -> UpSampling1D(3) -> Conv1D(2, 3) -> UpSampling1D -> Flatten"),
    ("layernorm-sequence", "Input(4, 5) -> LayerNormalization -> Dense(3, relu) "
                           "-> LayerNormalization(epsilon=0.01, center=False) -> Flatten"),
    ("layernorm-feature-map", "Input(5, 5, 2) -> Conv2D(3, 2) -> LayerNormalization(axis=(-3, -2, -1), scale=False) "
                              "-> LayerNormalization -> Flatten"),
    ("layernorm-not-last-axes", "Input(4, 5) -> LayerNormalization(axis=1) -> Dense(3) "
                                "-> LayerNormalization(axis=(1, -1), center=False) -> Flatten"),
    ("bidirectional-concat", "Input(4, 3) -> Bidirectional(LSTM(3, return_sequences=True)) "
                             "-> Bidirectional(SimpleRNN(2, relu)) -> Dense(2)"),
    ("bidirectional-gru-concat", "Input(4, 3) -> Bidirectional(GRU(3, return_sequences=True)) "
                                 "-> Bidirectional(GRU(2, reset_after=False, use_bias=False))"),
    ("bidirectional-merges", "Input(4, 3) -> Bidirectional(GRU(3, return_sequences=True), merge_mode=sum) "
                             "-> Bidirectional(LSTM(2, return_sequences=True), merge_mode=mul) "
                             "-> Bidirectional(GRU(2, reset_after=False), merge_mode=ave)"),
    ("time-distributed-dense", "Input(3, 2, 4) -> TimeDistributed(Dense(3, tanh)) -> TimeDistributed(Flatten()) "
                               "-> TimeDistributed(Dense(2, softmax)) -> Flatten"),
    ("time-distributed-conv", "Input(2, 5, 5, 1) -> TimeDistributed(Conv2D(2, 3, relu)) "
                              "-> TimeDistributed(MaxPooling2D(2)) -> TimeDistributed(BatchNormalization()) -> Flatten"),
    ("attention-native", "Input(5, 4) -> MultiHeadAttention(2, 2) -> Flatten -> Dense(2)"),
    ("attention-explicit", "Input(4, 5) -> MultiHeadAttention(3, 2, value_dim=4) "
                           "-> MultiHeadAttention(2, 3, use_bias=False) -> Flatten"),
    ("attention-map", "Input(2, 3, 4) -> MultiHeadAttention(2, 2, use_bias=False) -> GlobalAveragePooling2D"),
]
# Keras 3.15's torch backend hands LayerNormalization over axes that are not the trailing ones to
# F.layer_norm, which normalizes the trailing ones (tests/reference/record_spatial_keras.py):
# the Keras program is right, the backend the test runs it on is not
KERAS_TORCH_BACKEND_WRONG = {"layernorm-not-last-axes"}
FRAMEWORKS = ["pytorch", "keras"]


def _randomize(model, rng):
    for layer in model.layers:
        for name, w in layer.weights.items():
            if name == "moving_variance":
                w[...] = rng.uniform(0.5, 2.0, w.shape)
            elif name == "embeddings":
                w[...] = rng.normal(0, 1.0, w.shape)
            else:
                w[...] = rng.normal(0, 0.6, w.shape)


def _rows(model, rng, n=5):
    shape = (n,) + model.input_shape
    if model.layers[0].type == "Embedding":
        return rng.integers(0, model.layers[0].weights["embeddings"].shape[0], shape).reshape(n, -1)
    return rng.normal(0, 1.0, shape).reshape(n, -1)


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """For every case: dltutor predict's outputs and the scripts of both frameworks."""
    folder = tmp_path_factory.mktemp("convert")
    rng = np.random.default_rng(19)
    out = {}
    cases = list(CASES)
    # one model trained by the real command, as a user would
    trained = folder / "xor.npz"
    result = run_cli("train", "--data", "xor", "--epochs", "20", "--save", str(trained), "--json")
    assert result.code == 0, result.err
    for case, spec in [("trained-xor", None)] + cases:
        if spec is None:
            weights, width = trained, 2
            X = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [0.3, -0.7]])
        else:
            model = build(spec, seed=1)
            _randomize(model, rng)
            weights = folder / f"{case}.npz"
            model.save(weights)
            X = _rows(model, rng)
        csv = folder / f"{case}.csv"
        np.savetxt(csv, X, delimiter=",", fmt="%.9g")
        predicted = run_cli("predict", str(weights), "--input", str(csv), "--json")
        assert predicted.code == 0, (case, predicted.err)
        scripts = {}
        for framework in FRAMEWORKS:
            script = folder / f"{case}_{framework}.py"
            made = run_cli("convert", str(weights), "--to", framework, "-o", str(script))
            assert made.code == 0, (case, made.err)
            scripts[framework] = str(script)
        out[case] = {"expected": predicted.json()["outputs"], "csv": str(csv), "scripts": scripts}
    return out


@pytest.fixture(scope="module")
def framework_outputs(converted):
    """{framework: {script: result}}, run lazily, one subprocess per framework."""
    cache = {}

    def get(framework):
        require(framework)
        if framework not in cache:
            jobs = [[c["scripts"][framework], c["csv"]] for c in converted.values()]
            cache[framework] = run_scripts(framework, jobs)
        return cache[framework]

    return get


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("case", ["trained-xor"] + [c for c, _ in CASES])
def test_script_prints_what_dltutor_predicts(case, framework, converted, framework_outputs):
    if framework == "keras" and case in KERAS_TORCH_BACKEND_WRONG:
        pytest.skip("Keras 3.15's torch backend normalizes the trailing axes whatever LayerNormalization's axis")
    item = converted[case]
    result = framework_outputs(framework)[item["scripts"][framework]]
    assert "error" not in result, result.get("error")
    outputs = json.loads(result["stdout"])["outputs"]
    expected = np.array(item["expected"])
    got = np.array(outputs)
    assert got.shape == expected.shape
    assert np.abs(expected).max() > 1e-3           # a case whose outputs are all ~0 would test nothing
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_every_engine_layer_is_converted():
    """Every layer type the engine trains appears in a conversion case (so none is left untested)."""
    from dltutor.modelspec import resolve
    from dltutor.nn.base import LAYERS

    covered = {layer.type for _, spec in CASES for layer in resolve(spec).layers}
    assert set(LAYERS) <= covered, sorted(set(LAYERS) - covered)


def test_outputs_differ_between_cases_with_different_weights(converted):
    """The predictions depend on the saved weights (a guard that predict really loads them)."""
    a, b = converted["dense"]["expected"], converted["dense-no-bias"]["expected"]
    assert not math.isclose(a[0][0], b[0][0])


def test_a_converted_script_without_its_framework_says_what_to_install(tmp_path):
    """Run with a Python that cannot import the framework: one line naming it, exit 1, no traceback."""
    import subprocess
    import sys

    from dltutor.frameworks.emit import _guarded

    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "torch.py").write_text("raise ModuleNotFoundError('no torch', name='torch')\n")
    script = tmp_path / "s.py"
    script.write_text("import sys\n" + _guarded("import torch", "PyTorch: pip install torch") + "\nprint('ran')\n")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(blocker), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 1
    assert proc.stderr.strip() == "this program needs PyTorch: pip install torch (torch is not installed)"
