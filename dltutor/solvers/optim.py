"""Optimizer steps by hand: SGD, momentum, Nesterov, RMSprop, Adam (Keras's update rules).

The numbers come from the engine's optimizer classes (``dltutor.nn.optimizers``),
the very objects ``dltutor train`` uses; this module only writes each update
out with the numbers put in, reading the velocity/moments from
``optimizer.slots`` after every ``update``. The rules (formulas) are the
classes' own ``rules``, so the working shown cannot drift from the engine.

Gradients are given (``--grads``, one row per step) or come from a formula
``f(x, y, z)`` differentiated by sympy (``--f``, ``--steps``); ``--w`` gives x,
y, z in order.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np

from dltutor import values
from dltutor.errors import InputError
from dltutor.nn.optimizers import OPTIMIZERS, make
from dltutor.solution import Filled, Solution, Step, Table, fill
from dltutor.solvers.formula_input import parse_formula
from dltutor.solvers.registry import (Option, choice, integer, matrix, nonnegative_number, plain_text,
                                      positive_number, register, vector)

MAX_STEPS = 1000
DETAIL_ALL = 10          # up to this many steps, every step is written out
DETAIL_HEAD = 3          # otherwise the first few and the last one, with a table in between
TABLE_ROWS = 50
VARIABLES = ("x", "y", "z")

# The hyperparameters each method reads (the options are named as the classes' keywords).
HYPER = {
    "sgd": (),
    "momentum": ("beta",),
    "nesterov": ("beta",),
    "rmsprop": ("rho", "eps"),
    "adam": ("beta1", "beta2", "eps"),
}

RULE_TITLES = {"w": "new weights", "v": "velocity", "s": "running mean of g**2",
               "m": "first moment (mean of g)", "alpha_t": "bias-corrected step size"}
ADAM_TITLES = {"v": "second moment (mean of g**2)"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def unit_interval(text: str, what: str) -> float:
    """A decay rate in [0, 1)."""
    x = values.parse_number(text, what)
    if not 0 <= x < 1:
        raise InputError(f"{what} must be at least 0 and less than 1, got {values.format_number(x)}")
    return x


# --------------------------------------------------------------- gradients

MAX_FORMULA_DEPTH = 20   # functions and powers nested inside one another in --f


def check_depth(text: str) -> None:
    """Bad input when ``--f`` nests more than MAX_FORMULA_DEPTH functions or powers (30 nested
    sigmoid( took sympy's differentiation past Python's recursion limit); walked without recursion."""
    import ast

    try:
        tree = ast.parse(values.check_length(text, "--f").replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return                   # parse_formula reports what is wrong with it
    deepest, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        depth += isinstance(node, ast.Call) or (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow))
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))
    if deepest > MAX_FORMULA_DEPTH:
        raise InputError(f"--f nests {deepest} functions or powers inside one another; the limit is "
                         f"{MAX_FORMULA_DEPTH} (it keeps the derivative computable)")


class Objective:
    """f(x, y, z) from ``--f``, its sympy gradient, and text templates that put numbers in."""

    def __init__(self, text: str, n: int):
        import sympy

        if n > len(VARIABLES):
            raise InputError(f"--f works with up to 3 weights (x, y, z); --w has {n}")
        self.names = VARIABLES[:n]
        check_depth(text)       # before sympy sees it: its derivative recurses once per level
        self.expr = parse_formula(text, VARIABLES, "--f")
        extra = sorted(s.name for s in self.expr.free_symbols if s.name not in self.names)
        if extra:
            raise InputError(f"--f uses {extra[0]!r} but --w has {values.plural(n, 'weight')}, so the variables are "
                             f"{', '.join(self.names)}: --w gives x, y, z in order")
        self.symbols = [sympy.Symbol(name, real=True) for name in self.names]
        try:
            self.grad = [sympy.diff(self.expr, s) for s in self.symbols]
            # lambdify turns the (whitelisted, already parsed) expression into NumPy code.
            self._f = sympy.lambdify(self.symbols, self.expr, modules="numpy")
            self._g = [sympy.lambdify(self.symbols, d, modules="numpy") for d in self.grad]
            self.text = str(self.expr)
            grads = [str(d) for d in self.grad]
            self.grad_text = grads[0] if len(grads) == 1 else "(" + ", ".join(grads) + ")"   # a vector (a, b)
        except (RecursionError, MemoryError):    # a safety net under the depth limit of parse_formula
            raise InputError(f"--f is too deeply nested to differentiate; at most "
                             f"{MAX_FORMULA_DEPTH} functions or powers inside one another") from None

    def _finite(self, value: float, what: str, w: np.ndarray) -> float:
        if not math.isfinite(value):
            raise InputError(f"--f: {what} is not finite at {self._point(w)}; "
                             "the formula is undefined there or the steps diverge (try a smaller --lr)")
        return value

    def _point(self, w: np.ndarray) -> str:
        return ", ".join(f"{n} = {values.format_number(v)}" for n, v in zip(self.names, w))

    def value(self, w: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            return self._finite(float(self._f(*w)), "f", w)

    def gradient(self, w: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            g = np.array([float(d(*w)) for d in self._g])
        for name, gi in zip(self.names, g):
            self._finite(gi, f"df/d{name}", w)
        return g

    def filled(self, exprs: list, w: np.ndarray) -> Filled:
        """The expressions with each variable replaced by its number (negatives in parentheses)."""
        from sympy.printing.str import StrPrinter

        slots = {s: f"({{{i}}})" if w[i] < 0 else f"{{{i}}}" for i, s in enumerate(self.symbols)}

        class Placeholders(StrPrinter):
            # print the expression as it is, each variable as a numbered slot for the number
            def _print_Symbol(self, expr):
                return slots[expr]

        # a negative number as the whole argument of a function needs one pair of parentheses, not two
        parts = [re.sub(r"\(\((\{\d+\})\)\)", r"(\1)", Placeholders().doprint(e)) for e in exprs]
        text = parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ")"
        return Filled(text, tuple(float(v) for v in w))


# ---------------------------------------------------------------- the kind

DESCRIPTION = (
    "Keras's update rules, one update per step; g is a row of --grads or the gradient of --f at w. "
    + " ".join(f"{name}: {'; '.join(cls.rules)}." for name, cls in OPTIMIZERS.items())
    + ' The answer is {"w": [...]}, the weights after each step, with --f also {"f": [...]}.')


@register(
    "optimizer", topic="optimizers",
    summary="weight updates of SGD, momentum, Nesterov, RMSprop or Adam, step by step",
    description=DESCRIPTION,
    options=[
        Option("method", choice(*OPTIMIZERS), "update rule: " + ", ".join(OPTIMIZERS), required=True,
               metavar="NAME"),
        Option("w", vector, "starting weights; with --f they are x, y, z in order", required=True, metavar="VEC"),
        Option("grads", matrix, "given gradients, one row per step (one column per weight)", metavar="MAT"),
        Option("f", plain_text, "a formula in x, y, z to minimise (gradient by sympy), e.g. x**2 + 10*y**2",
               metavar="EXPR"),
        Option("steps", integer(minimum=1, maximum=MAX_STEPS), f"number of steps with --f (at most {MAX_STEPS})",
               metavar="N"),
        Option("lr", positive_number, "learning rate", default="0.01", metavar="LR"),
        Option("beta", unit_interval, "momentum β (momentum, nesterov)", default="0.9", metavar="B"),
        Option("beta1", unit_interval, "Adam's decay of the first moment", default="0.9", metavar="B1"),
        Option("beta2", unit_interval, "Adam's decay of the second moment", default="0.999", metavar="B2"),
        Option("rho", unit_interval, "RMSprop's decay of the mean of g²", default="0.9", metavar="RHO"),
        Option("eps", nonnegative_number, "ε added to the denominator (rmsprop, adam); 0 is allowed where "
               "nothing divides by zero", default="1e-7", metavar="EPS"),
        Option("v0", vector, "starting velocity v (momentum, nesterov) or second moment v (adam); "
               "one number: every weight [default: 0]", metavar="VEC"),
        Option("s0", vector, "starting running mean of g² (rmsprop) [default: 0]", metavar="VEC"),
        Option("m0", vector, "starting first moment m (adam) [default: 0]", metavar="VEC"),
        Option("t0", integer(minimum=0, maximum=10**9), "Adam steps already taken: the first update is t0 + 1",
               metavar="T"),
        Option("l2", nonnegative_number, "Keras's L2 penalty λ·Σw²: its gradient 2λ·w is added to g",
               metavar="LAMBDA"),
    ],
    examples=[
        '--method momentum --w 1,-2 --grads "0.5,-1;0.4,-0.8;0.3,-0.5" --lr 0.1',
        '--method adam --w 1,1 --f "x**2 + 10*y**2" --steps 3 --lr 0.1',
        '--method rmsprop --w 0.5 --grads "0.2;0.1;-0.3"',
        '--method adam --w 1 --grads 0.5 --m0 0.1 --v0 0.01 --t0 4 --lr 0.1',
        '--method momentum --w 1,-1 --grads "0.5,0.5" --v0 0.2,-0.1 --l2 0.01 --lr 0.1',
    ],
)
def optimizer(method: str, w: np.ndarray, grads: np.ndarray | None = None, f: str | None = None,
              steps: int | None = None, lr: float = 0.01, beta: float = 0.9, beta1: float = 0.9,
              beta2: float = 0.999, rho: float = 0.9, eps: float = 1e-7, v0: np.ndarray | None = None,
              s0: np.ndarray | None = None, m0: np.ndarray | None = None, t0: int | None = None,
              l2: float | None = None) -> Solution:
    """Keras's rules, one update per step t = 1..T (g_t = the t-th row of --grads, or ∇f at w):

        sgd       w = w − lr·g
        momentum  v = β·v − lr·g;  w = w + v
        nesterov  v = β·v − lr·g;  w = w + β·v − lr·g
        rmsprop   s = ρ·s + (1 − ρ)·g²;  w = w − lr·g/(√s + ε)
        adam      m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  α_t = lr·√(1 − β2^t)/(1 − β1^t);
                  w = w − α_t·m/(√v + ε)

    A run may start from a given state (--v0, --s0, --m0 --v0 --t0) instead of zeros; --l2 λ adds
    Keras's penalty λ·Σw² to the loss, so g becomes g + 2λ·w before the rule.

    w has n weights; --grads is T x n; the answer is {"w": T lists of n}, with --f also {"f": T numbers}."""
    w = np.array(w, dtype=float)
    n = len(w)
    hyper_all = {"beta": beta, "beta1": beta1, "beta2": beta2, "rho": rho, "eps": eps}
    hyper = {k: hyper_all[k] for k in HYPER[method]}
    inputs: dict = {"method": method, "w": w.tolist()}
    objective = None
    if (grads is None) == (f is None):
        if f is not None:
            raise InputError("give either --grads or --f, not both")
        raise InputError("give the gradients: --grads (one row per step) or --f EXPR --steps N")
    if f is not None:
        if steps is None:
            raise InputError(f"--f needs --steps N, the number of updates (at most {MAX_STEPS})")
        objective = Objective(f, n)
        inputs.update(f=objective.text, steps=steps)
    else:
        if steps is not None:
            raise InputError("--steps goes with --f; with --grads there is one step per row")
        grads = np.asarray(grads, dtype=float)
        if n == 1 and grads.shape[0] == 1 and grads.shape[1] > 1:
            grads = grads.T                 # one weight: "0.5,0.3" is read as two steps
        if grads.shape[1] != n:
            raise InputError(f"--grads has {values.plural(grads.shape[1], 'column')} but --w has {values.plural(n, 'weight')}: "
                             "one row per step, one column per weight")
        if grads.shape[0] > MAX_STEPS:
            raise InputError(f"--grads has {grads.shape[0]} rows; the limit is {MAX_STEPS} steps")
        inputs["grads"] = grads.tolist()
        steps = grads.shape[0]
    inputs.update(lr=lr, **hyper)

    opt = make(method, lr, **hyper)
    start = start_state(method, n, {"v": v0, "s": s0, "m": m0}, t0)
    if start:
        opt.slots = [{k: start.get(k, np.zeros(n)) for k in opt.slot_names}]
        inputs.update({f"{k}0": v.tolist() for k, v in start.items()})
    t_start = t0 or 0
    opt.iterations = t_start
    if t0 is not None:
        inputs["t0"] = t0
    if l2 is not None:
        inputs["l2"] = l2
    shown = scalar_if_one(n)
    out_steps: list[Step] = []
    if objective is not None:
        names = objective.names
        call = f"f({', '.join(names)})"
        gradient = (f"Derivative(f, {names[0]})" if len(names) == 1 else      # ∇f = (∂f/∂x, ∂f/∂y)
                    "nabla*f = (" + ", ".join(f"Derivative({call}, {v})" for v in names) + ")")
        out_steps.append(Step("Gradient of f", gradient,
                              objective.grad_text, None, note=("the derivative" if len(names) == 1 else "the partial derivatives") + f" of f = {objective.text}"))
    detailed = set(range(1, steps + 1)) if steps <= DETAIL_ALL else set(range(1, DETAIL_HEAD + 1)) | {steps}
    history_w: list[list[float]] = []
    history_f: list[float] = []
    rows = []
    summary_at = 0
    for t in range(1, steps + 1):
        w0 = w.copy()
        if objective is not None:
            g = objective.gradient(w)
        else:
            g = grads[t - 1]
        g_given = g
        if l2 is not None:
            g = g + 2 * l2 * w0
        before = {"w": w0, "g": g, "t": t_start + t, **opt.hyper(),
                  **{k: v.copy() for k, v in (opt.slots[0].items() if opt.slots else ())}}
        with np.errstate(all="ignore"):
            opt.update([w], [g.copy()])
        if not np.all(np.isfinite(w)):
            if eps == 0 and method in ("rmsprop", "adam"):
                raise InputError(f"--eps 0 divides by zero at step {t}: the running mean of g**2 is 0 for a "
                                 f"weight whose gradients are all 0 so far; use an --eps above 0")
            raise InputError(f"the weights are no longer finite after step {t}; try a smaller --lr")
        for k in opt.slot_names:
            before.setdefault(k, np.zeros_like(w))
        after = {"w": w.copy(), **{k: v.copy() for k, v in opt.slots[0].items()}}
        if method == "adam":
            after["alpha_t"] = float(opt.step_size())
        history_w.append(w.tolist())
        f_value = objective.value(w) if objective is not None else None
        if f_value is not None:
            history_f.append(f_value)
        rows.append((t, shown(g), shown(w)) + ((f_value,) if f_value is not None else ()))
        if t in detailed:
            explained = explain_step(opt, method, before, after, objective, f_value, shown)
            if l2 is not None:
                explained[0] = replace(explained[0], value=shown(g_given))
                explained.insert(1, Step(f"Step {t_start + t}: L2 penalty", "g = g + 2*lam*w",
                                         fill(parenthesize_negatives("{} + 2*{}*{}", [shown(g_given), l2, shown(w0)]),
                                              shown(g_given), l2, shown(w0)), shown(g),
                                         note="the gradient of Keras's penalty λ·∑w² (the sum over the weights) is 2λ·w"
                                              + ("; f in the answer is the formula alone, without the penalty"
                                                 if objective is not None else "")))
            out_steps += explained
        if t == DETAIL_HEAD:
            summary_at = len(out_steps)
    if steps > DETAIL_ALL:
        # a table of the whole run goes between the first steps and the last one
        out_steps.insert(summary_at, summary_step(rows, objective is not None, steps))

    answer: dict = {"w": history_w}
    if objective is not None:
        answer["f"] = history_f
    return Solution("optimizer", inputs, answer, tuple(out_steps))


STATE_OF = {"v": ("momentum", "nesterov", "adam"), "s": ("rmsprop",), "m": ("adam",)}


def start_state(method: str, n: int, given: dict, t0: int | None) -> dict[str, np.ndarray]:
    """The optimizer's starting slots from --v0/--s0/--m0 (one value per weight, or one for all)."""
    if t0 is not None and method != "adam":
        raise InputError(f"--t0 is Adam's step count; {method} has no step count")
    start = {}
    for name, value in given.items():
        if value is None:
            continue
        if method not in STATE_OF[name]:
            owners = " and ".join(STATE_OF[name])
            raise InputError(f"--{name}0 is the starting state of {owners}, not of {method}")
        if len(value) == 1:
            value = np.full(n, float(value[0]))
        if len(value) != n:
            raise InputError(f"--{name}0 has {values.plural(len(value), 'value')} but --w has {values.plural(n, 'weight')}")
        if name in ("v", "s") and method in ("rmsprop", "adam") and np.any(value < 0):
            raise InputError(f"--{name}0 is a running mean of g**2 and cannot be negative")
        start[name] = np.array(value, dtype=float)
    return start


def scalar_if_one(n: int):
    """With one weight, show numbers rather than one-element lists."""
    def shown(a):
        if isinstance(a, np.ndarray):
            return float(a[0]) if n == 1 else a.tolist()
        return a
    return shown


def explain_step(opt, method: str, before: dict, after: dict, objective: Objective | None,
                 f_value: float | None, shown) -> list[Step]:
    """The steps of update t: the gradient, each of the engine's rules with its numbers, f at the new w.

    The rules are read in order, as assignments: a name on the right-hand side stands
    for its value before this rule (the new value if an earlier rule of the same step set it)."""
    t = before["t"]
    out = []
    if objective is not None:
        out.append(Step(f"Step {t}: gradient at w", "g = nabla*f(w)", objective.filled(objective.grad, before["w"]),
                        shown(before["g"])))
    else:
        out.append(Step(f"Step {t}: gradient", "g = g_t", "", shown(before["g"])))
    env = dict(before)
    for rule in opt.rules:
        lhs, rhs = (part.strip() for part in rule.split("=", 1))
        numbers: list = []

        def slot(match):
            name = match.group(0)
            if name not in env:         # a function such as sqrt
                return name
            numbers.append(shown(env[name]))
            return "{}"

        template = _NAME.sub(slot, rhs)
        env[lhs] = after[lhs]
        title = (ADAM_TITLES if method == "adam" else {}).get(lhs, RULE_TITLES.get(lhs, lhs))
        note = ""
        if lhs == "alpha_t":
            note = f"the bias correction folded into the learning rate, t = {t}"
        elif lhs != "w" and t == 1 and not np.any(before[lhs]):
            note = f"{lhs} starts at 0; operations act on each weight separately"
        out.append(Step(f"Step {t}: {title}", rule, fill(parenthesize_negatives(template, numbers), *numbers),
                        shown(after[lhs]), note=note))
    if objective is not None:
        out.append(Step(f"Step {t}: f at the new weights", f"f = {objective.text}",
                        objective.filled([objective.expr], after["w"]), f_value))
    return out


def parenthesize_negatives(template: str, numbers: list) -> str:
    """``{}`` → ``({})`` where the number is a negative scalar, so that ``0.1*-0.3**2`` cannot be misread."""
    pieces = template.split("{}")
    out = pieces[0]
    for number, piece in zip(numbers, pieces[1:]):
        negative = isinstance(number, (int, float)) and number < 0
        out += ("({})" if negative else "{}") + piece
    return out


def summary_step(rows: list[tuple], with_f: bool, total: int) -> Step:
    """One row per step (every k-th one when there are many), so the whole run can be read at a glance."""
    every = max(1, -(-len(rows) // TABLE_ROWS))
    picked = [r for r in rows if (r[0] - 1) % every == 0 or r[0] == len(rows)]
    columns = ("t", "g", "w") + (("f",) if with_f else ())
    note = "every step is computed like the ones written out"
    if every > 1:
        note += f"; one step in every {every} is listed (the JSON answer has all {total})"
    return Step(f"Steps 1 to {total} at a glance", "", "", None, note=note, table=Table(columns, tuple(picked)))
