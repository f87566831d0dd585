"""`dltutor solve params SPEC --emit keras|pytorch`: the printed program runs in the framework, and
the framework's own count and output shape agree with what the program (and dltutor) say.

Keras must count exactly what `dltutor solve params` counts; PyTorch's count is its own
(BatchNorm statistics are buffers, RNN/LSTM carry a second bias) and the program's comment states
it and the layers where it differs.
"""

from __future__ import annotations

import re

import pytest

from conftest import run_cli
from dltutor.errors import InputError
from dltutor.frameworks import keras_code, layouts, pytorch_code
from dltutor.frameworks.emit import emit
from dltutor.modelspec import resolve
from framework_runs import require, run_scripts

SPECS = [
    "Input(28,28,1) -> Conv2D(6,5) -> MaxPooling2D(2) -> Conv2D(16,5) -> MaxPooling2D(2) -> Flatten "
    "-> Dense(120) -> Dense(84) -> Dense(10)",
    "Input(8,8,1) -> Conv2D(4,3,relu,padding=same,strides=2) -> AveragePooling2D(2,padding=same) "
    "-> BatchNormalization -> Flatten -> Dropout(0.3) -> Dense(3, softmax)",
    "Input(10,3) -> Conv1D(4,3) -> MaxPooling1D(2) -> GRU(3, reset_after=False, return_sequences=True) "
    "-> LSTM(2) -> Dense(1, leaky_relu)",
    "Input(20) -> Embedding(100, 8) -> SimpleRNN(4, return_sequences=True) -> GRU(3) -> Dense(2, softmax)",
    "Input(12) -> Reshape(2,3,2) -> LeakyReLU(0.2) -> ReLU -> Activation(tanh) -> DepthwiseConv2D(1) "
    "-> GlobalMaxPooling2D",
    "Input(7,7,2) -> SeparableConv2D(3, 3, padding=same, depth_multiplier=2) -> GlobalAveragePooling2D "
    "-> Dense(4, gelu)",
    "Input(9,2) -> Conv1D(3,2,padding=same,strides=2) -> AveragePooling1D(2,padding=same) "
    "-> GlobalAveragePooling1D -> BatchNormalization",
    "Input(5,3,2) -> Conv2DTranspose(4,3,strides=2,padding=same,activation=relu) "
    "-> Conv2DTranspose(2,(2,3),strides=(3,2),output_padding=(1,0),use_bias=False) -> Flatten",
    "Input(6,3) -> Conv1DTranspose(4,3,strides=2,padding=same) "
    "-> Conv1DTranspose(2,2,strides=3,output_padding=1,use_bias=False) -> GlobalMaxPooling1D",
    "Input(6,5,2) -> ZeroPadding2D(((1,0),(2,1))) -> Conv2D(3,3) -> Cropping2D((1,0)) "
    "-> UpSampling2D((2,3), interpolation=bilinear) -> LayerNormalization -> UpSampling2D -> Flatten "
    "-> LayerNormalization(scale=False) -> Dense(2)",
    "Input(7,2) -> ZeroPadding1D((2,1)) -> Conv1D(3,2) -> Cropping1D((1,2)) -> UpSampling1D(3) "
    "-> LayerNormalization(axis=(-2,-1), center=False) -> GlobalAveragePooling1D",
    "Input(6,3) -> Bidirectional(LSTM(4, return_sequences=True)) -> Bidirectional(GRU(2, return_sequences=True), "
    "merge_mode=mul) -> TimeDistributed(Dense(5)) -> MultiHeadAttention(2, 3, value_dim=2) "
    "-> MultiHeadAttention(5, 1, dropout=0.1) -> Bidirectional(SimpleRNN(3), merge_mode=ave)",
    "Input(3,6,6,1) -> TimeDistributed(Conv2D(2,3,padding=same)) -> TimeDistributed(GlobalMaxPooling2D()) "
    "-> Bidirectional(GRU(2, reset_after=False))",
]


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("emit")
    made = {}
    for i, spec in enumerate(SPECS):
        for framework in ("pytorch", "keras"):
            result = run_cli("solve", "params", spec, "--emit", framework)
            assert result.code == 0, result.err
            path = folder / f"model{i}_{framework}.py"
            path.write_text(result.out)
            made[(i, framework)] = str(path)
    return made


