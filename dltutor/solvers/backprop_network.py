"""The network of ``solve backprop``: its layers and one vectorized forward/backward pass.

    net_K = W_K a_{K-1} + b_K,  a_K = f_K(net_K),  o = a_L
    δ_L = ∂E/∂o ⊙ f'(net_L) (cce with softmax: δ_L = s − t)
    δ_K = (W_{K+1}ᵀ δ_{K+1}) ⊙ f'(net_K), with the weights before the update
    ∂E/∂W_K = δ_K a_{K-1}ᵀ,  ∂E/∂b_K = δ_K,  W_K ← W_K − η·∂E/∂W_K (η: --lr)

Shared by the kind (``backprop.py``) and its worked steps (``backprop_steps.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dltutor.errors import InputError
from dltutor.nn import activations as acts
from dltutor.nn import losses
from dltutor.values import plural

MAX_LAYERS = 6
MAX_PARAMETERS = 1024     # a hand-sized network: every weight gets a line of working
ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
OUTPUT_ACTIVATIONS = ACTIVATIONS + ("softmax",)
LOSSES = ("half-mse", "mse", "cce")


# ------------------------------------------------------------------ the network

@dataclass(frozen=True)
class Network:
    """A checked network. ``biases`` are per neuron; ``shared[K]`` says layer K+1's bias was one number."""

    x: np.ndarray                       # (n_0,)
    target: np.ndarray                  # (n_L,)
    weights: tuple[np.ndarray, ...]     # W_K: (n_K, n_{K-1})
    biases: tuple[np.ndarray, ...]      # b_K: (n_K,)
    shared: tuple[bool, ...]
    activations: tuple[str, ...]        # f_K, one per layer
    loss: str
    lr: float

    @property
    def sizes(self) -> list[int]:
        return [len(self.x)] + [W.shape[0] for W in self.weights]


def build_network(x, target, weights: list, biases: list, *, activation: str = "sigmoid",
                  output_activation: str | None = None, loss: str = "half-mse", lr: float = 0.5) -> Network:
    """Check the shapes layer by layer; every error names the option and the shapes.

    ``weights``/``biases`` hold the parsed --w1.. and --b1.. values (None where not given)."""
    given = [k for k in range(len(weights)) if weights[k] is not None]
    depth = (given[-1] + 1) if given else 0
    for k in range(len(weights)):
        if weights[k] is None and k < depth:
            raise InputError(f"--w{depth} is given but --w{k + 1} is missing: number the layers "
                             f"--w1, --w2, ... without gaps")
        if weights[k] is None and biases[k] is not None:
            raise InputError(f"--b{k + 1} is given but --w{k + 1} is missing")
        if weights[k] is not None and biases[k] is None:
            raise InputError(f"--w{k + 1} is given without --b{k + 1} (use --b{k + 1} 0 for no bias)")
    if depth < 2:
        raise InputError("give at least two layers (--w1 --b1 --w2 --b2): a hidden layer and an output layer")
    Ws, bs, shared = [], [], []
    width, source = len(x), f"--x has {plural(len(x), 'value')}"
    for k in range(depth):
        W, b, name = weights[k], biases[k], f"--w{k + 1}"
        if W.shape[1] != width:
            hint = (f" (if layer {k + 1} has {W.shape[1]} neurons, write it transposed: {W.shape[1]} rows "
                    f"of {W.shape[0]})" if W.shape[0] == width else "")
            raise InputError(f"{name} is {W.shape[0]}x{W.shape[1]} ({plural(W.shape[1], 'column')}) but {source}: "
                             f"{name} needs one row per neuron of layer {k + 1} and one column per "
                             f"{'input' if k == 0 else f'neuron of layer {k}'}{hint}")
        if len(b) not in (1, W.shape[0]):
            raise InputError(f"--b{k + 1} has {plural(len(b), 'value')} but {name} has {plural(W.shape[0], 'row')} "
                             f"({plural(W.shape[0], 'neuron')}): give one bias per neuron or one number for the layer")
        Ws.append(W)
        bs.append(np.full(W.shape[0], b[0]) if len(b) == 1 else np.asarray(b, dtype=float))
        shared.append(len(b) == 1 and W.shape[0] > 1)
        width, source = W.shape[0], f"{name} has {plural(W.shape[0], 'row')} (layer {k + 1} has {plural(W.shape[0], 'neuron')})"
    count = sum(W.size + len(b) for W, b in zip(Ws, bs))
    if count > MAX_PARAMETERS:
        raise InputError(f"the network has {count:,} weights and biases; the limit is {MAX_PARAMETERS:,} "
                         f"(this calculator writes out every weight)")
    if len(target) != width:
        raise InputError(f"--target has {plural(len(target), 'value')} but the output layer (--w{depth}) has "
                         f"{plural(width, 'neuron')}: give one target per output neuron")
    output = _output_activation(activation, output_activation, loss)
    if loss == "cce" and (np.any(target < 0) or np.any(target > 1) or abs(float(target.sum()) - 1) > 1e-9):
        raise InputError(f"--target {_short(target)} ({len(target)} values, sum {float(target.sum()):.6g}) is "
                         f"not a probability distribution, which --loss cce needs: values in [0, 1] "
                         f"adding up to 1, e.g. a one-hot target like 0,1,0")
    return Network(np.asarray(x, dtype=float), np.asarray(target, dtype=float), tuple(Ws), tuple(bs),
                   tuple(shared), (activation,) * (depth - 1) + (output,), loss, float(lr))


