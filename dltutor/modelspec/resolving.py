"""``resolve(text)``: a model spec (or pasted Keras / PyTorch code) to each layer's shape and weights.

The tables of ``layers`` and ``rules`` gain here the layers whose rules live in their own
modules (``reshaping``, ``sequence_layers``, the wrappers), so every caller goes through
``dltutor.modelspec`` (the package face), which imports this module when first asked.
"""

from __future__ import annotations

import functools
import math
from dataclasses import replace

from dltutor.errors import InputError, did_you_mean
from dltutor.modelspec.rules import GATES, LAYER_RULES
from dltutor.modelspec.layers import (ACTIVATIONS, ALIASES, DEFAULTS, EXTRA_KEYWORDS, SIGNATURES, TYPES, Layer,
                                Model, Weight, bind, shape_sizes)
from dltutor.modelspec.grammar import MAX_LAYERS, MAX_NESTING, LayerCall, parse_layer, parse_spec, quoted, split_layers
from dltutor.modelspec import reshaping as _reshaping
from dltutor.modelspec import sequence_layers as _sequence_layers


# layers whose rules live in their own modules: one entry each in the tables above
for _module in (_reshaping, _sequence_layers):
    LAYER_RULES.update(_module.RULES)
    SIGNATURES.update(_module.SIGNATURES)
    EXTRA_KEYWORDS.update(_module.EXTRA_KEYWORDS)
    DEFAULTS.update(_module.DEFAULTS)
    TYPES.update({name.lower(): name for name in _module.RULES})
TYPES.update({"layernorm": "LayerNormalization", "conv2dtranspose": "Conv2DTranspose",
              "conv1dtranspose": "Conv1DTranspose", "deconv2d": "Conv2DTranspose"})


def rule_for(call: LayerCall):
    """The rule of the layer named in ``call``; an unknown name is bad input with the closest name."""
    layer_type = TYPES.get(call.name.lower())
    if layer_type is None:
        known = sorted(set(TYPES.values()) - {"Input"})
        hint = did_you_mean(call.name, known)
        raise InputError(f"unknown layer {quoted(call.name)} (layer {call.position})"
                         f"{hint + ' Known' if hint else '; known'} layers: {', '.join(known)}")
    if layer_type == "Input":
        raise InputError(f"layer {call.position} {quoted(call.text)}: Input may only be the first layer")
    return LAYER_RULES[layer_type]


for _name, _rule in _sequence_layers.WRAPPER_RULES.items():
    LAYER_RULES[_name] = functools.partial(_rule, rule_for=rule_for)
    TYPES[_name.lower()] = _name


def resolve(text: str, input_shape: tuple[int, ...] | None = None) -> Model:
    """Parse a model spec (or pasted Keras / PyTorch code) and compute every layer's output shape
    and parameters. ``input_shape`` (no batch) is needed by PyTorch code, whose modules do not
    say their input size; it is channels first."""
    from dltutor.modelspec.pasted import looks_like_code

    if looks_like_code(text):
        return _resolve_code(text, input_shape)
    if input_shape is not None:
        raise InputError("--input-shape is for pasted PyTorch code (nn.Sequential(...)); a spec starts "
                         "with Input(shape)")
    return resolve_calls(parse_spec(text))


def _resolve_code(text: str, input_shape: tuple[int, ...] | None) -> Model:
    from dltutor.modelspec import pasted

    code = pasted.read(text)
    if code.framework == "pytorch":
        from dltutor.modelspec.torch_modules import module_name, torch_rule

        for call in code.calls:
            module_name(call)                 # an unknown module is named before anything else
        if input_shape is None:
            raise InputError("PyTorch code needs --input-shape, the shape of one sample, channels first "
                             "(e.g. --input-shape 3,32,32 for an RGB image)")
        model = Model(" -> ".join(c.text for c in code.calls), input_shape)
        model.framework = "pytorch"            # type: ignore[attr-defined]
        shape = input_shape
        for call in code.calls:
            layer = torch_rule(call, shape)
            model.layers.append(layer)
            shape = layer.output_shape
        return model
    if input_shape is not None:
        raise InputError("--input-shape is for PyTorch code; Keras code gives its Input(shape) or input_shape=")
    if code.form == "functional":
        from dltutor.modelspec.functional import resolve_graph

        return resolve_graph(code.nodes, code.output, text.strip(), rule_for)
    return resolve_calls(code.calls)


def resolve_calls(calls: list[LayerCall]) -> Model:
    """Shapes and counts of a sequential list of layers, the first an Input (or given input_shape=)."""
    first = calls[0]
    first_type = TYPES.get(first.name.lower())
    where = f"layer 1 {quoted(first.text)}"
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
                             f"(or give its first layer input_shape=...); it starts with {quoted(first.text)}")
        shape_args = given[0][1] if isinstance(given[0][1], tuple) else (given[0][1],)
        first = replace(first, kwargs=tuple(kv for kv in first.kwargs if kv[0] not in shape_keys))
        layer_calls = [first] + calls[1:]
    shape = shape_sizes(shape_args, where, "Input")
    if math.prod(shape) > 10**9:
        raise InputError(f"{where}: the input has {math.prod(shape):,} values; the limit is 1,000,000,000")
    model = Model(" -> ".join(c.text for c in calls), shape)
    for call in layer_calls:
        layer = rule_for(call)(call, shape)
        model.layers.append(layer)
        shape = layer.output_shape
    return model
