"""Record PyTorch autograd results for `dltutor solve backprop` into tests/data/backprop_torch.json.

Run with the reference venv (torch CPU, float64):

    /tmp/refenv/bin/python tests/reference/record_backprop.py

Each case is a small fully connected network (2-4 layers, 1-4 neurons per
layer, activations sigmoid/tanh/relu/linear, losses half-mse/mse/cce with a
softmax output), drawn from a seeded generator, plus the notes' 2-2-2 example
(002, "Back propagation"). Torch computes the forward pass, the loss, the
gradients of every weight and bias by autograd, and one SGD step
w - lr*grad. A bias given as one number is one starting value for every
neuron, each neuron's bias being its own parameter (as in torch.nn.Linear).
Numbers are written as texts that read back exactly (repr of a float64), so
the tests feed the CLI the same doubles torch used.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parent.parent / "data" / "backprop_torch.json"
SEED = 20240601
CASES = 48

ACTS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z}


def text_vector(v) -> str:
    return ",".join(repr(float(c)) for c in v)


def text_matrix(m) -> str:
    return ";".join(text_vector(row) for row in m)


def torch_step(x, t, weights, biases, activations, loss, lr):
    """Forward, loss, autograd gradients and updated parameters, all float64."""
    xs = torch.tensor(x, dtype=torch.float64)
    ts = torch.tensor(t, dtype=torch.float64)
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W in weights]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in biases]
    a, outs = xs, []
    for k, (W, b, f) in enumerate(zip(Ws, bs, activations)):
        z = W @ a + b
        if f == "softmax":
            logits = z
            a = torch.softmax(z, dim=0)
        else:
            a = ACTS[f](z)
        outs.append(a)
    if loss == "half-mse":
        E = 0.5 * ((ts - a) ** 2).sum()
    elif loss == "mse":
        E = torch.nn.functional.mse_loss(a, ts)
    else:
        E = -(ts * torch.log_softmax(logits, dim=0)).sum()
    E.backward()
    with torch.no_grad():
        new_w = [W - lr * W.grad for W in Ws]
        new_b = [b - lr * b.grad for b in bs]
    hidden = [h.detach().tolist() for h in outs[:-1]]
    L = len(Ws)
    answer = {"hidden": hidden[0] if L == 2 else hidden, "output": outs[-1].detach().tolist(), "loss": E.item()}
    answer.update({f"grad_w{k + 1}": W.grad.tolist() for k, W in enumerate(Ws)})
    answer.update({f"grad_b{k + 1}": b.grad.tolist() for k, b in enumerate(bs)})
    answer.update({f"w{k + 1}": W.tolist() for k, W in enumerate(new_w)})
    answer["new_b"] = [b.tolist() for b in new_b]
    return answer


def random_case(rng: np.random.Generator, index: int) -> dict:
    depth = int(rng.integers(2, 5))
    sizes = [int(rng.integers(1, 5)) for _ in range(depth + 1)]
    activation = str(rng.choice(["sigmoid", "tanh", "relu", "linear"]))
    loss = str(rng.choice(["half-mse", "mse", "cce"]))
    if loss == "cce":
        sizes[-1] = max(sizes[-1], 2)
        output = "softmax"
        if rng.random() < 0.5:
            t = np.eye(sizes[-1])[rng.integers(sizes[-1])]
        else:
            t = rng.dirichlet(np.ones(sizes[-1]))
    else:
        output = str(rng.choice(["sigmoid", "tanh", "relu", "linear"])) if rng.random() < 0.4 else activation
        t = rng.uniform(-1, 1, sizes[-1]) if output in ("tanh", "linear") else rng.uniform(0, 1, sizes[-1])
    x = rng.normal(0, 1, sizes[0])
    weights = [rng.normal(0, 0.8, (sizes[k + 1], sizes[k])) for k in range(depth)]
    texts_b, biases = [], []
    for k in range(depth):
        if rng.random() < 0.4:          # one number shared by the layer
            b = float(rng.normal(0, 0.5))
            texts_b.append(repr(b))
            biases.append(np.full(sizes[k + 1], b))
        else:
            b = rng.normal(0, 0.5, sizes[k + 1])
            texts_b.append(text_vector(b))
            biases.append(b)
    lr = float(rng.choice([0.1, 0.5, 1.0, 0.05]))
    activations = [activation] * (depth - 1) + [output]
    options = {"x": text_vector(x), "target": text_vector(t), "lr": repr(lr), "activation": activation,
               "output-activation": output, "loss": loss}
    for k in range(depth):
        options[f"w{k + 1}"] = text_matrix(weights[k])
        options[f"b{k + 1}"] = texts_b[k]
    if rng.random() < 0.5:
        options["update-bias"] = True
    return {"id": f"random-{index:02d}-{'-'.join(map(str, sizes))}-{activation}-{output}-{loss}",
            "options": options,
            "answer": torch_step(x, t, weights, biases, activations, loss, lr)}


def notes_case() -> dict:
    """Notes 002, "Back propagation": the 2-2-2 sigmoid network, lr 0.5, biases kept."""
    x, t = [0.05, 0.10], [0.01, 0.99]
    W1, W2 = [[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]
    options = {"x": "0.05,0.10", "target": "0.01,0.99", "w1": "0.15,0.20;0.25,0.30", "b1": "0.35",
               "w2": "0.40,0.45;0.50,0.55", "b2": "0.60", "lr": "0.5"}
    answer = torch_step(x, t, [W1, W2], [[0.35, 0.35], [0.60, 0.60]], ["sigmoid", "sigmoid"], "half-mse", 0.5)
    return {"id": "notes-002-2-2-2", "options": options, "answer": answer}


def edge_cases() -> list[dict]:
    """Hand-picked corners: a very confident softmax (log(p) must not be clipped at 1e-7),
    and a relu unit with a negative net input (no gradient flows through it)."""
    cases = []
    x, t = [3.0, -2.0], [1.0, 0.0]
    W1, W2 = [[4.0, -3.0], [2.0, 5.0]], [[5.0, -4.0], [-3.0, 6.0]]
    options = {"x": "3,-2", "target": "1,0", "w1": "4,-3;2,5", "b1": "0", "w2": "5,-4;-3,6", "b2": "0",
               "lr": "0.1", "activation": "relu", "loss": "cce"}
    answer = torch_step(x, t, [W1, W2], [[0.0, 0.0], [0.0, 0.0]], ["relu", "softmax"], "cce", 0.1)
    cases.append({"id": "edge-confident-softmax", "options": options, "answer": answer})
    x, t = [1.0, 2.0], [0.3]
    W1, W2 = [[0.5, -1.0], [0.4, 0.2]], [[0.7, -0.6]]
    options = {"x": "1,2", "target": "0.3", "w1": "0.5,-1;0.4,0.2", "b1": "0.1,-0.2", "w2": "0.7,-0.6",
               "b2": "0.05", "lr": "0.5", "activation": "relu", "output-activation": "linear", "loss": "mse",
               "update-bias": True}
    answer = torch_step(x, t, [W1, W2], [[0.1, -0.2], [0.05]], ["relu", "linear"], "mse", 0.5)
    cases.append({"id": "edge-dead-relu", "options": options, "answer": answer})
    return cases


def main() -> None:
    torch.set_default_dtype(torch.float64)
    rng = np.random.default_rng(SEED)
    cases = [notes_case()] + edge_cases() + [random_case(rng, i) for i in range(CASES)]
    for case in cases:
        new_b = case["answer"].pop("new_b")
        if case["options"].get("update-bias"):
            case["answer"].update({f"b{k + 1}": b for k, b in enumerate(new_b)})
    meta = {"source": "tests/reference/record_backprop.py", "torch": torch.__version__, "dtype": "float64",
            "seed": SEED}
    OUT.write_text(json.dumps({"meta": meta, "cases": cases}, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
