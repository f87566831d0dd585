"""The model-spec grammar and the layer table, shared by ``solve params`` and the NumPy engine.

    Input(28,28,1) -> Conv2D(6, 5, relu) -> MaxPooling2D(2) -> Flatten -> Dense(10, softmax)

Layers are separated by ``->`` or newlines; names are Keras's, case-insensitive;
arguments are positional in Keras's order or ``key=value``. A bare activation
name (``relu``) is the activation, a bare ``same``/``valid`` the padding.
Tuples are written ``(3, 3)`` or ``(784,)``; ``#`` starts a comment. The Keras 2
form of the course notes, ``Dense(512, activation='relu', input_shape=(784,))``
as the first layer (one per line, trailing commas allowed), stands for
``Input(784) -> Dense(512, relu)``.

``resolve(text)`` walks the layers from the ``Input`` shape, computing each
layer's output shape (batch dimension left out), its weights (name and shape,
as Keras creates them) and its parameter count, with the formula behind each,
so that a student can see where every number comes from. Counts follow Keras 3
exactly: GRU with ``reset_after=True``, BatchNormalization 4·C of which 2·C
non-trainable, SeparableConv2D's depthwise kernel without bias.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from dltutor import values
from dltutor.errors import InputError
from dltutor.solution import Filled, fill

MAX_LAYERS = 200
ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu", "selu",
               "softplus", "softsign", "swish", "gelu", "hard_sigmoid", "exponential", "step")


# ------------------------------------------------------------------- grammar

@dataclass(frozen=True)
class LayerCall:
    """One layer as written: ``Conv2D(6, 5, padding=same)``."""

    name: str                       # as written
    args: tuple                     # positional values
    kwargs: tuple[tuple[str, object], ...]
    text: str                       # the layer's text, whitespace folded
    position: int                   # 1-based


def _q(value, limit: int = 60) -> str:
    """A user value quoted for an error message, shortened if long (a spec may be 8,000 characters)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"[: 3 + isinstance(value, str)]


def split_layers(text: str) -> list[str]:
    text = values.check_length(text, "model spec")
    lines = [line.split("#", 1)[0] for line in text.splitlines()]
    parts = []
    for chunk in re.split(r"->|→", "\n".join(lines)):
        depth = 0
        current = ""
        for ch in chunk:
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
            if ch == "\n" and depth == 0:
                parts.append(current)
                current = ""
            else:
                current += ch
        parts.append(current)
    # a trailing ',' is harmless: layers pasted from a Python list, one per line
    parts = [p.strip().rstrip(",").strip() for p in parts]
    return [p for p in parts if p]


