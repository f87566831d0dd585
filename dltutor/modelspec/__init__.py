"""The model spec, shared by ``solve params`` and the NumPy engine: ``resolve(text)``.

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
so that a student can see where every number comes from.

The pieces live in three modules, imported here so that callers need only this one:

    dltutor.modelspec.grammar  text -> LayerCall (split_layers, parse_layer, parse_spec)
    dltutor.modelspec.layers   Weight, Layer, Model; SIGNATURES, DEFAULTS, ALIASES, TYPES; bind
    dltutor.modelspec.rules   each layer type's output shape and weights (LAYER_RULES)
"""

from __future__ import annotations

import math
from dataclasses import replace

from dltutor.errors import InputError
from dltutor.modelspec.rules import GATES, LAYER_RULES
from dltutor.modelspec.layers import (ACTIVATIONS, ALIASES, DEFAULTS, EXTRA_KEYWORDS, SIGNATURES, TYPES, Layer,
                                Model, Weight, bind, shape_sizes)
from dltutor.modelspec.grammar import MAX_LAYERS, MAX_NESTING, LayerCall, parse_layer, parse_spec, quoted, split_layers

__all__ = ["resolve", "parse_spec", "parse_layer", "split_layers", "LayerCall", "Weight", "Layer", "Model",
           "ACTIVATIONS", "SIGNATURES", "EXTRA_KEYWORDS", "DEFAULTS", "ALIASES", "TYPES", "GATES", "LAYER_RULES",
           "MAX_LAYERS", "MAX_NESTING", "bind"]


def resolve(text: str) -> Model:
    """Parse a model spec and compute every layer's output shape and parameters."""
    calls = parse_spec(text)
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
        layer_type = TYPES.get(call.name.lower())
        if layer_type is None:
            raise InputError(f"unknown layer {quoted(call.name)} (layer {call.position}); known layers: "
                             f"{', '.join(sorted(set(TYPES.values()) - {'Input'}))}")
        if layer_type == "Input":
            raise InputError(f"layer {call.position} {quoted(call.text)}: Input may only be the first layer")
        layer = LAYER_RULES[layer_type](call, shape)
        model.layers.append(layer)
        shape = layer.output_shape
    return model
