"""`solve params`: output shapes and parameter counts, checked against Keras and the course notes.

Expected values come from outside the code under test:
- tests/data/keras_params.json, recorded by tests/reference/record_keras_params.py, which
  builds each spec as a real Keras 3 model (its own small translator, not dltutor's grammar)
  and records every layer's output shape and count_params(), and the trainable split;
- the LeNet table of notes 002 and the 3-5-2 network of notes 004 (32 parameters), by hand.
"""

from __future__ import annotations

import pytest

from conftest import assert_bad_input, load_data, run_cli
from dltutor import modelspec
from dltutor.errors import InputError

KERAS = load_data("keras_params.json")["models"]


def params_json(*args: str) -> dict:
    result = run_cli("solve", "params", *args, "--json")
    assert result.code == 0, result.err
    return result.json()


def model_layers(answer: dict) -> list[dict]:
    """The answer's layers without an Input entry (CLI.md: it may be listed or not)."""
    return [l for l in answer["layers"] if not l["layer"].lower().startswith("input")]


# ------------------------------------------------------------ Keras reference

@pytest.mark.parametrize("model", KERAS, ids=[m["id"] for m in KERAS])
def test_params_match_keras(model):
    answer = params_json(model["spec"])["answer"]
    assert (answer["total"], answer["trainable"], answer["non_trainable"]) == \
        (model["total"], model["trainable"], model["non_trainable"])
    ours = [(l["output_shape"], l["params"]) for l in model_layers(answer)]
    keras = [(l["output_shape"], l["params"]) for l in model["layers"]]
    assert ours == keras
    for value in (answer["total"], answer["trainable"], answer["non_trainable"]):
        assert type(value) is int


@pytest.mark.parametrize("model", KERAS[:20], ids=[m["id"] for m in KERAS[:20]])
def test_resolve_api_matches_keras(model):
    resolved = modelspec.resolve(model["spec"])
    layers = [l for l in resolved.layers if l.type != "Input"]
    assert [l.type for l in layers] == [l["class"] for l in model["layers"]]
    assert [list(l.output_shape) for l in layers] == [l["output_shape"] for l in model["layers"]]
    for layer in layers:
        assert layer.params == sum(w.size for w in layer.weights)
        assert layer.trainable == sum(w.size for w in layer.weights if w.trainable)
    assert resolved.total == model["total"]


def test_reference_covers_every_layer_type():
    recorded = {l["class"] for m in KERAS for l in m["layers"]}
    # the wider layers (wrappers, padding, transposed, attention) are recorded by record_modelspec.py
    recorded |= {l["layer"] for m in load_data("modelspec_reference.json")["keras"] for l in m["layers"]}
    grammar = set(modelspec.TYPES.values()) - {"Input"}
    assert grammar <= recorded, grammar - recorded
    assert len(KERAS) >= 60


# ------------------------------------------------------------ course notes, by hand

def test_notes002_lenet_table():
    # notes 002, "Layer Type / Input Shape / Output Shape" table (LeNet-style on 28x28x1)
    answer = params_json("Input(28,28,1) -> Conv2D(6,5) -> MaxPooling2D(2) -> Conv2D(16,5) -> MaxPooling2D(2)"
                         " -> Flatten -> Dense(120) -> Dense(84) -> Dense(10)")["answer"]
    shapes = [l["output_shape"] for l in model_layers(answer)]
    assert shapes == [[24, 24, 6], [12, 12, 6], [8, 8, 16], [4, 4, 16], [256], [120], [84], [10]]
    # hand counts: (5*5*1+1)*6, 0, (5*5*6+1)*16, 0, 0, 256*120+120, 120*84+84, 84*10+10
    assert [l["params"] for l in model_layers(answer)] == [156, 0, 2416, 0, 0, 30840, 10164, 850]
    assert answer["total"] == 44426 and answer["trainable"] == 44426 and answer["non_trainable"] == 0


def test_notes004_three_five_two_has_32_parameters():
    # notes 004, "Parameters": 3*5 + 5*2 weights + 5 + 2 biases = 32
    answer = params_json("Input(3) -> Dense(5) -> Dense(2)")["answer"]
    assert answer["total"] == 32
    assert [l["params"] for l in model_layers(answer)] == [15 + 5, 10 + 2]


