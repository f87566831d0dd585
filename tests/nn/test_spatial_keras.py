"""The engine's ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D/2D and LayerNormalization against
Keras 3, recorded by tests/reference/record_spatial_keras.py into tests/data/spatial_keras.json:
the output Y for a random batch X and, for L = Σ R ⊙ Y, the gradients ∂L/∂X and ∂L/∂γ, ∂L/∂β
(torch's autograd through the Keras layer). Keras computes LayerNormalization in float32 (checked
in float32, to float32's precision); LayerNormalization in float64, and over axes that are not
the last ones (which Keras 3.15's torch backend mishandles; see the script), comes from PyTorch."""

import numpy as np
import pytest

from conftest import load_data
from dltutor.modelspec import resolve
from dltutor.nn.model import build

DATA = load_data("spatial_keras.json")
CASES = DATA["cases"]


def test_the_reference_covers_the_awkward_cases():
    specs = " ".join(c["spec"] for c in CASES)
    for fragment in ("ZeroPadding2D(((1, 2), (0, 3)))", "Cropping2D(((1, 2), (3, 0)))", "ZeroPadding1D((2, 1))",
                     "Cropping1D((0, 2))", "UpSampling2D((2, 3))", "interpolation=bilinear", "UpSampling1D(3)",
                     "Input(4, 5) -> LayerNormalization", "axis=1"):
        assert fragment in specs, fragment


@pytest.mark.parametrize("case", CASES, ids=[c["spec"] for c in CASES])
def test_forward_and_gradients_match_the_framework(case):
    dtype = np.dtype(case["dtype"])
    tol = {"rtol": 1e-9, "atol": 1e-10} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-6}
    model = build(case["spec"], seed=0, dtype=dtype)
    layer = model.layers[-1]
    assert sorted(layer.weights) == sorted(case["weights"])
    for name, value in case["weights"].items():
        assert layer.weights[name].shape == np.shape(value), name
        layer.weights[name][...] = value
    X = np.array(case["X"], dtype=dtype)
    Y = layer.forward(X, training=True)
    np.testing.assert_allclose(Y, case["Y"], **tol)
    np.testing.assert_allclose(layer.forward(X, training=False), case["Y"], **tol)
    layer.forward(X, training=True)
    dX = layer.backward(np.array(case["R"], dtype=dtype))
    np.testing.assert_allclose(dX, case["dX"], **tol)
    for name, expected in case["dW"].items():
        np.testing.assert_allclose(layer.grads[name], expected, **tol, err_msg=name)


@pytest.mark.parametrize("case", DATA["layer_norm_weights"], ids=[c["spec"] for c in DATA["layer_norm_weights"]])
def test_layer_norm_weights_have_the_shapes_keras_builds(case):
    """`solve params` and the engine (build checks they agree) give γ, β Keras's shapes for every axis."""
    expected = [(name, tuple(shape)) for name, shape in case["weights"]]
    assert [(w.name, w.shape) for w in resolve(case["spec"]).layers[0].weights] == expected
    assert [(n, w.shape) for n, w in build(case["spec"]).layers[0].weights.items()] == expected
