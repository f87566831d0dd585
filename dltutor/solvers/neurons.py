"""One neuron at a time: the weighted sum and its activation, and the
McCulloch-Pitts threshold unit.

    z = w·x + b = w1*x1 + ... + wn*xn + b          y = f(z)
    MP neuron:  y = 1 if Σ w_i x_i >= θ else 0

The numbers come from the engine (``dltutor.nn.activations``) so that the
calculator and ``dltutor train`` agree. The helpers that write a sum out term
by term are shared with ``activation``, ``loss`` and ``learning``.
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np

from dltutor.errors import InputError
from dltutor.nn import activations as acts
from dltutor.solution import Filled, Solution, Step, Table
from dltutor.solvers.registry import Option, choice, integer, number, register, vector
from dltutor.values import plural

# A sum written out term by term stays readable up to this many terms; longer
# ones show the first few, "...", and the last.
MAX_TERMS = 8


# ------------------------------------------------------------ shared working

def arg(value: float) -> str:
    """A template slot for a number that may be negative: ``(-1)*2`` reads better than ``-1*2``."""
    return "({})" if value < 0 else "{}"


def shown_terms(n: int) -> list[int]:
    """Indices of the terms written out (all of them, or the first three and the last)."""
    return list(range(n)) if n <= MAX_TERMS else [0, 1, 2, n - 1]


def join_terms(pieces: list[str], n: int, sep: str = " + ") -> str:
    """Join written-out terms, with ``...`` where terms were left out."""
    if n <= MAX_TERMS:
        return sep.join(pieces)
    return sep.join(pieces[:3]) + sep + "..." + sep + pieces[-1]


def check_lengths(a: np.ndarray, a_name: str, b: np.ndarray, b_name: str, why: str) -> None:
    """Two vectors that must pair up element by element."""
    if len(a) != len(b):
        raise InputError(f"{a_name} has {plural(len(a), 'value')} but {b_name} has {len(b)}: {why}")


def dot(w: np.ndarray, x: np.ndarray, b: float = 0.0) -> float:
    """w·x + b, with round-off noise snapped to 0.

    0.2*1 + (-0.3)*1 + 0.1 is 2.8e-17 in binary floating point, not 0: a student
    should see 0, and step(z) must see z = 0 (where it outputs 1), not a tiny
    negative number."""
    terms = [float(a) * float(c) for a, c in zip(w, x)] + [float(b)]
    total = math.fsum(terms)
    return 0.0 if abs(total) <= 1e-12 * math.fsum(abs(t) for t in terms) else total


def weighted_sum(x: np.ndarray, w: np.ndarray, b: float, *, products: bool = True,
                 name: str = "z") -> tuple[float, str, Filled]:
    """z = Σ w_i x_i + b with its general formula and the sum written out term by term
    (and, with ``products``, the products added up as in the notes).

    ``x`` and ``w`` are 1-D of the same length n."""
    n = len(x)
    z = dot(w, x, b)
    idx = shown_terms(n)
    if n <= MAX_TERMS:
        formula = f"{name} = " + " + ".join(f"w{i + 1}*x{i + 1}" for i in range(n)) + " + b"
    else:
        formula = f"{name} = Sum(w_i*x_i, (i, 1, {n})) + b"
    written = join_terms([arg(w[i]) + "*" + arg(x[i]) for i in idx], n)
    values: list = [v for i in idx for v in (w[i], x[i])] + [b]
    template = written + " + " + arg(b)
    if products and 1 < n <= MAX_TERMS:
        # the products themselves, as in the notes: 0.5*1 + (-1)*2 = 0.5 + (-2)
        prods = [float(w[i] * x[i]) for i in idx]
        template += " = " + " + ".join(arg(p) for p in prods) + " + " + arg(b)
        values += prods + [b]
    return z, formula, Filled(template, tuple(values))


def substitute(formula: str, z) -> Filled:
    """The formula of an activation (text in ``z``) with the number(s) put in."""
    slot = arg(z) if np.ndim(z) == 0 else "{}"
    template, count = re.subn(r"\bz\b", lambda _: slot, formula.replace("{", "{{").replace("}", "}}"))
    return Filled(template, (z,) * count)


# ------------------------------------------------------------------ neuron

NEURON_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "step", "sign", "linear")


@register(
    "neuron", topic="neurons",
    summary="output of one neuron: weighted sum and activation",
    options=[
        Option("x", vector, "inputs x1,...,xn", required=True, metavar="VEC"),
        Option("w", vector, "weights w1,...,wn (one per input)", required=True, metavar="VEC"),
        Option("b", number, "bias b", default="0", metavar="B"),
        Option("activation", choice(*NEURON_ACTIVATIONS), "activation function f", default="sigmoid",
               metavar="NAME", choices=NEURON_ACTIVATIONS),
    ],
    examples=["--x 1,2,3 --w 0.5,-1,0.8 --b 0.2 --activation sigmoid",
              "--x 0,1 --w 20,20 --b -10 --activation sigmoid"],
)
def neuron(x: np.ndarray, w: np.ndarray, b: float = 0.0, activation: str = "sigmoid") -> Solution:
    """z = w·x + b (the weighted sum), then y = f(z)."""
    check_lengths(w, "--w", x, "--x", "give one weight per input")
    z, formula, sub = weighted_sum(x, w, b)
    act = acts.get(activation)
    y = float(act.forward(np.array([z]))[0])
    steps = (
        Step("Weighted sum", formula, sub, z),
        Step(f"Activation ({activation})", f"y = {act.formula}", substitute(act.formula, z), y),
    )
    inputs = {"x": x.tolist(), "w": w.tolist(), "b": b, "activation": activation}
    return Solution("neuron", inputs, {"z": z, "y": y}, steps)


# --------------------------------------------------------------- mp-neuron

GATES = ("AND", "OR", "NOT", "NAND", "NOR")
MAX_MP_INPUTS = 10          # 2**10 truth-table rows


def gate_design(gate: str, n: int) -> tuple[list[int], int, Step]:
    """Weights and threshold of an MP neuron computing ``gate`` of ``n`` inputs, with the reasoning.

    AND and OR use excitatory inputs (weight +1); NOT, NAND and NOR use
    inhibitory inputs (weight -1), so that an input that is on pulls the sum down:

        AND   w = 1   θ = n·w − p = n   fires only when all n are on
        OR    w = 1   θ = 1             one input on is enough
        NOR   w = −1  θ = 0             fires only when the sum is 0 (all off); NOT = NOR of one input
        NAND  w = −1  θ = −(n − 1)      fails only at the sum −n (all on)
    """
    if gate == "AND":
        step = Step("Threshold for AND", "theta >= n*w - p", Filled("{}*{} - {}", (n, 1, 0)), n,
                    note=(f"{n} excitatory inputs of weight w = 1 and no inhibitory ones (p = 0). The "
                          f"neuron must fire when all inputs are on (sum {n}) but not when one is off "
                          f"(sum {n - 1}), so {n - 1} < θ <= {n}: θ = n·w − p = {n}"))
        return [1] * n, n, step
    if gate == "OR":
        step = Step("Threshold for OR", "theta = w", Filled("{}", (1,)), 1,
                    note=(f"{n} excitatory inputs of weight w = 1: one input that is on (sum 1) must be "
                          f"enough and no input (sum 0) must not fire, so 0 < θ <= 1: θ = 1"))
        return [1] * n, 1, step
    if gate in ("NOT", "NOR"):
        what = "the input is off" if n == 1 else "every input is off"
        step = Step(f"Threshold for {gate}", "theta = 0", "", 0,
                    note=(f"inhibitory inputs of weight -1: the sum is 0 when {what} and at most -1 "
                          f"otherwise; the neuron must fire only at sum 0, so -1 < θ <= 0: θ = 0"))
        return [-1] * n, 0, step
    # NAND
    step = Step("Threshold for NAND", "theta = -(n - 1)", Filled("-({} - 1)", (n,)), -(n - 1),
                note=(f"{n} inhibitory inputs of weight -1: the sum is -{n} only when all inputs are on, "
                      f"and the neuron must fire at every larger sum, so -{n} < θ <= -{n - 1}"))
    return [-1] * n, -(n - 1), step


def truth_table(weights: np.ndarray, threshold: float) -> tuple[list[list], list[tuple]]:
    """Rows in counting order (x1 the most significant bit): ``[x1, .., xn, y]``,
    and the same rows with the sum S = Σ w_i x_i before y (for the working)."""
    answer, working = [], []
    for bits in itertools.product((0, 1), repeat=len(weights)):
        s = dot(weights, bits)
        # on paper 0.7 + 0.2 reaches θ = 0.9; in binary floating point it falls 1e-16 short
        y = int(s >= threshold or math.isclose(s, threshold, rel_tol=1e-12, abs_tol=1e-12))
        answer.append([*bits, y])
        working.append((*bits, s, y))
    return answer, working


def recognise(ys: list[int], n: int) -> str:
    """The gate whose truth table has output column ``ys``, or ''."""
    rows = list(itertools.product((0, 1), repeat=n))
    known = {"AND": [int(all(r)) for r in rows], "OR": [int(any(r)) for r in rows],
             "NAND": [int(not all(r)) for r in rows], "NOR": [int(not any(r)) for r in rows]}
    if n == 1:
        known = {"NOT": known["NOR"], "identity (y = x1)": known["AND"]}
    name = next((k for k, v in known.items() if v == ys), "")
    if not name and len(set(ys)) == 1:
        name = f"constant {ys[0]}"
    return name


@register(
    "mp-neuron", topic="neurons",
    summary="McCulloch-Pitts neuron: weights, threshold and truth table",
    options=[
        Option("gate", choice(*GATES), "a logic gate to build: " + ", ".join(GATES), metavar="GATE",
               choices=GATES),
        Option("inputs", integer(minimum=1, maximum=MAX_MP_INPUTS),
               "number of inputs of the gate (default 2; NOT has 1)", metavar="N"),
        Option("weights", vector, "your own weights (instead of --gate)", metavar="VEC"),
        Option("threshold", number, "your own threshold θ (with --weights)", metavar="T"),
    ],
    examples=["--gate AND", "--gate NAND --inputs 3", "--weights 1,1 --threshold 1.5"],
)
def mp_neuron(gate: str | None = None, inputs: int | None = None, weights: np.ndarray | None = None,
              threshold: float | None = None) -> Solution:
    """y = 1 if Σ w_i·x_i ≥ θ, 0 otherwise, for every 0/1 input: either the weights and
    threshold of a gate (--gate), or the truth table of given ones (--weights, --threshold)."""
    steps: list[Step] = []
    if gate is not None:
        if weights is not None or threshold is not None:
            raise InputError("give either --gate or --weights with --threshold, not both")
        n = inputs if inputs is not None else (1 if gate == "NOT" else 2)
        if gate == "NOT" and n != 1:
            raise InputError(f"--inputs {n}: NOT has exactly one input (use NAND or NOR for more)")
        if gate != "NOT" and n < 2:
            raise InputError(f"--inputs {n}: {gate} needs at least 2 inputs (NOT is the one-input gate)")
        w_list, theta, design = gate_design(gate, n)
        steps.append(design)
        w = np.array(w_list, dtype=float)
        inputs_echo: dict = {"gate": gate, "inputs": n}
    else:
        if weights is None or threshold is None:
            raise InputError("give --gate AND|OR|NOT|NAND|NOR, or both --weights and --threshold "
                             "(e.g. --weights 1,1 --threshold 1.5)")
        if inputs is not None:
            raise InputError("--inputs goes with --gate; with --weights there is one input per weight")
        if len(weights) > MAX_MP_INPUTS:
            raise InputError(f"--weights has {len(weights)} values; the limit is {MAX_MP_INPUTS} inputs "
                             f"(the truth table has 2**n rows)")
        w, theta, n = weights, threshold, len(weights)
        w_list = w.tolist()
        inputs_echo = {"weights": w_list, "threshold": theta}
    answer_rows, working = truth_table(w, theta)
    ys = [row[-1] for row in answer_rows]
    name = recognise(ys, n)
    note = f"this is the {name} function of {n} input{'s' if n > 1 else ''}" if name else ""
    terms = " + ".join(f"w{i + 1}*x{i + 1}" for i in range(n))
    filled = " + ".join(arg(v) + f"*x{i + 1}" for i, v in enumerate(w_list))
    columns = tuple(f"x{i + 1}" for i in range(n)) + ("S = w·x", "y")
    steps.append(Step("Truth table", f"y = 1 if {terms} >= theta else 0",
                      Filled(f"1 if {filled} >= {arg(theta)} else 0", (*w_list, theta)), ys, note=note,
                      table=Table(columns, tuple(working))))
    answer = {"weights": w_list, "threshold": theta, "truth_table": answer_rows}
    return Solution("mp-neuron", inputs_echo, answer, tuple(steps))