def test_notes002_dropout_example():
    # notes 002, dropout: Dense(512, relu) on 784 inputs, Dropout(0.5), Dense(10, softmax)
    answer = params_json("Input(784) -> Dense(512, activation=relu) -> Dropout(0.5) -> Dense(10, softmax)")["answer"]
    assert [l["params"] for l in model_layers(answer)] == [784 * 512 + 512, 0, 512 * 10 + 10]
    assert answer["total"] == 407050


def test_batchnorm_split():
    # CLI.md: BatchNormalization = 4*C params, 2*C of them non-trainable
    answer = params_json("Input(28,28,1) -> Conv2D(32, 3) -> BatchNormalization")["answer"]
    assert model_layers(answer)[1]["params"] == 4 * 32
    assert answer["non_trainable"] == 2 * 32
    assert answer["trainable"] == (3 * 3 * 1 + 1) * 32 + 2 * 32


def test_spec_forms_agree():
    # arrows or newlines, any case, aliases, comments, one-element tuples
    base = params_json("Input(28,28,1) -> Conv2D(6,5) -> MaxPooling2D(2) -> Flatten -> Dense(10)")["answer"]
    for text in ["input(28,28,1)\nconv2d(6, kernel_size=5)\nmaxpool2d(pool_size=2)\nflatten\nDENSE(10)",
                 "Input(shape=(28,28,1)) → Conv2D(filters=6, kernel_size=(5,5)) -> MaxPooling2D((2,2), strides=2)"
                 " -> Flatten() -> Dense(units=10)",
                 "# LeNet start\nInput((28, 28, 1))  # 28x28 grey\n-> Conv2D(6, 5, padding=valid)\n"
                 "-> MaxPooling2D(2) -> Flatten -> Dense(10, activation='linear')"]:
        answer = params_json(text)["answer"]
        assert [(l["output_shape"], l["params"]) for l in model_layers(answer)] == \
            [(l["output_shape"], l["params"]) for l in model_layers(base)]
    assert params_json("Input(shape=(784,)) -> Dense(10)")["answer"]["total"] == 7850
    # Keras 2's Dense(units, input_dim=n) as the first layer: notes 004's 3-5-2 network again
    assert params_json("Dense(5, input_dim=3) -> Dense(2)")["answer"]["total"] == 32


# ------------------------------------------------------------ CLI shape and output

def test_json_shape():
    data = params_json("Input(3) -> Dense(5) -> Dense(2)")
    assert set(data) == {"kind", "inputs", "answer", "steps"}
    assert data["kind"] == "params"
    assert set(data["answer"]) == {"total", "trainable", "non_trainable", "layers"}
    for layer in data["answer"]["layers"]:
        assert set(layer) == {"layer", "output_shape", "params"}
    for step in data["steps"]:
        assert {"title", "formula", "value"} <= set(step) <= {"title", "formula", "value", "substituted", "note", "table"}
    dense = [s for s in data["steps"] if s["title"] == "Dense(5): parameters"][0]
    assert dense["formula"] == "params = n_in*units + units"
    assert dense["substituted"] == "3*5 + 5"
    assert dense["value"] == 20


def test_human_output():
    result = run_cli("solve", "params", "Input(3) -> Dense(5) -> Dense(2)")
    assert result.code == 0 and result.err == ""
    out = result.out
    assert "params = nᵢₙ·units + units" in out      # formula
    assert "3·5 + 5" in out and "5·2 + 2" in out      # numbers put in
    assert "20 + 12" in out and "32" in out           # values and total
    assert "Dense(5)" in out


def test_digits_accepted():
    a = run_cli("solve", "params", "Input(3) -> Dense(5)", "--json", "--digits", "3")
    assert a.code == 0 and a.json()["answer"]["total"] == 20


def test_file_option(tmp_path):
    spec = tmp_path / "lenet.txt"
    spec.write_text("# notes 002\nInput(28,28,1)\nConv2D(6,5)\nMaxPooling2D(2)\nConv2D(16,5)\nMaxPooling2D(2)\n"
                    "Flatten\nDense(120)\nDense(84)\nDense(10)\n")
    data = params_json("--file", str(spec))
    assert data["answer"]["total"] == 44426
    assert_bad_input(run_cli("solve", "params", "Input(3) -> Dense(2)", "--file", str(spec)), "either")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Input(3) -> Dense(2) # caf\xe9".encode("latin-1"))
    assert_bad_input(run_cli("solve", "params", "--file", str(latin1)), "cannot be read")


