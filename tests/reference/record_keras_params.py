"""Record Keras's output shapes and parameter counts for the model specs of ``solve params``.

Run with the reference venv (torch + keras 3), from the repository root:

    KERAS_BACKEND=torch /tmp/refenv/bin/python tests/reference/record_keras_params.py

Writes ``tests/data/keras_params.json``: for every spec, Keras's per-layer output
shape (batch dimension left out) and ``count_params()``, the model's total, and
the sizes of ``trainable_weights`` / ``non_trainable_weights``.

The Keras model is built from the same spec text by the small translator below,
which is independent of dltutor's own grammar (it uses Python's ``ast`` on our
own, trusted spec strings; bare words are strings).
"""

from __future__ import annotations

import ast
import json
import math
import os
import re
from pathlib import Path

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "data" / "keras_params.json"

# Notes models (the course notes in shared/seeds): see the comments for the sizes chosen.
NOTES_SPECS = {
    # notes 002, the LeNet-style table (Conv2D 6@5x5, pool, Conv2D 16@5x5, pool, 120, 84, 10)
    "notes002-lenet": "Input(28,28,1) -> Conv2D(6,5) -> MaxPooling2D(2) -> Conv2D(16,5) -> MaxPooling2D(2)"
                      " -> Flatten -> Dense(120) -> Dense(84) -> Dense(10)",
    # notes 004, the 3-5-2 network with 32 parameters
    "notes004-3-5-2": "Input(3) -> Dense(5) -> Dense(2)",
    # notes 000, "Conv -> BatchNorm -> Pool -> Conv -> Pool -> Flatten -> Dense128 -> Dropout(0.3) -> Dense10"
    # on 28x28x1; the notes give no filter counts: we chose 32 and 64 filters of 3x3 and 2x2 pooling.
    "notes000-cnn-pipeline": "Input(28,28,1) -> Conv2D(32, 3, relu) -> BatchNormalization -> MaxPooling2D(2)"
                             " -> Conv2D(64, 3, relu) -> MaxPooling2D(2) -> Flatten -> Dense(128, relu)"
                             " -> Dropout(0.3) -> Dense(10, softmax)",
    # notes 002, the dropout example: Dense(512, relu) on 784 inputs, Dropout(0.5), Dense(10, softmax)
    "notes002-dropout": "Input(784) -> Dense(512, activation=relu) -> Dropout(0.5) -> Dense(10, activation=softmax)",
    # notes 002, the same dropout example exactly as the notes write it (Keras 2 style, input_shape=)
    "notes002-dropout-as-written": "Dense(512, activation='relu', input_shape=(784,)),\n"
                                   "    Dropout(0.5), # Drop 50% of neurons during training\n"
                                   "    Dense(10, activation='softmax')",
    # notes 000, GAN generator: noise 100 -> Dense + LeakyReLU + BatchNorm -> 784 tanh (hidden sizes ours: 256, 512)
    "notes000-gan-generator": "Input(100) -> Dense(256) -> LeakyReLU -> BatchNormalization -> Dense(512)"
                              " -> LeakyReLU -> BatchNormalization -> Dense(784, tanh)",
    # notes 000, GAN discriminator: 784 -> Dense + LeakyReLU -> 1 sigmoid (hidden sizes ours: 512, 256)
    "notes000-gan-discriminator": "Input(784) -> Dense(512) -> LeakyReLU(0.2) -> Dense(256) -> LeakyReLU(0.2)"
                                  " -> Dense(1, sigmoid)",
}