def _split_args(text: str, where: str, *, trailing_comma: bool = False) -> list[str]:
    """Split at the top-level commas; ``trailing_comma`` allows Python's one-element tuple ``(784,)``."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth < 0:
                raise InputError(f"{where}: unbalanced ')'")
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if depth:
        raise InputError(f"{where}: unbalanced '('")
    if current.strip():
        parts.append(current.strip())
    elif parts and not trailing_comma:
        raise InputError(f"{where}: an argument is missing after a ','")
    return parts


MAX_NESTING = 3   # (3, 3) is one level; nothing in Keras's layer arguments needs more than 2


def _parse_value(text: str, where: str, depth: int = 0):
    text = text.strip()
    if not text:
        raise InputError(f"{where}: an argument is empty")
    if text[0] in "([":
        if depth >= MAX_NESTING:
            raise InputError(f"{where}: brackets nested more than {MAX_NESTING} deep")
        closing = ")" if text[0] == "(" else "]"
        if text[-1] != closing:
            raise InputError(f"{where}: {values.quote(text)} is missing its closing {closing!r}")
        inner = _split_args(text[1:-1], where, trailing_comma=True)
        return tuple(_parse_value(p, where, depth + 1) for p in inner)
    if text[0] in "'\"":
        if len(text) < 2 or text[-1] != text[0]:
            raise InputError(f"{where}: unterminated quote in {values.quote(text)}")
        text = text[1:-1]
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "none":
        return None
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        return low
    number = values.parse_fraction(text, f"{where}: argument")
    return int(number) if number.denominator == 1 else float(number)


def parse_layer(text: str, position: int) -> LayerCall:
    folded = " ".join(text.split())
    where = f"layer {position} {_q(folded)}"
    m = re.fullmatch(r"([A-Za-z][A-Za-z0-9_]*)\s*(?:\((.*)\))?", text.strip(), re.S)
    if not m:
        raise InputError(f"{where} is not of the form Name or Name(arguments)")
    name, body = m.group(1), m.group(2)
    args, kwargs = [], []
    for part in _split_args(body or "", where):
        km = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)", part, re.S)
        if km:
            kwargs.append((km.group(1).lower(), _parse_value(km.group(2), where)))
        else:
            if kwargs:
                raise InputError(f"{where}: positional argument {_q(part)} after a keyword argument")
            args.append(_parse_value(part, where))
    return LayerCall(name, tuple(args), tuple(kwargs), folded, position)


def parse_spec(text: str) -> list[LayerCall]:
    parts = split_layers(text)
    if not parts:
        raise InputError("the model spec is empty; e.g. Input(3) -> Dense(5) -> Dense(2)")
    if len(parts) > MAX_LAYERS:
        raise InputError(f"the model spec has {len(parts)} layers; the limit is {MAX_LAYERS}")
    return [parse_layer(p, i) for i, p in enumerate(parts, start=1)]


# ------------------------------------------------------------ layer table

@dataclass(frozen=True)
class Weight:
    name: str
    shape: tuple[int, ...]
    trainable: bool = True

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass
class Layer:
    """A resolved layer: its canonical type, normalized config, shapes, weights and the working."""

    type: str                            # canonical Keras class name, e.g. "Conv2D"
    label: str                           # as written, e.g. "Conv2D(6, 5)"
    config: dict
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...] = ()
    weights: tuple[Weight, ...] = ()
    shape_formula: str = ""
    shape_substituted: Filled | str = ""
    shape_note: str = ""
    params_formula: str = "params = 0"
    params_substituted: Filled | str = ""
    params_note: str = ""

    @property
    def params(self) -> int:
        return sum(w.size for w in self.weights)

    @property
    def trainable(self) -> int:
        return sum(w.size for w in self.weights if w.trainable)


@dataclass
class Model:
    text: str
    input_shape: tuple[int, ...]
    layers: list[Layer] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(l.params for l in self.layers)

    @property
    def trainable(self) -> int:
        return sum(l.trainable for l in self.layers)

    @property
    def non_trainable(self) -> int:
        return self.total - self.trainable

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.layers[-1].output_shape if self.layers else self.input_shape


# Each layer type: its positional parameters in Keras order, defaults, aliases.
SIGNATURES: dict[str, tuple[str, ...]] = {
    "Dense": ("units", "activation"),
    "Conv2D": ("filters", "kernel_size", "strides", "padding"),
    "Conv1D": ("filters", "kernel_size", "strides", "padding"),
    "DepthwiseConv2D": ("kernel_size", "strides", "padding", "depth_multiplier"),
    "SeparableConv2D": ("filters", "kernel_size", "strides", "padding"),
    "MaxPooling2D": ("pool_size", "strides", "padding"),
    "AveragePooling2D": ("pool_size", "strides", "padding"),
    "MaxPooling1D": ("pool_size", "strides", "padding"),
    "AveragePooling1D": ("pool_size", "strides", "padding"),
    "GlobalAveragePooling2D": (),
    "GlobalMaxPooling2D": (),
    "GlobalAveragePooling1D": (),
    "GlobalMaxPooling1D": (),
    "Flatten": (),
    "Dropout": ("rate",),
    "BatchNormalization": (),
    "Embedding": ("input_dim", "output_dim"),
    "SimpleRNN": ("units", "activation"),
    "LSTM": ("units", "activation"),
    "GRU": ("units", "activation"),
    "Activation": ("activation",),
    "LeakyReLU": ("negative_slope",),
    "ReLU": (),
}
EXTRA_KEYWORDS: dict[str, tuple[str, ...]] = {
    "Dense": ("use_bias",),
    "Conv2D": ("activation", "use_bias", "dilation_rate"),
    "Conv1D": ("activation", "use_bias", "dilation_rate"),
    "DepthwiseConv2D": ("activation", "use_bias", "dilation_rate"),
    "SeparableConv2D": ("activation", "use_bias", "depth_multiplier", "dilation_rate"),
    "BatchNormalization": ("momentum", "epsilon"),
    "SimpleRNN": ("return_sequences", "use_bias"),
    "LSTM": ("return_sequences", "use_bias"),
    "GRU": ("return_sequences", "use_bias", "reset_after"),
    "Dropout": ("seed",),
}
DEFAULTS: dict[str, dict] = {
    "Dense": {"activation": "linear", "use_bias": True},
    "Conv2D": {"strides": 1, "padding": "valid", "activation": "linear", "use_bias": True, "dilation_rate": 1},
    "Conv1D": {"strides": 1, "padding": "valid", "activation": "linear", "use_bias": True, "dilation_rate": 1},
    "DepthwiseConv2D": {"strides": 1, "padding": "valid", "depth_multiplier": 1, "activation": "linear",
                        "use_bias": True, "dilation_rate": 1},
    "SeparableConv2D": {"strides": 1, "padding": "valid", "depth_multiplier": 1, "activation": "linear",
                        "use_bias": True, "dilation_rate": 1},
    "MaxPooling2D": {"pool_size": 2, "strides": None, "padding": "valid"},
    "AveragePooling2D": {"pool_size": 2, "strides": None, "padding": "valid"},
    "MaxPooling1D": {"pool_size": 2, "strides": None, "padding": "valid"},
    "AveragePooling1D": {"pool_size": 2, "strides": None, "padding": "valid"},
    "Dropout": {"rate": 0.5},
    "LeakyReLU": {"negative_slope": 0.3},
    "BatchNormalization": {"momentum": 0.99, "epsilon": 0.001},
    "SimpleRNN": {"activation": "tanh", "return_sequences": False, "use_bias": True},
    "LSTM": {"activation": "tanh", "return_sequences": False, "use_bias": True},
    "GRU": {"activation": "tanh", "return_sequences": False, "use_bias": True, "reset_after": True},
}
ALIASES = {"kernel": "kernel_size", "pool": "pool_size", "stride": "strides", "size": "pool_size",
           "vocab": "input_dim", "dim": "output_dim", "dilation": "dilation_rate",
           "return_sequence": "return_sequences", "alpha": "negative_slope"}
TYPES = {name.lower(): name for name in list(SIGNATURES) + ["Input", "Reshape"]}
TYPES.update({"maxpool2d": "MaxPooling2D", "avgpool2d": "AveragePooling2D", "maxpool1d": "MaxPooling1D",
              "avgpool1d": "AveragePooling1D", "averagepool2d": "AveragePooling2D",
              "batchnorm": "BatchNormalization", "rnn": "SimpleRNN", "inputlayer": "Input"})


def _bind(call: LayerCall, layer_type: str) -> dict:
    """Positional and keyword arguments → the layer's config, with defaults."""
    where = f"layer {call.position} {_q(call.text)}"
    signature = SIGNATURES[layer_type]
    allowed = set(signature) | set(EXTRA_KEYWORDS.get(layer_type, ()))
    config = dict(DEFAULTS.get(layer_type, {}))
    given: set[str] = set()
    for value in call.args:
        if isinstance(value, str) and value in ACTIVATIONS and "activation" in allowed:
            key = "activation"
        elif isinstance(value, str) and value in ("same", "valid") and "padding" in allowed:
            key = "padding"
        elif isinstance(value, str):
            raise InputError(f"{where}: {_q(value)} is not an argument of {layer_type} "
                             f"(an activation such as relu, or same/valid padding, is expected)")
        else:
            free = [p for p in signature if p not in given and p not in ("activation", "padding")]
            if not free:
                raise InputError(f"{where} has too many arguments "
                                 f"({layer_type} takes {', '.join(signature) or 'none'})")
            key = free[0]
        if key in given:
            raise InputError(f"{where}: {key} is given twice")
        config[key] = value
        given.add(key)
    for key, value in call.kwargs:
        key = ALIASES.get(key, key)
        if key not in allowed:
            raise InputError(f"{where}: {layer_type} has no argument {_q(key)} "
                             f"(it takes {', '.join(sorted(allowed)) or 'none'})")
        if key in given:
            raise InputError(f"{where}: {key} is given twice")
        config[key] = value
        given.add(key)
    for key in signature:
        if key not in config and key not in ("activation",):
            raise InputError(f"{where}: {layer_type} needs {key} (e.g. {_example(layer_type)})")
    _check_config(config, layer_type, where)
    return config


