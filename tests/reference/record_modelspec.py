"""Record Keras 3 and PyTorch shapes and parameter counts for the wider model specs of ``solve params``.

Run with the reference venv (torch, keras 3; never needed by the tests):

    /tmp/refenv/bin/python tests/reference/record_modelspec.py

Each Keras case is a pair: the spec as dltutor reads it and the same model as Keras
code (our own fixture text, run here to build the model). Keras gives each layer's
output shape (batch dimension left out) and ``count_params()``, and the model's
trainable and non-trainable totals. Some cases are pasted code: the text given to
dltutor is the Keras code itself.

Each PyTorch case is ``nn.Sequential(...)`` code and an input shape (channels first,
no batch): PyTorch gives each module's output shape from a forward pass of a batch of
one, its ``parameters()`` count (buffers such as BatchNorm's running statistics are
not parameters), and the total.

Output: tests/data/modelspec_reference.json.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

os.environ["KERAS_BACKEND"] = "torch"

import keras  # noqa: E402
import torch  # noqa: E402
from keras import layers  # noqa: E402,F401  (the fixtures' code uses it)
from keras.layers import *  # noqa: E402,F401,F403
from keras.models import Model, Sequential  # noqa: E402,F401

OUT = Path(__file__).resolve().parent.parent / "data" / "modelspec_reference.json"

# (id, dltutor spec, Keras code building `model`)
KERAS = [
    ("same-stride2-even", "Input(8,8,3) -> Conv2D(4,3,strides=2,padding=same) -> Conv2D(2,2,strides=2,padding=same)",
     "model = Sequential([Input((8,8,3)), Conv2D(4,3,strides=2,padding='same'), Conv2D(2,2,strides=2,padding='same')])"),
    ("same-stride2-odd-pool", "Input(7,6,2) -> MaxPooling2D(2,padding=same) -> AveragePooling2D(3,strides=2,padding=same)",
     "model = Sequential([Input((7,6,2)), MaxPooling2D(2,padding='same'), AveragePooling2D(3,strides=2,padding='same')])"),
    ("causal-dilated", "Input(10,2) -> Conv1D(4,3,padding=causal,dilation_rate=2) -> Conv1D(4,2,padding=causal,dilation_rate=4)",
     "model = Sequential([Input((10,2)), Conv1D(4,3,padding='causal',dilation_rate=2), "
     "Conv1D(4,2,padding='causal',dilation_rate=4)])"),
    ("dilated-2d", "Input(16,16,1) -> Conv2D(3,3,dilation_rate=2) -> Conv2D(3,3,dilation_rate=(1,3))",
     "model = Sequential([Input((16,16,1)), Conv2D(3,3,dilation_rate=2), Conv2D(3,3,dilation_rate=(1,3))])"),
    ("grouped", "Input(8,8,4) -> Conv2D(8,3,groups=2) -> Conv2D(8,1,groups=4,use_bias=False)",
     "model = Sequential([Input((8,8,4)), Conv2D(8,3,groups=2), Conv2D(8,1,groups=4,use_bias=False)])"),
    ("grouped-1d", "Input(12,6) -> Conv1D(9,3,groups=3,padding=same)",
     "model = Sequential([Input((12,6)), Conv1D(9,3,groups=3,padding='same')])"),
    ("bidirectional-seq", "Input(5,3) -> Bidirectional(LSTM(8, return_sequences=True)) -> Bidirectional(GRU(4))",
     "model = Sequential([Input((5,3)), Bidirectional(LSTM(8, return_sequences=True)), Bidirectional(GRU(4))])"),
    ("bidirectional-merge", "Input(6,2) -> Bidirectional(SimpleRNN(4, return_sequences=True), merge_mode=sum)"
     " -> Bidirectional(LSTM(3), merge_mode=mul)",
     "model = Sequential([Input((6,2)), Bidirectional(SimpleRNN(4, return_sequences=True), merge_mode='sum'), "
     "Bidirectional(LSTM(3), merge_mode='mul')])"),
    ("bidirectional-gru-reset", "Input(4,5) -> Bidirectional(GRU(6, reset_after=False), merge_mode=ave)",
     "model = Sequential([Input((4,5)), Bidirectional(GRU(6, reset_after=False), merge_mode='ave')])"),
    ("timedistributed", "Input(5,3) -> TimeDistributed(Dense(4)) -> LSTM(2)",
     "model = Sequential([Input((5,3)), TimeDistributed(Dense(4)), LSTM(2)])"),
    ("timedistributed-conv", "Input(5,8,8,1) -> TimeDistributed(Conv2D(4,3)) -> TimeDistributed(MaxPooling2D(2))"
     " -> TimeDistributed(Flatten()) -> GRU(3)",
     "model = Sequential([Input((5,8,8,1)), TimeDistributed(Conv2D(4,3)), TimeDistributed(MaxPooling2D(2)), "
     "TimeDistributed(Flatten()), GRU(3)])"),
    ("padding-cropping", "Input(6,7,2) -> ZeroPadding2D(1) -> ZeroPadding2D(((1,2),(3,4))) -> Cropping2D(((1,1),(2,0)))"
     " -> Cropping2D(1) -> ZeroPadding2D((2,1))",
     "model = Sequential([Input((6,7,2)), ZeroPadding2D(1), ZeroPadding2D(((1,2),(3,4))), "
     "Cropping2D(((1,1),(2,0))), Cropping2D(1), ZeroPadding2D((2,1))])"),
    ("padding-cropping-1d", "Input(10,3) -> ZeroPadding1D(2) -> Cropping1D((1,3)) -> ZeroPadding1D((0,1)) -> Cropping1D(2)",
     "model = Sequential([Input((10,3)), ZeroPadding1D(2), Cropping1D((1,3)), ZeroPadding1D((0,1)), Cropping1D(2)])"),
    ("upsampling", "Input(3,4,2) -> UpSampling2D(2) -> UpSampling2D((2,3))",
     "model = Sequential([Input((3,4,2)), UpSampling2D(2), UpSampling2D((2,3))])"),
    ("upsampling-1d", "Input(5,2) -> UpSampling1D(3) -> UpSampling1D()",
     "model = Sequential([Input((5,2)), UpSampling1D(3), UpSampling1D()])"),
    ("transposed", "Input(7,7,8) -> Conv2DTranspose(4,3,strides=2) -> Conv2DTranspose(2,4,strides=2,padding=same)",
     "model = Sequential([Input((7,7,8)), Conv2DTranspose(4,3,strides=2), Conv2DTranspose(2,4,strides=2,padding='same')])"),
    ("transposed-odd-same", "Input(5,6,3) -> Conv2DTranspose(3,(3,2),strides=(3,2),padding=same,use_bias=False)",
     "model = Sequential([Input((5,6,3)), Conv2DTranspose(3,(3,2),strides=(3,2),padding='same',use_bias=False)])"),
    ("transposed-1d", "Input(9,4) -> Conv1DTranspose(3,4,strides=2) -> Conv1DTranspose(2,3,strides=3,padding=same)",
     "model = Sequential([Input((9,4)), Conv1DTranspose(3,4,strides=2), Conv1DTranspose(2,3,strides=3,padding='same')])"),
    ("transposed-dilated", "Input(6,6,1) -> Conv2DTranspose(2,3,dilation_rate=2)",
     "model = Sequential([Input((6,6,1)), Conv2DTranspose(2,3,dilation_rate=2)])"),
    ("layernorm-mha", "Input(5,8) -> LayerNormalization -> MultiHeadAttention(2, 4) -> LayerNormalization",
     None),      # built below: self-attention needs the functional form in Keras
    ("mha-value-dim", "Input(6,10) -> MultiHeadAttention(num_heads=3, key_dim=5, value_dim=2, use_bias=False)", None),
    ("dense-on-rank3", "Input(4,4,3) -> Dense(5) -> Dense(2)",
     "model = Sequential([Input((4,4,3)), Dense(5), Dense(2)])"),
    ("comma-separated", "Input(3), Dense(5), Dense(2)",
     "model = Sequential([Input((3,)), Dense(5), Dense(2)])"),
    ("functional-resnet", "x = Input(32,32,16)\ny = Conv2D(16,3,padding='same')(x)\n"
     "y = BatchNormalization()(y)\nout = Add()([x, y])",
     "x = Input((32,32,16))\ny = Conv2D(16,3,padding='same')(x)\ny = BatchNormalization()(y)\n"
     "out = Add()([x, y])\nmodel = Model(x, out)"),
    ("functional-inception", "inp = Input(16,16,8)\na = Conv2D(4,1,padding='same')(inp)\n"
     "b = Conv2D(6,3,padding='same')(inp)\nc = MaxPooling2D(3,strides=1,padding='same')(inp)\n"
     "m = Concatenate()([a, b, c])\nout = Conv2D(2,1)(m)",
     "inp = Input((16,16,8))\na = Conv2D(4,1,padding='same')(inp)\nb = Conv2D(6,3,padding='same')(inp)\n"
     "c = MaxPooling2D(3,strides=1,padding='same')(inp)\nm = Concatenate()([a, b, c])\nout = Conv2D(2,1)(m)\n"
     "model = Model(inp, out)"),
    ("functional-multiply-average", "x = Input(10)\na = Dense(4, activation='sigmoid')(x)\nb = Dense(4)(x)\n"
     "g = Multiply()([a, b])\nh = Average()([a, b, g])\nout = Dense(1)(h)",
     "x = Input((10,))\na = Dense(4, activation='sigmoid')(x)\nb = Dense(4)(x)\ng = Multiply()([a, b])\n"
     "h = Average()([a, b, g])\nout = Dense(1)(h)\nmodel = Model(x, out)"),
]

# pasted Keras code: the text given to dltutor is the code itself
PASTED = [
    ("pasted-add", """from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense, Conv2D, MaxPooling2D, Flatten, Dropout

