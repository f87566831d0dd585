"""Output sizes of convolution and pooling layers, and parameter counts of models.

One formula serves every layer that slides a window: it lives in
``dltutor.modelspec.windows``.

This module must stay light: it is on the fast path of ``dltutor solve
conv-output`` (no sympy, no rich).
"""

from __future__ import annotations

from dltutor import values
from dltutor.errors import InputError
from dltutor.solution import Solution, Step, Table, fill
from dltutor.modelspec.windows import PADDING_HELP, parse_padding, padding_label, window_output
from dltutor.solvers.registry import Option, choice, integer, register, size

def _window_solution(kind: str, inputs: dict, size_: values.Size, k: int, s: int,
                     padding: int | str, d: int, layer: str) -> Solution:
    if size_.square:
        out, steps = window_output(size_.h, k, s, padding, d, layer=layer)
        answer: int | list[int] = out
    else:
        out_h, steps_h = window_output(size_.h, k, s, padding, d, dim="height", layer=layer)
        out_w, steps_w = window_output(size_.w, k, s, padding, d, dim="width", layer=layer)
        steps = steps_h + steps_w
        answer = [out_h, out_w]
        steps.append(Step("Output size", "out = H_out × W_out", fill("{} × {}", out_h, out_w), answer))
    return Solution(kind, inputs, answer, tuple(steps))


@register(
    "conv-output", topic="cnn",
    summary="output size of a convolution layer",
    options=[
        Option("input", size, "input size: 28 (square) or 28x32 (height x width)", required=True, metavar="SIZE"),
        Option("kernel", integer(minimum=1), "kernel size k", required=True, metavar="K"),
        Option("stride", integer(minimum=1), "stride s", default="1", metavar="S"),
        Option("padding", parse_padding, PADDING_HELP, default="0", metavar="P"),
        Option("dilation", integer(minimum=1), "dilation d (spacing of the kernel taps)", default="1", metavar="D"),
        Option("transposed", help="a transposed convolution: o = (i − 1)·s − 2p + d·(k − 1) + a + 1 "
               "(PyTorch's ConvTranspose; 'same' is Keras's o = i·s)", flag=True),
        Option("output-padding", integer(minimum=0), "--transposed: extra rows/columns a on one side "
               "(smaller than the stride or the dilation) [default: 0]", metavar="A"),
    ],
    examples=["--input 28 --kernel 5", "--input 32x28 --kernel 3 --stride 2 --padding same",
              "--input 7 --kernel 3 --stride 2 --padding 1 --transposed --output-padding 1"],
)
def conv_output(input: values.Size, kernel: int, stride: int = 1, padding: int | str = 0,
                dilation: int = 1, transposed: bool = False, output_padding: int | None = None) -> Solution:
    """Output size of a convolution: floor((n + 2p - d(k-1) - 1)/s) + 1, or ceil(n/s) for 'same'.
    Transposed: (n - 1)·s - 2p + d(k - 1) + a + 1 (= (n - 1)·s - 2p + k + a without dilation)."""
    inputs = {"input": _size_text(input), "kernel": kernel, "stride": stride,
              "padding": padding_label(padding), "dilation": dilation}
    if transposed:
        from dltutor.solvers.transposed import transposed_solution

        inputs.update(transposed=True, output_padding=output_padding or 0)
        return transposed_solution(inputs, input, kernel, stride, padding, dilation, output_padding)
    if output_padding is not None:
        raise InputError("--output-padding belongs to a transposed convolution: add --transposed")
    return _window_solution("conv-output", inputs, input, kernel, stride, padding, dilation, "kernel")


@register(
    "pool-output", topic="cnn",
    summary="output size of a pooling layer",
    options=[
        Option("input", size, "input size: 28 (square) or 28x32 (height x width)", required=True, metavar="SIZE"),
        Option("pool", integer(minimum=1), "pool (window) size k", required=True, metavar="K"),
        Option("stride", integer(minimum=1), "stride s (default: the pool size)", metavar="S"),
        Option("padding", parse_padding, PADDING_HELP, default="0", metavar="P"),
    ],
    examples=["--input 24 --pool 2", "--input 7x9 --pool 3 --stride 2"],
)
def pool_output(input: values.Size, pool: int, stride: int | None = None,
                padding: int | str = 0) -> Solution:
    """Output size of a pooling layer: the convolution formula with the pool as kernel; stride defaults to the pool."""
    stride = pool if stride is None else stride
    inputs = {"input": _size_text(input), "pool": pool, "stride": stride, "padding": padding_label(padding)}
    return _window_solution("pool-output", inputs, input, pool, stride, padding, 1, "pool")


