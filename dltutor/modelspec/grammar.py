"""The model-spec grammar: text -> one ``LayerCall`` per layer, nothing resolved yet.

    Input(28,28,1) -> Conv2D(6, 5, relu) -> MaxPooling2D(2) -> Flatten -> Dense(10, softmax)

Layers are separated by ``->`` (or ``→``) or newlines; ``#`` starts a comment;
a trailing ``,`` after a layer is dropped (layers pasted from a Python list).
A layer is ``Name`` or ``Name(arguments)``: positional values first, then
``key=value``. A value is a number (``0.5``, ``1/3``), ``True``/``False``/
``None``, a bare word (lower-cased: ``relu``, ``same``), a quoted text, or a
tuple ``(3, 3)``/``(784,)``. What the names and arguments mean is the layer
table's business (``dltutor.modelspec.layers``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dltutor import values
from dltutor.errors import InputError

MAX_LAYERS = 200
MAX_SPEC_TEXT = 65536    # characters of a model spec or model code read from a file (--file)


@dataclass(frozen=True)
class LayerCall:
    """One layer as written: ``Conv2D(6, 5, padding=same)``."""

    name: str                       # as written
    args: tuple                     # positional values
    kwargs: tuple[tuple[str, object], ...]
    text: str                       # the layer's text, whitespace folded
    position: int                   # 1-based


def quoted(value, limit: int = 60) -> str:
    """A user value quoted for an error message, shortened if long (a spec may be 8,000 characters)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"[: 3 + isinstance(value, str)]


def split_layers(text: str) -> list[str]:
    text = values.check_length(text, "model spec", MAX_SPEC_TEXT)
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
    # a trailing ',' is harmless: layers pasted from a Python list, one per line; commas between
    # layers on one line ("Input(3), Dense(5), Dense(2)") separate them like '->'
    parts = [q.strip() for p in parts for q in _top_level_commas(p)]
    return [p for p in parts if p]


def _top_level_commas(text: str) -> list[str]:
    """Split at the commas outside any brackets (a layer's own arguments are inside its parentheses)."""
    out, depth, current = [], 0, ""
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    return out


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


def _parse_value(text: str, where: str, depth: int = 0, position: int = 0):
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
        return tuple(_parse_value(p, where, depth + 1, position) for p in inner)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*\s*\(.*\)", text, re.S):
        # a layer as an argument: Bidirectional(GRU(16)), TimeDistributed(Dense(4))
        if depth >= MAX_NESTING:
            raise InputError(f"{where}: layers nested more than {MAX_NESTING} deep")
        return parse_layer(text, position, depth + 1)
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


def parse_layer(text: str, position: int, depth: int = 0) -> LayerCall:
    folded = " ".join(text.split())
    where = f"layer {position} {quoted(folded)}"
    m = re.fullmatch(r"([A-Za-z][A-Za-z0-9_]*)\s*(?:\((.*)\))?", text.strip(), re.S)
    if not m:
        raise InputError(f"{where} is not of the form Name or Name(arguments)")
    name, body = m.group(1), m.group(2)
    args, kwargs = [], []
    for part in _split_args(body or "", where):
        km = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)", part, re.S)
        if km:
            kwargs.append((km.group(1).lower(), _parse_value(km.group(2), where, depth, position)))
        else:
            if kwargs:
                raise InputError(f"{where}: positional argument {quoted(part)} after a keyword argument")
            args.append(_parse_value(part, where, depth, position))
    return LayerCall(name, tuple(args), tuple(kwargs), folded, position)


def parse_spec(text: str) -> list[LayerCall]:
    parts = split_layers(text)
    if not parts:
        raise InputError("the model spec is empty; e.g. Input(3) -> Dense(5) -> Dense(2)")
    if len(parts) > MAX_LAYERS:
        raise InputError(f"the model spec has {len(parts)} layers; the limit is {MAX_LAYERS}")
    return [parse_layer(p, i) for i, p in enumerate(parts, start=1)]
