"""The value grammar of the command line (CLI.md, "Value syntax").

User text is parsed by hand, token by token: never ``eval``, never ``sympify`` of
raw text. Every error is an :class:`InputError` whose message quotes the text
that was wrong. Sizes are capped so that no input can hang the program or
exhaust memory; the caps are named in the messages.

    scalar   0.5   -3   1/3   1e-3     (a Unicode minus −3 reads as -3)
    vector   1,2,3  or  (1, 2, 3)  or  [1, 2, 3]
    matrix   1,2,3;4,5,6        or  [[1,2,3],[4,5,6]]
    tensor   1,2;3,4 | 5,6;7,8  (channels, rows, cols)
    data     1,1:1; 1,-1:-1     (samples separated by ';', label after ':')
    size     28  or  28x32      (height x width); shape 32x32x3
"""

from __future__ import annotations

import itertools
import math
import re
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from dltutor.errors import InputError, did_you_mean

MAX_TEXT = 8000          # characters in one value
MAX_ELEMENTS = 4096      # numbers in one vector/matrix/tensor
MAX_SIZE = 100_000       # a spatial size, kernel, stride, padding or unit count
MAX_ABS = 1e12           # magnitude of one number
MAX_DIGITS = 300         # digits of one number
MAX_EXPONENT_DIGITS = 4  # digits of its exponent (1e-9999 .. 1e9999)

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
MINUS_SIGNS = str.maketrans(dict.fromkeys("\u2212\u2013\u2012\ufe63\uff0d", "-"))  # printed minus signs


def _show(text: str, limit: int = 40) -> str:
    """Quote user text for an error message, shortened if long."""
    text = text.strip()
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


quote = _show   # the public name, for other modules' error messages


def check_length(text: str, what: str, limit: int | None = None) -> str:
    if not isinstance(text, str):
        text = str(text)
    if len(text) > (limit or MAX_TEXT):
        raise InputError(f"{what} is {len(text):,} characters long; the limit is {limit or MAX_TEXT:,}")
    return text.strip()


def _tuple_brackets(text: str) -> str:
    """``(1, 2, 3)``, ``((1, 2), (3, 4))`` and ``(1, 0), (0, 1)`` (printed notation) as ``[...]`` lists."""
    depths = list(itertools.accumulate((ch == "(") - (ch == ")") for ch in text))
    listed = text.replace("(", "[").replace(")", "]")
    return text if text[:1] != "(" or text[-1:] != ")" else "[" + listed + "]" if 0 in depths[:-1] else listed


def parse_fraction(text: str, what: str = "number") -> Fraction:
    """An exact number: ``0.5``, ``-3``, ``1/3``, ``1e-3`` (also ``−3`` with a Unicode minus)."""
    text = check_length(text, what).translate(MINUS_SIGNS)
    if not text:
        raise InputError(f"{what} is empty")
    if text.count("/") == 1:
        num_text, den_text = (part.strip() for part in text.split("/"))
        num = parse_fraction(num_text, what)
        den = parse_fraction(den_text, what)
        if den == 0:
            raise InputError(f"{what} {_show(text)} divides by zero")
        return num / den
    if not _NUMBER.fullmatch(text):
        low = text.lower().lstrip("+-")
        if low in ("nan", "inf", "infinity"):
            raise InputError(f"{what} {_show(text)} is not a finite number")
        raise InputError(f"{what} {_show(text)} is not a number (examples: 0.5, -3, 1/3, 1e-3)")
    # Fraction() computes 10**exponent exactly: a long exponent (1e999999999) would hang,
    # and a long digit string exceeds Python's int-conversion limit. Both are bad input.
    mantissa, _, exponent = text.lower().partition("e")
    if len(exponent.lstrip("+-")) > MAX_EXPONENT_DIGITS:
        raise InputError(f"{what} {_show(text)} has an exponent out of range "
                         f"(the limit is {MAX_EXPONENT_DIGITS} exponent digits)")
    if len(mantissa.lstrip("+-").replace(".", "")) > MAX_DIGITS:
        raise InputError(f"{what} {_show(text)} has more than {MAX_DIGITS} digits; the limit is {MAX_DIGITS}")
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError, OverflowError):  # pragma: no cover - regex guards this
        raise InputError(f"{what} {_show(text)} is not a number") from None
    if abs(value) > MAX_ABS:
        raise InputError(f"{what} {_show(text)} is too large (the limit is {MAX_ABS:g} in magnitude)")
    return value


