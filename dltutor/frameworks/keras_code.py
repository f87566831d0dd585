"""Keras 3 code for each layer type of a resolved model spec: the ``layers.X(...)`` call.

dltutor's layers are Keras's (names, defaults, weight layouts), so each function writes the
call with the arguments that differ from Keras's defaults. One difference is an activation:
``leaky_relu`` has slope 0.01 in dltutor (CLI.md) and 0.2 in ``keras.activations``, so it is
written as a small function ``leaky_relu`` defined at the top of the program (``HELPERS``).
MultiHeadAttention takes a query and a value, but a Sequential model passes each layer one
tensor: it is written as ``SelfAttention``, a small layer (in ``HELPERS``) that calls it as
attention(x, x), with the same weights in the same order.
"""

from __future__ import annotations

from dltutor.errors import InputError
from dltutor.frameworks import supported

# Keras activation names that keras.activations has under the same name and definition
NATIVE = ("linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "softplus", "softsign", "swish",
          "gelu", "hard_sigmoid", "exponential")

HELPERS = {
    "leaky_relu": '''
def leaky_relu(x):
    """dltutor's leaky ReLU: slope 0.01 below zero (keras.activations.leaky_relu defaults to 0.2)."""
    return keras.activations.leaky_relu(x, negative_slope=0.01)
''',
    "SelfAttention": '''
class SelfAttention(keras.layers.Layer):
    """keras.layers.MultiHeadAttention called as self-attention, attention(x, x): query = key = value = x.
    (A Sequential model passes each layer one tensor; MultiHeadAttention takes the query and the value.)"""

    def __init__(self, num_heads, key_dim, **options):
        super().__init__()
        self.attention = layers.MultiHeadAttention(num_heads, key_dim, **options)

    def build(self, input_shape):
        self.attention.build(input_shape, input_shape)

    def call(self, x, training=None):
        return self.attention(x, x, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape
''',
}


def _activation(layer, key: str = "activation", default: str = "linear") -> tuple[str | None, tuple[str, ...]]:
    """(argument text or None when it is Keras's default, helpers used)."""
    name = layer.config.get(key, default)
    if name == "leaky_relu":
        return "activation=leaky_relu", ("leaky_relu",)
    if name not in NATIVE:
        raise InputError(f"{layer.label}: Keras has no {name!r} activation; use one of "
                         f"{', '.join(NATIVE + ('leaky_relu',))}")
    return (None if name == default else f"activation={name!r}"), ()


def _size(value):
    """(3, 3) stays a tuple, (3,) becomes 3."""
    value = tuple(value)
    return value[0] if len(value) == 1 else value


def _call(name: str, positional: list, keywords: list, helpers=()) -> tuple[str, tuple[str, ...]]:
    args = [str(p) for p in positional] + [k for k in keywords if k]
    return f"layers.{name}({', '.join(args)})", tuple(helpers)


def _window_keywords(layer) -> list[str]:
    cfg = layer.config
    out = []
    kernel = cfg.get("kernel_size") or cfg.get("pool_size")
    if cfg.get("strides") is not None and tuple(cfg["strides"]) != (tuple(kernel) if "pool_size" in cfg
                                                                     else (1,) * len(kernel)):
        out.append(f"strides={_size(cfg['strides'])}")
    if cfg.get("padding", "valid") != "valid":
        out.append(f"padding={cfg['padding']!r}")
    if tuple(cfg.get("dilation_rate") or (1,) * len(kernel)) != (1,) * len(kernel):
        out.append(f"dilation_rate={_size(cfg['dilation_rate'])}")
    return out


def _no_bias(layer) -> str | None:
    return None if layer.config.get("use_bias", True) else "use_bias=False"


def dense(layer):
    act, helpers = _activation(layer)
    return _call("Dense", [layer.config["units"]], [act, _no_bias(layer)], helpers)


def conv(layer):
    act, helpers = _activation(layer)
    cfg = layer.config
    return _call(layer.type, [cfg["filters"], _size(cfg["kernel_size"])],
                 _window_keywords(layer) + [act, _no_bias(layer)], helpers)


def depthwise_conv2d(layer):
    act, helpers = _activation(layer)
    m = layer.config.get("depth_multiplier", 1)
    return _call("DepthwiseConv2D", [_size(layer.config["kernel_size"])],
                 _window_keywords(layer) + [f"depth_multiplier={m}" if m != 1 else None, act, _no_bias(layer)],
                 helpers)


def separable_conv2d(layer):
    act, helpers = _activation(layer)
    cfg = layer.config
    m = cfg.get("depth_multiplier", 1)
    return _call("SeparableConv2D", [cfg["filters"], _size(cfg["kernel_size"])],
                 _window_keywords(layer) + [f"depth_multiplier={m}" if m != 1 else None, act, _no_bias(layer)],
                 helpers)


def conv_transpose(layer):
    act, helpers = _activation(layer)
    cfg = layer.config
    a = cfg.get("output_padding")
    return _call(layer.type, [cfg["filters"], _size(cfg["kernel_size"])],
                 _window_keywords(layer) + [None if a is None else f"output_padding={_size(a)}", act,
                                            _no_bias(layer)], helpers)


def pool(layer):
    return _call(layer.type, [_size(layer.config["pool_size"])], _window_keywords(layer))


def no_arguments(layer):
    return _call(layer.type, [], [])


