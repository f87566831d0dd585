"""Layers that change the spatial size without sliding a learned window over it (except the
transposed convolutions, which undo one): Keras's rules, shapes channels last.

    ZeroPadding2D(p)      (H + t + b, W + l + r, C)    p = 1, (1, 2) or ((t, b), (l, r))
    Cropping2D(c)         (H − t − b, W − l − r, C)    the same forms
    ZeroPadding1D / Cropping1D: (L ± (l + r), C), p = 1 or (l, r)
    UpSampling2D(s)       (H·s_h, W·s_w, C)            each value repeated (interpolation=nearest) or
                                                       interpolated (bilinear, bicubic, ...: Keras's resize)
    Conv2DTranspose(f, k, strides=s, padding, output_padding=a, dilation_rate=d)
        k_eff = d·(k − 1) + 1
        valid: out = n·s + max(k_eff − s, 0)          same: out = n·s
        with output_padding a: out = (n − 1)·s + k_eff − 2·(k_eff // 2 if same else 0) + a
        params = k_h·k_w·C_in·f + f                    (kernel (k_h, k_w, f, C_in))
        as Keras 3: output_padding < s, and strides > 1 never with dilation_rate > 1
"""

from __future__ import annotations

from dltutor.errors import InputError
from dltutor.modelspec.grammar import quoted
from dltutor.modelspec.layers import Layer, Weight, bind, pair, shape_text, single, whole_number
from dltutor.modelspec.windows import transposed_output_size
from dltutor.solution import fill


def _where(call) -> str:
    return f"layer {call.position} {quoted(call.text)}"


def _need(call, layer_type, shape, rank, what):
    if len(shape) != rank:
        raise InputError(f"{_where(call)}: {layer_type} needs a {rank}-D input {what} but gets {shape_text(shape)}")


def _two_sided(value, key: str, where: str, spatial: int) -> tuple[tuple[int, int], ...]:
    """Keras's forms: n, (a, b) (per axis, both sides) or ((t, b), (l, r)); 1-D: n or (l, r)."""
    if spatial == 1:
        if isinstance(value, tuple):
            if len(value) != 2:
                raise InputError(f"{where}: {key} of a 1-D layer is one number or (left, right), got {quoted(value)}")
            return ((whole_number(value[0], key, where, minimum=0), whole_number(value[1], key, where, minimum=0)),)
        n = whole_number(value, key, where, minimum=0)
        return ((n, n),)
    if not isinstance(value, tuple):
        n = whole_number(value, key, where, minimum=0)
        return ((n, n), (n, n))
    if len(value) != 2:
        raise InputError(f"{where}: {key} is n, (height, width) or ((top, bottom), (left, right)), got {quoted(value)}")
    out = []
    for item in value:
        if isinstance(item, tuple):
            if len(item) != 2:
                raise InputError(f"{where}: {key} is ((top, bottom), (left, right)), got {quoted(value)}")
            out.append((whole_number(item[0], key, where, minimum=0), whole_number(item[1], key, where, minimum=0)))
        else:
            n = whole_number(item, key, where, minimum=0)
            out.append((n, n))
    return tuple(out)


def _pad_or_crop(layer_type: str, spatial: int, sign: int):
    key = "padding" if sign > 0 else "cropping"

    def rule(call, shape):
        _need(call, layer_type, shape, spatial + 1, "(height, width, channels)" if spatial == 2 else "(steps, channels)")
        cfg = bind(call, layer_type)
        where = _where(call)
        sides = _two_sided(cfg[key], key, where, spatial)
        outs = []
        for i, (a, b) in enumerate(sides):
            o = shape[i] + sign * (a + b)
            if o < 1:
                raise InputError(f"{where}: cropping {a} + {b} leaves nothing of size {shape[i]}")
            outs.append(o)
        cfg[key] = sides
        op = "+" if sign > 0 else "-"
        out = tuple(outs) + (shape[-1],)
        ss = fill("; ".join(f"{{}} {op} {{}} {op} {{}} = {{}}" for _ in sides),
                  *[v for i, (a, b) in enumerate(sides) for v in (shape[i], a, b, outs[i])])
        return Layer(layer_type, call.text, cfg, shape, out, (), f"out = n {op} before {op} after", ss, "",
                     "params = 0", "", "zeros added or values cut off: nothing to learn")
    return rule


# Keras 3's image resize methods (keras.src.backend.*.image.RESIZE_INTERPOLATIONS; area: TensorFlow only)
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area")


def _interpolation(value, where: str) -> str:
    """UpSampling2D's interpolation, lower case as Keras keeps it; InputError for a method Keras lacks."""
    if not isinstance(value, str) or value.lower() not in INTERPOLATIONS:
        raise InputError(f"{where}: interpolation must be one of {', '.join(INTERPOLATIONS)}, got {quoted(value)}")
    return value.lower()


def _upsampling(layer_type: str, spatial: int):
    def rule(call, shape):
        _need(call, layer_type, shape, spatial + 1, "(height, width, channels)" if spatial == 2 else "(steps, channels)")
        cfg = bind(call, layer_type)
        where = _where(call)
        s = pair(cfg["size"], "size", where) if spatial == 2 else single(cfg["size"], "size", where)
        cfg["size"] = s
        if "interpolation" in cfg:
            cfg["interpolation"] = _interpolation(cfg["interpolation"], where)
        outs = [shape[i] * s[i] for i in range(spatial)]
        out = tuple(outs) + (shape[-1],)
        return Layer(layer_type, call.text, cfg, shape, out, (), "out = n*size",
                     fill("; ".join("{}*{} = {}" for _ in s), *[v for i in range(spatial) for v in (shape[i], s[i], outs[i])]),
                     "", "params = 0", "", "each value is repeated: nothing to learn")
    return rule