def _output_activation(activation: str, output: str | None, loss: str) -> str:
    if activation == "softmax":
        raise InputError("--activation softmax is for the output layer only: use --output-activation softmax "
                         "with --loss cce")
    if output is None:
        return "softmax" if loss == "cce" else activation
    if loss == "cce" and output != "softmax":
        raise InputError(f"--loss cce is worked with a softmax output (δ = s − t), not --output-activation "
                         f"{output}: use --output-activation softmax, or --loss half-mse")
    if output == "softmax" and loss != "cce":
        raise InputError(f"--output-activation softmax goes with --loss cce (δ = s − t), not --loss {loss}: "
                         f"use --loss cce, or a sigmoid output")
    return output


def _short(v: np.ndarray) -> str:
    return ",".join(f"{float(c):g}" for c in v)


# ------------------------------------------------------------------ the numeric answer

@dataclass(frozen=True)
class Pass:
    """Everything of one forward and backward pass (lists indexed by layer K−1)."""

    nets: list[np.ndarray]       # net_K
    outs: list[np.ndarray]       # a_K (outs[-1] = o)
    loss: float
    dE_do: np.ndarray | None     # ∂E/∂o (None for cce + softmax, whose delta is fused)
    deltas: list[np.ndarray]     # δ_K
    grad_w: list[np.ndarray]     # ∂E/∂W_K = δ_K a_{K-1}ᵀ
    grad_b: list[np.ndarray]     # ∂E/∂b_K = δ_K
    new_w: list[np.ndarray]
    new_b: list[np.ndarray]


def forward_backward(net: Network) -> Pass:
    """The vectorized matrix form: forward, loss, δ_K = (W_{K+1}ᵀ δ_{K+1}) ⊙ f'(net_K),
    gradients δ_K a_{K-1}ᵀ and the update, for shapes W_K (n_K, n_{K-1}), b_K (n_K,)."""
    inputs, nets, outs = [net.x], [], []
    for W, b, f in zip(net.weights, net.biases, net.activations):
        z = W @ inputs[-1] + b
        nets.append(z)
        outs.append(np.asarray(acts.get(f).forward(z), dtype=float))
        inputs.append(outs[-1])
    o, t = outs[-1], net.target
    if net.loss == "cce":
        # from the logits (log-softmax), exactly: a softmax output needs no 1e-7 clipping of log(p),
        # and Keras and PyTorch compute it this way too
        z = nets[-1] - nets[-1].max()
        loss, dE_do = float(-np.sum(t * (z - np.log(np.sum(np.exp(z)))))), None
        delta = np.asarray(losses.softmax_cce_grad(t, o), dtype=float)
    else:
        if net.loss == "half-mse":
            loss, dE_do = float(0.5 * np.sum((t - o) ** 2)), o - t
        else:
            loss, dE_do = float(losses.mse(t, o)), np.asarray(losses.mse_grad(t, o), dtype=float)
        delta = dE_do * acts.get(net.activations[-1]).derivative(nets[-1], o)
    deltas = [delta]
    for k in range(len(net.weights) - 1, 0, -1):
        f = acts.get(net.activations[k - 1])
        deltas.insert(0, (net.weights[k].T @ deltas[0]) * f.derivative(nets[k - 1], outs[k - 1]))
    grad_w = [np.outer(d, a) for d, a in zip(deltas, inputs)]
    grad_b = [d.copy() for d in deltas]
    new_w = [W - net.lr * g for W, g in zip(net.weights, grad_w)]
    new_b = [b - net.lr * g for b, g in zip(net.biases, grad_b)]
    return Pass(nets, outs, loss, dE_do, deltas, grad_w, grad_b, new_w, new_b)
