"""Transformer arithmetic: scaled dot-product attention and the sinusoidal positional encoding.

    scores  = Q·Kᵀ/√d_k                      Q (n_q, d_k), K (n_k, d_k)
    weights = softmax(scores) along each row  (masked entries −∞ before the softmax → weight 0)
    output  = weights·V                       V (n_k, d_v) → output (n_q, d_v)

    PE(pos, 2i)   = sin(pos/10000^(2i/d))
    PE(pos, 2i+1) = cos(pos/10000^(2i/d))     (Vaswani et al. 2017, "Attention is all you need",
                                               section 3.5: sines and cosines interleaved)

The mask convention is Keras's ``attention_mask`` and PyTorch's boolean
``attn_mask``: 1 (True) = the query may attend to that key, 0 = it may not.
Values are checked against PyTorch's ``scaled_dot_product_attention`` and the
PyTorch tutorial's ``PositionalEncoding`` (tests/reference/record_breadth.py).
"""

from __future__ import annotations

import math

import numpy as np

from dltutor.errors import InputError
from dltutor.solution import Filled, Solution, Step
from dltutor.solvers.neurons import arg, join_terms, shown_terms
from dltutor.solvers.registry import Option, integer, matrix, register
from dltutor.values import format_number
from dltutor.values import plural

MAX_D = 4096   # size of one positional encoding


def _softmax_rows(scores: np.ndarray, keep: np.ndarray) -> np.ndarray:
    masked = np.where(keep, scores, -np.inf)
    top = masked.max(axis=1, keepdims=True)
    e = np.where(keep, np.exp(masked - top), 0.0)
    return e / e.sum(axis=1, keepdims=True)


@register(
    "attention", topic="transformers",
    summary="scaled dot-product attention: scores, softmax weights and output (optional mask)",
    options=[
        Option("q", matrix, "queries Q: one row per query, d_k columns", required=True, metavar="MAT"),
        Option("k", matrix, "keys K: one row per key, d_k columns", required=True, metavar="MAT"),
        Option("v", matrix, "values V: one row per key, d_v columns", required=True, metavar="MAT"),
        Option("mask", matrix, "1 = query i may attend to key j, 0 = not (n_q rows, n_k columns)",
               metavar="MAT"),
    ],
    examples=['--q "1,0;0,1" --k "1,0;0,1;1,1" --v "1,2;3,4;5,6"',
              '--q "1,0;0,1" --k "1,0;0,1" --v "1,2;3,4" --mask "1,0;1,1"'],
)
def attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None) -> Solution:
    """Scaled dot-product attention of queries Q (n_q, d_k) over keys K (n_k, d_k) and values
    V (n_k, d_v): softmax(Q·Kᵀ/√d_k)·V, with an optional 0/1 mask (n_q, n_k)."""
    n_q, d_k = q.shape
    n_k = k.shape[0]
    if k.shape[1] != d_k:
        raise InputError(f"--k has {plural(k.shape[1], 'column')} but --q has {d_k}: queries and keys must have "
                         f"the same size d_k to be multiplied")
    if v.shape[0] != n_k:
        raise InputError(f"--v has {plural(v.shape[0], 'row')} but --k has {n_k}: give one value row per key")
    if mask is None:
        keep = np.ones((n_q, n_k), dtype=bool)
    else:
        if mask.shape != (n_q, n_k):
            raise InputError(f"--mask is {mask.shape[0]}x{mask.shape[1]} but must be {n_q}x{n_k} "
                             f"(one row per query, one column per key)")
        bad = np.argwhere((mask != 0) & (mask != 1))
        if bad.size:
            i, j = bad[0]
            raise InputError(f"--mask value {format_number(float(mask[i, j]))} (row {i + 1}, column {j + 1}) "
                             f"is not 0 or 1")
        keep = mask == 1
        empty = np.flatnonzero(~keep.any(axis=1))
        if empty.size:
            raise InputError(f"--mask row {int(empty[0]) + 1} is all 0: query {int(empty[0]) + 1} may attend "
                             f"to no key, and its softmax is 0/0")
    scale = math.sqrt(d_k)
    raw = q @ k.T
    scores = raw / scale
    weights = _softmax_rows(scores, keep)
    out = weights @ v + 0.0
    idx = shown_terms(d_k)
    dot_text = join_terms([arg(q[0, c]) + "*" + arg(k[0, c]) for c in idx], d_k)
    dot_nums = tuple(x for c in idx for x in (q[0, c], k[0, c]))
    kept0 = np.flatnonzero(keep[0])
    soft_idx = kept0 if len(kept0) <= 8 else kept0[:8]
    soft_text = "exp({})/(" + " + ".join("exp({})" for _ in soft_idx) + (" + ..." if len(kept0) > 8 else "") + ")"
    w_idx = shown_terms(n_k)
    out_text = join_terms([arg(weights[0, j]) + "*" + arg(v[j, 0]) for j in w_idx], n_k)
    steps = [
        Step("Scaled scores", "scores = Q*K^T/sqrt(d_k)",
             Filled("scores[1,1] = (" + dot_text + ")/sqrt({})", (*dot_nums, d_k)), scores.tolist(),
             note=f"one score per query (row) and key (column); dividing by sqrt(d_k) = {format_number(scale)} "
                  f"keeps the softmax from saturating when d_k is large"),
    ]
    if mask is not None:
        masked = np.where(keep, scores, -np.inf)
        steps.append(Step("Mask", "scores_ij = -oo where mask_ij = 0", "",
                          [[float(x) if math.isfinite(x) else "-inf" for x in row] for row in masked],
                          note="exp(-oo) = 0: a masked key gets weight 0"))
    steps += [
        Step("Attention weights", "weights_ij = exp(scores_ij)/Sum(exp(scores_il), (l, 1, n_k))",
             Filled("weights[1,1] = " + soft_text, (scores[0, 0], *[scores[0, j] for j in soft_idx]))
             if keep[0, 0] else "weights[1,1] = 0 (masked)",
             weights.tolist(), note="each row sums to 1"),
        Step("Output", "output = weights*V",
             Filled("output[1,1] = " + out_text, tuple(x for j in w_idx for x in (weights[0, j], v[j, 0]))),
             out.tolist(), note=f"each output row is a weighted average of the rows of V, shape ({n_q}, {v.shape[1]})"),
    ]
    inputs = {"q": q.tolist(), "k": k.tolist(), "v": v.tolist()}
    if mask is not None:
        inputs["mask"] = mask.tolist()
    answer = {"scores": scores.tolist(), "weights": weights.tolist(), "output": out.tolist()}
    return Solution("attention", inputs, answer, tuple(steps))