def _printed(result) -> tuple[tuple[int, ...], int]:
    assert "error" not in result, result.get("error")
    match = re.search(r"output \(([\d, ]+)\) parameters (\d+)", result["stdout"])
    assert match, result["stdout"]
    return tuple(int(d) for d in match.group(1).split(",") if d.strip()), int(match.group(2))


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_emitted_programs_run_with_the_stated_shapes_and_counts(framework, programs):
    require(framework)
    results = run_scripts(framework, [[programs[(i, framework)]] for i in range(len(SPECS))])
    for i, spec in enumerate(SPECS):
        model = resolve(spec)
        shape, count = _printed(results[programs[(i, framework)]])
        text = open(programs[(i, framework)]).read()
        if framework == "keras":
            assert shape == (1,) + model.output_shape, spec
            assert count == model.total, spec
        else:
            stated = int(re.search(r"PyTorch counts ([\d,]+) parameters", text).group(1).replace(",", ""))
            assert count == stated, spec
            end = pytorch_code.input_layout(model)
            for j, layer in enumerate(model.layers, start=1):
                end = pytorch_code.piece(j, layer, end).layout
            assert shape == (1,) + pytorch_code.torch_shape(model.output_shape, end), spec


def test_pytorch_comment_names_the_layers_whose_count_differs():
    text = emit("Input(5, 3) -> LSTM(4) -> BatchNormalization -> Dense(1)", "pytorch")
    # LSTM: Keras 4·(3·4 + 4·4 + 4) = 128, PyTorch adds bias_hh (16) = 144; BatchNorm: 16 vs 8
    assert "LSTM(4): PyTorch 144, Keras 128" in text
    assert "BatchNormalization: PyTorch 8, Keras 16" in text
    assert "PyTorch counts 157 parameters; Keras (dltutor solve params) counts 149" in text
    assert "The counts agree layer by layer." in emit("Input(4, 2) -> GRU(3)", "pytorch")   # reset_after


def test_pytorch_program_is_channels_first_and_batch_first():
    text = emit("Input(28,28,3) -> Conv2D(8,3) -> Flatten -> Dense(2)", "pytorch")
    assert "torch.zeros(1, 3, 28, 28)" in text and "# x: (N, 3, 28, 28)" in text
    assert "x = x.movedim(1, -1)" in text          # Keras flattens channels last
    text = emit("Input(6, 4) -> LSTM(3)", "pytorch")
    assert "batch_first=True" in text and "torch.zeros(1, 6, 4)" in text


def test_pytorch_wrappers_use_the_native_modules_where_they_compute_the_same():
    text = emit("Input(6, 4) -> Bidirectional(LSTM(3, return_sequences=True)) -> MultiHeadAttention(2, 3) "
                "-> Bidirectional(GRU(2))", "pytorch")
    assert "nn.LSTM(4, 3, batch_first=True, bidirectional=True)" in text
    assert "nn.MultiheadAttention(6, 2, batch_first=True)" in text             # 2·3 = 6 = the width
    assert "nn.GRU(6, 2, batch_first=True, bidirectional=True)" in text
    assert "x = torch.cat([x[:, -1, :2], x[:, 0, 2:]], dim=-1)" in text       # h⃖ after the whole sequence
    text = emit("Input(6, 4) -> Bidirectional(LSTM(3, return_sequences=True), merge_mode=ave) "
                "-> MultiHeadAttention(2, 2)", "pytorch")
    assert "bidirectional=True" not in text and "x_in.flip(1)" in text and "x = (h_forward + x) / 2" in text
    assert "SelfAttention(3, 2, 2, 2)" in text and "class SelfAttention(nn.Module)" in text    # 2·2 ≠ 3
    text = emit("Input(5, 3) -> TimeDistributed(Dense(2))", "pytorch")
    assert "x = x.flatten(0, 1)" in text and "x = x.unflatten(0, (-1, 5))" in text


def test_emit_json_carries_the_code_and_the_counts():
    result = run_cli("solve", "params", "Input(3) -> Dense(2)", "--emit", "keras", "--json")
    assert result.code == 0, result.err
    answer = result.json()["answer"]
    assert answer["total"] == 8 and "layers.Dense(2)" in answer["code"]


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_every_engine_layer_has_code_in_both_frameworks(framework):
    """Walk the engine's registry: a new layer type needs its entry here (and a conversion case)."""
    from dltutor.nn.base import LAYERS

    table = keras_code.LAYERS if framework == "keras" else pytorch_code.LAYERS
    assert set(LAYERS) <= set(table), sorted(set(LAYERS) - set(table))
    with_weights = {"Dense", "Conv2D", "Conv1D", "DepthwiseConv2D", "SeparableConv2D", "BatchNormalization",
                    "Embedding", "SimpleRNN", "LSTM", "GRU", "LayerNormalization"}
    assert with_weights <= set(layouts.TO_PYTORCH)