# a small CNN, as in the lab sheet
model = Sequential()
model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)))

model.add(MaxPooling2D(pool_size=(2, 2)))   # halves the size
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(128, activation='relu'))
model.add(Dense(10, activation='softmax'))
model.summary()
"""),
    ("pasted-list", """import keras
from keras import layers

model = keras.Sequential([
    layers.Embedding(1000, 16, input_shape=(20,)),   # 20 tokens
    layers.Bidirectional(layers.LSTM(32, return_sequences=True)),
    layers.GlobalMaxPooling1D(),

    layers.Dense(1, activation="sigmoid"),
])
"""),
    ("pasted-keras-input", """model = keras.models.Sequential(
    [
        keras.Input(shape=(64, 64, 3)),
        keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
        keras.layers.BatchNormalization(),
        keras.layers.Conv2DTranspose(8, 3, strides=2, padding="same"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(3),
    ]
)
"""),
]


def keras_layer_rows(model) -> list[dict]:
    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        shape = layer.output.shape if hasattr(layer, "output") else layer.compute_output_shape
        rows.append({"layer": type(layer).__name__, "output_shape": [int(d) for d in tuple(shape)[1:]],
                     "params": int(layer.count_params())})
    return rows


def totals(model) -> dict:
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    non_trainable = sum(math.prod(w.shape) for w in model.non_trainable_weights)
    return {"total": int(trainable + non_trainable), "trainable": int(trainable), "non_trainable": int(non_trainable)}


def build_mha(spec_id: str):
    if spec_id == "layernorm-mha":
        x = keras.Input((5, 8))
        y = LayerNormalization()(x)
        y = MultiHeadAttention(2, 4)(y, y)
        y = LayerNormalization()(y)
        return keras.Model(x, y)
    x = keras.Input((6, 10))
    y = MultiHeadAttention(num_heads=3, key_dim=5, value_dim=2, use_bias=False)(x, x)
    return keras.Model(x, y)


def record_keras() -> list[dict]:
    cases = []
    for spec_id, spec, code in KERAS + [(i, text, text) for i, text in PASTED]:
        if code is None:
            model = build_mha(spec_id)
        else:
            scope: dict = dict(globals())
            # our own fixture text (see the lists above); its imports name tensorflow.keras, which is
            # keras 3 here, so they are left out and the names come from this module
            body = "\n".join(line for line in code.splitlines() if not line.startswith(("from ", "import ")))
            exec(body, scope)
            model = scope["model"]
        cases.append({"id": spec_id, "spec": spec, **totals(model), "layers": keras_layer_rows(model)})
    return cases


# (id, nn.Sequential code, input shape without the batch, channels first)
TORCH = [
    ("torch-cnn", """import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 16, kernel_size=3, padding=1),   # same size
    nn.BatchNorm2d(16),
    nn.ReLU(),
    nn.MaxPool2d(2),

    nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False),
    nn.AdaptiveAvgPool2d((1, 1)),
    nn.Flatten(),
    nn.Dropout(0.5),
    nn.Linear(32, 10),
)
""", (3, 32, 32)),
    ("torch-grouped-dilated", """model = nn.Sequential(
    nn.Conv2d(8, 16, 3, groups=4, dilation=2),
    nn.Conv2d(16, 16, (3, 1), stride=(2, 1), padding=(1, 0), groups=16),
    nn.LeakyReLU(0.1),
    nn.AvgPool2d(2, stride=1),
    nn.ConvTranspose2d(16, 4, 3, stride=2, padding=1, output_padding=1),
    nn.BatchNorm2d(4, affine=False),
)
""", (8, 20, 20)),
    ("torch-1d", """model = nn.Sequential(
    nn.Conv1d(4, 8, 5, padding=2),
    nn.BatchNorm1d(8),
    nn.Tanh(),
    nn.MaxPool1d(3, stride=2),
    nn.AvgPool1d(2),
    nn.Flatten(),
    nn.Linear(72, 3),
    nn.Sigmoid(),
)
""", (4, 40)),
    ("torch-mlp-layernorm", """model = nn.Sequential(nn.Linear(20, 64), nn.LayerNorm(64), nn.GELU(), nn.Linear(64, 64, bias=False),
                      nn.Softmax(dim=-1))
