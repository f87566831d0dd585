"""Activation functions and their derivatives, at given points.

    sigmoid 1/(1 + exp(-z))   tanh   relu max(0, z)   leaky_relu max(0.01*z, z)
    step 1 if z >= 0 else 0   sign 1 if z >= 0 else -1   linear z   elu   softplus
    softmax s_k = exp(z_k)/Σ_j exp(z_j), Jacobian ds_i/dz_j = s_i(δ_ij − s_j)

The derivative's formula is the textbook one (``DERIVATIVE_TEXT``, as sympy's ``diff`` of the
formula writes it: the tests hold the two together) and its values are the engine's vectorized
NumPy code (``dltutor.nn.activations``). ``--verify`` takes the derivative a second time,
symbolically (sympy's ``diff``, evaluated with mpmath), in a last check step valued the
largest difference between the two; sympy and mpmath are imported only then.
"""

from __future__ import annotations

import functools
import itertools
import re

import numpy as np

from dltutor.errors import InputError
from dltutor.nn import activations as acts
from dltutor.solution import Filled, Solution, Step, Table
from dltutor.solvers.neurons import arg, join_terms, shown_terms, substitute
from dltutor.solvers.registry import Option, choice, register, vector
from dltutor.values import format_number

# Activations outside the engine's table (the engine has no ELU or softplus
# layer); same Activation record, so the calculator treats them alike.
EXTRA_ACTIVATIONS = {
    "elu": acts.Activation("elu", lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
                           lambda z, y: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))),
                           "z if z > 0 else exp(z) - 1", "1 if z > 0 else exp(z)"),
    "softplus": acts.Activation("softplus", lambda z: np.logaddexp(0, z), lambda z, y: acts.sigmoid(z),
                                "log(1 + exp(z))", "sigmoid(z)"),
}
ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "step", "sign", "linear", "softmax",
                    "elu", "softplus")
MAX_SOFTMAX = 64            # the Jacobian is n x n
KINK_NOTES = {
    "relu": "at z = 0 the derivative is undefined (a corner); 0 is used there, as PyTorch and Keras do",
    "leaky_relu": "at z = 0 the derivative is undefined (a corner); 0.01 is used there, as PyTorch does",
    "step": "the jump at z = 0 has no derivative; elsewhere it is 0, so learning rules cannot use it",
    "sign": "the jump at z = 0 has no derivative; elsewhere it is 0, so learning rules cannot use it",
    "elu": "at z = 0 both sides give 1",
}


# dy/dz of each activation, written as sympy's diff of ``symbolic_expression`` writes it
# (tests/test_activation.py checks each against sympy), so that solving needs no sympy
DERIVATIVE_TEXT = {
    "sigmoid": "exp(-z)/(1 + exp(-z))**2",
    "tanh": "1 - tanh(z)**2",
    "relu": "1 if z > 0 else 0",
    "leaky_relu": "1 if z > 0 else 1/100",
    "step": "0",
    "sign": "0",
    "linear": "1",
    "elu": "1 if z > 0 else exp(z)",
    "softplus": "exp(z)/(exp(z) + 1)",
    "softmax": "∂s_i/∂z_i = exp(z_i)/(R_i + exp(z_i)) - exp(2*z_i)/(R_i + exp(z_i))**2, "
               "∂s_i/∂z_j = -exp(z_i)*exp(z_j)/(R_ij + exp(z_i) + exp(z_j))**2",
}
# what R_i and R_ij stand for in the softmax derivatives: the rest of the sum of exponentials
SOFTMAX_SPLIT = ("s_i = exp(z_i)/(exp(z_i) + R_i), R_i the sum of the exponentials of all scores but z_i",
                 "s_i = exp(z_i)/(exp(z_i) + exp(z_j) + R_ij) (i ≠ j), R_ij the sum of the exponentials of "
                 "all scores but z_i and z_j")


def get_activation(name: str) -> acts.Activation:
    return EXTRA_ACTIVATIONS[name] if name in EXTRA_ACTIVATIONS else acts.get(name)


def symbolic_expression(name: str):
    """The activation as a sympy expression in the real symbol ``z`` (elementwise ones)."""
    import sympy as sp

    z = sp.Symbol("z", real=True)
    table = {
        "linear": z,
        "sigmoid": 1 / (1 + sp.exp(-z)),
        "tanh": sp.tanh(z),
        # corners and jumps as Piecewise, so diff picks the branch the conventions use at 0
        "relu": sp.Piecewise((z, z > 0), (0, True)),
        "leaky_relu": sp.Piecewise((z, z > 0), (sp.Rational(1, 100) * z, True)),
        "step": sp.Piecewise((1, z >= 0), (0, True)),
        "sign": sp.Piecewise((1, z >= 0), (-1, True)),
        "elu": sp.Piecewise((z, z > 0), (sp.exp(z) - 1, True)),
        "softplus": sp.log(1 + sp.exp(z)),
    }
    return z, table[name]