@pytest.mark.parametrize("spec, framework, fragment", [
    ("Input(3) -> Dense(2, step)", "keras", "'step'"),
    ("Input(3) -> Dense(2, step)", "pytorch", "'step'"),
    ("Input(4, 3) -> LSTM(2, relu)", "pytorch", "'relu'"),
    ("Input(4, 3) -> SimpleRNN(2, sigmoid)", "pytorch", "'sigmoid'"),
    ("Input(3, 3, 1) -> UpSampling2D(2, interpolation=bicubic)", "pytorch", "'bicubic'"),
    ("Input(4, 3) -> Bidirectional(LSTM(2, relu), merge_mode=sum)", "pytorch", "'relu'"),
    ("Input(4, 3) -> TimeDistributed(Dense(2, step))", "keras", "'step'"),
    ("Input(4, 6) -> MultiHeadAttention(2, 3, attention_axes=1)", "pytorch", "attention_axes=1"),
    ("Input(4, 6) -> MultiHeadAttention(2, 3, attention_axes=1)", "keras", "attention_axes=1"),
])
def test_what_a_framework_cannot_build_is_bad_input(spec, framework, fragment):
    from conftest import assert_bad_input

    assert_bad_input(run_cli("solve", "params", spec, "--emit", framework), fragment)


def test_unknown_framework_is_bad_input():
    from conftest import assert_bad_input

    assert_bad_input(run_cli("solve", "params", "Input(3) -> Dense(2)", "--emit", "tensorflow"), "tensorflow")


def test_writing_code_imports_no_framework():
    """dltutor.frameworks writes text: neither torch nor keras (nor click) is imported to do it."""
    import subprocess
    import sys

    code = ("import sys; from dltutor.frameworks.emit import emit; "
            "emit('Input(4, 3) -> LSTM(2) -> Dense(1)', 'pytorch'); emit('Input(3) -> Dense(2)', 'keras'); "
            "print(sorted(m for m in ('torch', 'keras', 'click', 'sympy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_known_settings_cover_both_code_tables():
    """supported.SETTINGS, keras_code.LAYERS and pytorch_code.LAYERS name the same layer types."""
    from dltutor.frameworks import supported

    assert set(supported.SETTINGS) == set(keras_code.LAYERS) == set(pytorch_code.LAYERS)


def test_a_setting_the_writers_do_not_know_is_refused():
    """A setting the grammar knows but the code writers do not must stop them, not vanish from the code."""
    from dltutor.frameworks import supported

    layer = resolve("Input(6, 6, 2) -> Conv2D(4, 3)").layers[0]
    layer.config["groups"] = 2
    with pytest.raises(InputError, match="groups=2"):
        supported.check(1, layer, "PyTorch")
    layer.config.pop("groups")
    layer.config["padding"] = "causal"
    with pytest.raises(InputError, match="padding='causal'"):
        supported.check(1, layer, "Keras")
    layer.config["padding"] = "valid"
    layer.config["groups"] = 1                     # Keras's default: nothing to write
    supported.check(1, layer, "Keras")


@pytest.mark.parametrize("spec, fragments", [
    # Keras 'same', k = 3, s = 2 cuts the full output's last row and column; PyTorch's padding=1,
    # output_padding=1 would cut the first: the module pads nothing and a slice keeps Keras's cells
    ("Input(4, 4, 2) -> Conv2DTranspose(3, 3, strides=2, padding=same)",
     ["nn.ConvTranspose2d(2, 3, kernel_size=(3, 3), stride=(2, 2))", "self.conv2d_transpose_1(x)[:, :, 0:8, 0:8]"]),
    ("Input(4, 4, 2) -> Conv2DTranspose(3, 4, strides=2, padding=same)",      # one cell cut at each end
     ["nn.ConvTranspose2d(2, 3, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))"]),
    ("Input(3, 2) -> Conv1DTranspose(2, 2, strides=3, use_bias=False)",          # k < s: one zero appended
     ["nn.ConvTranspose1d(2, 2, kernel_size=2, stride=3, output_padding=1, bias=False)"]),
])
def test_pytorch_transposed_convolution_arguments(spec, fragments):
    text = emit(spec, "pytorch")
    for fragment in fragments:
        assert fragment in text, text


def test_cuts_that_pytorch_cannot_make_are_refused():
    """A slice cannot add zeros: such a layer (which the spec refuses today) is refused, never miswritten."""
    layer = resolve("Input(4, 2) -> Conv1DTranspose(2, 3, strides=2)").layers[0]
    layer.config["output_padding"] = (3,)           # cuts (0, −3): PyTorch's output_padding must stay below 2
    with pytest.raises(InputError, match="no exact PyTorch code"):
        pytorch_code.piece(1, layer, "cl")
