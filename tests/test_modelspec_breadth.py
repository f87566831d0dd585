"""The wider model specs of ``solve params`` against Keras 3 and PyTorch (recorded by
tests/reference/record_modelspec.py): wrappers, padding/cropping/upsampling, transposed and
grouped/causal/dilated convolutions, attention, the functional form, pasted Keras and PyTorch
code; and pasted text that is not a model."""

from __future__ import annotations

import pytest

from conftest import assert_bad_input, load_data, run_cli
from dltutor import modelspec

DATA = load_data("modelspec_reference.json")


def shapes_and_counts(model):
    return [(list(l.output_shape), l.params) for l in model.layers]


@pytest.mark.parametrize("case", DATA["keras"], ids=lambda c: c["id"])
def test_keras_shapes_and_counts(case):
    result = run_cli("solve", "params", case["spec"], "--json")
    assert result.code == 0, result.err
    answer = result.json()["answer"]
    assert [(l["output_shape"], l["params"]) for l in answer["layers"]] == [
        (l["output_shape"], l["params"]) for l in case["layers"]]
    assert (answer["total"], answer["trainable"], answer["non_trainable"]) == (
        case["total"], case["trainable"], case["non_trainable"])


@pytest.mark.parametrize("case", DATA["torch"], ids=lambda c: c["id"])
def test_pytorch_shapes_and_counts(case):
    shape = tuple(int(v) for v in case["input_shape"].split(","))
    model = modelspec.resolve(case["code"], shape)
    assert shapes_and_counts(model) == [(l["output_shape"], l["params"]) for l in case["layers"]]
    assert (model.total, model.trainable, model.non_trainable) == (case["total"], case["trainable"], 0)


def test_pytorch_batchnorm_statistics_are_buffers_not_parameters():
    case = next(c for c in DATA["torch"] if c["id"] == "torch-cnn")
    model = modelspec.resolve(case["code"], (3, 32, 32))
    bn = next(l for l in model.layers if l.type == "BatchNorm2d")
    assert bn.params == 32 and "buffers" in bn.params_note
    assert case["buffers"] > 0       # PyTorch holds them, outside parameters()


def test_dense_on_a_feature_map_says_a_flatten_was_probably_meant():
    layer = modelspec.resolve("Input(4,4,3) -> Dense(5)").layers[0]
    assert layer.output_shape == (4, 4, 5)
    assert "Flatten" in layer.shape_note and "last axis" in layer.shape_note


def test_causal_padding_is_explained():
    layer = modelspec.resolve("Input(10,2) -> Conv1D(4,3,padding=causal,dilation_rate=2)").layers[0]
    assert layer.output_shape == (10, 4)
    assert "causal" in layer.shape_note and "4 zero(s)" in layer.shape_note


def test_numeric_padding_is_explicit_zeros():
    # PyTorch's Conv2d(3, 16, 3, padding=1) on 32x32 keeps 32x32 (recorded in torch-cnn)
    model = modelspec.resolve("Input(32,32,3) -> Conv2D(16,3,padding=1) -> MaxPooling2D(2,padding=0)")
    assert [l.output_shape for l in model.layers] == [(32, 32, 16), (16, 16, 16)]


PASTED_NOT_A_MODEL = [
    ("import os\nos.system('ls')", ["line 1", "imports 'os'"]),
    ("model = Sequential()\nmodel.add(Dense(3, input_shape=(2,)))\nfor i in range(3):\n    model.add(Dense(2))",
     ["line 3", "a for statement"]),
    ("x = Input(3)\ny = Dense(2)(x)\nopen('/etc/passwd')", ["line 3", "not part of a model"]),
    ("model = nn.Sequential(nn.Linear(3, 2), __import__('os'))", ["unknown PyTorch module '__import__'"]),
    ("class Net(nn.Module):\n    pass", ["a classdef statement"]),
    ("x = Input(3)\ny = Dense(2)(z)", ["'z' is not assigned above"]),
    ("x = Input(3)\ny = Dense(2)(x)\nout = Add()([x, y])", ["Add needs inputs of one shape"]),
    ("model = Sequential([Dense(2, input_shape=(3,)), eval('1')])", ["unknown layer 'eval' (layer 2)"]),
    ("model = Sequential([Dense(2, input_shape=(3,)),", ["not valid Python"]),
]


@pytest.mark.parametrize("code, fragments", PASTED_NOT_A_MODEL, ids=[c[:25] for c, _ in PASTED_NOT_A_MODEL])
def test_pasted_code_that_is_not_a_model_is_one_line(code, fragments):
    assert_bad_input(run_cli("solve", "params", code), *fragments)


