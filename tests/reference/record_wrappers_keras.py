"""Record Keras 3's Bidirectional, TimeDistributed and MultiHeadAttention (self-attention) for
tests/nn/test_wrappers_keras.py.

Run with Keras 3 on its torch backend (torch 2.x CPU):

    KERAS_BACKEND=torch python tests/reference/record_wrappers_keras.py

Each case builds the Keras layer in float64, gives it random weights (biases far from their
initial zeros), runs it on a random batch X and records Y = layer(X) and, through torch's
autograd on the layer's own variables, dX = ∂Σ(dY⊙Y)/∂X and every weight's gradient, for a
random dY. Weights are listed in Keras's ``get_weights`` order, which is the order of the names
``dltutor solve params`` gives (forward_kernel, …, backward_kernel, …; query_kernel, query_bias,
key_kernel, …, output_bias). A MultiHeadAttention is called as layer(X, X): query = value = key.
Keras 3 on torch multiplies float64 matrices in float32 (``keras.ops.matmul`` computes in its
``result_type``, which maps float64 to float32 on every backend but TensorFlow), so the values
carry float32 rounding: the tests compare within 1e-5 of each array's scale.
Writes tests/data/wrappers_keras.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from keras import layers  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "data" / "wrappers_keras.json"
RNG = np.random.default_rng(31)

# (engine spec of the one layer, Keras layer factory, input shape of one sample)
CASES = [
    *[(f"Input(4, 2) -> Bidirectional(LSTM(3, return_sequences=True), merge_mode={m})",
       lambda m=m: layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode=m), (4, 2))
      for m in ("concat", "sum", "mul", "ave")],
    ("Input(5, 3) -> Bidirectional(LSTM(2))", lambda: layers.Bidirectional(layers.LSTM(2)), (5, 3)),
    ("Input(4, 3) -> Bidirectional(GRU(2))", lambda: layers.Bidirectional(layers.GRU(2)), (4, 3)),
    ("Input(4, 3) -> Bidirectional(GRU(3, return_sequences=True), merge_mode=mul)",
     lambda: layers.Bidirectional(layers.GRU(3, return_sequences=True), merge_mode="mul"), (4, 3)),
    ("Input(4, 2) -> Bidirectional(GRU(2, reset_after=False, return_sequences=True), merge_mode=sum)",
     lambda: layers.Bidirectional(layers.GRU(2, reset_after=False, return_sequences=True), merge_mode="sum"),
     (4, 2)),
    ("Input(3, 2) -> Bidirectional(SimpleRNN(3, relu), merge_mode=ave)",
     lambda: layers.Bidirectional(layers.SimpleRNN(3, activation="relu"), merge_mode="ave"), (3, 2)),
    ("Input(3, 2, 4) -> TimeDistributed(Dense(3, tanh))",
     lambda: layers.TimeDistributed(layers.Dense(3, activation="tanh")), (3, 2, 4)),
    ("Input(4, 3) -> TimeDistributed(Dense(2, softmax))",
     lambda: layers.TimeDistributed(layers.Dense(2, activation="softmax")), (4, 3)),
    ("Input(2, 5, 5, 1) -> TimeDistributed(Conv2D(2, 3, relu))",
     lambda: layers.TimeDistributed(layers.Conv2D(2, 3, activation="relu")), (2, 5, 5, 1)),
    ("Input(5, 4) -> MultiHeadAttention(2, 3)", lambda: layers.MultiHeadAttention(2, 3), (5, 4)),
    ("Input(4, 5) -> MultiHeadAttention(3, 2, value_dim=4)",
     lambda: layers.MultiHeadAttention(3, 2, value_dim=4), (4, 5)),
    ("Input(3, 6) -> MultiHeadAttention(2, 3, use_bias=False)",
     lambda: layers.MultiHeadAttention(2, 3, use_bias=False), (3, 6)),
    ("Input(2, 3, 4) -> MultiHeadAttention(2, 2)", lambda: layers.MultiHeadAttention(2, 2), (2, 3, 4)),
]


def record(spec: str, make, shape) -> dict:
    layer = make()
    X = RNG.standard_normal((3,) + shape)
    attention = isinstance(layer, layers.MultiHeadAttention)
    if attention:
        layer.build((None,) + shape, (None,) + shape)
    else:
        layer.build((None,) + shape)
    weights = [RNG.normal(0, 0.6, w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    x = torch.tensor(X, requires_grad=True)
    Y = layer(x, x) if attention else layer(x)
    dY = RNG.standard_normal(tuple(Y.shape))
    variables = [v.value for v in layer.weights]
    grads = torch.autograd.grad((Y * torch.tensor(dY)).sum(), [x] + variables, allow_unused=True)
    return {"spec": spec, "X": X.tolist(), "weights": [w.tolist() for w in weights],
            "Y": Y.detach().numpy().tolist(), "dY": dY.tolist(), "dX": grads[0].numpy().tolist(),
            "grads": [None if g is None else g.numpy().tolist() for g in grads[1:]]}


def main() -> int:
    keras.config.set_floatx("float64")
    cases = [record(*case) for case in CASES]
    OUT.write_text(json.dumps({"made_by": "tests/reference/record_wrappers_keras.py", "keras": keras.__version__,
                               "backend": keras.backend.backend(), "torch": torch.__version__,
                               "cases": cases}) + "\n")
    print(f"{len(cases)} cases -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
