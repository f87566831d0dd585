"""Finite-difference checks of every layer in the registry, every loss and whole models (float64).

Parametrized over ``base.LAYERS`` and each layer's ``examples``, so a new layer is
checked the moment it is registered.
"""

import numpy as np
import pytest

from dltutor.nn import losses
from dltutor.nn.base import LAYERS
from dltutor.nn.gradcheck import check_layer, check_loss, check_model
from dltutor.nn.model import build

TOL = 1e-6
CASES = [(name, ex) for name, cls in sorted(LAYERS.items()) for ex in cls.examples]


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_every_layer_has_examples(name):
    assert LAYERS[name].examples, f"{name} needs at least one example spec for the gradient check"
    for ex in LAYERS[name].examples:
        assert build(ex).layers[-1].type == name


@pytest.mark.parametrize("name,spec", CASES, ids=[ex for _, ex in CASES])
def test_layer_gradients_match_finite_differences(name, spec):
    layer = build(spec, seed=3, dtype=np.float64).layers[-1]
    errors = check_layer(layer, seed=1)
    assert errors, "nothing was checked"
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("spec", ["Input(3, 2) -> LSTM(3, relu)", "Input(3, 2) -> GRU(3, relu, reset_after=False)",
                                  "Input(4) -> Dense(3, leaky_relu)", "Input(6, 6, 2) -> Conv2D(2, 3, strides=3)"])
def test_more_variants(spec):
    errors = check_layer(build(spec, seed=0, dtype=np.float64).layers[-1], seed=2)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_loss_gradients(name):
    rng = np.random.default_rng(0)
    if name in ("bce", "cce"):
        P = rng.uniform(0.05, 0.95, (5, 3))
        Y = np.eye(3)[rng.integers(0, 3, 5)] if name == "cce" else rng.integers(0, 2, (5, 3)).astype(float)
    else:
        P, Y = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    assert check_loss(losses.LOSSES[name], Y, P) < TOL


@pytest.mark.parametrize("spec,loss", [
    ("Input(4) -> Dense(5, tanh) -> Dense(3, softmax)", "cce"),       # fused softmax + cce
    ("Input(4) -> Dense(5, relu) -> Dense(1, sigmoid)", "bce"),       # fused sigmoid + bce
    ("Input(4) -> Dense(5, tanh) -> Dense(3, softmax)", "mse"),       # softmax Jacobian path
    ("Input(4) -> Dense(3, sigmoid)", "mse"),
    ("Input(6, 6, 1) -> Conv2D(2, 3, relu) -> MaxPooling2D(2) -> Flatten -> BatchNormalization "
     "-> Dense(3, softmax)", "cce"),
    ("Input(5, 3) -> LSTM(4, return_sequences=True) -> GRU(3) -> Dense(2, softmax)", "cce"),
    ("Input(4, 4, 1) -> ZeroPadding2D(((1, 0), (0, 1))) -> Conv2D(2, 2, tanh) -> Cropping2D(((0, 1), (1, 0))) "
     "-> UpSampling2D((2, 1), interpolation=bilinear) -> LayerNormalization -> Flatten -> Dense(3, softmax)", "cce"),
    ("Input(5, 2) -> ZeroPadding1D((0, 2)) -> Conv1D(3, 2, tanh) -> Cropping1D((1, 0)) -> UpSampling1D(2) "
     "-> LayerNormalization(axis=(1, 2)) -> Flatten -> Dense(1, sigmoid)", "bce"),
])
def test_whole_model_gradients(spec, loss):
    rng = np.random.default_rng(0)
    model = build(spec, seed=0, dtype=np.float64).compile(loss=loss)
    X = rng.standard_normal((4,) + model.input_shape)
    K = model.output_shape[-1]
    Y = np.eye(K)[rng.integers(0, K, 4)] if K > 1 else rng.integers(0, 2, (4, 1)).astype(float)
    errors = check_model(model, X, Y)
    assert max(errors.values()) < TOL, errors
