"""Formulas a prompt prints, taken from the code that computes the key (one source for both).

A family names them in its ``formulas`` table (``rule = "optimizer:rmsprop"``); the text
is made from the engine's own rules (``dltutor.nn.optimizers``: each class's ``rules``,
which the optimizer solver also writes out step by step) and the activations' formulas
(``dltutor.nn.activations``), so the prompt cannot say √s + ε while the key computes
√(s + ε). ``pretty_rule`` turns sympy-syntax rule text into what a prompt prints.
"""

from __future__ import annotations

import re

_GREEK = (("alpha_t", "α_t"), ("beta1", "β1"), ("beta2", "β2"), ("beta", "β"), ("rho", "ρ"), ("eps", "ε"))


def pretty_rule(rule: str) -> str:
    """``w = w - lr*g/sqrt(s + eps)`` → ``w ← w − lr·g/√(s + ε)``: an engine rule as a prompt prints it."""
    lhs, rhs = (side.strip() for side in rule.split("=", 1))
    text = re.sub(r"sqrt\(([A-Za-z_]\w*)\)", r"√\1", rhs)
    text = text.replace("sqrt(", "√(").replace("**2", "²")
    text = re.sub(r"\*\*(\w+)", r"^\1", text)
    for name, sign in _GREEK:
        text = re.sub(rf"\b{name}\b", sign, text)
        lhs = re.sub(rf"\b{name}\b", sign, lhs)
    return f"{lhs} ← " + text.replace(" - ", " − ").replace("*", "·")


def _optimizer_rules(method: str) -> str:
    from dltutor.nn.optimizers import OPTIMIZERS

    return ", ".join(pretty_rule(r) for r in OPTIMIZERS[method].rules)


def pretty_math(text: str) -> str:
    """``max(0.01*z, z)`` → ``max(0.01·z, z)``; ``z >= 0`` → ``z ≥ 0``: engine formula text as prompts print it."""
    return (text.replace(">=", "≥").replace("<=", "≤").replace("**2", "²").replace("*", "·")
            .replace(" - ", " − ").replace("(-", "(−"))


def _activations(which: str) -> dict[str, str]:
    from dltutor.nn.activations import ACTIVATIONS

    if which == "value":
        return {n: f"f(z) = {pretty_math(a.formula)}" for n, a in ACTIVATIONS.items()}
    return {n: f"f'(z) = {pretty_math(a.derivative_formula)}" for n, a in ACTIVATIONS.items()}


# Where a prompt's formula comes from: the code that computes the key, so the two cannot differ.
# An optimizer source is one text; an activation source is a table by activation name
# (a prompt writes {define[act]}).
FORMULA_SOURCES = {f"optimizer:{m}": (lambda m=m: _optimizer_rules(m))
                   for m in ("sgd", "momentum", "nesterov", "rmsprop", "adam")}
FORMULA_SOURCES["activations"] = lambda: _activations("value")
FORMULA_SOURCES["activation-derivatives"] = lambda: _activations("derivative")


def formula_text(ref: str):
    """The text (or table of texts) of ``ref``, one of ``FORMULA_SOURCES``; KeyError otherwise."""
    return FORMULA_SOURCES[ref]()
