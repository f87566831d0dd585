"""PyTorch code for each layer type of a resolved model spec (``dltutor.modelspec.resolve``).

PyTorch is channels-first: a Keras image (H, W, C) is (C, H, W) in PyTorch and a Keras
sequence (T, C) under a Conv1D is (C, T); recurrent layers take (N, T, F) with
``batch_first=True``, as Keras does. A layer function gets the resolved layer, the attribute
name of its module and the layout of its input tensor ("cf" channels first or "cl" channels
last, see ``dltutor.frameworks.pieces``) and returns a ``Piece``: the lines of ``__init__``
that make its modules, the lines of ``forward`` that run it on ``x`` (with a ``movedim``
first where the layout must change), the layout of its output, and the shapes of PyTorch's
parameters and buffers (``model.parameters()`` counts only the parameters). Unsupported settings are InputError.
Bidirectional, TimeDistributed and MultiHeadAttention are written by ``pytorch_wrappers``.
"""

from __future__ import annotations

import re

from dltutor.errors import InputError
from dltutor.frameworks import layouts, pytorch_wrappers, supported, transposed
from dltutor.frameworks.pieces import Piece, to_first, to_last
from dltutor.nn.windows import Geometry


# Keras activation -> a PyTorch expression of {x} ({dim}: the channel axis, for softmax)
ACTIVATIONS = {
    "linear": "{x}",
    "relu": "torch.relu({x})",
    "sigmoid": "torch.sigmoid({x})",
    "tanh": "torch.tanh({x})",
    "softmax": "torch.softmax({x}, dim={dim})",
    "leaky_relu": "F.leaky_relu({x}, 0.01)",       # dltutor's slope (CLI.md); PyTorch's default is 0.01 too
    "elu": "F.elu({x})",
    "selu": "F.selu({x})",
    "softplus": "F.softplus({x})",
    "softsign": "F.softsign({x})",
    "swish": "F.silu({x})",
    "gelu": "F.gelu({x})",
    "hard_sigmoid": "F.hardsigmoid({x})",          # Keras 3: relu6(x + 3)/6, the same function
    "exponential": "torch.exp({x})",
}


def attr_name(index: int, layer) -> str:
    """``conv2d_1``, ``batch_normalization_3``: the layer type in snake case and its number."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", layer.type).lower() + f"_{index}"


def activate(expr: str, name: str, layout: str, rank: int, label: str) -> str:
    """``expr`` wrapped in the activation ``name``; softmax runs over the channel axis (Keras: the last)."""
    if name not in ACTIVATIONS:
        raise InputError(f"{label}: PyTorch has no {name!r} activation; use one of {', '.join(ACTIVATIONS)}")
    dim = 1 if (layout == "cf" and rank >= 2) else -1
    return ACTIVATIONS[name].format(x=expr, dim=dim)


def _bias(layer) -> bool:
    return bool(layer.config.get("use_bias", True))


def _geometry(layer) -> Geometry:
    """Kernel, strides, dilation and Keras's padding split of a 2-D (or, as 1 x T, 1-D) window layer."""
    cfg = layer.config
    kernel = tuple(cfg.get("kernel_size") or cfg.get("pool_size"))
    strides = tuple(cfg.get("strides") or kernel)
    dilation = tuple(cfg.get("dilation_rate") or (1,) * len(kernel))
    size = tuple(layer.input_shape[:-1])
    if len(kernel) == 1:
        size, kernel, strides, dilation = (1,) + size, (1,) + kernel, (1,) + strides, (1,) + dilation
    return Geometry.make(size, kernel, strides, cfg.get("padding", "valid"), dilation)


def _window_args(geo: Geometry, dims: int) -> tuple[list[str], str | None]:
    """nn.Conv arguments for stride, dilation and symmetric padding, and an F.pad tuple text when
    Keras's 'same' padding is uneven (the extra row/column at the bottom/right)."""
    axes = range(2 - dims, 2)
    pick = (lambda t: t[1]) if dims == 1 else (lambda t: t)
    args = []
    if any(geo.strides[a] != 1 for a in axes):
        args.append(f"stride={pick(geo.strides)}")
    if any(geo.dilation[a] != 1 for a in axes):
        args.append(f"dilation={pick(geo.dilation)}")
    pads = [geo.pads[a] for a in axes]
    if all(a == b for a, b in pads):
        if any(a for a, _ in pads):
            args.append(f"padding={pick(tuple(a for a, _ in geo.pads))}")
        return args, None
    # F.pad lists the last axis first: (left, right) or (left, right, top, bottom)
    flat = [n for before_after in reversed(pads) for n in before_after]
    return args, "(" + ", ".join(str(n) for n in flat) + ")"