def _example(layer_type: str) -> str:
    return {"Dense": "Dense(10)", "Conv2D": "Conv2D(32, 3)", "Conv1D": "Conv1D(16, 3)",
            "DepthwiseConv2D": "DepthwiseConv2D(3)", "SeparableConv2D": "SeparableConv2D(32, 3)",
            "Embedding": "Embedding(1000, 64)", "SimpleRNN": "SimpleRNN(16)", "LSTM": "LSTM(32)",
            "GRU": "GRU(32)", "Dropout": "Dropout(0.5)", "Activation": "Activation(relu)"}.get(
        layer_type, f"{layer_type}(...)")


def _pair(value, key: str, where: str, *, minimum: int = 1) -> tuple[int, int]:
    items = value if isinstance(value, tuple) else (value, value)
    if len(items) != 2:
        raise InputError(f"{where}: {key} must be one number or a pair like (3, 3), got {_q(value)}")
    return tuple(_int(v, key, where, minimum=minimum) for v in items)  # type: ignore[return-value]


def _single(value, key: str, where: str) -> tuple[int]:
    """A 1-D layer's size: one number, or a one-element tuple like (3,)."""
    items = value if isinstance(value, tuple) else (value,)
    if len(items) != 1:
        raise InputError(f"{where}: {key} of a 1-D layer must be one number, got {_q(value)}")
    return (_int(items[0], key, where),)