def parse_number(text: str, what: str = "number") -> float:
    """A finite float from the scalar grammar."""
    return float(parse_fraction(text, what))


def parse_int(text: str, what: str = "value", *, minimum: int | None = None,
              maximum: int = MAX_SIZE) -> int:
    """A whole number, with an optional lower bound and a cap."""
    value = parse_fraction(text, what)
    if value.denominator != 1:
        raise InputError(f"{what} must be a whole number, got {_show(str(text))}")
    n = int(value)
    if minimum is not None and n < minimum:
        if minimum == 1:
            raise InputError(f"{what} must be at least 1, got {n}")
        raise InputError(f"{what} must be at least {minimum}, got {n}")
    if n > maximum:
        raise InputError(f"{what} {n:,} is larger than the limit {maximum:,}")
    return n


def _split_row(row: str) -> list[str]:
    row = row.strip()
    if "," in row:
        return [tok.strip() for tok in row.split(",")]
    return row.split()


def _numbers(tokens: list[str], what: str, context: str) -> list[float]:
    out = []
    for tok in tokens:
        if not tok:
            raise InputError(f"{what} {_show(context)} has an empty entry (two commas in a row?)")
        out.append(parse_number(tok, what))
    return out


def _check_elements(count: int, what: str) -> None:
    if count > MAX_ELEMENTS:
        raise InputError(f"{what} has {count:,} numbers; the limit is {MAX_ELEMENTS:,}")


def parse_vector(text: str, what: str = "vector") -> np.ndarray:
    """``1,2,3`` (or ``[1,2,3]``, ``(1, 2, 3)``) as a 1-D float array."""
    text = _tuple_brackets(check_length(text, what))
    if text.startswith("["):
        arr = _parse_brackets(text, what)
        if arr.ndim != 1:
            raise InputError(f"{what} {_show(text)} must be a flat list of numbers")
        return arr
    if ";" in text or "|" in text:
        raise InputError(f"{what} {_show(text)} must be one row of numbers like 1,2,3 (no ';' or '|')")
    tokens = _split_row(text)
    if not tokens or tokens == [""]:
        raise InputError(f"{what} is empty")
    _check_elements(len(tokens), what)
    return np.array(_numbers(tokens, what, text), dtype=float)


def parse_matrix(text: str, what: str = "matrix") -> np.ndarray:
    """``1,2,3;4,5,6`` or ``[[1,2,3],[4,5,6]]`` as a 2-D float array.

    A single row (``1,2,3``) is a 1 x n matrix; ``((1,2),(3,4))`` is read like the brackets."""
    text = _tuple_brackets(check_length(text, what))
    if text.startswith("["):
        arr = _parse_brackets(text, what)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2:
            raise InputError(f"{what} {_show(text)} must be a list of rows, like [[1,2],[3,4]]")
        return arr
    if "|" in text:
        raise InputError(f"{what} {_show(text)} has '|', which separates channels; a matrix has one channel")
    if not text:
        raise InputError(f"{what} is empty")
    rows = [r for r in text.split(";")]
    if rows and rows[-1].strip() == "":
        rows = rows[:-1]  # a trailing ';' is harmless
    parsed = []
    for i, row in enumerate(rows, start=1):
        tokens = _split_row(row)
        if not tokens or tokens == [""]:
            raise InputError(f"{what} {_show(text)}: row {i} is empty")
        parsed.append(_numbers(tokens, what, row))
        _check_elements(sum(len(r) for r in parsed), what)
    widths = {len(r) for r in parsed}
    if len(widths) > 1:
        first = len(parsed[0])
        bad = next(i for i, r in enumerate(parsed, start=1) if len(r) != first)
        raise InputError(
            f"{what} {_show(text)} is ragged: row {bad} has {plural(len(parsed[bad - 1]), 'value')}, row 1 has {first}")
    return np.array(parsed, dtype=float)


