"""Record Keras 3's Conv2DTranspose and Conv1DTranspose for tests/nn/test_transposed_keras.py.

Run with the reference environment (Keras 3 on its torch backend, torch 2.x CPU):

    KERAS_BACKEND=torch python tests/reference/record_transposed_keras.py

Each case builds the Keras layer (float64), sets random weights in Keras's layout (kernel
(k_h, k_w, filters, C_in), or (k, filters, C_in) in 1-D; bias (filters,)), runs it on a batch X
and backpropagates a random upstream gradient dY through it with torch's autograd: it records
Y = layer(X), dX = ∂Σ(dY⊙Y)/∂X and the kernel and bias gradients. The cases are the awkward
ones: 'same' with stride 2 on even and odd sizes and with even kernels; a stride larger than
the kernel, under 'same' and 'valid' (zeros appended); 'valid' with overlapping windows;
output_padding with both paddings; dilation; several channels; no bias; an activation.
Writes tests/data/transposed_keras.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from keras.src.backend.torch import nn as keras_torch_nn  # noqa: E402

# torch's CPU conv_transpose backward refuses the permuted (non-contiguous) kernel view that
# Keras passes it ("grad_weight needs to be contiguous"): the same values, laid out contiguously
_permute = keras_torch_nn._transpose_conv_kernel
keras_torch_nn._transpose_conv_kernel = lambda kernel: _permute(kernel).contiguous()

OUT = Path(__file__).resolve().parents[1] / "data" / "transposed_keras.json"
RNG = np.random.default_rng(31)

# (layer, input shape without the batch axis, filters, kernel_size, keyword arguments)
CASES = [
    ("Conv2DTranspose", (4, 4, 2), 3, 3, {"strides": 2, "padding": "same"}),
    ("Conv2DTranspose", (5, 3, 2), 3, (3, 2), {"strides": 2, "padding": "same"}),
    ("Conv2DTranspose", (3, 3, 2), 2, 4, {"strides": 2, "padding": "same"}),
    ("Conv2DTranspose", (4, 4, 1), 2, 2, {"padding": "same"}),
    ("Conv2DTranspose", (3, 4, 3), 2, 2, {"strides": 3}),
    ("Conv2DTranspose", (3, 3, 2), 2, 4, {"strides": 3, "use_bias": False}),
    ("Conv2DTranspose", (2, 3, 2), 2, (1, 2), {"strides": (2, 3), "padding": "same"}),
    ("Conv2DTranspose", (3, 4, 2), 2, 3, {"strides": 2, "padding": "same", "output_padding": 1}),
    ("Conv2DTranspose", (3, 3, 2), 2, 3, {"strides": (2, 3), "output_padding": (1, 2)}),
    ("Conv2DTranspose", (4, 5, 2), 3, 3, {"dilation_rate": 2, "padding": "same"}),
    ("Conv2DTranspose", (3, 4, 2), 2, (2, 3), {"dilation_rate": (2, 1)}),
    ("Conv2DTranspose", (4, 3, 3), 4, 3, {"strides": (2, 1), "padding": "same", "activation": "tanh"}),
    ("Conv1DTranspose", (5, 2), 3, 3, {"strides": 2, "padding": "same"}),
    ("Conv1DTranspose", (4, 3), 2, 3, {"strides": 3}),
    ("Conv1DTranspose", (6, 2), 2, 4, {"strides": 2, "padding": "same", "use_bias": False, "activation": "relu"}),
    ("Conv1DTranspose", (3, 2), 2, 2, {"strides": 3, "padding": "same"}),
    ("Conv1DTranspose", (4, 2), 2, 2, {"strides": 3, "padding": "same", "output_padding": 1}),
    ("Conv1DTranspose", (5, 2), 2, 3, {"dilation_rate": 2}),
]


def spec_text(layer_type, shape, filters, kernel, kwargs) -> str:
    """The model spec of the case, in dltutor's grammar."""
    def value(v):
        return v if isinstance(v, str) else str(v)

    args = [str(filters), str(kernel)] + [f"{k}={value(v)}" for k, v in kwargs.items()]
    return f"Input({', '.join(map(str, shape))}) -> {layer_type}({', '.join(args)})"


def record(layer_type, shape, filters, kernel, kwargs) -> dict:
    layer = getattr(keras.layers, layer_type)(filters, kernel, dtype="float64", **kwargs)
    layer.build((None, *shape))
    weights = [RNG.standard_normal(tuple(layer.kernel.shape))]
    if layer.use_bias:
        weights.append(RNG.standard_normal(filters))
    layer.set_weights(weights)
    X = RNG.standard_normal((2, *shape))
    x = torch.tensor(X, requires_grad=True)
    y = layer(x)
    dY = RNG.standard_normal(tuple(y.shape))
    (y * torch.tensor(dY)).sum().backward()
    names = ["kernel", "bias"][:len(weights)]
    variables = [layer.kernel] + ([layer.bias] if layer.use_bias else [])
    return {"spec": spec_text(layer_type, shape, filters, kernel, kwargs),
            "X": X.tolist(), "weights": {n: w.tolist() for n, w in zip(names, weights)},
            "dY": dY.tolist(), "Y": y.detach().numpy().tolist(), "dX": x.grad.numpy().tolist(),
            "grads": {n: v.value.grad.numpy().tolist() for n, v in zip(names, variables)}}


def main() -> int:
    keras.config.set_floatx("float64")
    cases = [record(*c) for c in CASES]
    OUT.write_text(json.dumps({"made_by": "tests/reference/record_transposed_keras.py",
                               "keras": keras.__version__, "backend": keras.backend.backend(),
                               "torch": torch.__version__, "cases": cases}) + "\n")
    print(f"{len(cases)} cases -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
