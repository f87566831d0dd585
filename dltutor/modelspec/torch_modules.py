"""PyTorch modules of a pasted ``nn.Sequential(...)``: shapes channels first, counted as PyTorch counts.

Shapes leave out the batch: ``(C, H, W)`` for 2-D layers, ``(C, L)`` for 1-D ones,
``(T, F)`` for recurrent layers (``batch_first=True``). Counts are
``sum(p.numel() for p in module.parameters())``:

    Linear(i, o)               o·i + o
    Conv2d(i, o, k, groups=g)  o·(i/g)·k_h·k_w + o        ConvTranspose2d: i·(o/g)·k_h·k_w + o
    BatchNorm2d(C)             2·C (weight, bias); running_mean/var are buffers, not parameters
    LayerNorm(shape)           2·prod(shape)
    Embedding(n, d)            n·d
    RNN/LSTM/GRU               per layer and direction: G·h·(i + h) + 2·G·h   (two bias vectors,
                               b_ih and b_hh; G = 1, 4, 3)

Output sizes: ``floor((n + 2p − d·(k − 1) − 1)/s) + 1`` (``dltutor.modelspec.windows``); pools
with ``ceil_mode=True`` round up; transposed: ``(n − 1)·s − 2p + d·(k − 1) + output_padding + 1``.
"""

from __future__ import annotations

import math

from dltutor.errors import InputError
from dltutor.modelspec.grammar import LayerCall, quoted
from dltutor.modelspec.layers import Layer, Weight, shape_text
from dltutor.solution import fill

ACTIVATION_MODULES = ("ReLU", "ReLU6", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "ELU", "SELU", "SiLU", "Mish",
                      "Softmax", "LogSoftmax", "Softplus", "Softsign", "Hardtanh", "Hardswish", "Hardsigmoid",
                      "PReLU", "Identity", "Dropout", "Dropout1d", "Dropout2d", "AlphaDropout")

SIGNATURES = {
    "Linear": ("in_features", "out_features", "bias"),
    "Conv1d": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"),
    "Conv2d": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"),
    "ConvTranspose1d": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding",
                        "groups", "bias", "dilation"),
    "ConvTranspose2d": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding",
                        "groups", "bias", "dilation"),
    "MaxPool1d": ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"),
    "MaxPool2d": ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"),
    "AvgPool1d": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
    "AvgPool2d": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"),
    "AdaptiveAvgPool1d": ("output_size",),
    "AdaptiveAvgPool2d": ("output_size",),
    "AdaptiveMaxPool1d": ("output_size",),
    "AdaptiveMaxPool2d": ("output_size",),
    "BatchNorm1d": ("num_features", "eps", "momentum", "affine"),
    "BatchNorm2d": ("num_features", "eps", "momentum", "affine"),
    "LayerNorm": ("normalized_shape", "eps", "elementwise_affine", "bias"),
    "Flatten": ("start_dim", "end_dim"),
    "Embedding": ("num_embeddings", "embedding_dim", "padding_idx"),
    "RNN": ("input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first", "dropout",
            "bidirectional"),
    "LSTM": ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional",
             "proj_size"),
    "GRU": ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional"),
}
SIGNATURES.update({name: ("p",) if "Dropout" in name else () for name in ACTIVATION_MODULES})
SIGNATURES.update({"LeakyReLU": ("negative_slope",), "Softmax": ("dim",), "LogSoftmax": ("dim",),
                   "PReLU": ("num_parameters",), "ELU": ("alpha",)})
DEFAULTS = {"bias": True, "stride": None, "padding": 0, "dilation": 1, "groups": 1, "output_padding": 0,
            "ceil_mode": False, "affine": True, "elementwise_affine": True, "start_dim": 1, "end_dim": -1,
            "num_layers": 1, "batch_first": False, "bidirectional": False, "proj_size": 0, "num_parameters": 1}
NAMES = {name.lower(): name for name in SIGNATURES}
REQUIRED = {name: sig[:3 if "Conv" in name else 2 if name in ("Linear", "Embedding") or name in ("RNN", "LSTM", "GRU")
                  else 1]
            for name, sig in SIGNATURES.items() if name not in ACTIVATION_MODULES and name != "Flatten"}
GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


def module_name(call: LayerCall) -> str:
    name = NAMES.get(call.name.lower())
    if name is None:
        import difflib

        close = difflib.get_close_matches(call.name, list(SIGNATURES), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"unknown PyTorch module {quoted(call.name)} (layer {call.position}){hint} "
                         f"(known: {', '.join(sorted(SIGNATURES))})")
    return name