def _int(value, key: str, where: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{where}: {key} must be a whole number, got {_q(value)}")
    if value < minimum:
        raise InputError(f"{where}: {key} must be at least {minimum}, got {value}")
    if value > values.MAX_SIZE:
        raise InputError(f"{where}: {key} {value:,} is larger than the limit {values.MAX_SIZE:,}")
    return value


def _check_config(config: dict, layer_type: str, where: str) -> None:
    for key in ("units", "filters", "input_dim", "output_dim", "depth_multiplier"):
        if key in config:
            _int(config[key], key, where)
    if "activation" in config:
        act = config["activation"]
        if act is None:
            config["activation"] = "linear"
        elif not isinstance(act, str) or act not in ACTIVATIONS:
            raise InputError(f"{where}: unknown activation {_q(act)} (known: {', '.join(ACTIVATIONS)})")
    if "padding" in config and config["padding"] not in ("valid", "same"):
        raise InputError(f"{where}: padding must be valid or same, got {_q(config['padding'])}")
    for key in ("use_bias", "return_sequences", "reset_after"):
        if key in config and not isinstance(config[key], bool):
            raise InputError(f"{where}: {key} must be True or False, got {_q(config[key])}")
    if "negative_slope" in config:
        slope = config["negative_slope"]
        if isinstance(slope, bool) or not isinstance(slope, (int, float)) or slope < 0:
            raise InputError(f"{where}: negative_slope must be a number of at least 0, got {_q(slope)}")
    if "rate" in config:
        rate = config["rate"]
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise InputError(f"{where}: rate must be a number from 0 up to (not including) 1, got {_q(rate)}")


def _shape_ints(args, where: str, what: str) -> tuple[int, ...]:
    if len(args) == 1 and isinstance(args[0], tuple):
        args = args[0]
    if not args:
        raise InputError(f"{where}: {what} needs at least one size")
    return tuple(_int(a, "size", where) for a in args)


def _fmt_shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def resolve(text: str) -> Model:
    """Parse a model spec and compute every layer's output shape and parameters."""
    calls = parse_spec(text)
    first = calls[0]
    first_type = TYPES.get(first.name.lower())
    where = f"layer 1 {_q(first.text)}"
    if first_type == "Input":
        shape_args = first.args or tuple(v for k, v in first.kwargs if k in ("shape", "input_shape"))
        if first.kwargs and not all(k in ("shape", "input_shape") for k, _ in first.kwargs):
            raise InputError(f"{where}: Input takes only the shape, e.g. Input(28, 28, 1)")
        layer_calls = calls[1:]
    else:
        # Keras 2 style, as the course notes write it: Dense(512, activation='relu', input_shape=(784,))
        # (Dense's input_dim=784 too; Embedding's input_dim is its vocabulary size, not a shape)
        shape_keys = ("input_shape", "input_dim") if first_type == "Dense" else ("input_shape",)
        given = [(k, v) for k, v in first.kwargs if k in shape_keys]
        if len(given) != 1:
            raise InputError(f"the model spec must start with Input(shape), e.g. Input(28,28,1) "
                             f"(or give its first layer input_shape=...); it starts with {_q(first.text)}")
        shape_args = given[0][1] if isinstance(given[0][1], tuple) else (given[0][1],)
        first = replace(first, kwargs=tuple(kv for kv in first.kwargs if kv[0] not in shape_keys))
        layer_calls = [first] + calls[1:]
    shape = _shape_ints(shape_args, where, "Input")
    if math.prod(shape) > 10**9:
        raise InputError(f"{where}: the input has {math.prod(shape):,} values; the limit is 1,000,000,000")
    model = Model(" -> ".join(c.text for c in calls), shape)
    for call in layer_calls:
        layer_type = TYPES.get(call.name.lower())
        if layer_type is None:
            raise InputError(f"unknown layer {_q(call.name)} (layer {call.position}); known layers: "
                             f"{', '.join(sorted(set(TYPES.values()) - {'Input'}))}")
        if layer_type == "Input":
            raise InputError(f"layer {call.position} {_q(call.text)}: Input may only be the first layer")
        layer = _LAYER_RULES[layer_type](call, shape)
        model.layers.append(layer)
        shape = layer.output_shape
    return model


# ------------------------------------------------------------ layer rules

def _need_rank(call: LayerCall, layer_type: str, shape: tuple[int, ...], rank: int, what: str) -> None:
    if len(shape) != rank:
        raise InputError(f"layer {call.position} {_q(call.text)}: {layer_type} needs a {rank}-D input "
                         f"{what} but gets {_fmt_shape(shape)}")


def _dense(call, shape):
    cfg = _bind(call, "Dense")
    n_in, units = shape[-1], cfg["units"]
    weights = [Weight("kernel", (n_in, units))]
    if cfg["use_bias"]:
        weights.append(Weight("bias", (units,)))
        pf, ps = "params = n_in*units + units", fill("{}*{} + {}", n_in, units, units)
    else:
        pf, ps = "params = n_in*units (no bias)", fill("{}*{}", n_in, units)
    out = shape[:-1] + (units,)
    return Layer("Dense", call.text, cfg, shape, out, tuple(weights),
                 "shape = input[:-1] + (units,)", fill("{} -> {}", _fmt_shape(shape), _fmt_shape(out)), "",
                 pf, ps, "one weight per input-output pair, one bias per unit")


def _window_dims(call, layer_type, shape, kernel, strides, padding, dilation, spatial: int):
    from dltutor.solvers.shapes import window_output

    dims = ("height", "width") if spatial == 2 else ("length",)
    outs, subs, notes = [], [], []
    for i, dim in enumerate(dims):
        try:
            out, steps = window_output(shape[i], kernel[i], strides[i], padding, dilation[i],
                                       dim=dim, layer="pool" if "Pool" in layer_type else "kernel")
        except InputError as exc:
            raise InputError(f"layer {call.position} {_q(call.text)}: {exc}") from None
        outs.append(out)
        last = steps[-1] if padding != "same" else steps[-2]
        subs.append(last.substituted.render() if isinstance(last.substituted, Filled) else str(last.substituted))
        if last.note and last.note not in notes:
            notes.append(last.note)
    formula = "out = ceil(n/s)" if padding == "same" else "out = floor((n + 2*p - d*(k - 1) - 1)/s) + 1"
    if len(set(subs)) == 1 and len(dims) == 2:
        # a square input and window: one line for both axes
        return outs, formula, f"height and width: {subs[0]} = {outs[0]}", "; ".join(notes)
    return outs, formula, "; ".join(f"{d}: {s} = {o}" for d, s, o in zip(dims, subs, outs)), "; ".join(notes)


def _conv(layer_type, spatial):
    def rule(call, shape):
        cfg = _bind(call, layer_type)
        where = f"layer {call.position} {_q(call.text)}"
        _need_rank(call, layer_type, shape, spatial + 1,
                   "(height, width, channels)" if spatial == 2 else "(steps, channels)")
        if spatial == 2:
            k = _pair(cfg["kernel_size"], "kernel_size", where)
            s = _pair(cfg["strides"], "strides", where)
            d = _pair(cfg["dilation_rate"], "dilation_rate", where)
        else:
            k = _single(cfg["kernel_size"], "kernel_size", where)
            s = _single(cfg["strides"], "strides", where)
            d = _single(cfg["dilation_rate"], "dilation_rate", where)
        cfg.update(kernel_size=k, strides=s, dilation_rate=d)
        c_in = shape[-1]
        outs, sf, ss, note = _window_dims(call, layer_type, shape, k, s, cfg["padding"], d, spatial)
        kexpr = "*".join(str(x) for x in k)
        bias = cfg["use_bias"]
        if layer_type in ("Conv2D", "Conv1D"):
            f = cfg["filters"]
            weights = [Weight("kernel", k + (c_in, f))] + ([Weight("bias", (f,))] if bias else [])
            c_out = f
            pf = "params = (k_h*k_w*C_in + 1)*filters" if bias else "params = k_h*k_w*C_in*filters (no bias)"
            if spatial == 1:
                pf = pf.replace("k_h*k_w", "k")
            ps = fill("({}*{} + 1)*{}" if bias else "{}*{}*{}", kexpr, c_in, f) if bias else \
                fill("{}*{}*{}", kexpr, c_in, f)
            pnote = "each filter has one weight per kernel cell and input channel, plus one bias"
        elif layer_type == "DepthwiseConv2D":
            m = cfg["depth_multiplier"]
            c_out = c_in * m
            weights = [Weight("depthwise_kernel", k + (c_in, m))] + ([Weight("bias", (c_out,))] if bias else [])
            pf = ("params = k_h*k_w*C_in*m + C_in*m" if bias else "params = k_h*k_w*C_in*m (no bias)")
            ps = fill("{}*{}*{} + {}*{}", kexpr, c_in, m, c_in, m) if bias else fill("{}*{}*{}", kexpr, c_in, m)
            pnote = "one k x k kernel per input channel (times the depth multiplier m), each with a bias"
        else:  # SeparableConv2D
            m, f = cfg["depth_multiplier"], cfg["filters"]
            c_out = f
            weights = [Weight("depthwise_kernel", k + (c_in, m)), Weight("pointwise_kernel", (1, 1, c_in * m, f))]
            weights += [Weight("bias", (f,))] if bias else []
            pf = ("params = k_h*k_w*C_in*m + C_in*m*filters + filters" if bias
                  else "params = k_h*k_w*C_in*m + C_in*m*filters (no bias)")
            ps = (fill("{}*{}*{} + {}*{}*{} + {}", kexpr, c_in, m, c_in, m, f, f) if bias
                  else fill("{}*{}*{} + {}*{}*{}", kexpr, c_in, m, c_in, m, f))
            pnote = "depthwise kernel (no bias) + 1x1 pointwise kernel + one bias per filter"
        out = tuple(outs) + (c_out,)
        return Layer(layer_type, call.text, cfg, shape, out, tuple(weights), sf, ss, note, pf, ps, pnote)
    return rule


def _pool(layer_type, spatial):
    def rule(call, shape):
        cfg = _bind(call, layer_type)
        where = f"layer {call.position} {_q(call.text)}"
        _need_rank(call, layer_type, shape, spatial + 1,
                   "(height, width, channels)" if spatial == 2 else "(steps, channels)")
        if spatial == 2:
            k = _pair(cfg["pool_size"], "pool_size", where)
            s = _pair(cfg.get("strides") if cfg.get("strides") is not None else k, "strides", where)
        else:
            k = _single(cfg["pool_size"], "pool_size", where)
            s = k if cfg.get("strides") is None else _single(cfg["strides"], "strides", where)
        cfg.update(pool_size=k, strides=s)
        outs, sf, ss, note = _window_dims(call, layer_type, shape, k, s, cfg["padding"], (1,) * spatial, spatial)
        out = tuple(outs) + (shape[-1],)
        return Layer(layer_type, call.text, cfg, shape, out, (), sf, ss, note,
                     "params = 0", "", "pooling has nothing to learn")
    return rule


def _global_pool(layer_type, spatial):
    def rule(call, shape):
        cfg = _bind(call, layer_type)
        _need_rank(call, layer_type, shape, spatial + 1,
                   "(height, width, channels)" if spatial == 2 else "(steps, channels)")
        out = (shape[-1],)
        return Layer(layer_type, call.text, cfg, shape, out, (), "shape = (channels,)",
                     fill("{} -> {}", _fmt_shape(shape), _fmt_shape(out)), "one value per channel",
                     "params = 0", "", "pooling has nothing to learn")
    return rule


def _flatten(call, shape):
    cfg = _bind(call, "Flatten")
    out = (math.prod(shape),)
    return Layer("Flatten", call.text, cfg, shape, out, (), "shape = (product of the input sizes,)",
                 fill("{} = {}", "*".join(str(d) for d in shape), out[0]), "", "params = 0", "",
                 "flattening only rearranges values")


def _identity(layer_type, note):
    def rule(call, shape):
        cfg = _bind(call, layer_type)
        return Layer(layer_type, call.text, cfg, shape, shape, (), "shape = input shape",
                     fill("{}", _fmt_shape(shape)), "", "params = 0", "", note)
    return rule


def _batchnorm(call, shape):
    cfg = _bind(call, "BatchNormalization")
    c = shape[-1]
    weights = (Weight("gamma", (c,)), Weight("beta", (c,)),
               Weight("moving_mean", (c,), False), Weight("moving_variance", (c,), False))
    return Layer("BatchNormalization", call.text, cfg, shape, shape, weights, "shape = input shape",
                 fill("{}", _fmt_shape(shape)), "", "params = 4*C (gamma, beta, moving mean, moving variance)",
                 fill("4*{}", c), f"2*{c} = {2 * c} trainable (gamma, beta) and {2 * c} non-trainable "
                 "(the moving mean and variance are updated by averaging, not by gradients)")


def _embedding(call, shape):
    cfg = _bind(call, "Embedding")
    _need_rank(call, "Embedding", shape, 1, "(sequence length,)")
    vocab, dim = cfg["input_dim"], cfg["output_dim"]
    out = shape + (dim,)
    return Layer("Embedding", call.text, cfg, shape, out, (Weight("embeddings", (vocab, dim)),),
                 "shape = (length, output_dim)", fill("({}, {})", shape[0], dim), "",
                 "params = input_dim*output_dim", fill("{}*{}", vocab, dim), "one vector of output_dim per word")


GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def _recurrent(layer_type):
    def rule(call, shape):
        cfg = _bind(call, layer_type)
        _need_rank(call, layer_type, shape, 2, "(time steps, features)")
        steps_, n_in = shape
        u = cfg["units"]
        g = GATES[layer_type]
        bias = cfg["use_bias"]
        reset_after = layer_type == "GRU" and cfg.get("reset_after", True)
        weights = [Weight("kernel", (n_in, g * u)), Weight("recurrent_kernel", (u, g * u))]
        if bias:
            weights.append(Weight("bias", (2, g * u) if reset_after else (g * u,)))
        gate_text = {1: "", 4: "4*", 3: "3*"}[g]
        if bias and reset_after:
            pf = "params = 3*(units*(n_in + units) + 2*units)"
            ps = fill("3*({}*({} + {}) + 2*{})", u, n_in, u, u)
            pnote = ("three blocks (update, reset, candidate); reset_after=True keeps two bias vectors, "
                     "one for the input and one for the recurrent part")
        else:
            pf = f"params = {gate_text}(units*(n_in + units) + units)" if bias else \
                f"params = {gate_text}units*(n_in + units)"
            ps = (fill(gate_text + "({}*({} + {}) + {})", u, n_in, u, u) if bias
                  else fill(gate_text + "{}*({} + {})", u, n_in, u))
            pnote = {"SimpleRNN": "input weights, recurrent weights and a bias for each unit",
                     "LSTM": "four blocks (input, forget, cell candidate, output), each with input weights, "
                             "recurrent weights and biases",
                     "GRU": "three blocks (update, reset, candidate), each with input weights, "
                            "recurrent weights and biases"}[layer_type]
        out = (steps_, u) if cfg["return_sequences"] else (u,)
        sf = "shape = (steps, units) with return_sequences, else (units,)"
        return Layer(layer_type, call.text, cfg, shape, out, tuple(weights), sf,
                     fill("{}", _fmt_shape(out)), "", pf, ps, pnote)
    return rule


def _reshape(call, shape):
    where = f"layer {call.position} {_q(call.text)}"
    if call.kwargs and not all(k in ("target_shape", "shape") for k, _ in call.kwargs):
        raise InputError(f"{where}: Reshape takes only the target shape, e.g. Reshape(4, 4, 16)")
    args = call.args or tuple(v for _, v in call.kwargs)
    if len(args) == 1 and isinstance(args[0], tuple):
        args = args[0]
    if not args:
        raise InputError(f"{where}: Reshape needs the target shape, e.g. Reshape(4, 4, 16)")
    dims = []
    for a in args:
        if isinstance(a, bool) or not isinstance(a, int) or (a < 1 and a != -1):
            raise InputError(f"{where}: target sizes must be positive whole numbers (or one -1), got {_q(a)}")
        dims.append(a)
    total = math.prod(shape)
    if dims.count(-1) > 1:
        raise InputError(f"{where}: at most one size may be -1")
    if -1 in dims:
        known = math.prod(d for d in dims if d != -1)
        if total % known:
            raise InputError(f"{where}: {total} values cannot be reshaped to {tuple(dims)}")
        dims[dims.index(-1)] = total // known
    if math.prod(dims) != total:
        raise InputError(f"{where}: the input has {total} values {_fmt_shape(shape)} but "
                         f"{_fmt_shape(tuple(dims))} holds {math.prod(dims)}")
    out = tuple(dims)
    return Layer("Reshape", call.text, {"target_shape": out}, shape, out, (),
                 "shape = target shape (same number of values)",
                 fill("{} -> {}", _fmt_shape(shape), _fmt_shape(out)), "", "params = 0", "",
                 "reshaping only rearranges values")


_LAYER_RULES = {
    "Dense": _dense,
    "Conv2D": _conv("Conv2D", 2),
    "Conv1D": _conv("Conv1D", 1),
    "DepthwiseConv2D": _conv("DepthwiseConv2D", 2),
    "SeparableConv2D": _conv("SeparableConv2D", 2),
    "MaxPooling2D": _pool("MaxPooling2D", 2),
    "AveragePooling2D": _pool("AveragePooling2D", 2),
    "MaxPooling1D": _pool("MaxPooling1D", 1),
    "AveragePooling1D": _pool("AveragePooling1D", 1),
    "GlobalAveragePooling2D": _global_pool("GlobalAveragePooling2D", 2),
    "GlobalMaxPooling2D": _global_pool("GlobalMaxPooling2D", 2),
    "GlobalAveragePooling1D": _global_pool("GlobalAveragePooling1D", 1),
    "GlobalMaxPooling1D": _global_pool("GlobalMaxPooling1D", 1),
    "Flatten": _flatten,
    "Dropout": _identity("Dropout", "dropout zeroes random inputs while training; nothing to learn"),
    "Activation": _identity("Activation", "an activation has nothing to learn"),
    "LeakyReLU": _identity("LeakyReLU", "an activation has nothing to learn"),
    "ReLU": _identity("ReLU", "an activation has nothing to learn"),
    "BatchNormalization": _batchnorm,
    "Embedding": _embedding,
    "SimpleRNN": _recurrent("SimpleRNN"),
    "LSTM": _recurrent("LSTM"),
    "GRU": _recurrent("GRU"),
    "Reshape": _reshape,
}