SPECS = [
    # Dense
    "Input(10) -> Dense(4, use_bias=False)",
    "Input(10) -> Dense(8, activation=tanh) -> Dense(1, sigmoid)",
    "Input(5, 7) -> Dense(3)",
    "Input(4, 4, 3) -> Dense(2, use_bias=False)",
    "input(6) -> dense(6, relu) -> DENSE(1)",
    "Input(3)\nDense(5, relu)\nDense(2, softmax)",
    # Conv2D
    "Input(28,28,1) -> Conv2D(32, 3)",
    "Input(32,32,3) -> Conv2D(16, 3, strides=2)",
    "Input(32,32,3) -> Conv2D(16, 3, padding=same)",
    "Input(32,32,3) -> Conv2D(16, 3, strides=2, padding=same)",
    "Input(31,31,3) -> Conv2D(8, 5, strides=3, padding=same)",
    "Input(32,32,3) -> Conv2D(8, 3, dilation_rate=2)",
    "Input(32,32,3) -> Conv2D(8, 3, use_bias=False)",
    "Input(30,20,2) -> Conv2D(4, (3,5))",
    "Input(30,20,2) -> Conv2D(4, (3,5), strides=(2,1))",
    "Input(29,29,3) -> Conv2D(4, 4, strides=2)",
    "Input(28,28,1) -> Conv2D(6, 5, relu)",
    "Input(16,16,3) -> Conv2D(4, 3, 1, same)",
    "Input(32,32,3) -> Conv2D(8, 3, dilation_rate=2, padding=same)",
    "Input(20,20,3) -> Conv2D(8, 3, dilation_rate=(2,3))",
    "Input(9,9,2) -> Conv2D(3, 3, strides=2, padding=same, use_bias=False, activation=relu)",
    # Conv1D
    "Input(100, 8) -> Conv1D(16, 5)",
    "Input(100, 8) -> Conv1D(16, 5, strides=2, padding=same)",
    "Input(50, 4) -> Conv1D(8, 3, dilation_rate=2, use_bias=False)",
    # DepthwiseConv2D
    "Input(32,32,3) -> DepthwiseConv2D(3)",
    "Input(32,32,3) -> DepthwiseConv2D(3, depth_multiplier=2, padding=same)",
    "Input(32,32,8) -> DepthwiseConv2D(5, strides=2, use_bias=False)",
    # SeparableConv2D
    "Input(32,32,3) -> SeparableConv2D(64, 3)",
    "Input(32,32,3) -> SeparableConv2D(64, 3, padding=same, depth_multiplier=2)",
    "Input(32,32,16) -> SeparableConv2D(32, 3, strides=2, use_bias=False)",
    # 2-D pooling
    "Input(24,24,6) -> MaxPooling2D(2)",
    "Input(25,25,3) -> MaxPooling2D(3, strides=2)",
    "Input(25,25,3) -> MaxPooling2D(2, padding=same)",
    "Input(7,9,4) -> AveragePooling2D(3, strides=2, padding=same)",
    "Input(32,32,3) -> AveragePooling2D((2,3))",
    "Input(32,32,3) -> MaxPooling2D(pool_size=3, strides=1)",
    "Input(11,11,3) -> AveragePooling2D(4, strides=3)",
    # 1-D pooling
    "Input(100, 8) -> MaxPooling1D(2)",
    "Input(99, 8) -> AveragePooling1D(3, strides=2, padding=same)",
    "Input(99, 8) -> MaxPooling1D(4, strides=3)",
    "Input(99, 8) -> AveragePooling1D(5)",
    # global pooling, flatten
    "Input(7,7,32) -> GlobalAveragePooling2D -> Dense(10)",
    "Input(7,7,32) -> GlobalMaxPooling2D",
    "Input(50, 16) -> GlobalAveragePooling1D",
    "Input(50, 16) -> GlobalMaxPooling1D -> Dense(1)",
    "Input(4,4,16) -> Flatten -> Dense(10)",
    "Input(5, 6) -> Flatten -> Dropout(0.2) -> Dense(3)",
    # batch normalization
    "Input(20) -> Dense(64) -> BatchNormalization -> Dense(1)",
    "Input(28,28,1) -> Conv2D(32, 3) -> BatchNormalization -> Activation(relu)",
    "Input(10, 6) -> BatchNormalization()",
    # embedding
    "Input(20) -> Embedding(1000, 64) -> LSTM(32) -> Dense(1, sigmoid)",
    "Input(10) -> Embedding(500, 16) -> GlobalAveragePooling1D -> Dense(1)",
    # recurrent
    "Input(20, 8) -> SimpleRNN(16)",
    "Input(20, 8) -> SimpleRNN(16, return_sequences=True) -> SimpleRNN(8)",
    "Input(10, 3) -> SimpleRNN(4, relu)",
    "Input(20, 8) -> LSTM(32) -> Dense(1)",
    "Input(20, 8) -> LSTM(32, return_sequences=True) -> LSTM(16)",
    "Input(10, 3) -> LSTM(5, use_bias=False)",
    "Input(20, 8) -> GRU(32)",
    "Input(20, 8) -> GRU(32, reset_after=False)",
    "Input(20, 8) -> GRU(16, return_sequences=True, reset_after=False) -> GRU(4)",
    "Input(5, 1) -> GRU(1, use_bias=False)",
    "Input(5, 1) -> GRU(3, return_sequences=True) -> Dense(2)",
    # reshape, activation
    "Input(784) -> Reshape(28, 28, 1) -> Conv2D(4, 3)",
    "Input(64) -> Reshape(-1, 4) -> LSTM(8)",
    "Input(4,4,16) -> Reshape((16, 16))",
    "Input(2, 3, 4) -> Reshape(4, -1)",
    "Input(10) -> Dense(5) -> Activation(softmax)",
    "Input(10) -> Dense(5) -> Activation(tanh) -> ReLU -> Dense(1)",
    # Keras 2 style: the first layer carries input_shape
    "Conv2D(32, (3,3), activation='relu', input_shape=(28,28,1)),\nMaxPooling2D((2,2)),\nFlatten(),\nDense(10)",
    "Embedding(1000, 8, input_shape=(20,)) -> LSTM(4)",
]

