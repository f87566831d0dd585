"""Output sizes of convolution and pooling layers, and parameter counts of models.

One formula serves every layer that slides a window (CLI.md, "Conventions"):

    out = floor((n + 2p - d(k - 1) - 1) / s) + 1        numeric padding p ("valid" is p = 0)
    out = ceil(n / s)                                     "same" padding (Keras, TensorFlow)

This module must stay light: it is on the fast path of ``dltutor solve
conv-output`` (no sympy, no rich).
"""

from __future__ import annotations

from dltutor import values
from dltutor.errors import InputError
from dltutor.solution import Solution, Step, Table, fill
from dltutor.solvers.registry import Option, choice, integer, register, size

OUTPUT_FORMULA = "out = floor((n + 2*p - d*(k - 1) - 1)/s) + 1"
SAME_FORMULA = "out = ceil(n/s)"


def parse_padding(text: str, what: str = "--padding") -> int | str:
    """``valid`` (= 0), ``same``, or a whole number of zeros on each side."""
    word = values.check_length(text, what).lower()
    if word in ("valid", "same"):
        return word
    return values.parse_int(text, what, minimum=0)


def padding_label(padding: int | str) -> str:
    return padding if isinstance(padding, str) else str(padding)


def window_output(n: int, k: int, s: int = 1, padding: int | str = 0, d: int = 1, *,
                  dim: str = "", layer: str = "kernel") -> tuple[int, list[Step]]:
    """The output length of a window of size ``k`` sliding over ``n`` cells, with the steps.

    Raises InputError when the window does not fit the (padded) input."""
    where = f" ({dim})" if dim else ""
    steps: list[Step] = []
    k_eff = d * (k - 1) + 1
    if d > 1:
        steps.append(Step(f"Effective {layer} size{where}", "k_eff = d*(k - 1) + 1",
                          fill("{}*({} - 1) + 1", d, k), k_eff,
                          note=f"dilation {d} spreads the {layer} taps {d} cells apart"))
    if padding == "same":
        out = -(-n // s)
        steps.append(Step(f"Output size{where}, 'same' padding", SAME_FORMULA,
                          fill("ceil({}/{})", n, s), out))
        total = max((out - 1) * s + k_eff - n, 0)
        before, after = total // 2, total - total // 2
        note = ("no padding is needed" if total == 0 else
                f"{before} zero(s) before and {after} after" +
                (" (the extra one goes at the bottom/right, as in Keras)" if before != after else ""))
        steps.append(Step(f"Padding added{where}", "p_total = max((out - 1)*s + k_eff - n, 0)",
                          fill("max(({} - 1)*{} + {} - {}, 0)", out, s, k_eff, n), total, note=note))
        return out, steps

    p = 0 if padding == "valid" else int(padding)
    padded = n + 2 * p
    if k_eff > padded:
        # no start position fits: Keras and PyTorch reject this layer too
        eff = f" (effective size {k_eff} with dilation {d})" if d > 1 else ""
        detail = f"input {n} + 2·padding {p}" if p else f"input {n}, no padding"
        inside = f"the padded input {padded} ({dim + ': ' if dim else ''}{detail})"
        fix = f"use a smaller {layer}" + (" or more padding" if layer == "kernel" else "")
        raise InputError(f"{layer} {k}{eff} is larger than {inside}: "
                         f"no window position fits; {fix}")
    span = padded - k_eff
    out = span // s + 1
    note = ""
    if span % s:
        note = (f"{span} is not a multiple of the stride {s}: the division floors, so the last "
                f"{span % s} row(s)/column(s) of the input are never covered and are dropped")
    steps.append(Step(f"Output size{where}", OUTPUT_FORMULA,
                      fill("floor(({} + 2*{} - {}*({} - 1) - 1)/{}) + 1", n, p, d, k, s), out, note=note))
    return out, steps


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
        steps.append(Step("Output size", "out = out_h x out_w", fill("{} x {}", out_h, out_w), answer))
    return Solution(kind, inputs, answer, tuple(steps))


PADDING_HELP = "0, valid (= 0), same, or a whole number P of zeros on each side"


@register(
    "conv-output", topic="cnn",
    summary="output size of a convolution layer",
    options=[
        Option("input", size, "input size: 28 (square) or 28x32 (height x width)", required=True, metavar="SIZE"),
        Option("kernel", integer(minimum=1), "kernel size k", required=True, metavar="K"),
        Option("stride", integer(minimum=1), "stride s", default="1", metavar="S"),
        Option("padding", parse_padding, PADDING_HELP, default="0", metavar="P"),
        Option("dilation", integer(minimum=1), "dilation d (spacing of the kernel taps)", default="1", metavar="D"),
    ],
    examples=["--input 28 --kernel 5", "--input 32x28 --kernel 3 --stride 2 --padding same"],
)
def conv_output(input: values.Size, kernel: int, stride: int = 1, padding: int | str = 0,
                dilation: int = 1) -> Solution:
    """Output size of a convolution: floor((n + 2p - d(k-1) - 1)/s) + 1, or ceil(n/s) for 'same'."""
    inputs = {"input": _size_text(input), "kernel": kernel, "stride": stride,
              "padding": padding_label(padding), "dilation": dilation}
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

    path = Path(values.check_length(text, what))
    try:
        # read at most one byte past the cap: stat() says 0 bytes for /dev/zero or a pipe,
        # and read_text() of those would never end
        with path.open("rb") as handle:
            data = handle.read(MAX_SPEC_FILE + 1)
    except FileNotFoundError:
        raise InputError(f"{what} {values.quote(str(path), 80)} does not exist") from None
    except (OSError, ValueError) as exc:  # a folder, no permission, a name too long, a NUL byte
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc.__class__.__name__
        raise InputError(f"{what} {values.quote(str(path))} cannot be read: {reason}") from None
    if len(data) > MAX_SPEC_FILE:
        raise InputError(f"{what} {values.quote(str(path), 80)} is larger than 64 KiB; "
                         "a model spec is a few lines")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{what} {values.quote(str(path))} cannot be read: it is not UTF-8 text "
                         "(a model spec is a plain text file)") from None


