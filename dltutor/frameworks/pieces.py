"""What a PyTorch code writer returns for one layer (a ``Piece``) and the layout moves between layers.

A layer's input is in one of two layouts:

    "cf"  channels first, (N, C, ...): what nn.Conv2d, pooling and nn.BatchNorm2d take
    "cl"  channels (features) last, (N, ..., C): Keras's layout, what nn.Linear, nn.RNN and
          nn.Embedding take; an (N, F) tensor is "cl"
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    modules: tuple[str, ...] = ()
    forward: tuple[str, ...] = ()
    layout: str = "cl"
    params: tuple[tuple[str, tuple[int, ...]], ...] = ()     # state_dict key, shape (trainable)
    buffers: tuple[tuple[str, tuple[int, ...]], ...] = ()    # state_dict key, shape (not parameters)
    helpers: tuple[str, ...] = ()                             # helper classes (HELPERS) it uses
    note: str = ""                                            # a comment on its last line


def to_first(layer, layout: str) -> tuple[str, ...]:
    """The line that makes ``layer``'s channels-last input channels first (none if it is already)."""
    return ("x = x.movedim(-1, 1)",) if len(layer.input_shape) >= 2 and layout == "cl" else ()


def to_last(layer, layout: str) -> tuple[str, ...]:
    """The line that makes ``layer``'s channels-first input channels last (none if it is already)."""
    return ("x = x.movedim(1, -1)",) if len(layer.input_shape) >= 2 and layout == "cf" else ()