CLASSES = {
    "dense": "Dense", "conv2d": "Conv2D", "conv1d": "Conv1D", "depthwiseconv2d": "DepthwiseConv2D",
    "separableconv2d": "SeparableConv2D", "maxpooling2d": "MaxPooling2D", "averagepooling2d": "AveragePooling2D",
    "maxpooling1d": "MaxPooling1D", "averagepooling1d": "AveragePooling1D",
    "globalaveragepooling2d": "GlobalAveragePooling2D", "globalmaxpooling2d": "GlobalMaxPooling2D",
    "globalaveragepooling1d": "GlobalAveragePooling1D", "globalmaxpooling1d": "GlobalMaxPooling1D",
    "flatten": "Flatten", "dropout": "Dropout", "batchnormalization": "BatchNormalization",
    "embedding": "Embedding", "simplernn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU",
    "reshape": "Reshape", "activation": "Activation", "leakyrelu": "LeakyReLU", "relu": "ReLU",
}
ACTIVATION_WORDS = {"relu", "tanh", "sigmoid", "softmax", "linear"}


def literal(node):
    """A Python literal, with bare names read as strings (relu, same)."""
    if isinstance(node, ast.Name):
        return node.id
    return ast.literal_eval(node)


def keras_layer(text: str):
    """One layer text → (is_input, keras object or input shape)."""
    text = text.strip()
    if "(" not in text:
        text += "()"
    call = ast.parse(text, mode="eval").body
    assert isinstance(call, ast.Call), text
    name = call.func.id.lower()
    args = [literal(a) for a in call.args]
    kwargs = {k.arg: literal(k.value) for k in call.keywords}
    if name == "input":
        return True, tuple(args)
    cls = getattr(keras.layers, CLASSES[name])
    if name == "reshape":
        return False, cls(tuple(args[0]) if len(args) == 1 and isinstance(args[0], tuple) else tuple(args))
    if name == "activation":
        return False, cls(*args)
    positional = []
    for a in args:
        if isinstance(a, str) and a in ACTIVATION_WORDS:
            kwargs["activation"] = a
        elif isinstance(a, str) and a in ("same", "valid"):
            kwargs["padding"] = a
        else:
            positional.append(a)
    if name == "leakyrelu" and positional:
        kwargs["negative_slope"] = positional.pop()
    return False, cls(*positional, **kwargs)


def build(spec: str):
    lines = [line.split("#")[0] for line in spec.splitlines()]
    parts = [p.strip().rstrip(",") for p in re.split(r"->|\n", "\n".join(lines))]
    parts = [p for p in parts if p.strip()]
    is_input, shape = keras_layer(parts[0])
    if not is_input:    # Keras 2 style: the first layer carries input_shape=...
        return keras.Sequential([keras_layer(p)[1] for p in parts])
    layers = [keras_layer(p)[1] for p in parts[1:]]
    model = keras.Sequential([keras.Input(shape)] + layers)
    return model


def record(spec: str) -> dict:
    model = build(spec)
    layers = []
    for layer in model.layers:
        layers.append({"class": type(layer).__name__,
                       "output_shape": [int(d) for d in layer.output.shape[1:]],
                       "params": int(layer.count_params())})
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    non_trainable = sum(math.prod(w.shape) for w in model.non_trainable_weights)
    total = int(model.count_params())
    assert total == trainable + non_trainable, spec
    return {"spec": spec, "total": total, "trainable": int(trainable), "non_trainable": int(non_trainable),
            "layers": layers}


def main() -> None:
    records = []
    for name, spec in NOTES_SPECS.items():
        records.append({"id": name, **record(spec)})
    for i, spec in enumerate(SPECS, start=1):
        records.append({"id": f"spec{i:02d}", **record(spec)})
    meta = {"keras": keras.__version__, "backend": keras.backend.backend(),
            "script": "tests/reference/record_keras_params.py"}
    OUT.write_text(json.dumps({"meta": meta, "models": records}, indent=1) + "\n")
    print(f"wrote {len(records)} models to {OUT}")


if __name__ == "__main__":
    main()