def plain_text(expr) -> str:
    """sympy text, with Piecewise written as ``a if cond else b``."""
    import sympy as sp

    if isinstance(expr, sp.Piecewise):
        parts = [(str(e), c) for e, c in expr.args]
        text = parts[-1][0]
        for e, c in reversed(parts[:-1]):
            text = f"{e} if {c} else {text}"
        return text
    return str(expr)


@functools.lru_cache(maxsize=None)
def derived(name: str) -> tuple[tuple, str]:
    """sympy's derivative of activation ``name``: mpmath functions and the text.

    Elementwise: ((f,), "dy/dz text") with f(z). Softmax: ((f_same, f_other), text): the
    derivative of s_i = exp(z_i)/(exp(z_i) + R_i) by z_i, f_same(z_i, R_i), and of
    s_i = exp(z_i)/(exp(z_i) + exp(z_j) + R_ij) by z_j, f_other(z_i, z_j, R_ij) (``SOFTMAX_SPLIT``:
    R_i sums the exponentials of all scores but z_i, R_ij of all but z_i and z_j)."""
    import sympy as sp

    if name == "softmax":
        zi, zj = sp.symbols("z_i z_j", real=True)
        rest_i, rest_ij = sp.Symbol("R_i", positive=True), sp.Symbol("R_ij", positive=True)
        d_same = sp.diff(sp.exp(zi) / (sp.exp(zi) + rest_i), zi)
        d_other = sp.diff(sp.exp(zi) / (sp.exp(zi) + sp.exp(zj) + rest_ij), zj)
        return ((sp.lambdify((zi, rest_i), d_same, modules="mpmath"),
                 sp.lambdify((zi, zj, rest_ij), d_other, modules="mpmath")),
                f"∂s_i/∂z_i = {d_same}, ∂s_i/∂z_j = {d_other}")
    sym, expr = symbolic_expression(name)
    d = sp.diff(expr, sym)
    return (sp.lambdify(sym, d, modules="mpmath"),), plain_text(d)


def symbolic_derivative(name: str, z: np.ndarray) -> tuple[np.ndarray, str]:
    """dy/dz by sympy's diff of the formula, evaluated in high precision (mpmath).

    Elementwise functions: a vector like ``z``. Softmax: the n x n Jacobian.
    Returns the values and the derivative's text."""
    import mpmath

    funcs, text = derived(name)
    if name != "softmax":
        return np.array([float(funcs[0](mpmath.mpf(float(v)))) for v in z]), text
    f_same, f_other = funcs
    e = [mpmath.exp(mpmath.mpf(float(v))) for v in z]
    total = mpmath.fsum(e)
    n = len(z)
    jac = np.empty((n, n))
    for i, j in itertools.product(range(n), repeat=2):
        if i == j:
            jac[i, j] = float(f_same(mpmath.mpf(float(z[i])), total - e[i]))
        else:
            jac[i, j] = float(f_other(mpmath.mpf(float(z[i])), mpmath.mpf(float(z[j])), total - e[i] - e[j]))
    return jac, text


def numeric_derivative(name: str, z: np.ndarray) -> np.ndarray:
    """dy/dz by the engine's vectorized NumPy code (softmax: the Jacobian)."""
    if name == "softmax":
        return acts.softmax_jacobian(z)
    act = get_activation(name)
    return np.asarray(act.derivative(z, act.forward(z)), dtype=float)


def check_step(symbolic: np.ndarray, numeric: np.ndarray, what: str) -> Step:
    """``--verify``: its own step, valued the largest difference between sympy's derivative
    (``what``: "derivative" or "Jacobian") and the NumPy engine's, as backprop's check step."""
    gap = float(np.max(np.abs(symbolic - numeric))) if symbolic.size else 0.0
    agree = np.allclose(symbolic, numeric, rtol=1e-9, atol=1e-12)
    return Step(f"Check: sympy's {what} and the NumPy engine's", "", "", gap,
                note=("sympy differentiated the formula itself and evaluated it in high precision; "
                      + ("the two agree to this difference" if agree else
                         "WARNING: they differ by this much")))


def _piecewise_words(formula: str) -> str:
    """``a if c else b`` as read in a sentence: "a if c, b otherwise" (≥ and ≤ as signs)."""
    out = re.sub(r" if (.+?) else ", r" if \1, ", formula)
    if out != formula:
        out += " otherwise"
    return out.replace(">=", "≥").replace("<=", "≤")


