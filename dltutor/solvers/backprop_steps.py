"""The written working of ``solve backprop``: the steps a student puts on paper.

Forward pass (net input and output of every neuron), the loss, the delta of
each output neuron, then of each hidden neuron (with the weights before the
update), then each weight's gradient δ·input and its update w ← w − η·gradient,
layer by layer from the output back. Small layers get one step per neuron or
weight; larger ones one step with a table. Names follow the notes for the
neurons (x1.., h1.., o1..); a layer's index is a parenthesised superscript: the
matrix W^(l) (W⁽ˡ⁾), its entry w^(l)_ij (w⁽ˡ⁾ᵢⱼ, from neuron j of layer l − 1 to
neuron i of layer l, row i and column j of --wl), the bias b^(l) and, in a deeper
network, the hidden neuron h^(l)_j.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from dltutor.nn import activations as acts
from dltutor.solution import Step, Table, fill
from dltutor.solvers.neurons import arg, join_terms, shown_terms
from dltutor.values import format_number

if TYPE_CHECKING:
    from dltutor.solvers.backprop_network import Network, Pass
    from dltutor.solvers.backprop_symbolic import SymbolicGradients

SMALL_LAYER = 4           # neurons (and inputs) up to which every neuron gets its own step
SMALL_WEIGHTS = 6         # weights up to which every weight gets its own gradient and update step

# the backward pass of a layer in matrix form (prose: every face typesets its scripts)
MATRIX_FORM = "δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾ᵀ·δ⁽ˡ⁺¹⁾) ⊙ f′(net⁽ˡ⁾)"

# f(net) as text (sympy syntax) with a slot for the net input
ACTIVATION_TEXT = {"sigmoid": "1/(1 + exp(-{}))", "tanh": "tanh({})", "relu": "max(0, {})", "linear": "{}"}


def working_steps(net: Network, numeric: Pass, symbolic: SymbolicGradients | None, update_bias: bool) -> list[Step]:
    """All the steps, in the order they are computed. Without ``symbolic`` (the default: no
    ``--verify``) the gradients shown are the matrix form's; with it they are sympy's and a last
    step says in one line how far the two agree."""
    names = Names(net)
    if symbolic is None or not symbolic.ok:
        shown_w, shown_b = numeric.grad_w, numeric.grad_b
    else:
        shown_w, shown_b = symbolic.grad_w, symbolic.grad_b
    remarks: dict[str, str] = {}      # what the course notes print differently is told in the lesson, not here
    return (_forward_steps(net, names, numeric) + [_loss_step(net, names, numeric, remarks.get("loss", ""))]
            + _delta_steps(net, names, numeric)
            + _gradient_steps(net, names, numeric, shown_w, shown_b, update_bias, remarks)
            + ([] if symbolic is None else [_check_step(numeric, symbolic)]))

class Names:
    """The names as formula text: inputs x1.., hidden h1.. (h^(l)_j with several hidden layers),
    outputs o1..; the weight w^(l)_ij from neuron j of layer l − 1 to neuron i of layer l (row i,
    column j of W^(l): one row per neuron of the receiving layer), the bias b^(l) (b^(l)_i when
    each neuron has its own)."""

    def __init__(self, net: Network):
        self.sizes = net.sizes
        self.L = len(net.weights)
        self.shared = net.shared

    def unit(self, K: int, j: int) -> str:
        if K == 0:
            return f"x{j + 1}"
        if K == self.L:
            return f"o{j + 1}"
        return f"h{j + 1}" if self.L == 2 else f"h^({K})_{j + 1}"

    def _of(self, name: str, K: int, j: int) -> str:
        unit = self.unit(K, j)          # a hidden neuron of a deeper network: net^(l)_j, delta^(l)_j
        return f"{name}^({K})_{j + 1}" if "^" in unit else f"{name}_{unit}"

    def net(self, K: int, j: int) -> str:
        return self._of("net", K, j)

    def delta(self, K: int, j: int) -> str:
        return self._of("delta", K, j)

    @staticmethod
    def matrix(K: int) -> str:
        return f"W^({K})"

    @staticmethod
    def weight(K: int, i: int, j: int) -> str:
        return f"w^({K})_{i + 1}{j + 1}" if i < 9 and j < 9 else f"w^({K})[{i + 1},{j + 1}]"

    @staticmethod
    def biases(K: int) -> str:
        return f"b^({K})"

    def bias(self, K: int, i: int) -> str:
        return self.biases(K) if self.shared[K - 1] or self.sizes[K] == 1 else f"b^({K})_{i + 1}"

    def output(self, K: int) -> str:
        """The output vector of layer K (x for K = 0)."""
        return "x" if K == 0 else f"a^({K})"

    def layer(self, K: int) -> str:
        if K == self.L:
            return "output layer"
        return "hidden layer" if self.L == 2 else f"hidden layer {K}"

    def link(self, K: int, i: int, j: int) -> str:
        return f"{self.unit(K - 1, j)} → {self.unit(K, i)}"


# ------------------------------------------------------------------ steps

def _fprime(f: str, a: str, net: str, a_val: float, net_val: float) -> tuple[str, str, tuple]:
    """f'(net) as a student writes it (in terms of the neuron's output where that is shorter):
    formula text, template, numbers. Linear gives ("", "", ())."""
    if f == "sigmoid":
        return f"{a}*(1 - {a})", f"{arg(a_val)}*(1 - {arg(a_val)})", (a_val, a_val)
    if f == "tanh":
        return f"(1 - {a}**2)", f"(1 - {arg(a_val)}**2)", (a_val,)
    if f == "relu":
        return f"(1 if {net} > 0 else 0)", "(1 if {} > 0 else 0)", (net_val,)
    return "", "", ()


def _times(text: str) -> str:
    return f"*{text}" if text else ""


def _forward_steps(net: Network, names: Names, p: Pass) -> list[Step]:
    steps = []
    inputs = [net.x] + p.outs[:-1]
    for K in range(1, len(net.weights) + 1):
        W, b, f = net.weights[K - 1], net.biases[K - 1], net.activations[K - 1]
        z, out, a = p.nets[K - 1], p.outs[K - 1], inputs[K - 1]
        rows, cols = W.shape
        if rows > SMALL_LAYER or cols > SMALL_LAYER:
            table = Table(("neuron", "net", "output"),
                          tuple((names.unit(K, i), z[i], out[i]) for i in range(rows)))
            steps.append(Step(f"Forward pass through the {names.layer(K)}",
                              f"{names.output(K)} = {f}({names.matrix(K)}*{names.output(K - 1)} + {names.biases(K)})",
                              "", out.tolist(), table=table,
                              note=f"one row per neuron: net = its row of {names.matrix(K)} times the inputs, "
                                   f"plus its bias"))
            continue
        softmax_steps = []    # a softmax needs every net input of its layer: its outputs come after them
        for i in range(rows):
            unit = names.unit(K, i)
            terms = [f"{names.weight(K, i, j)}*{names.unit(K - 1, j)}" for j in range(cols)]
            template = " + ".join(f"{arg(W[i, j])}*{arg(a[j])}" for j in range(cols)) + f" + {arg(b[i])}"
            values = [v for j in range(cols) for v in (W[i, j], a[j])] + [b[i]]
            steps.append(Step(f"Net input of {unit}", f"{names.net(K, i)} = {' + '.join(terms)} + "
                              f"{names.bias(K, i)}", fill(template, *values), float(z[i])))
            if f == "softmax":
                denominator = " + ".join(f"exp({names.net(K, j)})" for j in range(rows))
                softmax_steps.append(Step(f"Output of {unit} (softmax)",
                                  f"{unit} = exp({names.net(K, i)})/({denominator})",
                                  fill("exp({})/(" + " + ".join("exp({})" for _ in range(rows)) + ")",
                                       z[i], *z), float(out[i])))
            else:
                slot = ACTIVATION_TEXT[f].format(arg(z[i]) if f in ("sigmoid", "linear") else "{}")
                steps.append(Step(f"Output of {unit} ({f})",
                                  f"{unit} = {ACTIVATION_TEXT[f].format(names.net(K, i))}",
                                  fill(slot, z[i]), float(out[i])))
        steps.extend(softmax_steps)
    return steps


def _loss_step(net: Network, names: Names, p: Pass, remark: str) -> Step:
    t, o, n = net.target, p.outs[-1], len(net.target)
    idx = shown_terms(n)
    L = len(net.weights)
    if net.loss == "cce":
        pieces = [f"t{k + 1}*log({names.unit(L, k)})" for k in idx]
        slots = [f"{arg(t[k])}*log({{}})" for k in idx]
        formula, template = f"E = -({join_terms(pieces, n)})", f"-({join_terms(slots, n)})"
        values = [v for k in idx for v in (t[k], o[k])]
        note = "cross-entropy with natural log; only the terms with t > 0 count"
    else:
        pieces = [f"(t{k + 1} - {names.unit(L, k)})**2" for k in idx]
        slots = [f"({arg(t[k])} - {arg(o[k])})**2" for k in idx]
        values = [v for k in idx for v in (t[k], o[k])]
        if net.loss == "half-mse":
            formula = "E = " + join_terms([f"1/2*{s}" for s in pieces], n)
            template = join_terms([f"1/2*{s}" for s in slots], n)
            parts = ", ".join(f"E_{names.unit(L, k)} = {format_number(0.5 * (t[k] - o[k]) ** 2)}" for k in idx)
            note = f"one term per output neuron: {parts}" if n > 1 else ""
        elif n == 1:
            formula, template = f"E = {pieces[0]}", slots[0]
            note = "with one output the mean is the squared error itself"
        else:
            formula = f"E = ({join_terms(pieces, n)})/{n}"
            template = f"({join_terms(slots, n)})/{n}"
            note = f"mse is the mean over the {n} outputs"
    return Step(f"Loss ({net.loss})", formula, fill(template, *values), p.loss,
                note="; ".join(s for s in (note, remark) if s))


def _delta_steps(net: Network, names: Names, p: Pass) -> list[Step]:
    L, steps = len(net.weights), []
    t, o = net.target, p.outs[-1]
    n = len(t)
    f = net.activations[-1]
    if n > SMALL_LAYER:
        rows = tuple((names.unit(L, k), o[k], t[k], p.deltas[-1][k]) for k in range(n))
        steps.append(Step("Deltas of the output layer", _output_delta_formula(net, "o_k", "t_k", "net_o_k"), "",
                          p.deltas[-1].tolist(), table=Table(("neuron", "o", "t", "delta"), rows)))
    else:
        for k in range(n):
            unit, net_name = names.unit(L, k), names.net(L, k)
            fp, fp_template, fp_values = _fprime(f, unit, net_name, o[k], p.nets[-1][k])
            if net.loss == "cce":
                template, values = f"{{}} - {arg(t[k])}", (o[k], t[k])
            else:
                template = f"{_mse_scale(net)}({{}} - {arg(t[k])}){_times(fp_template)}"
                values = (o[k], t[k], *fp_values)
            note = ""
            if k == 0:
                note = ("softmax with cross-entropy: dE/dnet_o simplifies to o - t (o = the softmax output)"
                        if net.loss == "cce" else
                        "delta = dE/do (how the error changes with the output) times f'(net)")
            steps.append(Step(f"Delta of {unit}", f"{names.delta(L, k)} = " +
                              _output_delta_formula(net, unit, f"t{k + 1}", net_name),
                              fill(template, *values), float(p.deltas[-1][k]), note=note))
    for K in range(L - 1, 0, -1):
        W_next, delta_next, f = net.weights[K], p.deltas[K], net.activations[K - 1]
        rows = W_next.shape[1]
        if rows > SMALL_LAYER or W_next.shape[0] > SMALL_LAYER:
            back = W_next.T @ delta_next
            fprime = acts.get(f).derivative(p.nets[K - 1], p.outs[K - 1])
            table = Table(("neuron", "sum of delta*w", "f'(net)", "delta"),
                          tuple((names.unit(K, j), back[j], fprime[j], p.deltas[K - 1][j])
                                for j in range(rows)))
            steps.append(Step(f"Deltas of the {names.layer(K)}",
                              f"delta_j = Sum(delta_k*w^({K + 1})_kj, k)*f'(net_j)", "",
                              p.deltas[K - 1].tolist(), table=table,
                              note=f"the sums use {names.matrix(K + 1)} before its update "
                                   f"(the matrix form: {names.matrix(K + 1)}ᵀ·δ, the deltas of the layer above)"))
            continue
        for j in range(rows):
            unit = names.unit(K, j)
            links = range(W_next.shape[0])
            fp, fp_template, fp_values = _fprime(f, unit, names.net(K, j), p.outs[K - 1][j], p.nets[K - 1][j])
            total = " + ".join(f"{names.delta(K + 1, k)}*{names.weight(K + 1, k, j)}" for k in links)
            template = "(" + " + ".join(f"{arg(delta_next[k])}*{arg(W_next[k, j])}" for k in links) + ")"
            values = [v for k in links for v in (delta_next[k], W_next[k, j])] + list(fp_values)
            note = ""
            if j == 0:
                used = ", ".join(f"{names.weight(K + 1, k, j)} = {format_number(W_next[k, j])}" for k in links)
                note = f"the error flows back through the weights before their update ({used})"
            steps.append(Step(f"Delta of {unit}", f"{names.delta(K, j)} = ({total}){_times(fp)}",
                              fill(template + _times(fp_template), *values), float(p.deltas[K - 1][j]),
                              note=note))
    return steps


def _output_delta_formula(net: Network, o: str, t: str, net_name: str) -> str:
    if net.loss == "cce":
        return f"{o} - {t}"
    fp = _fprime(net.activations[-1], o, net_name, 0.0, 0.0)[0]
    return f"{_mse_scale(net)}({o} - {t}){_times(fp)}"


def _mse_scale(net: Network) -> str:
    """The factor of dE/do: 1 for half-mse, 2/n for mse over n outputs."""
    n = len(net.target)
    return "" if net.loss != "mse" else "2*" if n == 1 else f"2/{n}*"


def _gradient_steps(net: Network, names: Names, p: Pass, grad_w: list[np.ndarray], grad_b: list[np.ndarray],
                    update_bias: bool, remarks: dict[str, str]) -> list[Step]:
    """Per layer from the output back: each weight's gradient δ·input and its update, then the biases.

    ``grad_w``/``grad_b`` are the values shown (sympy's when the symbolic pass ran)."""
    steps, lr = [], net.lr
    inputs = [net.x] + p.outs[:-1]
    for K in range(len(net.weights), 0, -1):
        W, G, a, d = net.weights[K - 1], grad_w[K - 1], inputs[K - 1], p.deltas[K - 1]
        new = W - lr * G
        rows, cols = W.shape
        if W.size <= SMALL_WEIGHTS:
            for i in range(rows):
                for j in range(cols):
                    w, delta, source = names.weight(K, i, j), names.delta(K, i), names.unit(K - 1, j)
                    steps.append(Step(f"Gradient of {w} ({names.link(K, i, j)})", f"dE/d{w} = {delta}*{source}",
                                      fill(f"{arg(d[i])}*{arg(a[j])}", d[i], a[j]), float(G[i, j])))
                    steps.append(Step(f"Update of {w}", f"{w} <- {w} - lr*dE/d{w}",
                                      fill(f"{arg(W[i, j])} - {arg(lr)}*{arg(G[i, j])}", W[i, j], lr, G[i, j]),
                                      float(new[i, j]), note=remarks.get(w, ""), gives=f"w{K}"))
        else:
            table = Table(("weight", "link", "delta", "input", "gradient", "new weight"),
                          tuple((names.weight(K, i, j), names.link(K, i, j), d[i], a[j],
                                 G[i, j], new[i, j]) for i in range(rows) for j in range(cols)))
            W_K = names.matrix(K)
            steps.append(Step(f"Gradients of {W_K} ({names.layer(K)})",
                              f"dE/d{W_K} = delta^({K})*{names.output(K - 1)}^T",
                              "", G.tolist(), note="each weight: the delta of the neuron it feeds times the "
                              "input it carries", table=table))
            steps.append(Step(f"Update of {W_K}", f"{W_K} <- {W_K} - lr*dE/d{W_K}", "", new.tolist(),
                              note=f"each weight minus lr = {format_number(lr)} times its gradient "
                                   f"(the last column of the table above)", gives=f"w{K}"))
        gb = grad_b[K - 1]
        first = names.biases(K)
        total = math.fsum(gb.tolist())
        if abs(total) <= 1e-12 * float(np.max(np.abs(gb), initial=0.0)):
            total = 0.0                         # deltas that cancel: 0, not the rounding left over
        note = ("each neuron's bias gradient is its delta (the bias input is 1)"
                if not net.shared[K - 1] else
                f"{first} is one number shared by the layer's neurons; each neuron's bias gets its own "
                f"gradient, its delta (the sum, {format_number(total)}, would be the gradient of "
                f"one shared number)")
        if not update_bias and K == 1:
            note += "; the biases stay as given (only the weights are updated)"
        steps.append(Step(f"Gradients of the biases of the {names.layer(K)}",
                          f"dE/d{first}_j = delta_j", "", gb.tolist(), note=note))
        if update_bias:
            newb = net.biases[K - 1] - lr * gb
            steps.append(Step(f"Update of the biases of the {names.layer(K)}",
                              f"{first} <- {first} - lr*dE/d{first}",
                              fill("{} - {}*{}", net.biases[K - 1], lr, gb), newb.tolist(),
                              note="each neuron's bias moves by its own gradient, so a shared starting "
                                   "value splits into one bias per neuron" if net.shared[K - 1] else "",
                              gives=f"b{K}_new"))
    return steps


def _check_step(numeric: Pass, symbolic: SymbolicGradients) -> Step:
    if not symbolic.ok:
        return Step("Symbolic check skipped",
                    note=f"{symbolic.reason}; the gradients come from the matrix form {MATRIX_FORM} alone")
    diff = max(float(np.max(np.abs(s - n))) for s, n in
               zip(symbolic.grad_w + symbolic.grad_b, numeric.grad_w + numeric.grad_b))
    return Step("Check: sympy differentiates E directly", "max(Abs(dE/dw - delta*input))", "", diff,
                note="sympy wrote E as one expression of all the weights and biases and differentiated it "
                     f"with respect to each; the gradients above come from the deltas (the matrix form "
                     f"{MATRIX_FORM}), and sympy's agree with them to this difference")
