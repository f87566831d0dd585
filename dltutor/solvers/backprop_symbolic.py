"""The symbolic side of ``solve backprop``: sympy differentiates the loss with
respect to every weight and bias directly, with no chain-rule bookkeeping of ours.

E is built as one sympy expression in the symbols of the weights, biases,
inputs and targets (the forward pass written out), ``E.diff(w)`` is taken for
every parameter, and the derivatives are evaluated at the numbers
(``evaluate``). This is independent of the matrix form
δ_K = (W_{K+1}ᵀ δ_{K+1}) ⊙ f'(net_K) used for the answer, so the two check each other.

The fully expanded derivative of a first-layer weight holds one copy of the
later layers for every path to the output, so its size grows like the product
of the later layers' widths. ``symbolic_cost`` measures that, and networks over
``SYMBOLIC_LIMIT`` skip this pass (about a second of sympy at the limit).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

SYMBOLIC_LIMIT = 100


@dataclass(frozen=True)
class SymbolicGradients:
    """∂E/∂W_K and ∂E/∂b_K from sympy (lists indexed by layer K−1), or why there are none."""

    grad_w: list[np.ndarray] | None
    grad_b: list[np.ndarray] | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.grad_w is not None


def symbolic_cost(sizes: list[int]) -> int:
    """Σ_K (weights and biases of layer K)·Π_{J>K} n_J for layer sizes n_0..n_L.

    The 2-2-2 network of the notes costs 6·2 + 6 = 18; a 4-4-4 network 100."""
    cost = 0
    for K in range(1, len(sizes)):
        cost += (sizes[K - 1] + 1) * sizes[K] * math.prod(sizes[K + 1:])
    return cost


@functools.cache
def _sympy_functions() -> dict:
    """sigmoid and relu as sympy functions with their derivatives written compactly.

    sigmoid' = σ(1 − σ) is the value of differentiating 1/(1 + exp(−z)), but the
    expression stays as small as the forward pass instead of growing a quotient
    rule at every layer. relu' is the unit step with relu'(0) = 0 (as PyTorch and
    Keras; sympy's Max would give Heaviside(0) = 1/2, and a Piecewise is many
    times slower to differentiate). ``evaluate`` computes them by name."""
    import sympy

    class sigmoid(sympy.Function):  # noqa: N801 - the name evaluate looks up
        def fdiff(self, argindex=1):
            return self * (1 - self)

    class relu_step(sympy.Function):  # noqa: N801
        def fdiff(self, argindex=1):
            return sympy.S.Zero

    class relu(sympy.Function):  # noqa: N801
        def fdiff(self, argindex=1):
            return relu_step(self.args[0])

    return {"sigmoid": sigmoid, "relu": relu}


def _float_sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


FLOAT_FUNCTIONS = {"sigmoid": _float_sigmoid, "relu": lambda z: z if z > 0 else 0.0,
                   "relu_step": lambda z: 1.0 if z > 0 else 0.0,
                   "exp": math.exp, "log": math.log, "tanh": math.tanh}


def evaluate(exprs: list, values: dict) -> list[float]:
    """The sympy expressions ``exprs`` at ``values`` (symbol → float), in floating point.

    Walks the expression graph once, remembering every subexpression's value, so
    the derivatives (which repeat the forward pass many times) cost about as
    much as their distinct parts. Faster than ``lambdify``, which generates and
    compiles code first, for a one-off evaluation."""
    memo = dict(values)

    def value(e) -> float:
        if e in memo:
            return memo[e]
        if e.is_Number:
            v = float(e)
        elif e.is_Add:
            v = math.fsum(value(a) for a in e.args)
        elif e.is_Mul:
            v = math.prod(value(a) for a in e.args)
        elif e.is_Pow:
            v = value(e.args[0]) ** value(e.args[1])
        else:
            v = FLOAT_FUNCTIONS[e.func.__name__](value(e.args[0]))
        memo[e] = v
        return v

    return [value(e) for e in exprs]


def _activate(name: str, z):
    """f applied to a column of sympy expressions (softmax only appears inside the cce loss)."""
    import sympy

    if name in ("sigmoid", "relu"):
        return z.applyfunc(_sympy_functions()[name])
    if name == "tanh":
        return z.applyfunc(sympy.tanh)
    return z


def _loss(name: str, t, o):
    """E from the targets and the outputs; for cce, ``o`` are the logits z of the softmax
    and log s_i = z_i − log Σ_j exp(z_j) is written out (the same function as log(exp(z_i)/Σ exp(z_j)),
    whose derivative sympy builds several times faster)."""
    import sympy

    n = len(t)
    if name == "half-mse":
        return sum(sympy.Rational(1, 2) * (ti - oi) ** 2 for ti, oi in zip(t, o))
    if name == "mse":
        return sum((ti - oi) ** 2 for ti, oi in zip(t, o)) / n
    log_total = sympy.log(sum(sympy.exp(z) for z in o))
    return -sum(ti * (zi - log_total) for ti, zi in zip(t, o))


def symbolic_gradients(net) -> SymbolicGradients:
    """∂E/∂w and ∂E/∂b for every parameter of ``net`` (a ``backprop.Network``)."""
    sizes = net.sizes
    cost = symbolic_cost(sizes)
    if cost > SYMBOLIC_LIMIT:
        return SymbolicGradients(None, None, f"the network is too large for the symbolic check (its expanded "
                                             f"derivatives cost {cost}, the limit is {SYMBOLIC_LIMIT})")
    import sympy

    xs = sympy.symbols(f"x1:{sizes[0] + 1}", real=True)
    ts = sympy.symbols(f"t1:{sizes[-1] + 1}", real=True)
    a = sympy.Matrix(xs)
    params, shapes = [], []
    for K, f in enumerate(net.activations, start=1):
        W = sympy.Matrix(sizes[K], sizes[K - 1], lambda i, j: sympy.Symbol(f"W{K}_{i + 1}_{j + 1}", real=True))
        b = sympy.Matrix(sizes[K], 1, lambda i, j: sympy.Symbol(f"b{K}_{i + 1}", real=True))
        params += list(W) + list(b)   # Matrix iterates row by row
        shapes.append((sizes[K], sizes[K - 1]))
        # a softmax output is kept as its logits: the cce loss takes the log-softmax of them
        a = W * a + b if f == "softmax" else _activate(f, W * a + b)
    E = _loss(net.loss, ts, list(a))
    grads = [E.diff(p) for p in params]
    numbers = [float(v) for W, b in zip(net.weights, net.biases) for v in (*W.ravel(), *b)]
    at = dict(zip(params + list(xs) + list(ts),
                  numbers + [float(v) for v in net.x] + [float(v) for v in net.target]))
    try:
        values = evaluate(grads, at)
    except (OverflowError, ValueError, ZeroDivisionError) as exc:
        return SymbolicGradients(None, None, f"sympy's formula could not be evaluated in floating point "
                                             f"({type(exc).__name__}): the net inputs are too large")
    grad_w, grad_b, pos = [], [], 0
    for rows, cols in shapes:
        grad_w.append(np.array(values[pos:pos + rows * cols], dtype=float).reshape(rows, cols))
        pos += rows * cols
        grad_b.append(np.array(values[pos:pos + rows], dtype=float))
        pos += rows
    return SymbolicGradients(grad_w, grad_b)