def derivative_note(fn: str, act: acts.Activation, d_text: str) -> str:
    """How the derivative comes: differentiating y = f(z) gives dy/dz, and the course's form of it
    (sigmoid: σ(z)·(1 − σ(z))) where that reads differently; the corner or jump at 0."""
    note = f"differentiating y = {_piecewise_words(act.formula)} gives {_piecewise_words(d_text)}"
    simpler = act.derivative_formula
    if " if " not in d_text and not simpler.startswith(d_text):
        note += f", that is {simpler}"
    return note + ("; " + KINK_NOTES[fn] if fn in KINK_NOTES else "")


@register(
    "activation", topic="activations",
    summary="an activation function and its derivative at given points",
    options=[
        Option("fn", choice(*ACTIVATION_NAMES), "the function: " + ", ".join(ACTIVATION_NAMES),
               required=True, metavar="NAME", choices=ACTIVATION_NAMES),
        Option("z", vector, "the inputs z (softmax: one vector of scores)", required=True, metavar="VEC"),
        Option("verify", flag=True, help="a last step: how far sympy's derivative of the formula "
               "agrees with the NumPy engine's"),
    ],
    examples=["--fn sigmoid --z -2,0,1.1", "--fn softmax --z 1,2,3", "--fn leaky_relu --z -1,0,2"],
)
def activation(fn: str, z: np.ndarray, verify: bool = False) -> Solution:
    """y = f(z) and its derivative dy/dz (softmax: the Jacobian ∂s_i/∂z_j = s_i·(δ_ij − s_j)).

    The derivative's values are NumPy's; with --verify sympy takes it again and a last step
    says how far the two agree."""
    inputs = {"fn": fn, "z": z.tolist()}
    if fn == "softmax":
        return _softmax(z, inputs, verify)
    act = get_activation(fn)
    y = np.asarray(act.forward(z), dtype=float)
    dy = numeric_derivative(fn, z)
    d_text = DERIVATIVE_TEXT[fn]
    one = len(z) == 1
    shown_z = float(z[0]) if one else z
    note = derivative_note(fn, act, d_text)
    table = None if one else Table(("z", "y", "dy/dz"), tuple(zip(z.tolist(), y.tolist(), dy.tolist())))
    steps = (
        Step(f"{fn.replace('_', ' ')}(z)", f"y = {act.formula}", _numbers_in(act.formula, shown_z), y.tolist()),
        Step("Derivative", f"dy/dz = {d_text}", _numbers_in(d_text, shown_z), dy.tolist(),
             note=note, table=table),
    )
    if verify:      # the derivative a second time, by sympy: a last step on how far the two agree
        steps += (check_step(symbolic_derivative(fn, z)[0], dy, "derivative"),)
    return Solution("activation", inputs, {"y": y.tolist(), "dy": dy.tolist()}, steps)


def _numbers_in(formula: str, z) -> Filled | str:
    """The formula with z put in: one number, or a whole vector where that reads well
    (not in a condition, ``[-1, 2] > 0``: the table shows those element by element)."""
    if not re.search(r"\bz\b", formula) or (np.ndim(z) and " if " in formula):
        return ""
    return substitute(formula, z)


def _softmax(z: np.ndarray, inputs: dict, verify: bool = False) -> Solution:
    if len(z) > MAX_SOFTMAX:
        raise InputError(f"--z has {len(z)} values; softmax is limited to {MAX_SOFTMAX} "
                         f"(its Jacobian has n x n entries)")
    s = acts.softmax(z)
    jac = numeric_derivative("softmax", z)
    d_text = DERIVATIVE_TEXT["softmax"]
    n = len(z)
    idx = shown_terms(n)
    denominator = join_terms([f"exp({arg(z[i])})" for i in idx], n)
    sub = Filled("exp({})/(" + denominator + ")", (z, *(z[i] for i in idx)))
    shift = ("" if np.max(z) == 0 else
             f"; subtracting max(z) = {format_number(float(np.max(z)))} from every z first gives "
             f"the same s and avoids overflow")
    same, other = d_text.split(", ∂s_i/∂z_j = ")
    note = (f"writing {SOFTMAX_SPLIT[0]}, gives {same}; writing {SOFTMAX_SPLIT[1]}, gives "
            f"∂s_i/∂z_j = {other}. These simplify to s_i*(1 - s_i) and -s_i*s_j: the matrix "
            f"diag(s) - s*s^T. Each row sums to 0 because the s_k always sum to 1")
    steps = (
        Step("Softmax", "s_k = exp(z_k)/Sum(exp(z_j), (j, 1, n))", sub, s.tolist(),
             note=f"the outputs sum to 1{shift}"),
        Step("Jacobian", "ds_i/dz_j = s_i*(KroneckerDelta(i, j) - s_j)", "", jac.tolist(), note=note),
    )
    if verify:
        steps += (check_step(symbolic_derivative("softmax", z)[0], jac, "Jacobian"),)
    return Solution("activation", inputs, {"y": s.tolist(), "dy": jac.tolist()}, steps)