def _size_text(s: values.Size) -> str:
    return str(s.h) if s.square else f"{s.h}x{s.w}"


# ------------------------------------------------------------------ params

MAX_SPEC_FILE = 65536    # bytes of a --file model spec


def read_spec_file(text: str, what: str) -> str:
    """``--file PATH``: a model spec in a text file (at most 64 KiB)."""
    from pathlib import Path

    from dltutor.files import read_regular

    path = Path(values.check_length(text, what))
    # only a regular file: a FIFO would block here (and freeze the calculator as you type)
    data = read_regular(path, what, MAX_SPEC_FILE, what="text file with a model spec")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{what} {values.quote(str(path))} cannot be read: it is not UTF-8 text "
                         "(a model spec is a plain text file)") from None


@register(
    "params", topic="cnn",
    summary="output shapes and parameter counts of a model (a spec, Keras code or a PyTorch nn.Sequential)",
    options=[
        Option("spec", lambda t, w: values.check_length(t, w), "model spec, layers separated by -> (see CLI.md)",
               argument=True, metavar="SPEC"),
        Option("file", read_spec_file, "read the model spec from a file", metavar="PATH"),
        Option("convention", choice("keras"), "layer conventions (Keras)", default="keras", metavar="NAME"),
        Option("emit", choice("keras", "pytorch"), "print code that builds this model in Keras or PyTorch "
               "(with --json: the answer's \"code\")", metavar="FRAMEWORK"),
        Option("input-shape", lambda t, w: values.parse_shape(t, w), "pasted PyTorch code: the shape of one "
               "sample, channels first (3,32,32; T,F for recurrent layers)", metavar="C,H,W"),
    ],
    examples=[
        '"Input(28,28,1) -> Conv2D(6,5) -> MaxPooling2D(2) -> Conv2D(16,5) -> MaxPooling2D(2) '
        '-> Flatten -> Dense(120) -> Dense(84) -> Dense(10)"',
        '"Input(3) -> Dense(5) -> Dense(2)"',
        '"Input(20, 8) -> LSTM(32) -> Dense(1)"',
        '"Input(5,3) -> Bidirectional(LSTM(8, return_sequences=True)) -> TimeDistributed(Dense(2))"',
        '"nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.Flatten(), '
        'nn.Linear(16*8*8, 10))" --input-shape 3,8,8',
    ],
)
def params(spec: str | None = None, file: str | None = None, convention: str = "keras",
           emit: str | None = None, input_shape: tuple[int, ...] | None = None) -> Solution:
    """Per-layer output shapes and parameter counts, Keras-exact, with the formula of each count."""
    from dltutor import modelspec

    if spec and file:
        raise InputError("give the model spec either as an argument or with --file, not both")
    text = spec if spec else file
    if not text or not text.strip():
        raise InputError('no model spec given; e.g. dltutor solve params "Input(3) -> Dense(5) -> Dense(2)"')
    model = modelspec.resolve(text, input_shape)
    steps = []
    rows = []
    for layer in model.layers:
        steps.append(Step(f"{layer.label}: output shape", layer.shape_formula, layer.shape_substituted,
                          list(layer.output_shape), note=layer.shape_note))
        steps.append(Step(f"{layer.label}: parameters", layer.params_formula, layer.params_substituted,
                          layer.params, note=layer.params_note))
        rows.append((layer.label, "(None, " + ", ".join(str(d) for d in layer.output_shape) + ")"
                     if layer.output_shape else "(None,)", layer.params))
    total = model.total
    steps.append(Step("Total parameters", "total = sum of the layers' parameters",
                      fill(" + ".join("{}" for _ in model.layers) or "0", *[l.params for l in model.layers]),
                      total, note=f"trainable {model.trainable:,}, non-trainable {model.non_trainable:,}",
                      table=Table(("layer", "output shape", "params"), tuple(rows))))
    answer = {
        "total": total,
        "trainable": model.trainable,
        "non_trainable": model.non_trainable,
        "layers": [{"layer": l.label, "output_shape": list(l.output_shape), "params": l.params}
                   for l in model.layers],
    }
    if emit:        # the same model as code (text) for a framework: dltutor.frameworks
        from dltutor.frameworks.emit import EMITTERS

        answer["code"] = EMITTERS[emit](model)
    return Solution("params", {"spec": model.text, **({"emit": emit} if emit else {})}, answer, tuple(steps))