def parse_tensor(text: str, what: str = "tensor") -> np.ndarray:
    """Channels separated by ``|``: ``1,2;3,4 | 5,6;7,8`` → shape (channels, rows, cols).

    A plain matrix is a tensor with one channel."""
    text = _tuple_brackets(check_length(text, what))
    if text.startswith("["):
        arr = _parse_brackets(text, what)
        if arr.ndim == 2:
            arr = arr[None]
        if arr.ndim != 3:
            raise InputError(f"{what} {_show(text)} must be channels of rows of numbers")
        return arr
    channels = [parse_matrix(part, what) for part in text.split("|")]
    shapes = {c.shape for c in channels}
    if len(shapes) > 1:
        first = channels[0].shape
        bad = next(i for i, c in enumerate(channels, start=1) if c.shape != first)
        raise InputError(
            f"{what}: channel {bad} is {channels[bad - 1].shape[0]}x{channels[bad - 1].shape[1]}, "
            f"channel 1 is {first[0]}x{first[1]}; all channels must have the same size")
    _check_elements(sum(c.size for c in channels), what)
    return np.stack(channels)


def _parse_brackets(text: str, what: str) -> np.ndarray:
    """Nested ``[...]`` lists of numbers, by a small recursive-descent parser."""
    pos = 0
    count = 0

    def skip() -> None:
        nonlocal pos
        while pos < len(text) and text[pos].isspace():
            pos += 1

    def parse_item(depth: int):
        nonlocal pos, count
        if depth > 3:
            raise InputError(f"{what} {_show(text)} is nested too deeply (at most 3 levels)")
        skip()
        if pos < len(text) and text[pos] == "[":
            pos += 1
            items = []
            skip()
            if pos < len(text) and text[pos] == "]":
                raise InputError(f"{what} {_show(text)} has an empty list")
            while True:
                items.append(parse_item(depth + 1))
                skip()
                if pos < len(text) and text[pos] == ",":
                    pos += 1
                    continue
                if pos < len(text) and text[pos] == "]":
                    pos += 1
                    return items
                raise InputError(f"{what} {_show(text)}: expected ',' or ']' at character {pos + 1}")
        start = pos
        while pos < len(text) and text[pos] not in ",[]" and not text[pos].isspace():
            pos += 1
        token = text[start:pos]
        if not token:
            raise InputError(f"{what} {_show(text)}: expected a number at character {pos + 1}")
        count += 1
        _check_elements(count, what)
        return parse_number(token, what)

    value = parse_item(0)
    skip()
    if pos != len(text):
        raise InputError(f"{what} {_show(text)}: unexpected text after the closing ']'")

    def shape_of(item) -> tuple:
        if isinstance(item, list):
            inner = {shape_of(x) for x in item}
            if len(inner) != 1:
                raise InputError(f"{what} {_show(text)} is ragged: its rows differ in length")
            return (len(item),) + inner.pop()
        return ()

    shape_of(value)
    return np.array(value, dtype=float)


class Dataset(NamedTuple):
    X: np.ndarray   # (samples, features)
    y: np.ndarray   # (samples,) or (samples, outputs)


def parse_dataset(text: str, what: str = "data") -> Dataset:
    """Labelled samples: ``1,1:1; 1,-1:-1; -1,1:-1; -1,-1:-1``."""
    text = check_length(text, what)
    samples = [s for s in text.split(";") if s.strip()]
    if not samples:
        raise InputError(f"{what} is empty; write samples like 1,1:1; 1,-1:-1")
    xs, ys = [], []
    for i, sample in enumerate(samples, start=1):
        if sample.count(":") != 1:
            raise InputError(
                f"{what}: sample {i} {_show(sample)} needs exactly one ':' before its label, like 1,-1:-1")
        features, label = sample.split(":")
        xs.append(parse_vector(features, f"{what} sample {i}"))
        ys.append(parse_vector(label, f"{what} label {i}"))
    widths = {len(x) for x in xs}
    if len(widths) > 1:
        bad = next(i for i, x in enumerate(xs, start=1) if len(x) != len(xs[0]))
        raise InputError(f"{what}: sample {bad} has {plural(len(xs[bad - 1]), 'feature')}, sample 1 has {len(xs[0])}")
    if len({len(y) for y in ys}) > 1:
        raise InputError(f"{what}: the labels differ in length")
    _check_elements(sum(len(x) for x in xs), what)
    y = np.array(ys, dtype=float)
    if y.shape[1] == 1:
        y = y[:, 0]
    return Dataset(np.array(xs, dtype=float), y)