@pytest.mark.parametrize("spec, fragments", [
    ("Input(3) -> Dense(4) -> Foo(2)", ["unknown layer 'Foo' (layer 3)"]),
    ("Input(3) -> Flaten -> Dense(2)", ["unknown layer 'Flaten' (layer 2)", "did you mean 'Flatten'?"]),
    ("Input(5,3) -> Bidirectional(GRUU(16))", ["unknown layer 'GRUU' (layer 2)", "'GRU'"]),
    ("Input(5,3) -> Bidirectional(Dense(4))", ["Bidirectional wraps a recurrent layer"]),
    ("Input(5,3) -> Bidirectional(LSTM(4), merge_mode=max)", ["merge_mode must be one of"]),
    ("Input(8,8,3) -> Conv2D(4,3,padding=full)", ["padding must be valid, same or a whole number",
                                                  "'full'"]),
    ("Input(8,8,3) -> Conv2D(4,3,padding=causal)", ["padding must be valid, same or"]),
    ("Input(8,8,3) -> Conv2D(4,3,groups=2)", ["groups 2 must divide the input channels 3"]),
    ("Input(6,6,2) -> Cropping2D(3)", ["cropping 3 + 3 leaves nothing"]),
    ("Input(3), Dense(5), Foo", ["unknown layer 'Foo' (layer 3)"]),
    ("Input(4,4,1) -> UpSampling2D(2, interpolation=cubic)", ["interpolation must be one of", "'cubic'"]),
    ("Input(5,3) -> LayerNormalization(axis=0)", ["axis 0 is not a feature axis", "1 to 2"]),
    ("Input(5,3) -> LayerNormalization(axis=-3)", ["axis -3 is not a feature axis"]),
    ("Input(5,3) -> LayerNormalization(axis=(1,-2))", ["names the same axis twice"]),
    ("Input(5,3) -> LayerNormalization(axis=last)", ["axis must be a whole number"]),
    ("Input(5,3) -> LayerNormalization(center=1)", ["center must be True or False"]),
    ("Input(5,3) -> LayerNormalization(epsilon=0)", ["epsilon must be a small positive number"]),
    ("Input(5) -> BatchNormalization(epsilon=abc)", ["epsilon", "'abc'"]),
    ("Input(5) -> BatchNormalization(momentum=1.5)", ["momentum must be a number from 0"]),
])
def test_spec_errors_name_the_layer(spec, fragments):
    assert_bad_input(run_cli("solve", "params", spec), *fragments)


def test_pytorch_code_needs_an_input_shape():
    with pytest.raises(Exception, match="--input-shape"):
        modelspec.resolve("model = nn.Sequential(nn.Linear(3, 2))")


def test_pytorch_checks_the_channels_it_is_given():
    with pytest.raises(Exception, match="in_channels is 3 but the input has 1 channels"):
        modelspec.resolve("nn.Sequential(nn.Conv2d(3, 8, 3))", (1, 28, 28))


def test_functional_assignments_off_the_path_to_the_output_are_left_out_as_keras_does():
    model = modelspec.resolve("x = Input(8)\na = Dense(4)(x)\nb = Dense(3)(x)")
    assert [l.label for l in model.layers] == ["Dense(3)"] and model.total == 27
    assert "a = Dense(4)" in model.layers[-1].shape_note


def test_pasted_model_outputs_choose_the_output():
    code = "x = Input(8)\na = Dense(4)(x)\nb = Dense(3)(x)\nmodel = Model(inputs=x, outputs=a)"
    assert modelspec.resolve(code).total == 36


def test_pytorch_names_imported_from_torch_nn_are_pytorch():
    code = "from torch.nn import Sequential, Linear, ReLU\nimport numpy as np\n\n" \
           "model = Sequential(Linear(4, 8), ReLU(), Linear(8, 2))  # an MLP\n"
    model = modelspec.resolve(code, (4,))
    assert [l.output_shape for l in model.layers] == [(8,), (8,), (2,)] and model.total == 58


def test_pasted_keras_code_keeps_upsampling_interpolation():
    """interpolation= changes what UpSampling2D computes (the engine trains it): pasted code keeps it."""
    code = "model = Sequential([Input((3, 3, 1)), UpSampling2D(2, interpolation='bilinear')])"
    assert modelspec.resolve(code).layers[0].config["interpolation"] == "bilinear"