@pytest.mark.parametrize("args,fragments", [
    (["--file", "/nonexistent/model.txt"], ["/nonexistent/model.txt", "does not exist"]),
    (["--file", "/"], ["cannot be read"]),
    (["--file", "x" * 5000], ["--file", "cannot be read"]),
    ([], ["no model spec"]),
    (["Input(3) -> Foo(2)"], ["unknown layer 'Foo'"]),
    (["Input(28,28,1) -> Flatten -> Conv2D(6,5)"], ["Conv2D(6,5)", "3-D input", "(784,)"]),
    (["Input(3) -> Dense(5, colour=red)"], ["'colour'", "Dense(5, colour=red)"]),
    (["Input(3) -> Dense(5, relu, activation=tanh)"], ["activation is given twice"]),
    (["Input(3) -> Dense(-5)"], ["units", "-5"]),
    (["Input(3) -> Dense(2.5)"], ["units", "2.5"]),
    (["Input(3) -> Dense(5"], ["Dense(5"]),
    (["Input(3) -> Dense(5))"], ["unbalanced"]),
    (["Input(3) -> Dense(1e99999)"], ["exponent"]),
    (["Input(3) -> Dropout(1.5)"], ["rate", "1.5"]),
    (["Input(3) -> Dense(5, activation=magic)"], ["magic"]),
    (["Input(3) -> Dense(5, use_bias=maybe)"], ["use_bias", "maybe"]),
    (["Dense(5) -> Dense(2)"], ["must start with Input"]),
    (["Embedding(input_dim=1000, output_dim=8)"], ["must start with Input"]),   # input_dim is the vocabulary
    (["Input(3) -> Input(3)"], ["Input may only be the first layer"]),
    (["Input(0)"], ["at least 1"]),
    (["Input(28,28,1) -> Conv2D(6, 29)"], ["kernel 29", "input 28"]),
    (["Input(28,28,1) -> MaxPooling2D(2, padding=full)"], ["padding", "full"]),
    (["Input(10) -> Reshape(3, -1)"], ["10 values", "(3, -1)"]),
    (["Input(10) -> Reshape(-1, -1)"], ["-1"]),
    (["Input(10) -> LSTM(4)"], ["LSTM", "2-D input"]),
    (["Input(10, 3) -> Conv1D(4, (3, 3))"], ["kernel_size", "1-D"]),
    (["Input(3) -> " + " -> ".join(["Dense(2)"] * 2500)], ["limit", "8,000"]),
    (["Input(3) -> Dense(" + "1" * 9990 + ")"], ["limit", "8,000"]),
    (["Input(3) -> " + " -> ".join(["Dropout(0)"] * 300)], ["301 layers", "the limit is 200"]),
    (["__import__('os')"], ["__import__"]),
    (["Input(3) -> Dense(__import__('os'))"], ["Dense"]),
    (["Input(3) -> Dense(5) -> Dense(2)", "--convention", "pytorch"], ["--convention"]),
], ids=lambda v: " ".join(v)[:50] if isinstance(v, list) else None)
def test_bad_input(args, fragments):
    assert_bad_input(run_cli("solve", "params", *args), *fragments)
    assert_bad_input(run_cli("solve", "params", *args, "--json"), *fragments)


@pytest.mark.parametrize("text", [
    "", "->", "Input(3) ->", "Input(3) -> -> Dense(2)", "Input(3)(", "Input[3]", "Input(3) -> Dense(5)#x",
    "Input(3) -> Dense(5, , 2)", "Input(3) -> Dense(5, x=)", "Input(3) -> Dense('5)", "Input(3) -> Dense(5, ())",
    "Input(()) ", "Input(3) -> Reshape(())", "Input(3) -> Dense(5, relu6)", "Input(3) -> Dense(5, (1, (2, (3,))))",
    "Input(3) -> Dense(" + "(" * 300 + ")" * 300 + ")", "Input(3)\n\n\n", "Input(3) -> Dense(5, padding=same)",
])
def test_resolve_raises_only_input_error(text):
    try:
        modelspec.resolve(text)
    except InputError as exc:
        assert "\n" not in str(exc)