class Size(NamedTuple):
    h: int
    w: int
    square: bool    # written as one number, answered as one number


def _size_parts(text: str, what: str) -> list[str]:
    return [p.strip() for p in re.split(r"\s*[x×X*]\s*", text.strip())]


def parse_size(text: str, what: str = "size", *, minimum: int = 1, maximum: int = MAX_SIZE) -> Size:
    """``28`` (square) or ``28x32`` (height x width)."""
    text = check_length(text, what)
    parts = _size_parts(text, what)
    if not all(re.fullmatch(r"[+-]?\d+(\.\d*)?", p) for p in parts):
        raise InputError(f"{what} {_show(text)} is not a size; write 28 (square) or 28x32 (height x width)")
    if len(parts) == 1:
        n = parse_int(parts[0], what, minimum=minimum, maximum=maximum)
        return Size(n, n, True)
    if len(parts) == 2:
        h = parse_int(parts[0], f"{what} height", minimum=minimum, maximum=maximum)
        w = parse_int(parts[1], f"{what} width", minimum=minimum, maximum=maximum)
        return Size(h, w, False)
    raise InputError(f"{what} {_show(text)} must be one number (28) or height x width (28x32)")


def parse_shape(text: str, what: str = "shape", *, dims: int | None = None,
                maximum: int = MAX_SIZE) -> tuple[int, ...]:
    """``32x32x3`` (H x W x C) or any number of positive sizes."""
    text = check_length(text, what)
    parts = [p for p in re.split(r"\s*[x×X*,]\s*", text.strip())]
    if dims is not None and len(parts) != dims:
        example = "x".join(["32", "32", "3"][:dims]) if dims <= 3 else "..."
        raise InputError(f"{what} {_show(text)} must have {dims} sizes, like {example}")
    return tuple(parse_int(p, what, minimum=1, maximum=maximum) for p in parts)


def parse_choice(text: str, choices: tuple[str, ...], what: str = "value") -> str:
    """One of a fixed set of words, case-insensitive."""
    key = check_length(text, what).lower().replace("_", "-")
    table = {c.lower().replace("_", "-"): c for c in choices}
    if key not in table:
        raise InputError(f"{what} {_show(text)} is not one of: {', '.join(choices)}{did_you_mean(key, choices)}")
    return table[key]


# ------------------------------------------------------------ write back

def format_number(x, digits: int | None = 6) -> str:
    """A number for people: ``digits`` significant digits, no trailing zeros.

    ``digits=None`` gives the shortest text that reads back exactly."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x)).lower()
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        x = float(x)
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    if digits is None:
        return repr(x)
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        return f"{mantissa}e{int(exp)}"
    return text


def format_value(value, digits: int | None = 6) -> str:
    """Numbers, vectors (``[1, 2]``), matrices (``[[1, 2], [3, 4]]``) for one line of text."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v, digits) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {format_value(v, digits)}" for k, v in value.items())
    if isinstance(value, (int, float, Fraction, np.integer, np.floating, np.bool_)):
        return format_number(value, digits)
    return str(value)


def math_number(x, digits: int | None = 6) -> str:
    """``format_number`` as a student reads it: a true minus sign (−0.0512, 1e−05), for
    computed values in feedback (what a student typed is quoted as typed)."""
    return format_number(x, digits).replace("-", "−")


def plural(count: float, word: str, words: str | None = None) -> str:
    """``1 column``, ``2 columns``, ``0.5 marks``: the count with its noun in the right number
    (``words`` for an irregular plural). Counts of 1,000 and more are grouped: ``1,024 values``."""
    shown = f"{count:,}" if isinstance(count, (int, np.integer)) else f"{count:g}"
    return f"{shown} " + (word if count == 1 else (words or word + "s"))
