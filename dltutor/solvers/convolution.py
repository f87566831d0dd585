"""Convolution and pooling by hand, and the cost of standard vs depthwise separable convolution.

    conv2d     z[i, j] = Σ_c Σ_m Σ_n x[c, i·s + m, j·s + n] · k[c, m, n] + b      y = act(z)
               input (C, H, W), kernel (C, kh, kw): one filter → one output map (out_h, out_w).
               Cross-correlation, as Keras and PyTorch compute it: the kernel is not flipped.
    pool       y[i, j] = max (or mean) of the K × K window at (i·s, j·s)
    conv-cost  standard  = H_out·W_out·F·K²·C        depthwise = H_out·W_out·C·K²
               pointwise = H_out·W_out·C·F          separable = depthwise + pointwise

Output sizes come from ``modelspec.windows.window_output`` (one formula for every sliding
window); 'same' padding is Keras's: the odd extra zero goes at the bottom/right.
The numbers are computed vectorized (``sliding_window_view``); the steps write
the sums out for small inputs and summarise large ones.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dltutor import values
from dltutor.errors import InputError
from dltutor.nn import activations
from dltutor.solution import Filled, Solution, Step, Table, fill
from dltutor.solvers.registry import Option, choice, integer, matrix, number, register, tensor
from dltutor.modelspec.windows import PADDING_HELP, padding_label, padding_split, parse_padding, window_output

# Write every cell out when the output has at most this many cells and each
# cell's sum at most this many products (a 3x3 kernel over 3 channels);
# otherwise show the first and last cells and the whole map.
DETAIL_CELLS = 25
DETAIL_TAPS = 27
SHOW_MATRIX = 144       # cells of a matrix worth printing in a step (12 x 12)
# The input is capped by values.MAX_ELEMENTS, but padding multiplies it: --padding 30000 on a
# 5x5 input would allocate tens of gigabytes. Cap the padded input (channels x rows x cols).
MAX_PADDED = 65_536

CONV_ACTIVATIONS = ("linear", "relu", "leaky_relu", "sigmoid", "tanh")


# ------------------------------------------------------------ shared mechanism

def output_sizes(h: int, w: int, kh: int, kw: int, stride: int, padding: int | str,
                 layer: str, dilation: int = 1) -> tuple[int, int, list[Step]]:
    """(out_h, out_w, steps) from ``window_output``; one set of steps when both dimensions agree."""
    if h == w and kh == kw:
        out, steps = window_output(h, kh, stride, padding, dilation, layer=layer)
        return out, out, steps
    out_h, steps_h = window_output(h, kh, stride, padding, dilation, dim="height", layer=layer)
    out_w, steps_w = window_output(w, kw, stride, padding, dilation, dim="width", layer=layer)
    return out_h, out_w, steps_h + steps_w


def windows(x: np.ndarray, kh: int, kw: int, stride: int, dilation: int = 1) -> np.ndarray:
    """All windows of the last two axes at the given stride: (..., out_h, out_w, kh, kw); with
    dilation d the window spans d·(k − 1) + 1 cells and takes every d-th."""
    view = sliding_window_view(x, (dilation * (kh - 1) + 1, dilation * (kw - 1) + 1), axis=(-2, -1))
    return view[..., ::stride, ::stride, ::dilation, ::dilation]


def small(rows: int, cols: int) -> bool:
    return rows * cols <= SHOW_MATRIX


def detail_cells(out_h: int, out_w: int, taps: int) -> tuple[list[tuple[int, int]], bool]:
    """The cells whose working is written out, and whether that is all of them."""
    if out_h * out_w <= DETAIL_CELLS and taps <= DETAIL_TAPS:
        return [(i, j) for i in range(out_h) for j in range(out_w)], True
    last = (out_h - 1, out_w - 1)
    return ([(0, 0), last] if last != (0, 0) else [(0, 0)]), False


def products(window: np.ndarray, kernel: np.ndarray) -> Filled:
    """``(x1*k1) + (x2*k2) + ...`` with the numbers kept for the renderer."""
    pairs = list(zip(window.ravel().tolist(), kernel.ravel().tolist()))
    return Filled(" + ".join("({}*{})" for _ in pairs), tuple(v for pair in pairs for v in pair))


def signed_sum(terms: list[float]) -> Filled:
    """``a + b - c`` for a list of numbers (a negative term is written with a minus)."""
    template, vals = "", []
    for n, t in enumerate(terms):
        if n == 0:
            template += "{}"
            vals.append(t)
        else:
            template += " - {}" if t < 0 else " + {}"
            vals.append(abs(t))
    return Filled(template, tuple(vals))


def cell_where(i: int, j: int, stride: int, kh: int, kw: int, padded: bool, dilation: int = 1) -> str:
    r, c = i * stride, j * stride
    grid = "padded input" if padded else "input"
    spread = f" (every {dilation}th row and column: dilation {dilation})" if dilation > 1 else ""
    kh, kw = dilation * (kh - 1) + 1, dilation * (kw - 1) + 1
    return f"window: rows {r + 1}-{r + kh}, columns {c + 1}-{c + kw} of the {grid}{spread}"


# ------------------------------------------------------------------ conv2d

@register(
    "conv2d", topic="cnn",
    summary="2-D convolution (cross-correlation) of a matrix or multi-channel tensor with one filter",
    description="z[i,j] = sum over c, m, n of x[c, i*s + m, j*s + n]*k[c, m, n] + b, then y = act(z): "
                "cross-correlation (the kernel is not flipped), as Keras and PyTorch compute it. "
                "Several channels: write the input (C x H x W) and the kernel (C x k x k) with | between "
                "channels; one filter gives one output map. 'same' padding puts the odd extra zero at the "
                "bottom/right, as Keras does.",
    options=[
        Option("input", tensor, "input matrix (1,2;3,4) or channels separated by | (C x H x W)",
               required=True, metavar="MAT|TENSOR"),
        Option("kernel", tensor, "kernel matrix, or one kernel matrix per input channel separated by |",
               required=True, metavar="MAT|TENSOR"),
        Option("bias", number, "bias added to every output cell", default="0", metavar="B"),
        Option("stride", integer(minimum=1), "stride s", default="1", metavar="S"),
        Option("padding", parse_padding, PADDING_HELP, default="0", metavar="P"),
        Option("activation", choice(*CONV_ACTIVATIONS), "activation applied to the output map",
               default="linear", metavar="NAME"),
        Option("dilation", integer(minimum=1), "dilation d: the kernel taps are d cells apart", default="1",
               metavar="D"),
    ],
    examples=[
        '--input "1,2,3,0,1;4,5,6,1,2;7,8,9,2,3;1,2,3,4,5;6,7,8,9,0" --kernel "1,0,-1;1,0,-1;1,0,-1"',
        '--input "156,155;153,154 | 167,166;164,165 | 163,162;160,161" '
        '--kernel "-1,-1,1;0,1,-1;0,1,1 | 1,0,0;1,-1,-1;1,0,-1 | 0,1,1;0,1,0;1,-1,1" --padding 1 --bias 1',
        '--input "1,2,0;0,1,3;2,1,1" --kernel "1,0;0,-1" --padding same --stride 2 --activation relu',
        '--input "1,2,3,4,5;6,7,8,9,0;1,2,3,4,5;6,7,8,9,0;1,2,3,4,5" --kernel "1,0;0,1" --dilation 2',
    ],
)
def conv2d(input: np.ndarray, kernel: np.ndarray, bias: float = 0.0, stride: int = 1,
           padding: int | str = 0, activation: str = "linear", dilation: int = 1) -> Solution:
    """z[i,j] = Σ_c Σ_m Σ_n x[c, i·s+m, j·s+n]·k[c,m,n] + b, then y = act(z).

    Input (C, H, W) or (H, W), kernel (C, kh, kw) or (kh, kw); the answer is the
    (out_h, out_w) map as a list of rows."""
    x, k = np.asarray(input, dtype=float), np.asarray(kernel, dtype=float)
    if x.ndim == 2:
        x = x[None]
    if k.ndim == 2:
        k = k[None]
    C, H, W = x.shape
    kc, kh, kw = k.shape
    if kc != C:
        raise InputError(
            f"--kernel has {values.plural(kc, 'channel')} but --input has {C}: give one kernel matrix per input "
            f"channel, separated by '|'")
    inputs = {"input": (x[0] if C == 1 else x).tolist(), "kernel": (k[0] if C == 1 else k).tolist(), "bias": bias,
              "stride": stride, "padding": padding_label(padding), "activation": activation}
    if dilation > 1:
        inputs["dilation"] = dilation

    out_h, out_w, steps = output_sizes(H, W, kh, kw, stride, padding, "kernel", dilation)
    top, bottom = padding_split(H, kh, stride, padding, dilation)
    left, right = padding_split(W, kw, stride, padding, dilation)
    padded_cells = C * (H + top + bottom) * (W + left + right)
    if padded_cells > MAX_PADDED:
        raise InputError(f"--padding {padding_label(padding)} makes a padded input of {padded_cells:,} numbers; "
                         f"the limit is {MAX_PADDED:,}: use less padding")
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right)))
    padded = bool(top or bottom or left or right)
    if padded and small(*xp.shape[1:]):
        for c in range(C):
            where = f", channel {c + 1}" if C > 1 else ""
            steps.append(Step(f"Input with zero padding{where}",
                              "zeros added: top, bottom, left, right",
                              fill("{}, {}, {}, {}", top, bottom, left, right), xp[c].tolist(),
                              note="the padded input is what the kernel slides over" if c == 0 else ""))

    win = windows(xp, kh, kw, stride, dilation)             # (C, out_h, out_w, kh, kw)
    per_channel = np.einsum("cijmn,cmn->cij", win, k)       # each channel's sum, (C, out_h, out_w)
    z = per_channel.sum(axis=0) + bias
    act = activations.get(activation)
    y = np.asarray(act.forward(z), dtype=float)

    cells, complete = detail_cells(out_h, out_w, C * kh * kw)
    if C == 1:
        formula = "z[i,j] = sum(x[i*s + m, j*s + n]*k[m,n]) + b"
    else:
        formula = "z[i, j] = Sum(Sum(Sum(x[c, i*s + m, j*s + n]*k[c, m, n], n), m), c) + b"
    for n, (i, j) in enumerate(cells):
        note = cell_where(i, j, stride, kh, kw, padded, dilation)
        if n == 0:
            note += "; the kernel is laid on the window as it is (not flipped), as in Keras and PyTorch"
        if C == 1:
            sub = products(win[0, i, j], k[0])
            if bias:
                sub = Filled(sub.template + (" + {}" if bias > 0 else " - {}"), sub.values + (abs(bias),))
            steps.append(Step(f"Output cell (row {i + 1}, column {j + 1})", formula, sub, float(z[i, j]),
                              note=note))
        else:
            table = Table(("channel", "products", "sum"),
                          tuple((c + 1, products(win[c, i, j], k[c]), float(per_channel[c, i, j]))
                                for c in range(C)))
            steps.append(Step(f"Output cell (row {i + 1}, column {j + 1})", formula,
                              signed_sum(per_channel[:, i, j].tolist() + [bias]), float(z[i, j]),
                              note=note + "; one sum per channel, then the bias", table=table))
    shape_note = f"{out_h} × {out_w} output map"
    if not complete:
        shape_note += (f"; cells computed the same way as the ones above "
                       f"({out_h * out_w} cells, {C * kh * kw} products each)")
    steps.append(Step("Output feature map", "z = cross_correlate(x, k) + b", "",
                      z.tolist() if small(out_h, out_w) else None, note=shape_note))
    if activation != "linear":
        steps.append(Step(f"Activation: {activation}", f"y = {act.formula}", "",
                          y.tolist() if small(out_h, out_w) else None, note="applied to every cell of z"))
    return Solution("conv2d", inputs, y.tolist(), tuple(steps))


def pool_padding(text: str, what: str) -> str:
    """valid (= 0) or same; pooling takes no other padding here."""
    value = parse_padding(text, what)
    if value in (0, "valid"):
        return "valid"
    if value == "same":
        return "same"
    raise InputError(f"{what} {value} is not valid (0) or same: pooling pads only as 'same' does")


# -------------------------------------------------------------------- pool

@register(
    "pool", topic="cnn",
    summary="max or average pooling of a matrix",
    options=[
        Option("input", matrix, "input matrix, rows separated by ;", required=True, metavar="MAT"),
        Option("size", integer(minimum=1), "pool window size K (K x K)", required=True, metavar="K"),
        Option("stride", integer(minimum=1), "stride s (default: the window size)", metavar="S"),
        Option("mode", choice("max", "avg"), "max or avg (mean of the window)", default="max", metavar="MODE"),
        Option("padding", pool_padding, "valid (= 0) or same (Keras: windows may hang over the edge; max "
               "ignores the cells outside, avg divides by the cells inside)", default="valid", metavar="P"),
    ],
    examples=[
        '--input "3,3,2,1,0;0,0,1,3,1;3,1,2,2,3;2,0,0,2,2;2,0,0,0,1" --size 3 --stride 1',
        '--input "1,3,2,4;5,6,1,2;7,2,9,0;1,8,3,4" --size 2 --mode avg',
        '--input "1,3,2;5,6,1;7,2,9" --size 2 --padding same --mode avg',
    ],
)
def pool(input: np.ndarray, size: int, stride: int | None = None, mode: str = "max",
         padding: str = "valid") -> Solution:
    """y[i,j] = max (or mean) of x[i·s : i·s + K, j·s : j·s + K]; input (H, W), output (H_out, W_out).

    'same' (Keras): out = ceil(n/s), the window hangs over the bottom/right edge where needed; the
    cells outside the input take no part (max ignores them, the mean divides by the cells inside)."""
    x = np.asarray(input, dtype=float)
    stride = size if stride is None else stride
    H, W = x.shape
    inputs = {"input": x.tolist(), "size": size, "stride": stride, "mode": mode}
    if padding == "same":
        inputs["padding"] = "same"
    out_h, out_w, steps = output_sizes(H, W, size, size, stride, padding, "pool")
    top, bottom = padding_split(H, size, stride, padding)
    left, right = padding_split(W, size, stride, padding)
    inside = np.pad(np.ones_like(x, dtype=bool), ((top, bottom), (left, right)))
    xp = np.pad(x, ((top, bottom), (left, right)))
    win = windows(xp, size, size, stride)                  # (out_h, out_w, K, K)
    keep = windows(inside, size, size, stride)
    if mode == "max":
        y = np.where(keep, win, -np.inf).max(axis=(-2, -1))
    else:
        y = (win * keep).sum(axis=(-2, -1)) / keep.sum(axis=(-2, -1))
    padded = bool(top or bottom or left or right)

    cells, complete = detail_cells(out_h, out_w, size * size)
    for i, j in cells:
        flat = win[i, j][keep[i, j]].tolist()
        if mode == "max":
            formula, sub = "y[i,j] = max(window)", fill("max(" + ", ".join("{}" for _ in flat) + ")", *flat)
        else:
            formula = "y[i,j] = sum(window)/K**2" if not padded else "y[i,j] = sum(window inside the input)/count"
            sub = fill("(" + " + ".join("{}" for _ in flat) + ")/{}", *flat, len(flat))
        note = cell_where(i, j, stride, size, size, padded)
        if len(flat) < size * size:
            out = size * size - len(flat)
            note += (f"; {values.plural(out, 'cell')} of the window {'lies' if out == 1 else 'lie'} outside the "
                     f"input and {'takes' if out == 1 else 'take'} no part")
        steps.append(Step(f"Window (row {i + 1}, column {j + 1})", formula, sub, float(y[i, j]), note=note))
    note = f"{out_h} × {out_w} output"
    if not complete:
        note += f"; every window is handled like the ones above ({out_h * out_w} windows)"
        steps.append(Step("Pooled map", "one value per window", "", y.tolist() if small(out_h, out_w) else None,
                      note=note))
    return Solution("pool", inputs, y.tolist(), tuple(steps))


# --------------------------------------------------------------- conv-cost

def shape_hwc(text: str, what: str) -> tuple[int, int, int]:
    return values.parse_shape(text, what, dims=3)


@register(
    "conv-cost", topic="cnn",
    summary="multiplications of a standard vs a depthwise separable convolution",
    options=[
        Option("input", shape_hwc, "input shape H x W x C, e.g. 32x32x3", required=True, metavar="HxWxC"),
        Option("kernel", integer(minimum=1), "kernel size K (K x K)", required=True, metavar="K"),
        Option("filters", integer(minimum=1), "number of filters F (output channels)", required=True,
               metavar="F"),
        Option("stride", integer(minimum=1), "stride s", default="1", metavar="S"),
        Option("padding", parse_padding, PADDING_HELP, default="same", metavar="P"),
    ],
    description="Multiplications (bias left out): standard = H_out*W_out*F*K**2*C; depthwise = "
                "H_out*W_out*C*K**2 (one K × K filter per channel); pointwise = H_out*W_out*C*F (1 × 1 "
                "filters); separable = depthwise + pointwise; ratio = standard/separable. The output size "
                "follows the stride and padding ('same' by default).",
    examples=["--input 32x32x3 --kernel 3 --filters 64",
              "--input 224x224x32 --kernel 3 --filters 64 --stride 2"],
)
def conv_cost(input: tuple[int, int, int], kernel: int, filters: int, stride: int = 1,
              padding: int | str = "same") -> Solution:
    """standard = H_out·W_out·F·K²·C; depthwise = H_out·W_out·C·K²; pointwise = H_out·W_out·C·F;
    separable = depthwise + pointwise; ratio = standard / separable."""
    H, W, C = input
    K, F = kernel, filters
    inputs = {"input": f"{H}x{W}x{C}", "kernel": K, "filters": F, "stride": stride,
              "padding": padding_label(padding)}
    oh, ow, steps = output_sizes(H, W, K, K, stride, padding, "kernel")
    standard = oh * ow * F * K * K * C
    depthwise = oh * ow * C * K * K
    pointwise = oh * ow * C * F
    separable = depthwise + pointwise
    ratio = standard / separable
    standard_note = f"each of the {oh * ow * F:,} outputs (H_out·W_out·F) needs K·K·C = {K * K * C} products"
    steps += [
        Step("Standard convolution", "standard = H_out*W_out*F*K**2*C",
             fill("{}*{}*{}*{}**2*{}", oh, ow, F, K, C), standard, note=standard_note),
        Step("Depthwise step", "depthwise = H_out*W_out*C*K**2", fill("{}*{}*{}*{}**2", oh, ow, C, K), depthwise,
             note="one K × K filter per input channel, no mixing between channels"),
        Step("Pointwise step", "pointwise = H_out*W_out*C*F", fill("{}*{}*{}*{}", oh, ow, C, F), pointwise,
             note="F filters of size 1 × 1 × C mix the channels"),
        Step("Depthwise separable total", "separable = depthwise + pointwise",
             fill("{} + {}", depthwise, pointwise), separable),
        Step("Saving", "ratio = standard/separable", fill("{}/{}", standard, separable), ratio,
             note=f"equivalently 1/(1/F + 1/K²) = 1/(1/{F} + 1/{K * K}): "
                  f"the separable layer needs about {ratio:.3g}x fewer multiplications"),
    ]
    answer = {"standard": standard, "depthwise": depthwise, "pointwise": pointwise,
              "separable": separable, "ratio": ratio}
    return Solution("conv-cost", inputs, answer, tuple(steps))
