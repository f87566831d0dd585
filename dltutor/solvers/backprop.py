"""Backpropagation through a small fully connected network of any depth, with the working.

Layers K = 1..L; a_0 = x, and for every layer

    net_K = W_K a_{K-1} + b_K          W_K: (n_K, n_{K-1}), one row per neuron of layer K
    a_K   = f_K(net_K)                 o = a_L is the output

Losses: half-mse E = Σ ½(t − o)²,  mse E = (1/n) Σ (t − o)²,  cce E = −Σ t log s (softmax output).

    δ_L = ∂E/∂o ⊙ f'(net_L)            (cce with softmax: δ_L = s − t)
    δ_K = (W_{K+1}ᵀ δ_{K+1}) ⊙ f'(net_K) with the weights BEFORE the update
    ∂E/∂W_K = δ_K a_{K-1}ᵀ,  ∂E/∂b_K = δ_K,  W_K ← W_K − η·∂E/∂W_K (η: --lr)

A bias given as one number is the same starting value for every neuron of its
layer (as in the notes); each neuron's bias is still its own parameter (as in
Keras and PyTorch), so ``grad_bK`` and an updated ``bK`` are per neuron.

The answer and the steps come from the vectorized NumPy pass above. With
``--verify``, sympy also differentiates E with respect to every weight directly
(``backprop_symbolic``), the gradients shown are sympy's, and a last step
reports how far the two agree.
The network and the NumPy pass are in ``backprop_network``, the worked steps in
``backprop_steps``.
"""

from __future__ import annotations

import numpy as np

from dltutor.errors import InputError
from dltutor.solution import Solution
from dltutor.solvers.backprop_network import (ACTIVATIONS, LOSSES, MAX_LAYERS, OUTPUT_ACTIVATIONS, build_network,
                                              forward_backward)
from dltutor.solvers.registry import (Option, choice, matrix, nonnegative_number, register,
                                      vector)

# ------------------------------------------------------------------ the kind

LAYER_OPTIONS = [option for K in range(1, MAX_LAYERS + 1) for option in (
    Option(f"w{K}", matrix, f"weights of layer {K}: one row per neuron of layer {K}, one column per "
           f"{'input' if K == 1 else f'neuron of layer {K - 1}'}" + (" [required]" if K == 2 else ""),
           required=K == 1, metavar="MAT"),
    Option(f"b{K}", vector, f"biases of layer {K}: one per neuron, or one number shared by the layer"
           + (" [required]" if K == 2 else ""), required=K == 1, metavar="VEC"))]


@register(
    "backprop", topic="backprop",
    summary="one backpropagation step through a small network: forward pass, deltas, gradients, updates",
    options=[
        Option("x", vector, "the input x1,...,xn", required=True, metavar="VEC"),
        Option("target", vector, "the target t1,...,tm (one per output neuron)", required=True, metavar="VEC"),
        *LAYER_OPTIONS,
        Option("lr", nonnegative_number, "learning rate η", default="0.5", metavar="LR"),
        Option("activation", choice(*OUTPUT_ACTIVATIONS), "activation of every layer", default="sigmoid",
               metavar="NAME", choices=ACTIVATIONS),
        Option("output-activation", choice(*OUTPUT_ACTIVATIONS),
               "activation of the output layer (default: --activation; softmax with --loss cce)",
               metavar="NAME", choices=OUTPUT_ACTIVATIONS),
        Option("loss", choice(*LOSSES), "half-mse = Σ ½(t − o)², mse = mean of (t − o)², "
               "cce = −Σ t·log(o) with a softmax output", default="half-mse", metavar="NAME", choices=LOSSES),
        Option("update-bias", flag=True, help="update the biases too (the notes keep them fixed)"),
        Option("verify", flag=True, help="also differentiate E symbolically (sympy) and say in one line how "
               "far that agrees with the matrix form"),
    ],
    examples=[
        '--x 0.05,0.10 --target 0.01,0.99 --w1 "0.15,0.20;0.25,0.30" --b1 0.35 '
        '--w2 "0.40,0.45;0.50,0.55" --b2 0.60 --lr 0.5',
        '--x 1,0.5 --target 0.8 --w1 "0.2,-0.4;0.7,0.1" --b1 0,0.1 --w2 "0.5,-0.3;0.6,0.2" --b2 0.1 '
        '--w3 "0.9,-0.5" --b3 0 --activation tanh --output-activation linear --loss mse --update-bias',
        '--x 1,2 --target 0,1,0 --w1 "0.1,0.2;-0.3,0.4" --b1 0 --w2 "0.5,-0.5;0.3,0.2;-0.1,0.4" --b2 0 '
        '--activation relu --loss cce',
    ],
)
def backprop(x: np.ndarray, target: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2=None, b2=None,
             w3=None, b3=None, w4=None, b4=None, w5=None, b5=None, w6=None, b6=None,
             lr: float = 0.5, activation: str = "sigmoid", output_activation: str | None = None,
             loss: str = "half-mse", update_bias: bool = False, verify: bool = False) -> Solution:
    """Forward pass, loss, the delta of every neuron (output first, then back through the hidden
    layers with the weights before the update), each weight's gradient δ·input and its update
    w − η·gradient. Any depth: --w1 --b1 --w2 --b2 [--w3 --b3 ... --w6 --b6]."""
    from dltutor.solvers.backprop_steps import working_steps

    weights, biases = [w1, w2, w3, w4, w5, w6], [b1, b2, b3, b4, b5, b6]
    net = build_network(x, target, weights, biases, activation=activation,
                        output_activation=output_activation, loss=loss, lr=lr)
    numeric = forward_backward(net)
    if not all(np.all(np.isfinite(a)) for a in [numeric.loss, *numeric.outs, *numeric.grad_w, *numeric.new_w]):
        raise InputError("the numbers overflow floating point (the loss or a gradient is infinite): "
                         "use smaller inputs or weights")
    symbolic = None
    if verify:     # sympy only when asked: the tests run this cross-check on every case
        from dltutor.solvers.backprop_symbolic import symbolic_gradients

        symbolic = symbolic_gradients(net)
    steps = working_steps(net, numeric, symbolic, update_bias)

    L = len(net.weights)
    inputs = {"x": net.x, "target": net.target}
    for K in range(1, L + 1):
        inputs[f"w{K}"] = net.weights[K - 1]
        given = biases[K - 1]   # echoed as written: one number, or one per neuron
        inputs[f"b{K}"] = float(given[0]) if len(given) == 1 else given
    inputs.update(lr=net.lr, activation=net.activations[0], output_activation=net.activations[-1],
                  loss=net.loss, update_bias=update_bias)
    hidden = [o.tolist() for o in numeric.outs[:-1]]
    answer = {"hidden": hidden[0] if L == 2 else hidden, "output": numeric.outs[-1].tolist(),
              "loss": numeric.loss}
    answer.update({f"grad_w{K}": numeric.grad_w[K - 1].tolist() for K in range(1, L + 1)})
    answer.update({f"grad_b{K}": numeric.grad_b[K - 1].tolist() for K in range(1, L + 1)})
    answer.update({f"w{K}": numeric.new_w[K - 1].tolist() for K in range(1, L + 1)})
    if update_bias:
        answer.update({f"b{K}": numeric.new_b[K - 1].tolist() for K in range(1, L + 1)})
    return Solution("backprop", inputs, answer, tuple(steps))