# ------------------------------------------------------- positional encoding

@register(
    "positional-encoding", topic="transformers",
    summary="the sinusoidal positional encoding of one position (sin and cos interleaved)",
    options=[
        Option("pos", integer(minimum=0), "the position (0 = first token)", required=True, metavar="P"),
        Option("d", integer(minimum=1, maximum=MAX_D), "the model size d (length of the encoding)",
               required=True, metavar="D"),
    ],
    examples=["--pos 1 --d 4", "--pos 3 --d 8"],
)
def positional_encoding(pos: int, d: int) -> Solution:
    """The encoding of position pos as a vector of d numbers in [−1, 1]:
    PE(pos, 2i) = sin(pos/10000^(2i/d)), PE(pos, 2i+1) = cos(pos/10000^(2i/d))."""
    i = np.arange(d) // 2
    angles = pos / np.power(10000.0, 2 * i / d)
    pe = np.where(np.arange(d) % 2 == 0, np.sin(angles), np.cos(angles))
    rows = [(2 * j, 2 * j + 1) for j in range((d + 1) // 2)]
    shown = shown_terms(len(rows))
    text = join_terms([("sin({}/10000**({}/{}))" + (", cos({}/10000**({}/{}))" if r[1] < d else ""))
                       for r in (rows[s] for s in shown)], len(rows), ", ")
    nums = tuple(v for s in shown for v in ((pos, 2 * s, d) + ((pos, 2 * s, d) if rows[s][1] < d else ())))
    steps = (
        Step("Frequencies", "angle_i = pos/10000**(2*i/d)",
             Filled("pos = {}, d = {}", (pos, d)), angles[::2].tolist(),
             note="one angle per pair of places 2i, 2i + 1; the first pair turns fastest (one radian per "
                  "position), the last slowest"),
        Step("Encoding", "PE(pos, 2*i) = sin(angle_i), PE(pos, 2*i + 1) = cos(angle_i)",
             Filled("[" + text + "]", nums), pe.tolist(),
             note="sines at the even places, cosines at the odd ones, as in the Transformer paper"),
    )
    return Solution("positional-encoding", {"pos": pos, "d": d}, {"pe": pe.tolist()}, steps)
