"""The engine's BatchNormalization moving mean and variance against Keras 3, recorded by
tests/reference/record_batchnorm_keras.py into tests/data/batchnorm_keras.json: after each
training batch the moving statistics, then the inference output that uses them."""

import numpy as np
import pytest

from conftest import load_data
from dltutor.nn.model import build

CASES = load_data("batchnorm_keras.json")["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["spec"] for c in CASES])
def test_moving_statistics_match_keras(case):
    layer = build(case["spec"], seed=0, dtype=np.float64).layers[-1]
    layer.weights["gamma"][...] = case["gamma"]
    layer.weights["beta"][...] = case["beta"]
    for X, expected in zip(case["batches"], case["moving"]):
        layer.forward(np.array(X), training=True)
        for name in ("moving_mean", "moving_variance"):
            # Keras keeps the momentum as a float32 constant: agreement to about 1e-7
            np.testing.assert_allclose(layer.weights[name], expected[name], rtol=1e-6, atol=1e-9, err_msg=name)
    Y = layer.forward(np.array(case["batches"][-1]), training=False)
    np.testing.assert_allclose(Y, case["inference_Y"], rtol=1e-6, atol=1e-9)
