"""Record Keras 3's ZeroPadding, Cropping, UpSampling and LayerNormalization layers for
tests/nn/test_spatial_keras.py.

Run with Keras 3 on its torch backend (torch 2.13 CPU):

    KERAS_BACKEND=torch python tests/reference/record_spatial_keras.py

Each case builds the Keras layer, sets random gamma/beta where it has them, calls it on a
random batch X and records the output Y, and, for L = Σ R ⊙ Y with a random R, the gradients
∂L/∂X and ∂L/∂(each weight) by torch's autograd through the Keras layer.

Keras 3.15's torch backend computes LayerNormalization in float32 whatever the input's dtype,
so its cases are recorded in float32 (the others in float64). It also mishandles a single axis
that is not the last one (``ops.layer_normalization`` hands it to ``F.layer_norm``, which
normalizes the trailing axes: an error, or silently the last axis when the sizes agree); its
TensorFlow and JAX backends normalize over the given axes. Those cases, and one over the last
axis, are recorded in float64 from PyTorch instead (framework "torch"): the axes moved to the
end, ``F.layer_norm``, moved back. Last, LayerNormalization's weight names and shapes as Keras
builds them for several ``axis`` values (Keras sorts the axes as written: (1, −1) gives γ the
shape (C, T)). Writes tests/data/spatial_keras.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "data" / "spatial_keras.json"
RNG = np.random.default_rng(23)
L = keras.layers

# (input shape with the batch, the layer in the model-spec grammar, the same Keras layer)
CASES = [
    ((2, 3, 4, 2), "ZeroPadding2D(((1, 2), (0, 3)))", lambda: L.ZeroPadding2D(((1, 2), (0, 3)))),
    ((2, 3, 2, 1), "ZeroPadding2D((2, 1))", lambda: L.ZeroPadding2D((2, 1))),
    ((1, 2, 2, 3), "ZeroPadding2D", lambda: L.ZeroPadding2D()),
    ((2, 4, 3), "ZeroPadding1D((2, 1))", lambda: L.ZeroPadding1D((2, 1))),
    ((2, 3, 2), "ZeroPadding1D(3)", lambda: L.ZeroPadding1D(3)),
    ((2, 5, 6, 2), "Cropping2D(((1, 2), (3, 0)))", lambda: L.Cropping2D(((1, 2), (3, 0)))),
    ((2, 5, 6, 1), "Cropping2D((1, 2))", lambda: L.Cropping2D((1, 2))),
    ((1, 4, 4, 3), "Cropping2D(1)", lambda: L.Cropping2D(1)),
    ((2, 6, 2), "Cropping1D((0, 2))", lambda: L.Cropping1D((0, 2))),
    ((2, 5, 3), "Cropping1D", lambda: L.Cropping1D()),
    ((2, 2, 3, 2), "UpSampling2D((2, 3))", lambda: L.UpSampling2D((2, 3))),
    ((1, 3, 2, 1), "UpSampling2D", lambda: L.UpSampling2D()),
    ((2, 3, 4, 2), "UpSampling2D((3, 2), interpolation=bilinear)",
     lambda: L.UpSampling2D((3, 2), interpolation="bilinear")),
    ((1, 4, 5, 1), "UpSampling2D(2, interpolation=bilinear)", lambda: L.UpSampling2D(2, interpolation="bilinear")),
    ((1, 1, 3, 2), "UpSampling2D((4, 1), interpolation=bilinear)",
     lambda: L.UpSampling2D((4, 1), interpolation="bilinear")),
    ((2, 3, 2), "UpSampling1D(3)", lambda: L.UpSampling1D(3)),
    ((1, 4, 3), "UpSampling1D", lambda: L.UpSampling1D()),
    ((3, 4, 5), "LayerNormalization", lambda: L.LayerNormalization()),
    ((4, 6), "LayerNormalization(epsilon=0.1)", lambda: L.LayerNormalization(epsilon=0.1)),
    ((2, 3, 3, 4), "LayerNormalization", lambda: L.LayerNormalization()),
    ((3, 4, 5), "LayerNormalization(axis=(-2, -1))", lambda: L.LayerNormalization(axis=(-2, -1))),
    ((2, 3, 2, 4), "LayerNormalization(axis=(1, 2, 3), center=False)",
     lambda: L.LayerNormalization(axis=(1, 2, 3), center=False)),
    ((3, 4, 5), "LayerNormalization(scale=False)", lambda: L.LayerNormalization(scale=False)),
    ((3, 4, 5), "LayerNormalization(center=False, scale=False)",
     lambda: L.LayerNormalization(center=False, scale=False)),
]
# LayerNormalization in float64 from PyTorch, over the last axis and over axes that are not the
# trailing ones: (input shape with the batch, the axes, the spec's keywords)
TORCH_CASES = [
    ((3, 4, 5), (2,), ""),
    ((3, 4, 5), (1,), "axis=1"),
    ((2, 3, 4, 2), (1, 2), "axis=(1, 2), epsilon=0.01"),
    ((2, 3, 2, 4), (1, 3), "axis=(1, 3)"),
]

# LayerNormalization's weight shapes as Keras builds them: (input shape without the batch, axis, center, scale)
WEIGHT_CASES = [
    ((4, 5), -1, True, True), ((4, 5), 1, True, True), ((4, 5), (1, -1), True, True), ((4, 5), (-1, 1), False, True),
    ((3, 2, 4), (2, -1), True, False), ((3, 2, 4), (1, 2, 3), True, True), ((3, 2, 4), -2, True, True),
    ((6,), -1, False, False),
]


def _spec(shape, layer: str) -> str:
    return f"Input({', '.join(map(str, shape[1:]))}) -> {layer}"


def record_keras(shape, layer_text, make) -> dict:
    # LayerNormalization computes in float32 on this backend whatever the input (ops.layer_normalization
    # takes result_type(torch.float64, "float32") = float32): it is recorded in float32, the rest in float64
    dtype = "float32" if layer_text.startswith("LayerNormalization") else "float64"
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    layer = make()
    assert layer.compute_dtype == dtype
    layer.build((None,) + tuple(shape[1:]))
    weights = {}
    for w in layer.weights:
        name = w.path.split("/")[-1]
        value = RNG.uniform(0.5, 1.5, w.shape) if name == "gamma" else RNG.uniform(-0.5, 0.5, w.shape)
        w.assign(value)
        weights[name] = value.tolist()
    X = torch.tensor(RNG.normal(0.5, 2.0, shape), dtype=getattr(torch, dtype), requires_grad=True)
    Y = layer(X)
    assert Y.dtype == X.dtype
    R = torch.tensor(RNG.normal(0.0, 1.0, tuple(Y.shape)), dtype=X.dtype)
    params = [w.value for w in layer.weights]
    grads = torch.autograd.grad((R * Y).sum(), [X] + params)
    names = [w.path.split("/")[-1] for w in layer.weights]
    return {"spec": _spec(shape, layer_text), "framework": "keras", "dtype": dtype, "weights": weights,
            "X": X.detach().tolist(), "Y": Y.detach().tolist(), "R": R.tolist(), "dX": grads[0].tolist(),
            "dW": {n: g.tolist() for n, g in zip(names, grads[1:])}}


def record_torch(shape, axis, keywords) -> dict:
    """LayerNormalization over ``axis`` (positive, in order): the axes moved last, F.layer_norm, moved back."""
    eps = float(keywords.split("epsilon=")[1]) if "epsilon=" in keywords else 0.001
    sizes = tuple(shape[a] for a in axis)
    gamma = torch.tensor(RNG.uniform(0.5, 1.5, sizes), dtype=torch.float64, requires_grad=True)
    beta = torch.tensor(RNG.uniform(-0.5, 0.5, sizes), dtype=torch.float64, requires_grad=True)
    X = torch.tensor(RNG.normal(0.5, 2.0, shape), dtype=torch.float64, requires_grad=True)
    last = tuple(range(-len(axis), 0))
    Y = F.layer_norm(X.movedim(axis, last), sizes, gamma, beta, eps).movedim(last, axis)
    R = torch.tensor(RNG.normal(0.0, 1.0, tuple(Y.shape)), dtype=torch.float64)
    dX, dgamma, dbeta = torch.autograd.grad((R * Y).sum(), [X, gamma, beta])
    text = f"LayerNormalization({keywords})" if keywords else "LayerNormalization"
    return {"spec": _spec(shape, text), "framework": "torch", "dtype": "float64",
            "weights": {"gamma": gamma.detach().tolist(), "beta": beta.detach().tolist()},
            "X": X.detach().tolist(), "Y": Y.detach().tolist(), "R": R.tolist(), "dX": dX.tolist(),
            "dW": {"gamma": dgamma.tolist(), "beta": dbeta.tolist()}}


def weight_shapes(shape, axis, center, scale) -> dict:
    layer = L.LayerNormalization(axis=axis, center=center, scale=scale)
    layer.build((None,) + shape)
    keywords = f"axis={axis}" + ("" if center else ", center=False") + ("" if scale else ", scale=False")
    return {"spec": f"Input({', '.join(map(str, shape))}) -> LayerNormalization({keywords})",
            "weights": [[w.path.split("/")[-1], list(w.shape)] for w in layer.weights]}


def main() -> int:
    cases = [record_keras(*c) for c in CASES] + [record_torch(*c) for c in TORCH_CASES]
    shapes = [weight_shapes(*c) for c in WEIGHT_CASES]
    OUT.write_text(json.dumps({"made_by": "tests/reference/record_spatial_keras.py",
                               "keras": keras.__version__, "backend": keras.backend.backend(),
                               "torch": torch.__version__, "cases": cases,
                               "layer_norm_weights": shapes}) + "\n")
    print(f"{len(cases)} cases -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
