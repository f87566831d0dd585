"""The Keras layer table: what each layer type is called, takes and holds.

``Weight``/``Layer``/``Model`` are what ``dltutor.modelspec.resolve`` returns.
``SIGNATURES`` gives each type's positional parameters in Keras's order,
``EXTRA_KEYWORDS`` the keyword-only ones, ``DEFAULTS`` Keras's defaults,
``ALIASES`` the short names students write (``kernel=3``), ``TYPES`` every
accepted spelling (lower case) -> the canonical Keras class name. ``bind``
turns a ``LayerCall`` into a checked config; the helpers below check the
numbers in it. The shape and parameter rules of each type are in
``dltutor.modelspec.rules``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from dltutor import values
from dltutor.errors import InputError
from dltutor.solution import Filled
from dltutor.modelspec.grammar import LayerCall, quoted

ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu", "selu",
               "softplus", "softsign", "swish", "gelu", "hard_sigmoid", "exponential", "step")


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
    wrapped: "Layer | None" = None       # a wrapper's inner layer, resolved on its own input shape

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
    "Conv2D": ("activation", "use_bias", "dilation_rate", "groups"),
    "Conv1D": ("activation", "use_bias", "dilation_rate", "groups"),
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
    "Conv2D": {"strides": 1, "padding": "valid", "activation": "linear", "use_bias": True, "dilation_rate": 1,
               "groups": 1},
    "Conv1D": {"strides": 1, "padding": "valid", "activation": "linear", "use_bias": True, "dilation_rate": 1,
               "groups": 1},
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


def bind(call: LayerCall, layer_type: str) -> dict:
    """Positional and keyword arguments → the layer's config, with defaults."""
    where = f"layer {call.position} {quoted(call.text)}"
    signature = SIGNATURES[layer_type]
    allowed = set(signature) | set(EXTRA_KEYWORDS.get(layer_type, ()))
    config = dict(DEFAULTS.get(layer_type, {}))
    given: set[str] = set()
    for value in call.args:
        if isinstance(value, str) and value in ACTIVATIONS and "activation" in allowed:
            key = "activation"
        elif isinstance(value, str) and value in ("same", "valid", "causal") and "padding" in allowed:
            key = "padding"
        elif isinstance(value, str):
            raise InputError(f"{where}: {quoted(value)} is not an argument of {layer_type} "
                             f"(an activation such as relu, or same/valid padding, is expected)")
        else:
            # activation and padding are words (relu, same); ZeroPadding's padding is its number
            words = ("activation",) if layer_type.startswith("ZeroPadding") else ("activation", "padding")
            free = [p for p in signature if p not in given and p not in words]
            if not free:
                raise InputError(f"{where} has too many arguments "
                                 f"({layer_type} takes {', '.join(signature) or 'none'})")
            key = free[0]
        if key in given:
            raise InputError(f"{where}: {key} is given twice")
        config[key] = value
        given.add(key)
    for key, value in call.kwargs:
        key = key if key in allowed else ALIASES.get(key, key)
        if key not in allowed:
            raise InputError(f"{where}: {layer_type} has no argument {quoted(key)} "
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
            "GRU": "GRU(32)", "Dropout": "Dropout(0.5)", "Activation": "Activation(relu)",
            "MultiHeadAttention": "MultiHeadAttention(2, 16)", "Conv2DTranspose": "Conv2DTranspose(16, 3)",
            "Conv1DTranspose": "Conv1DTranspose(16, 3)", "Reshape": "Reshape((4, 4))",
            "Bidirectional": "Bidirectional(LSTM(16))", "TimeDistributed": "TimeDistributed(Dense(10))",
            "LeakyReLU": "LeakyReLU(0.2)", "Input": "Input(28, 28, 1)"}.get(
        layer_type, f"{layer_type}(...) (see dltutor solve params --help)")


def pair(value, key: str, where: str, *, minimum: int = 1) -> tuple[int, int]:
    """A 2-D layer's size: one number for both axes, or a pair like (3, 3)."""
    items = value if isinstance(value, tuple) else (value, value)
    if len(items) != 2:
        raise InputError(f"{where}: {key} must be one number or a pair like (3, 3), got {quoted(value)}")
    return tuple(whole_number(v, key, where, minimum=minimum) for v in items)  # type: ignore[return-value]