def transposed_length(n: int, k: int, s: int, padding: str, a: int | None, d: int) -> int:
    """Keras's ``deconv_output_length`` (``windows.transposed_output_size``)."""
    return transposed_output_size(n, k, s, padding, a, d)


def _transposed(layer_type: str, spatial: int):
    def rule(call, shape):
        _need(call, layer_type, shape, spatial + 1, "(height, width, channels)" if spatial == 2 else "(steps, channels)")
        cfg = bind(call, layer_type)
        where = _where(call)
        axis = pair if spatial == 2 else single
        k = axis(cfg["kernel_size"], "kernel_size", where)
        s = axis(cfg["strides"], "strides", where)
        d = axis(cfg["dilation_rate"], "dilation_rate", where)
        padding = cfg["padding"]
        if padding not in ("valid", "same"):
            raise InputError(f"{where}: padding of {layer_type} is valid or same, got {quoted(padding)}")
        if max(s) > 1 and max(d) > 1:     # Keras 3 refuses the pair (PyTorch's ConvTranspose takes it)
            raise InputError(f"{where}: {layer_type} takes strides > 1 or dilation_rate > 1, not both "
                             f"(strides {shape_text(s)}, dilation_rate {shape_text(d)})")
        a = cfg.get("output_padding")
        if a is not None:
            a = (pair(a, "output_padding", where, minimum=0) if spatial == 2 else
                 (whole_number(a[0] if isinstance(a, tuple) and len(a) == 1 else a, "output_padding", where,
                               minimum=0),))
            for ai, si in zip(a, s):
                if ai >= si:
                    raise InputError(f"{where}: output_padding {ai} must be smaller than the stride {si}, "
                                     "as Keras requires")
        outs = [transposed_length(shape[i], k[i], s[i], padding, None if a is None else a[i], d[i])
                for i in range(spatial)]
        cfg.update(kernel_size=k, strides=s, dilation_rate=d, output_padding=a)
        f, c_in = cfg["filters"], shape[-1]
        bias = cfg["use_bias"]
        weights = [Weight("kernel", k + (f, c_in))] + ([Weight("bias", (f,))] if bias else [])
        kexpr = "*".join(str(x) for x in k)
        if a is None:
            sf = "valid: out = n*s + max(k_prime - s, 0); same: out = n*s  (k_prime = d*(k - 1) + 1)"
        else:
            sf = "out = (n - 1)*s + k_prime - 2*pad + output_padding  (pad = k_prime//2 for same, else 0)"
        ss = fill("; ".join("{}" for _ in outs), *outs)
        pf = "params = k*C_in*filters + filters" if bias else "params = k*C_in*filters (no bias)"
        ps = fill("{}*{}*{}" + (" + {}" if bias else ""), kexpr, c_in, f, *((f,) if bias else ()))
        return Layer(layer_type, call.text, cfg, shape, tuple(outs) + (f,), tuple(weights), sf, ss,
                     "the size a convolution with the same kernel and stride would shrink back from", pf, ps,
                     "one weight per kernel cell, input channel and filter, plus one bias per filter")
    return rule


RULES = {
    "ZeroPadding2D": _pad_or_crop("ZeroPadding2D", 2, +1),
    "ZeroPadding1D": _pad_or_crop("ZeroPadding1D", 1, +1),
    "Cropping2D": _pad_or_crop("Cropping2D", 2, -1),
    "Cropping1D": _pad_or_crop("Cropping1D", 1, -1),
    "UpSampling2D": _upsampling("UpSampling2D", 2),
    "UpSampling1D": _upsampling("UpSampling1D", 1),
    "Conv2DTranspose": _transposed("Conv2DTranspose", 2),
    "Conv1DTranspose": _transposed("Conv1DTranspose", 1),
}

# the layer table's entries for these types (merged into dltutor.modelspec.layers)
SIGNATURES = {
    "ZeroPadding2D": ("padding",), "ZeroPadding1D": ("padding",),
    "Cropping2D": ("cropping",), "Cropping1D": ("cropping",),
    "UpSampling2D": ("size",), "UpSampling1D": ("size",),
    "Conv2DTranspose": ("filters", "kernel_size", "strides", "padding"),
    "Conv1DTranspose": ("filters", "kernel_size", "strides", "padding"),
}
EXTRA_KEYWORDS = {
    "UpSampling2D": ("interpolation",),
    "Conv2DTranspose": ("output_padding", "dilation_rate", "activation", "use_bias"),
    "Conv1DTranspose": ("output_padding", "dilation_rate", "activation", "use_bias"),
}
DEFAULTS = {
    "ZeroPadding2D": {"padding": 1}, "ZeroPadding1D": {"padding": 1},
    "Cropping2D": {"cropping": 0}, "Cropping1D": {"cropping": 1},
    "UpSampling2D": {"size": 2, "interpolation": "nearest"}, "UpSampling1D": {"size": 2},
    "Conv2DTranspose": {"strides": 1, "padding": "valid", "output_padding": None, "dilation_rate": 1,
                        "activation": "linear", "use_bias": True},
    "Conv1DTranspose": {"strides": 1, "padding": "valid", "output_padding": None, "dilation_rate": 1,
                        "activation": "linear", "use_bias": True},
}
