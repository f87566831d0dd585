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

The pieces live in their own modules; callers need only this package, whose names are
imported on first use (so ``dltutor.modelspec.windows``, which ``solve conv-output`` needs,
does not pay for the layer tables):

    dltutor.modelspec.grammar  text -> LayerCall (split_layers, parse_layer, parse_spec)
    dltutor.modelspec.layers   Weight, Layer, Model; SIGNATURES, DEFAULTS, ALIASES, TYPES; bind
    dltutor.modelspec.rules   each layer type's output shape and weights (LAYER_RULES)
    dltutor.modelspec.resolving  resolve, resolve_calls, rule_for; registers the layers of
                              reshaping and sequence_layers in the tables
"""

from __future__ import annotations

__all__ = ["resolve", "parse_spec", "parse_layer", "split_layers", "LayerCall", "Weight", "Layer", "Model",
           "ACTIVATIONS", "SIGNATURES", "EXTRA_KEYWORDS", "DEFAULTS", "ALIASES", "TYPES", "GATES", "LAYER_RULES",
           "MAX_LAYERS", "MAX_NESTING", "bind", "rule_for", "resolve_calls"]


def __getattr__(name: str):
    """The names of ``__all__``, from ``resolving`` (imported once, on first use; PEP 562)."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from dltutor.modelspec import resolving

    return getattr(resolving, name)


def __dir__():
    return sorted(set(globals()) | set(__all__))