def single(value, key: str, where: str) -> tuple[int]:
    """A 1-D layer's size: one number, or a one-element tuple like (3,)."""
    items = value if isinstance(value, tuple) else (value,)
    if len(items) != 1:
        raise InputError(f"{where}: {key} of a 1-D layer must be one number, got {quoted(value)}")
    return (whole_number(items[0], key, where),)


def whole_number(value, key: str, where: str, *, minimum: int = 1) -> int:
    """``value`` checked to be a whole number from ``minimum`` up to values.MAX_SIZE."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{where}: {key} must be a whole number, got {quoted(value)}")
    if value < minimum:
        raise InputError(f"{where}: {key} must be at least {minimum}, got {value}")
    if value > values.MAX_SIZE:
        raise InputError(f"{where}: {key} {value:,} is larger than the limit {values.MAX_SIZE:,}")
    return value


def _check_config(config: dict, layer_type: str, where: str) -> None:
    for key in ("units", "filters", "input_dim", "output_dim", "depth_multiplier"):
        if key in config:
            whole_number(config[key], key, where)
    if "activation" in config:
        act = config["activation"]
        if act is None:
            config["activation"] = "linear"
        elif not isinstance(act, str) or act not in ACTIVATIONS:
            raise InputError(f"{where}: unknown activation {quoted(act)} (known: {', '.join(ACTIVATIONS)})")
    if "padding" in config and not layer_type.startswith("ZeroPadding"):
        _check_padding(config["padding"], layer_type, where)
    for key in ("use_bias", "return_sequences", "reset_after", "center", "scale"):
        if key in config and not isinstance(config[key], bool):
            raise InputError(f"{where}: {key} must be True or False, got {quoted(config[key])}")
    if "negative_slope" in config:
        slope = config["negative_slope"]
        if isinstance(slope, bool) or not isinstance(slope, (int, float)) or slope < 0:
            raise InputError(f"{where}: negative_slope must be a number of at least 0, got {quoted(slope)}")
    if "epsilon" in config:
        eps = config["epsilon"]
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < 1:
            raise InputError(f"{where}: epsilon must be a small positive number such as 0.001, got {quoted(eps)}")
    if "momentum" in config:
        m = config["momentum"]
        if isinstance(m, bool) or not isinstance(m, (int, float)) or not 0 <= m < 1:
            raise InputError(f"{where}: momentum must be a number from 0 up to (not including) 1, got {quoted(m)}")
    if "rate" in config:
        rate = config["rate"]
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise InputError(f"{where}: rate must be a number from 0 up to (not including) 1, got {quoted(rate)}")


def _check_padding(padding, layer_type: str, where: str) -> None:
    """valid, same, causal (Conv1D), or a whole number of zeros on each side (PyTorch's padding=1)."""
    if isinstance(padding, int) and not isinstance(padding, bool) and padding >= 0:
        if padding > values.MAX_SIZE:
            raise InputError(f"{where}: padding {padding:,} is larger than the limit {values.MAX_SIZE:,}")
        return
    words = ("valid", "same") + (("causal",) if layer_type == "Conv1D" else ())
    if padding in words:
        return
    import difflib

    close = difflib.get_close_matches(str(padding), words, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise InputError(f"{where}: padding must be {', '.join(words)} or a whole number of zeros on each side, "
                     f"got {quoted(padding)}{hint}")


def shape_sizes(args, where: str, what: str) -> tuple[int, ...]:
    """The sizes of a shape written ``(28, 28, 1)`` or ``28, 28, 1``."""
    if len(args) == 1 and isinstance(args[0], tuple):
        args = args[0]
    if not args:
        raise InputError(f"{where}: {what} needs at least one size")
    return tuple(whole_number(a, "size", where) for a in args)


def shape_text(shape: tuple[int, ...]) -> str:
    """``(28, 28, 1)``; a one-element shape keeps Python's comma: ``(784,)``."""
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