# ------------------------------------------------------------------ layers with weights

def dense(layer, attr, layout):
    n_in, units = layer.input_shape[-1], layer.config["units"]
    bias = _bias(layer)
    call = activate(f"self.{attr}(x)", layer.config.get("activation", "linear"), "cl", 1, layer.label)
    params = ((f"{attr}.weight", (units, n_in)),) + (((f"{attr}.bias", (units,)),) if bias else ())
    softmax = layer.config.get("activation") == "softmax"
    return Piece((f"self.{attr} = nn.Linear({n_in}, {units}{'' if bias else ', bias=False'})",),
                 to_last(layer, layout) + (f"x = {call}",), "cl", params,
                 note="nn.CrossEntropyLoss takes the logits, before this softmax" if softmax else "")


def _conv(layer, attr, layout, dims: int, groups: int = 1, out_channels: int | None = None,
          activation: str | None = None, bias: bool | None = None, kernel=None):
    c_in = layer.input_shape[-1]
    out = out_channels or layer.config["filters"]
    geo = _geometry(layer)
    args, pad = _window_args(geo, dims)
    bias = _bias(layer) if bias is None else bias
    k = kernel or (geo.kernel[1] if dims == 1 else geo.kernel)
    extra = args + ([f"groups={groups}"] if groups != 1 else []) + ([] if bias else ["bias=False"])
    module = f"self.{attr} = nn.Conv{dims}d({c_in}, {out}, kernel_size={k}{''.join(', ' + a for a in extra)})"
    lines = to_first(layer, layout) + ((f"x = F.pad(x, {pad})  # Keras's 'same': the extra row/column "
                                         "at the bottom/right",) if pad else ())
    act = layer.config.get("activation", "linear") if activation is None else activation
    lines += (f"x = {activate(f'self.{attr}(x)', act, 'cf', 2, layer.label)}",)
    shape = (out, c_in // groups) + ((k,) if dims == 1 else tuple(k))
    params = ((f"{attr}.weight", shape),) + (((f"{attr}.bias", (out,)),) if bias else ())
    return Piece((module,), lines, "cf", params)


def conv2d(layer, attr, layout):
    return _conv(layer, attr, layout, 2)


def conv1d(layer, attr, layout):
    return _conv(layer, attr, layout, 1)


def depthwise_conv2d(layer, attr, layout):
    c = layer.input_shape[-1]
    m = layer.config.get("depth_multiplier", 1)
    return _conv(layer, attr, layout, 2, groups=c, out_channels=c * m)


def separable_conv2d(layer, attr, layout):
    c, f = layer.input_shape[-1], layer.config["filters"]
    m = layer.config.get("depth_multiplier", 1)
    depth = _conv(layer, f"{attr}_depthwise", layout, 2, groups=c, out_channels=c * m,
                  activation="linear", bias=False)
    bias = _bias(layer)
    act = activate(f"self.{attr}_pointwise(x)", layer.config.get("activation", "linear"), "cf", 2, layer.label)
    module = f"self.{attr}_pointwise = nn.Conv2d({c * m}, {f}, kernel_size=1{'' if bias else ', bias=False'})"
    params = ((f"{attr}_pointwise.weight", (f, c * m, 1, 1)),) + (((f"{attr}_pointwise.bias", (f,)),) if bias else ())
    return Piece(depth.modules + (module,), depth.forward + (f"x = {act}",), "cf", depth.params + params)


def conv_transpose(layer, attr, layout):
    """nn.ConvTranspose1d/2d with Keras's cells of the output (``transposed.arguments``)."""
    c_in, f, k = layer.input_shape[-1], layer.config["filters"], tuple(layer.config["kernel_size"])
    args, keep = transposed.arguments(layer)
    module = (f"self.{attr} = nn.ConvTranspose{len(k)}d({c_in}, {f}, kernel_size={k[0] if len(k) == 1 else k}"
              f"{''.join(', ' + a for a in args)})")
    call = f"self.{attr}(x)" + (f"[:, :, {keep}]" if keep else "")
    act = activate(call, layer.config.get("activation", "linear"), "cf", 2, layer.label)
    params = ((f"{attr}.weight", (c_in, f) + k),) + (((f"{attr}.bias", (f,)),) if _bias(layer) else ())
    note = "Keras's cells of the full output (PyTorch's padding cuts both ends)" if keep else ""
    return Piece((module,), to_first(layer, layout) + (f"x = {act}",), "cf", params, note=note)


def batch_normalization(layer, attr, layout):
    rank, c = len(layer.input_shape), layer.input_shape[-1]
    if rank > 3:
        raise InputError(f"{layer.label}: PyTorch's BatchNorm takes (N, C), (N, C, L) or (N, C, H, W); "
                         f"this input has shape {layer.input_shape}")
    eps = layer.config.get("epsilon", 0.001)
    momentum = 1 - layer.config.get("momentum", 0.99)      # PyTorch weighs the new batch: 1 - Keras's momentum
    kind = "BatchNorm2d" if rank == 3 else "BatchNorm1d"
    module = f"self.{attr} = nn.{kind}({c}, eps={eps:g}, momentum={momentum:.6g})"
    params = ((f"{attr}.weight", (c,)), (f"{attr}.bias", (c,)))
    buffers = ((f"{attr}.running_mean", (c,)), (f"{attr}.running_var", (c,)), (f"{attr}.num_batches_tracked", ()))
    lines = (to_first(layer, layout) if rank >= 2 else ()) + (f"x = self.{attr}(x)",)
    return Piece((module,), lines, "cf" if rank >= 2 else "cl", params, buffers)


def embedding(layer, attr, layout):
    vocab, dim = layer.config["input_dim"], layer.config["output_dim"]
    return Piece((f"self.{attr} = nn.Embedding({vocab}, {dim})",),
                 to_last(layer, layout) + (f"x = self.{attr}(x.long())",), "cl",
                 ((f"{attr}.weight", (vocab, dim)),), note="the inputs are word indices")


def _recurrent(layer, attr, layout, torch_class: str, gates: int, extra: str = ""):
    n_in, u = layer.input_shape[-1], layer.config["units"]
    act = layer.config.get("activation", "tanh")
    if torch_class == "RNN":
        if act not in ("tanh", "relu"):
            raise InputError(f"{layer.label}: PyTorch's nn.RNN has tanh or relu, not {act!r}")
        extra = f", nonlinearity={act!r}" if act != "tanh" else ""
    elif act != "tanh":
        raise InputError(f"{layer.label}: PyTorch's nn.{torch_class} uses tanh only, not {act!r}")
    bias = _bias(layer)
    module = f"self.{attr} = nn.{torch_class}({n_in}, {u}{extra}, batch_first=True{'' if bias else ', bias=False'})"
    params = ((f"{attr}.weight_ih_l0", (gates * u, n_in)), (f"{attr}.weight_hh_l0", (gates * u, u)))
    if bias:    # PyTorch has two bias vectors, b_ih and b_hh
        params += ((f"{attr}.bias_ih_l0", (gates * u,)), (f"{attr}.bias_hh_l0", (gates * u,)))
    lines = to_last(layer, layout) + (f"x, _ = self.{attr}(x)",)
    if not layer.config.get("return_sequences"):
        lines += ("x = x[:, -1]",)
    return Piece((module,), lines, "cl", params, note=_last_step(layer))


def _last_step(layer) -> str:
    return "" if layer.config.get("return_sequences") else "the last step's h (return_sequences=False)"


def simple_rnn(layer, attr, layout):
    return _recurrent(layer, attr, layout, "RNN", 1)


def lstm(layer, attr, layout):
    return _recurrent(layer, attr, layout, "LSTM", 4)


def gru(layer, attr, layout):
    if layer.config.get("reset_after", True):
        return _recurrent(layer, attr, layout, "GRU", 3)
    n_in, u = layer.input_shape[-1], layer.config["units"]
    if layer.config.get("activation", "tanh") != "tanh":
        raise InputError(f"{layer.label}: the PyTorch GRU written here uses tanh only")
    bias = _bias(layer)
    params = ((f"{attr}.weight_ih", (3 * u, n_in)), (f"{attr}.weight_hh", (3 * u, u)))
    params += ((f"{attr}.bias", (3 * u,)),) if bias else ()
    lines = to_last(layer, layout) + (f"x, _ = self.{attr}(x)",)
    if not layer.config.get("return_sequences"):
        lines += ("x = x[:, -1]",)
    return Piece((f"self.{attr} = GRUResetBefore({n_in}, {u}{'' if bias else ', bias=False'})",), lines, "cl",
                 params, helpers=("GRUResetBefore",), note=_last_step(layer))


# ------------------------------------------------------------------ layers without weights

def _pool(layer, layout, mode: str, dims: int):
    geo = _geometry(layer)
    k = geo.kernel[1] if dims == 1 else geo.kernel
    s = geo.strides[1] if dims == 1 else geo.strides
    pads = [geo.pads[a] for a in range(2 - dims, 2)]
    flat = "(" + ", ".join(str(n) for ba in reversed(pads) for n in ba) + ")"
    padded = any(a or b for a, b in pads)
    fn = f"F.{mode}_pool{dims}d"
    lines = to_first(layer, layout)
    if mode == "max":
        if padded:
            lines += (f"x = F.pad(x, {flat}, value=float('-inf'))  # Keras's 'same' padding",)
        lines += (f"x = {fn}(x, {k}, {s})",)
    elif padded:
        lines += (f"x = {fn}(F.pad(x, {flat}), {k}, {s}) / {fn}(F.pad(torch.ones_like(x[:, :1]), {flat}), {k}, {s})",)
        return Piece((), lines, "cf", note="Keras averages the real (unpadded) cells only")
    else:
        lines += (f"x = {fn}(x, {k}, {s})",)
    return Piece((), lines, "cf")


def max_pooling2d(layer, attr, layout):
    return _pool(layer, layout, "max", 2)


def average_pooling2d(layer, attr, layout):
    return _pool(layer, layout, "avg", 2)


def max_pooling1d(layer, attr, layout):
    return _pool(layer, layout, "max", 1)


def average_pooling1d(layer, attr, layout):
    return _pool(layer, layout, "avg", 1)


def _global(layer, layout, how: str):
    spatial = len(layer.input_shape) - 1
    first = 2 if layout == "cf" else 1
    dims = tuple(range(first, first + spatial))
    return Piece((), (f"x = x.{how}(dim={dims if len(dims) > 1 else dims[0]})",), "cl")


def global_average_pooling(layer, attr, layout):
    return _global(layer, layout, "mean")


def global_max_pooling(layer, attr, layout):
    return _global(layer, layout, "amax")


def flatten(layer, attr, layout):
    note = "in Keras's order, channels last" if to_last(layer, layout) else ""
    return Piece((), to_last(layer, layout) + ("x = x.flatten(1)",), "cl", note=note)


def reshape(layer, attr, layout):
    target = ", ".join(str(d) for d in layer.config["target_shape"])
    return Piece((), to_last(layer, layout) + (f"x = x.reshape(x.shape[0], {target})",), "cl")


def dropout(layer, attr, layout):
    rate = layer.config.get("rate", 0.5)
    return Piece((f"self.{attr} = nn.Dropout({rate:g})",), (f"x = self.{attr}(x)",), layout)


def activation(layer, attr, layout):
    rank = len(layer.input_shape)
    return Piece((), (f"x = {activate('x', layer.config['activation'], layout, rank, layer.label)}",), layout)


def relu(layer, attr, layout):
    return Piece((), ("x = torch.relu(x)",), layout)


def leaky_relu(layer, attr, layout):
    return Piece((), (f"x = F.leaky_relu(x, {layer.config.get('negative_slope', 0.3):g})",), layout)


def zero_padding(layer, attr, layout):
    """F.pad lists the last axis first, (before, after) per axis; channels last, the channels get (0, 0)."""
    flat = [n for pair in reversed(layer.config["padding"]) for n in pair]
    pads = ([0, 0] if layout == "cl" else []) + flat
    return Piece((), (f"x = F.pad(x, ({', '.join(map(str, pads))}))",), layout)


def cropping(layer, attr, layout):
    cuts = [f"{a}:{n - b}" for (a, b), n in zip(layer.config["cropping"], layer.input_shape)]
    return Piece((), (f"x = x[{', '.join([':', ':'] + cuts if layout == 'cf' else [':'] + cuts)}]",), layout)


def upsampling(layer, attr, layout):
    size = tuple(layer.config["size"])
    how = layer.config.get("interpolation", "nearest")
    if how not in ("nearest", "bilinear"):
        raise InputError(f"{layer.label}: no PyTorch code is written for interpolation={how!r} (PyTorch's "
                         "bicubic is not Keras's); nearest or bilinear")
    scale = size[0] if len(size) == 1 else size
    if how == "nearest":    # 'nearest' takes ⌊i·(1/s)⌋ in float and repeats a wrong value for some s (41, 47, ...)
        module = f"self.{attr} = nn.Upsample(scale_factor={scale}, mode='nearest-exact')"
        note = "each value repeated, as Keras"
    else:
        module = f"self.{attr} = nn.Upsample(scale_factor={scale}, mode='bilinear', align_corners=False)"
        note = "half-pixel centres, as Keras's resize"
    return Piece((module,), to_first(layer, layout) + (f"x = self.{attr}(x)",), "cf", note=note)


def layer_normalization(layer, attr, layout):
    """nn.LayerNorm normalizes the trailing axes: other axes are moved to the end and back."""
    axes, sizes = layouts.normalized_axes(layer)
    cfg = layer.config
    scale, center = cfg.get("scale", True), cfg.get("center", True)
    shape = sizes[0] if len(sizes) == 1 else sizes
    extra = "" if scale and center else ", bias=False" if scale else ", elementwise_affine=False"
    modules = [f"self.{attr} = nn.LayerNorm({shape}, eps={cfg.get('epsilon', 0.001):g}{extra})"]
    params = (((f"{attr}.weight", sizes),) if scale else ()) + (((f"{attr}.bias", sizes),) if scale and center else ())
    call = f"self.{attr}(x)"
    if center and not scale:         # nn.LayerNorm has no shift without a scale
        modules.append(f"self.{attr}_beta = nn.Parameter(torch.zeros({sizes}))")
        params += ((f"{attr}_beta", sizes),)
        call += f" + self.{attr}_beta"
    lines = to_last(layer, layout)
    rank = len(layer.input_shape) + 1
    if axes == tuple(range(rank - len(axes), rank)):
        lines += (f"x = {call}",)
    else:
        src = axes[0] if len(axes) == 1 else axes
        dst = -1 if len(axes) == 1 else tuple(range(-len(axes), 0))
        lines += (f"x = x.movedim({src}, {dst})", f"x = {call}", f"x = x.movedim({dst}, {src})")
    return Piece(tuple(modules), lines, "cl", params)


LAYERS = {
    "Dense": dense, "Conv2D": conv2d, "Conv1D": conv1d, "DepthwiseConv2D": depthwise_conv2d,
    "SeparableConv2D": separable_conv2d, "BatchNormalization": batch_normalization, "Embedding": embedding,
    "SimpleRNN": simple_rnn, "LSTM": lstm, "GRU": gru,
    "Conv2DTranspose": conv_transpose, "Conv1DTranspose": conv_transpose,
    "MaxPooling2D": max_pooling2d, "AveragePooling2D": average_pooling2d,
    "MaxPooling1D": max_pooling1d, "AveragePooling1D": average_pooling1d,
    "GlobalAveragePooling2D": global_average_pooling, "GlobalAveragePooling1D": global_average_pooling,
    "GlobalMaxPooling2D": global_max_pooling, "GlobalMaxPooling1D": global_max_pooling,
    "Flatten": flatten, "Reshape": reshape, "Dropout": dropout,
    "Activation": activation, "ReLU": relu, "LeakyReLU": leaky_relu,
    "ZeroPadding2D": zero_padding, "ZeroPadding1D": zero_padding, "Cropping2D": cropping, "Cropping1D": cropping,
    "UpSampling2D": upsampling, "UpSampling1D": upsampling, "LayerNormalization": layer_normalization,
}

# the input layout a layer type works in (None: either); the model's input takes the first one met
WANTS = {"Dense": "cl", "Embedding": "cl", "SimpleRNN": "cl", "LSTM": "cl", "GRU": "cl", "Flatten": "cl",
         "Reshape": "cl", "Conv2D": "cf", "Conv1D": "cf", "DepthwiseConv2D": "cf", "SeparableConv2D": "cf",
         "BatchNormalization": "cf", "MaxPooling2D": "cf", "AveragePooling2D": "cf", "MaxPooling1D": "cf",
         "AveragePooling1D": "cf", "Conv2DTranspose": "cf", "Conv1DTranspose": "cf", "UpSampling2D": "cf",
         "UpSampling1D": "cf", "LayerNormalization": "cl",
         "Bidirectional": "cl", "TimeDistributed": "cl", "MultiHeadAttention": "cl"}


HELPERS = {
    "GRUResetBefore": '''
class GRUResetBefore(nn.Module):
    """Keras's GRU(reset_after=False), which nn.GRU does not offer (nn.GRU is reset_after=True):

        r = sigmoid(x W_r + h U_r + b_r),  z = sigmoid(x W_z + h U_z + b_z)
        n = tanh(x W_n + (r * h) U_n + b_n),  h' = z * h + (1 - z) * n

    Laid out as nn.GRU: weight_ih (3U, F), weight_hh (3U, U), gates in the order r, z, n;
    one bias (3U,), as Keras. Input (N, T, F), batch first; returns (all h, last h)."""

    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.hidden_size = hidden_size
        bound = hidden_size ** -0.5       # nn.GRU's initial range
        self.weight_ih = nn.Parameter(torch.empty(3 * hidden_size, input_size).uniform_(-bound, bound))
        self.weight_hh = nn.Parameter(torch.empty(3 * hidden_size, hidden_size).uniform_(-bound, bound))
        if bias:
            self.bias = nn.Parameter(torch.empty(3 * hidden_size).uniform_(-bound, bound))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        u = self.hidden_size
        gx = F.linear(x, self.weight_ih, self.bias)        # every step's input part at once: (N, T, 3U)
        h = x.new_zeros(x.shape[0], u)
        steps = []
        for t in range(x.shape[1]):
            r = torch.sigmoid(gx[:, t, :u] + h @ self.weight_hh[:u].T)
            z = torch.sigmoid(gx[:, t, u:2 * u] + h @ self.weight_hh[u:2 * u].T)
            n = torch.tanh(gx[:, t, 2 * u:] + (r * h) @ self.weight_hh[2 * u:].T)
            h = z * h + (1 - z) * n
            steps.append(h)
        return torch.stack(steps, dim=1), h[None]
''',
}


# Bidirectional, TimeDistributed, MultiHeadAttention: the wrappers write their inner layer with LAYERS
LAYERS.update(pytorch_wrappers.writers(LAYERS))
HELPERS.update(pytorch_wrappers.HELPERS)


def piece(index: int, layer, layout: str) -> Piece:
    """The code of layer number ``index`` (from 1) whose input is in ``layout``."""
    supported.check(index, layer, "PyTorch")
    return LAYERS[layer.type](layer, attr_name(index, layer), layout)


def input_layout(model) -> str:
    """Channels first when the first layer that cares works channels first (a Conv2D, a pooling layer)."""
    if len(model.input_shape) < 2:
        return "cl"
    for layer in model.layers:
        want = WANTS.get(layer.type)
        if want:
            return want
    return "cl"


def torch_shape(shape: tuple[int, ...], layout: str) -> tuple[int, ...]:
    """A Keras shape (no batch axis) in PyTorch's order for ``layout``."""
    if layout == "cf" and len(shape) >= 2:
        return (shape[-1],) + tuple(shape[:-1])
    return tuple(shape)
