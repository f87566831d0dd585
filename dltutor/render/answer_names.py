"""What the quantities of an answer are called on paper: a JSON key as a mathematical name.

The keys of ``Solution.answer`` are the stable names of the JSON output (CLI.md):
``grad_w1``, ``h_tilde``, ``non_trainable``. A reader sees them in the notation of
the lessons and the steps: ``grad_w1`` → ∂E/∂W⁽¹⁾, ``h_tilde`` → h̃, ``var`` → σ². A
name is formula text for ``render/formula*.py`` (``"dE/dW^(1)"``), or words (``"receptive
field"``) when the quantity has no symbol.
"""

from __future__ import annotations

import re

# (kind, key) first, then the key alone
_BY_KIND = {
    ("backprop", "hidden"): "h", ("backprop", "output"): "o", ("backprop", "loss"): "E",
    ("bptt", "loss"): "L", ("bptt", "delta"): "delta", ("loss", "loss"): "L",
    ("activation", "y"): "y", ("activation", "dy"): "dy/dz",      # as the steps write them
    ("attention", "weights"): "A", ("attention", "output"): "A*V",
}
_BY_KEY = {
    "mean": "mu", "var": "sigma**2", "threshold": "theta", "weights": "w",
    "dwx": "dL/dW_x", "dwh": "dL/dW_h", "db": "dL/db", "mse": "MSE", "rmse": "RMSE", "mae": "MAE",
    "r2": "R**2", "f1": "F1", "pe": "PE", "auc": "AUC", "scores": "Q*K^T/sqrt(d_k)",
}
WORDS = {"receptive_field": "receptive field", "non_trainable": "non-trainable", "converged": "converged",
         "output_shape": "output shape", "truth_table": "truth table"}


def layer_parameter(key: str) -> str:
    """``w2`` → ``W^(2)`` (W⁽²⁾, the weight matrix of layer 2), ``b2`` → ``b^(2)``: the layer index
    as a parenthesised superscript, as backpropagation writes it (w^(2)_11 is an entry of W^(2))."""
    letter, layer = key[0], key[1:]
    return f"{'W' if letter == 'w' else 'b'}^({layer})"


def answer_name(key: str, kind: str = "") -> tuple[str, bool]:
    """(formula text, True) or (words, False) for an answer's key."""
    key = str(key)
    if (kind, key) in _BY_KIND:
        return _BY_KIND[kind, key], True
    if key in _BY_KEY:
        return _BY_KEY[key], True
    m = re.fullmatch(r"grad_([wb]\d+)", key)
    if m:                                               # backprop: ∂E/∂W⁽¹⁾, ∂E/∂b⁽¹⁾
        return f"dE/d{layer_parameter(m.group(1))}", True
    if kind == "backprop" and re.fullmatch(r"[wb]\d+", key):    # the updated weights and biases
        return f"{layer_parameter(key)}_new", True
    m = re.fullmatch(r"hidden(\d+)", key)
    if kind == "backprop" and m:                        # a deeper network's hidden layer: h⁽¹⁾, h⁽²⁾
        return f"h^({m.group(1)})", True
    if key in WORDS:
        return WORDS[key], False
    if re.fullmatch(r"[a-z]{3,}(?:_[a-z]{2,})+", key):   # words joined by underscores
        return key.replace("_", " "), False
    return key, True


def per_layer(answer, kind: str = ""):
    """The answer with a deeper network's hidden outputs (backprop's ``hidden``: one list per hidden
    layer) as one entry per layer, ``hidden1``, ``hidden2`` (h⁽¹⁾, h⁽²⁾), so that no layer reads as a
    row of a matrix; any other answer as it is."""
    hidden = answer.get("hidden") if kind == "backprop" and isinstance(answer, dict) else None
    if not (isinstance(hidden, list) and hidden and isinstance(hidden[0], list)):
        return answer
    out = {}
    for key, value in answer.items():
        out.update({f"hidden{n}": layer for n, layer in enumerate(value, start=1)} if key == "hidden"
                   else {key: value})
    return out