""", (20,)),
    ("torch-embedding-lstm", """model = nn.Sequential(
    nn.Embedding(1000, 32),
    nn.LSTM(32, 64, batch_first=True),
)
""", (12,)),
    ("torch-gru-bidirectional", """model = nn.Sequential(nn.GRU(10, 16, num_layers=2, batch_first=True, bidirectional=True))
""", (7, 10)),
    ("torch-rnn", """model = nn.Sequential(nn.RNN(5, 8, batch_first=True, bias=False))
""", (4, 5)),
]


def record_torch() -> list[dict]:
    cases = []
    for case_id, code, shape in TORCH:
        scope: dict = {"nn": torch.nn, "torch": torch}
        exec(code, scope)               # our own fixture text
        model = scope["model"]
        x = (torch.zeros((1,) + shape, dtype=torch.long) if isinstance(model[0], torch.nn.Embedding)
             else torch.zeros((1,) + shape))
        rows = []
        for module in model:
            x = module(x)
            if isinstance(x, tuple):        # recurrent layers return (output, state)
                x = x[0]
            rows.append({"layer": type(module).__name__, "output_shape": list(x.shape[1:]),
                         "params": sum(p.numel() for p in module.parameters())})
        total = sum(p.numel() for p in model.parameters())
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        cases.append({"id": case_id, "code": code, "input_shape": ",".join(map(str, shape)), "total": total,
                      "trainable": trainable, "non_trainable": total - trainable, "layers": rows,
                      "buffers": sum(b.numel() for b in model.buffers())})
    return cases


def main() -> None:
    data = {"keras": record_keras(), "torch": record_torch(),
            "_versions": {"keras": keras.__version__, "torch": torch.__version__}}
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT}: {len(data['keras'])} Keras, {len(data['torch'])} PyTorch cases")


if __name__ == "__main__":
    main()
