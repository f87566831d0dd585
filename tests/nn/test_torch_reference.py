"""Layer outputs and gradients against PyTorch (and one Keras case), recorded by
tests/reference/record_nn_torch.py into tests/data/nn_torch.json (see its docstring
for how PyTorch's layouts map onto Keras's, which the engine uses)."""

import numpy as np
import pytest

from conftest import load_data
from dltutor.nn import losses
from dltutor.nn.base import apply_activation
from dltutor.nn.model import build

DATA = load_data("nn_torch.json")
LAYER_CASES = DATA["layers"]


def _layer(case):
    layer = build(case["spec"], seed=0, dtype=np.float64).layers[-1]
    for name, value in case["weights"].items():
        assert layer.weights[name].shape == np.shape(value), name
        layer.weights[name][...] = value
    layer.need_input_grad = True
    return layer


@pytest.mark.parametrize("case", LAYER_CASES, ids=[c["spec"] for c in LAYER_CASES])
def test_layer_matches_torch(case):
    layer = _layer(case)
    Y = layer.forward(np.array(case["X"]), training=True)
    np.testing.assert_allclose(Y, case["Y"], rtol=1e-9, atol=1e-10)
    dX = layer.backward(np.array(case["dY"]))
    np.testing.assert_allclose(dX, case["dX"], rtol=1e-9, atol=1e-10)
    assert set(case["grads"]) <= set(layer.grads)
    for name, expected in case["grads"].items():
        np.testing.assert_allclose(layer.grads[name], expected, rtol=1e-9, atol=1e-10, err_msg=name)


def test_gru_reset_after_false_matches_keras():
    case = DATA["keras_gru_reset_before"]
    layer = _layer(case)
    Y = layer.forward(np.array(case["X"], dtype=np.float64))
    np.testing.assert_allclose(Y, case["Y"], rtol=1e-5, atol=1e-6)


LOSS_CASES = DATA["losses"]


@pytest.mark.parametrize("case", LOSS_CASES, ids=[c["name"] for c in LOSS_CASES])
def test_loss_matches_torch(case):
    Y = np.array(case["Y"])
    if case["name"].endswith("_fused"):
        Z = np.array(case["Z"])
        model = build(f"Input(2) -> Dense({Z.shape[1]}, {'softmax' if Z.shape[1] > 1 else 'sigmoid'})",
                      dtype=np.float64)
        model.compile(loss=case["name"].split("_")[0])
        assert model.fused()
        P = apply_activation(model.layers[-1].activation, Z)     # the output layer's activation of the logits
        grad = losses.softmax_cce_grad if case["name"] == "cce_fused" else losses.sigmoid_bce_grad
        np.testing.assert_allclose(grad(Y, P), case["dZ"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(np.mean(model.loss.value(Y, P)), case["loss"], rtol=1e-6)
    else:
        P = np.array(case["P"])
        loss = losses.LOSSES[case["name"]]
        np.testing.assert_allclose(np.mean(loss.value(Y, P)), case["loss"], rtol=1e-9)
        np.testing.assert_allclose(loss.grad(Y, P), case["dP"], rtol=1e-9, atol=1e-12)
