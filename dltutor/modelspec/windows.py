"""Sliding windows: output size, padding split and dilation, in one place.

Every layer that slides a window (convolution, pooling) over an axis of ``n``
cells with a window of ``k`` taps, stride ``s``, dilation ``d`` and padding ``p``
follows one formula (CLI.md, "Conventions"):

    k′    = d·(k − 1) + 1                              the dilated window
    out   = floor((n + 2p − k′) / s) + 1               numeric padding p ("valid" is p = 0)
    out   = ceil(n / s)                                 "same" padding (Keras, TensorFlow)

For "same" the zeros added are ``total = max((out − 1)·s + k′ − n, 0)`` (k′ = d·(k − 1) + 1), split
``total // 2`` before and the rest after: the odd extra zero goes at the
bottom/right, as Keras does (PyTorch's ``padding='same'`` pads the same total).

A transposed convolution (Keras's Conv1DTranspose/Conv2DTranspose) spreads each of the n cells
over a window, (n − 1)·s + k′ cells in all, and cuts ``transposed_cuts`` from the ends:
``transposed_output_size``.

The calculator (``solvers/``), the model spec (``modelspec/rules.py``) and the
NumPy engine (``nn/windows.py``) all call these functions. This module stays
light: it is on the fast path of ``dltutor solve conv-output``.
"""

from __future__ import annotations

from dltutor import values
from dltutor.errors import InputError, did_you_mean
from dltutor.solution import Step, fill

OUTPUT_FORMULA = "out = floor((n + 2*p - d*(k - 1) - 1)/s) + 1"
SAME_FORMULA = "out = ceil(n/s)"
PADDING_HELP = "0, valid (= 0), same, or a whole number P of zeros on each side"


def parse_padding(text: str, what: str = "--padding") -> int | str:
    """``valid`` (= 0), ``same``, or a whole number of zeros on each side."""
    word = values.check_length(text, what).lower()
    if word in ("valid", "same"):
        return word
    if word.isalpha():          # a word that is not a padding: list the ones there are
        raise InputError(f"{what} {values.quote(text)} is not valid, same or a whole number of zeros "
                         f"on each side{did_you_mean(word, ('valid', 'same'))}")
    return values.parse_int(text, what, minimum=0)


def padding_label(padding: int | str) -> str:
    return padding if isinstance(padding, str) else str(padding)


def effective_kernel(k: int, d: int = 1) -> int:
    """The span of a window of ``k`` taps spaced ``d`` cells apart: d·(k − 1) + 1."""
    return d * (k - 1) + 1


def output_size(n: int, k: int, s: int = 1, padding: int | str = 0, d: int = 1) -> int:
    """Output length along one axis (no check that the window fits; see ``window_output``)."""
    if padding == "same":
        return -(-n // s)
    p = 0 if padding == "valid" else int(padding)
    return (n + 2 * p - effective_kernel(k, d)) // s + 1


def padding_split(n: int, k: int, s: int = 1, padding: int | str = 0, d: int = 1) -> tuple[int, int]:
    """Zeros (before, after) along one axis; for 'same' the odd one goes after (Keras)."""
    if padding == "same":
        out = -(-n // s)
        total = max((out - 1) * s + effective_kernel(k, d) - n, 0)
        return total // 2, total - total // 2
    p = 0 if padding == "valid" else int(padding)
    return p, p


def transposed_cuts(k: int, s: int = 1, padding: str = "valid", a: int | None = None,
                    d: int = 1) -> tuple[int, int]:
    """Keras's transposed convolution along one axis: the cells (before, after) it cuts from
    the full output, of length (n − 1)·s + k′ (every input cell spreading its k′ = d·(k − 1) + 1
    taps, s apart); a negative count is that many zeros added at that end instead.

        valid:  (0, −a)                 a = output_padding, or max(s − k′, 0) when it is None
        same:   total = k′ − s, or 2·⌊k′/2⌋ − a with output_padding a;
                before = max(⌊total/2⌋, 0), after = total − before

    (the odd cell is cut after, as a convolution's 'same' pads it after). Keras 3's
    ``compute_conv_transpose_output_crops_for_torch``; checked against Keras 3
    (tests/reference/record_transposed_keras.py)."""
    keff = effective_kernel(k, d)
    if padding == "valid":
        return 0, -(max(s - keff, 0) if a is None else a)
    total = keff - s if a is None else 2 * (keff // 2) - a
    before = max(total // 2, 0)
    return before, total - before


def transposed_output_size(n: int, k: int, s: int = 1, padding: str = "valid", a: int | None = None,
                           d: int = 1) -> int:
    """Keras's Conv1DTranspose/Conv2DTranspose output length along one axis (its
    ``deconv_output_length``): the full (n − 1)·s + k′ less the cells cut at both ends,
    n·s + max(k′ − s, 0) for 'valid' and n·s for 'same' without output_padding."""
    before, after = transposed_cuts(k, s, padding, a, d)
    return (n - 1) * s + effective_kernel(k, d) - before - after


def window_output(n: int, k: int, s: int = 1, padding: int | str = 0, d: int = 1, *,
                  dim: str = "", layer: str = "kernel") -> tuple[int, list[Step]]:
    """The output length of a window of size ``k`` sliding over ``n`` cells, with the steps.

    Raises InputError when the window does not fit the (padded) input."""
    where = f" ({dim})" if dim else ""
    steps: list[Step] = []
    k_eff = effective_kernel(k, d)
    if d > 1:
        steps.append(Step(f"Effective {layer} size{where}", "k_prime = d*(k - 1) + 1",
                          fill("{}*({} - 1) + 1", d, k), k_eff,
                          note=f"dilation {d} spreads the {layer} taps {d} cells apart"))
    if padding == "same":
        out = output_size(n, k, s, padding, d)
        steps.append(Step(f"Output size{where}, 'same' padding", SAME_FORMULA,
                          fill("ceil({}/{})", n, s), out))
        before, after = padding_split(n, k, s, padding, d)
        total = before + after
        note = ("no padding is needed" if total == 0 else
                f"{before} zero(s) before and {after} after" +
                (" (the extra one goes at the bottom/right, as in Keras)" if before != after else "") +
                f"; k_prime = d*(k - 1) + 1 = {k_eff} is the span of the kernel")
        steps.append(Step(f"Padding added{where}", "p_total = max((out - 1)*s + k_prime - n, 0)",
                          fill("max(({} - 1)*{} + {} - {}, 0)", out, s, k_eff, n), total, note=note))
        return out, steps

    p = 0 if padding == "valid" else int(padding)
    padded = n + 2 * p
    if k_eff > padded:
        # no start position fits: Keras and PyTorch reject this layer too
        eff = f" (effective size {k_eff} with dilation {d})" if d > 1 else ""
        detail = f"input {n} + 2·padding {p}" if p else f"input {n}, no padding"
        inside = f"the padded input {padded} ({dim + ': ' if dim else ''}{detail})"
        fix = f"use a smaller {layer}" + (" or more padding" if layer == "kernel" else "")
        raise InputError(f"{layer} {k}{eff} is larger than {inside}: "
                         f"no window position fits; {fix}")
    span = padded - k_eff
    out = output_size(n, k, s, p, d)
    note = ""
    if span % s:
        note = (f"{span} is not a multiple of the stride {s}: the division floors, so the last "
                f"{span % s} row(s)/column(s) of the input are never covered and are dropped")
    steps.append(Step(f"Output size{where}", OUTPUT_FORMULA,
                      fill("floor(({} + 2*{} - {}*({} - 1) - 1)/{}) + 1", n, p, d, k, s), out, note=note))
    return out, steps
