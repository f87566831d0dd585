"""The layer settings the code writers know: anything else is refused, never silently dropped.

The model-spec grammar may learn settings (``groups``, numeric or causal padding, ...) before
the code writers do; a program that ignored one would build a different model than the spec
says, so ``check(index, layer)`` raises InputError naming the setting instead.
"""

from __future__ import annotations

from dltutor.errors import InputError

_WINDOW = {"kernel_size", "strides", "padding", "activation", "use_bias", "dilation_rate"}
_POOL = {"pool_size", "strides", "padding"}
_RNN = {"units", "activation", "return_sequences", "use_bias"}

SETTINGS: dict[str, set[str]] = {
    "Dense": {"units", "activation", "use_bias"},
    "Conv2D": _WINDOW | {"filters"},
    "Conv1D": _WINDOW | {"filters"},
    "DepthwiseConv2D": _WINDOW | {"depth_multiplier"},
    "SeparableConv2D": _WINDOW | {"filters", "depth_multiplier"},
    "Conv2DTranspose": _WINDOW | {"filters", "output_padding"},
    "Conv1DTranspose": _WINDOW | {"filters", "output_padding"},
    "MaxPooling2D": _POOL, "AveragePooling2D": _POOL, "MaxPooling1D": _POOL, "AveragePooling1D": _POOL,
    "GlobalAveragePooling2D": set(), "GlobalMaxPooling2D": set(), "GlobalAveragePooling1D": set(),
    "GlobalMaxPooling1D": set(), "Flatten": set(), "ReLU": set(),
    "Dropout": {"rate", "seed"},
    "BatchNormalization": {"momentum", "epsilon"},
    "Embedding": {"input_dim", "output_dim"},
    "SimpleRNN": _RNN, "LSTM": _RNN, "GRU": _RNN | {"reset_after"},
    "Activation": {"activation"},
    "LeakyReLU": {"negative_slope"},
    "Reshape": {"target_shape"},
    "ZeroPadding2D": {"padding"}, "ZeroPadding1D": {"padding"},
    "Cropping2D": {"cropping"}, "Cropping1D": {"cropping"},
    "UpSampling2D": {"size", "interpolation"}, "UpSampling1D": {"size"},
    "LayerNormalization": {"axis", "epsilon", "center", "scale"},
    "Bidirectional": {"layer", "merge_mode", "inner"}, "TimeDistributed": {"layer", "inner"},
    "MultiHeadAttention": {"num_heads", "key_dim", "value_dim", "use_bias", "dropout"},
}

# settings the code writers leave out because their value changes nothing (Keras's default)
NEUTRAL = {"groups": 1, "output_shape": None, "attention_axes": None}


def check(index: int, layer, framework: str) -> None:
    """InputError if layer number ``index`` has a setting the code writers do not know."""
    known = SETTINGS.get(layer.type)
    if known is None:
        raise InputError(f"layer {index} {layer.label!r}: no {framework} code is written for {layer.type} "
                         f"layers; it is written for {', '.join(sorted(SETTINGS))}")
    extra = sorted(k for k in set(layer.config) - known if layer.config[k] != NEUTRAL.get(k, object()))
    if extra:
        raise InputError(f"layer {index} {layer.label!r}: no {framework} code is written for its setting "
                         f"{extra[0]}={layer.config[extra[0]]!r} yet")
    padding = layer.config.get("padding", "valid")
    if padding not in ("valid", "same") and not layer.type.startswith("ZeroPadding"):   # its padding is sizes
        raise InputError(f"layer {index} {layer.label!r}: no {framework} code is written for padding="
                         f"{padding!r} yet (valid or same)")
    if getattr(layer, "wrapped", None) is not None:      # a wrapper's layer is checked as any other
        check(index, layer.wrapped, framework)