def dropout(layer):
    return _call("Dropout", [f"{layer.config.get('rate', 0.5):g}"], [])


def batch_normalization(layer):
    cfg = layer.config
    return _call("BatchNormalization", [], [f"momentum={cfg['momentum']:g}" if cfg.get("momentum", 0.99) != 0.99
                                            else None,
                                            f"epsilon={cfg['epsilon']:g}" if cfg.get("epsilon", 0.001) != 0.001
                                            else None])


def embedding(layer):
    return _call("Embedding", [layer.config["input_dim"], layer.config["output_dim"]], [])


def recurrent(layer):
    act, helpers = _activation(layer, default="tanh")
    cfg = layer.config
    keywords = [act, _no_bias(layer), "return_sequences=True" if cfg.get("return_sequences") else None]
    if layer.type == "GRU" and not cfg.get("reset_after", True):
        keywords.append("reset_after=False")
    return _call(layer.type, [cfg["units"]], keywords, helpers)


def reshape(layer):
    return _call("Reshape", [tuple(layer.config["target_shape"])], [])


def activation(layer):
    _activation(layer)          # InputError for an activation Keras does not have
    name = layer.config["activation"]
    if name == "leaky_relu":
        return _call("Activation", ["leaky_relu"], [], ("leaky_relu",))
    return _call("Activation", [repr(name)], [])


def leaky_relu(layer):
    slope = layer.config.get("negative_slope", 0.3)
    return _call("LeakyReLU", [], [f"negative_slope={slope:g}"])


def _sides(sides):
    """Keras's shortest form of ((before, after), ...): n, (a, b) or ((top, bottom), (left, right))."""
    sides = tuple(tuple(pair) for pair in sides)
    if all(a == b for a, b in sides):
        each = tuple(a for a, _ in sides)
        return each[0] if len(set(each)) == 1 else each
    return sides[0] if len(sides) == 1 else sides


def zero_padding_or_cropping(layer):
    key = "padding" if layer.type.startswith("ZeroPadding") else "cropping"
    return _call(layer.type, [_sides(layer.config[key])], [])


def upsampling(layer):
    how = layer.config.get("interpolation", "nearest")
    return _call(layer.type, [_size(layer.config["size"])], [f"interpolation={how!r}" if how != "nearest" else None])


def layer_normalization(layer):
    cfg = layer.config
    return _call("LayerNormalization", [], [f"axis={cfg['axis']!r}" if cfg.get("axis", -1) != -1 else None,
                                            f"epsilon={cfg['epsilon']:g}" if cfg.get("epsilon", 0.001) != 0.001
                                            else None,
                                            None if cfg.get("center", True) else "center=False",
                                            None if cfg.get("scale", True) else "scale=False"])


def bidirectional(layer):
    inner, helpers = LAYERS[layer.wrapped.type](layer.wrapped)
    merge = layer.config.get("merge_mode", "concat")
    return f"layers.Bidirectional({inner}{'' if merge == 'concat' else f', merge_mode={merge!r}'})", helpers


def time_distributed(layer):
    inner, helpers = LAYERS[layer.wrapped.type](layer.wrapped)
    return f"layers.TimeDistributed({inner})", helpers


def multi_head_attention(layer):
    cfg = layer.config
    kd = cfg["key_dim"]
    keywords = [f"value_dim={cfg['value_dim']}" if cfg.get("value_dim") not in (None, kd) else None,
                _no_bias(layer), f"dropout={cfg['dropout']:g}" if cfg.get("dropout") else None]
    args = [str(cfg["num_heads"]), str(kd)] + [k for k in keywords if k]
    return f"SelfAttention({', '.join(args)})", ("SelfAttention",)


LAYERS = {
    "Dense": dense, "Conv2D": conv, "Conv1D": conv, "DepthwiseConv2D": depthwise_conv2d,
    "SeparableConv2D": separable_conv2d, "BatchNormalization": batch_normalization, "Embedding": embedding,
    "SimpleRNN": recurrent, "LSTM": recurrent, "GRU": recurrent,
    "Conv2DTranspose": conv_transpose, "Conv1DTranspose": conv_transpose,
    "MaxPooling2D": pool, "AveragePooling2D": pool, "MaxPooling1D": pool, "AveragePooling1D": pool,
    "GlobalAveragePooling2D": no_arguments, "GlobalAveragePooling1D": no_arguments,
    "GlobalMaxPooling2D": no_arguments, "GlobalMaxPooling1D": no_arguments,
    "Flatten": no_arguments, "ReLU": no_arguments, "Reshape": reshape, "Dropout": dropout,
    "Activation": activation, "LeakyReLU": leaky_relu,
    "ZeroPadding2D": zero_padding_or_cropping, "ZeroPadding1D": zero_padding_or_cropping,
    "Cropping2D": zero_padding_or_cropping, "Cropping1D": zero_padding_or_cropping,
    "UpSampling2D": upsampling, "UpSampling1D": upsampling, "LayerNormalization": layer_normalization,
    "Bidirectional": bidirectional, "TimeDistributed": time_distributed, "MultiHeadAttention": multi_head_attention,
}


def layer_call(index: int, layer) -> tuple[str, tuple[str, ...]]:
    """(``layers.Conv2D(6, (5, 5), activation='relu')``, helpers it uses) for layer number ``index``."""
    supported.check(index, layer, "Keras")
    return LAYERS[layer.type](layer)