def bind(call: LayerCall, name: str) -> dict:
    where = f"layer {call.position} {quoted(call.text)}"
    sig = SIGNATURES[name]
    if len(call.args) > len(sig):
        raise InputError(f"{where} has too many arguments ({name} takes {', '.join(sig) or 'none'})")
    cfg = {k: DEFAULTS[k] for k in sig if k in DEFAULTS}
    cfg.update(zip(sig, call.args))
    for key, value in call.kwargs:
        if key not in sig:
            raise InputError(f"{where}: {name} has no argument {quoted(key)} (it takes {', '.join(sig) or 'none'})")
        cfg[key] = value
    return cfg


def _whole(value, key: str, where: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or value > 10**6:
        raise InputError(f"{where}: {key} must be a whole number of at least {minimum}, got {quoted(value)}")
    return value


def _per_axis(value, key: str, where: str, n: int, minimum: int = 1) -> tuple[int, ...]:
    items = value if isinstance(value, tuple) else (value,) * n
    if len(items) != n:
        raise InputError(f"{where}: {key} must be one number or {n} numbers, got {quoted(value)}")
    return tuple(_whole(v, key, where, minimum) for v in items)


def _need(call, name, shape, rank: int, what: str) -> None:
    if len(shape) != rank:
        raise InputError(f"layer {call.position} {quoted(call.text)}: {name} needs a {rank}-D input {what} "
                         f"(channels first) but gets {shape_text(shape)}")


def _layer(name, call, cfg, shape, out, weights, sf, ss, pf="params = 0", ps="", pnote="", snote="") -> Layer:
    return Layer(name, call.text, cfg, shape, tuple(out), tuple(weights), sf, ss, snote, pf, ps, pnote)


def _conv(call, name, cfg, shape, spatial: int, transposed: bool) -> Layer:
    from dltutor.modelspec.windows import output_size

    where = f"layer {call.position} {quoted(call.text)}"
    _need(call, name, shape, spatial + 1, "(C, H, W)" if spatial == 2 else "(C, L)")
    c_in = _whole(cfg["in_channels"], "in_channels", where)
    c_out = _whole(cfg["out_channels"], "out_channels", where)
    if shape[0] != c_in:
        raise InputError(f"{where}: in_channels is {c_in} but the input has {shape[0]} channels "
                         f"{shape_text(shape)}")
    k = _per_axis(cfg["kernel_size"], "kernel_size", where, spatial)
    s = _per_axis(cfg["stride"] if cfg["stride"] is not None else 1, "stride", where, spatial)
    d = _per_axis(cfg["dilation"], "dilation", where, spatial)
    g = _whole(cfg["groups"], "groups", where)
    if c_in % g or c_out % g:
        raise InputError(f"{where}: groups {g} must divide in_channels {c_in} and out_channels {c_out}")
    pad = cfg["padding"]
    outs = []
    if transposed:
        p = _per_axis(pad, "padding", where, spatial, minimum=0)
        a = _per_axis(cfg["output_padding"], "output_padding", where, spatial, minimum=0)
        for i in range(spatial):
            outs.append((shape[1 + i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + a[i] + 1)
        sf = "out = (n - 1)*s - 2*p + d*(k - 1) + output_padding + 1"
        ss = fill("; ".join(f"({{}} - 1)*{{}} - 2*{{}} + {{}}*({{}} - 1) + {{}} + 1 = {{}}" for _ in range(spatial)),
                  *[v for i in range(spatial) for v in (shape[1 + i], s[i], p[i], d[i], k[i], a[i], outs[i])])
        kernel = (c_in, c_out // g) + k
    else:
        if isinstance(pad, str):
            if pad not in ("same", "valid"):
                raise InputError(f"{where}: padding must be a number, 'same' or 'valid', got {quoted(pad)}")
            if pad == "same" and any(x != 1 for x in s):
                raise InputError(f"{where}: PyTorch allows padding='same' only with stride 1")
            p = pad
        else:
            p = _per_axis(pad, "padding", where, spatial, minimum=0)
        for i in range(spatial):
            pi = p if isinstance(p, str) else p[i]
            o = output_size(shape[1 + i], k[i], s[i], pi, d[i])
            if o < 1:
                raise InputError(f"{where}: the kernel does not fit: output size {o} along axis {i + 1}")
            outs.append(o)
        sf = "out = floor((n + 2*p - d*(k - 1) - 1)/s) + 1"
        ss = fill("; ".join("{}" for _ in outs), *outs)
        kernel = (c_out, c_in // g) + k
    bias = bool(cfg["bias"])
    weights = [Weight("weight", kernel)] + ([Weight("bias", (c_out,))] if bias else [])
    kexpr = "*".join(str(x) for x in k)
    pf = (f"params = {'C_in*(C_out/g)' if transposed else 'C_out*(C_in/g)'}*k" + (" + C_out" if bias else ""))
    ps = fill("{}*{}*{}" + (" + {}" if bias else ""), kernel[0], kernel[1], kexpr, *((c_out,) if bias else ()))
    return _layer(name, call, cfg, shape, (c_out, *outs), weights, sf, ss, pf, ps,
                  "PyTorch's kernel is (out, in/groups, k...)" if not transposed else
                  "a transposed convolution's kernel is (in, out/groups, k...)")


def _pool(call, name, cfg, shape, spatial: int) -> Layer:
    where = f"layer {call.position} {quoted(call.text)}"
    _need(call, name, shape, spatial + 1, "(C, H, W)" if spatial == 2 else "(C, L)")
    k = _per_axis(cfg["kernel_size"], "kernel_size", where, spatial)
    s = k if cfg["stride"] is None else _per_axis(cfg["stride"], "stride", where, spatial)
    p = _per_axis(cfg["padding"], "padding", where, spatial, minimum=0)
    d = _per_axis(cfg.get("dilation", 1), "dilation", where, spatial)
    outs = []
    for i in range(spatial):
        span = shape[1 + i] + 2 * p[i] - d[i] * (k[i] - 1) - 1
        o = (-(-span // s[i]) if cfg["ceil_mode"] else span // s[i]) + 1
        if cfg["ceil_mode"] and (o - 1) * s[i] >= shape[1 + i] + p[i]:
            o -= 1                      # PyTorch: the last window must start inside the input
        if o < 1:
            raise InputError(f"{where}: the window does not fit: output size {o} along axis {i + 1}")
        outs.append(o)
    rounding = "ceil" if cfg["ceil_mode"] else "floor"
    return _layer(name, call, cfg, shape, (shape[0], *outs), (),
                  f"out = {rounding}((n + 2*p - d*(k - 1) - 1)/s) + 1", fill("; ".join("{}" for _ in outs), *outs),
                  "params = 0", "", "pooling has nothing to learn")


def _recurrent(call, name, cfg, shape) -> Layer:
    where = f"layer {call.position} {quoted(call.text)}"
    if not cfg.get("batch_first"):
        raise InputError(f"{where}: write batch_first=True, so that the shape (T, F) reads as in Keras "
                         f"(PyTorch's default puts time first and the batch second)")
    _need(call, name, shape, 2, "(time steps, features)")
    i_size = _whole(cfg["input_size"], "input_size", where)
    h = _whole(cfg["hidden_size"], "hidden_size", where)
    n_layers = _whole(cfg["num_layers"], "num_layers", where)
    if shape[1] != i_size:
        raise InputError(f"{where}: input_size is {i_size} but the input has {shape[1]} features")
    if cfg.get("proj_size"):
        raise InputError(f"{where}: proj_size is not supported")
    dirs = 2 if cfg["bidirectional"] else 1
    g = GATES[name]
    weights = []
    for layer in range(n_layers):
        n_in = i_size if layer == 0 else h * dirs
        for suffix in ([""] if dirs == 1 else ["", "_reverse"]):
            weights += [Weight(f"weight_ih_l{layer}{suffix}", (g * h, n_in)),
                        Weight(f"weight_hh_l{layer}{suffix}", (g * h, h))]
            if cfg["bias"]:
                weights += [Weight(f"bias_ih_l{layer}{suffix}", (g * h,)),
                            Weight(f"bias_hh_l{layer}{suffix}", (g * h,))]
    gates = {1: "", 3: "3*", 4: "4*"}[g]
    pf = f"params = directions*{gates}(h*(i + h)" + (" + 2*h)" if cfg["bias"] else ")") + " (first layer)"
    ps = fill(f"{{}}*{gates}({{}}*({{}} + {{}})" + (" + 2*{})" if cfg["bias"] else ")"), dirs, h, i_size, h,
              *((h,) if cfg["bias"] else ()))
    note = ("PyTorch keeps two bias vectors per gate (b_ih and b_hh); Keras keeps one"
            + ("" if n_layers == 1 else f"; layers 2..{n_layers} take the {h * dirs} outputs of the one below"))
    return _layer(name, call, cfg, shape, (shape[0], h * dirs), weights, "shape = (T, directions*hidden_size)",
                  fill("({}, {})", shape[0], h * dirs), pf, ps, note,
                  "the output sequence (the first element of the tuple the module returns)")


def torch_rule(call: LayerCall, shape: tuple[int, ...]) -> Layer:
    """Output shape and parameters of one PyTorch module applied to ``shape`` (no batch)."""
    name = module_name(call)
    cfg = bind(call, name)
    where = f"layer {call.position} {quoted(call.text)}"
    for key in REQUIRED.get(name, ()):
        if key not in cfg:
            raise InputError(f"{where}: {name} needs {key}")
    same = fill("{}", shape_text(shape))
    if name in ("Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"):
        return _conv(call, name, cfg, shape, int(name[-2]), name.startswith("ConvTranspose"))
    if name in ("MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d"):
        if "kernel_size" not in cfg:
            raise InputError(f"{where}: {name} needs kernel_size")
        return _pool(call, name, cfg, shape, int(name[-2]))
    if name.startswith("Adaptive"):
        spatial = int(name[-2])
        _need(call, name, shape, spatial + 1, "(C, H, W)" if spatial == 2 else "(C, L)")
        size = cfg.get("output_size")
        items = size if isinstance(size, tuple) else (size,) * spatial
        out = tuple(shape[1 + i] if v is None else _whole(v, "output_size", where) for i, v in enumerate(items))
        return _layer(name, call, cfg, shape, (shape[0], *out), (), "shape = (C, output_size)",
                      fill("{}", shape_text((shape[0], *out))), pnote="pooling has nothing to learn")
    if name == "Linear":
        i, o = _whole(cfg["in_features"], "in_features", where), _whole(cfg["out_features"], "out_features", where)
        if shape[-1] != i:
            raise InputError(f"{where}: in_features is {i} but the input has {shape[-1]} features "
                             f"{shape_text(shape)}" + (" (a Flatten first?)" if len(shape) > 1 else ""))
        bias = bool(cfg["bias"])
        weights = [Weight("weight", (o, i))] + ([Weight("bias", (o,))] if bias else [])
        return _layer(name, call, cfg, shape, shape[:-1] + (o,), weights, "shape = (..., out)",
                      fill("{}", shape_text(shape[:-1] + (o,))), "params = out*in" + (" + out" if bias else ""),
                      fill("{}*{}" + (" + {}" if bias else ""), o, i, *((o,) if bias else ())),
                      "PyTorch's weight is (outputs, inputs): one row per output")
    if name in ("BatchNorm1d", "BatchNorm2d"):
        c = _whole(cfg["num_features"], "num_features", where)
        if len(shape) < 1 or shape[0] != c:
            raise InputError(f"{where}: num_features is {c} but the input has {shape[0] if shape else 0} "
                             f"channels {shape_text(shape)}")
        affine = bool(cfg["affine"])
        weights = [Weight("weight", (c,)), Weight("bias", (c,))] if affine else []
        return _layer(name, call, cfg, shape, shape, weights, "shape = input shape", same,
                      "params = 2*C" if affine else "params = 0 (affine=False)", fill("2*{}", c) if affine else "",
                      "the running mean and variance are buffers, not parameters (Keras counts them as "
                      "2·C non-trainable)")
    if name == "LayerNorm":
        norm = cfg["normalized_shape"]
        norm = norm if isinstance(norm, tuple) else (norm,)
        norm = tuple(_whole(v, "normalized_shape", where) for v in norm)
        if shape[-len(norm):] != norm:
            raise InputError(f"{where}: normalized_shape {shape_text(norm)} must be the last sizes of the "
                             f"input {shape_text(shape)}")
        n = math.prod(norm)
        affine = bool(cfg["elementwise_affine"])
        weights = ([Weight("weight", norm)] + ([Weight("bias", norm)] if cfg.get("bias", True) else [])) \
            if affine else []
        return _layer(name, call, cfg, shape, shape, weights, "shape = input shape", same,
                      "params = 2*prod(normalized_shape)", fill("2*{}", n), "one scale and one shift per value")
    if name == "Flatten":
        start, end = cfg["start_dim"], cfg["end_dim"]
        if start != 1 or end != -1:
            raise InputError(f"{where}: only Flatten() with the default dimensions is read")
        out = (math.prod(shape),)
        return _layer(name, call, cfg, shape, out, (), "shape = (product of the sizes,)",
                      fill("{} = {}", "*".join(str(d) for d in shape), out[0]), pnote="nothing to learn")
    if name == "Embedding":
        n, dim = _whole(cfg["num_embeddings"], "num_embeddings", where), _whole(cfg["embedding_dim"],
                                                                               "embedding_dim", where)
        _need(call, name, shape, 1, "(sequence length,)")
        return _layer(name, call, cfg, shape, shape + (dim,), [Weight("weight", (n, dim))],
                      "shape = (length, embedding_dim)", fill("({}, {})", shape[0], dim),
                      "params = num_embeddings*embedding_dim", fill("{}*{}", n, dim))
    if name in GATES:
        return _recurrent(call, name, cfg, shape)
    if name == "PReLU":
        n = _whole(cfg["num_parameters"], "num_parameters", where)
        return _layer(name, call, cfg, shape, shape, [Weight("weight", (n,))], "shape = input shape", same,
                      "params = num_parameters", fill("{}", n), "one learned slope (or one per channel)")
    return _layer(name, call, cfg, shape, shape, (), "shape = input shape", same, pnote="nothing to learn")