@register(
    "params", topic="cnn",
    summary="output shapes and parameter counts of a Keras model",
    options=[
        Option("spec", lambda t, w: values.check_length(t, w), "model spec, layers separated by -> (see CLI.md)",
               argument=True, metavar="SPEC"),
        Option("file", read_spec_file, "read the model spec from a file", metavar="PATH"),
        Option("convention", choice("keras"), "layer conventions (Keras)", default="keras", metavar="NAME"),
        Option("emit", choice("keras", "pytorch"), "print code that builds this model in Keras or PyTorch "
               "(with --json: the answer's \"code\")", metavar="FRAMEWORK"),
    ],
    examples=[
        '"Input(28,28,1) -> Conv2D(6,5) -> MaxPooling2D(2) -> Conv2D(16,5) -> MaxPooling2D(2) '
        '-> Flatten -> Dense(120) -> Dense(84) -> Dense(10)"',
        '"Input(3) -> Dense(5) -> Dense(2)"',
        '"Input(20, 8) -> LSTM(32) -> Dense(1)"',
    ],
)
def params(spec: str | None = None, file: str | None = None, convention: str = "keras",
           emit: str | None = None) -> Solution:
    """Per-layer output shapes and parameter counts, Keras-exact, with the formula of each count."""
    from dltutor import modelspec

    if spec and file:
        raise InputError("give the model spec either as an argument or with --file, not both")
    text = spec if spec else file
    if not text or not text.strip():
        raise InputError('no model spec given; e.g. dltutor solve params "Input(3) -> Dense(5) -> Dense(2)"')
    model = modelspec.resolve(text)
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
