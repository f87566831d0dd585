"""Record the answers of the GAN, autoencoder, Huber, L2 and BPTT families, recomputed with PyTorch only.

The same record format as tests/reference/record_practice_keys.py (which needs Keras and
scikit-learn too); tests/practice/test_keys_reference.py reads both files. dltutor only draws
the problems; each answer is recomputed here from the drawn parameters as the prompt states
them, with torch.nn.functional losses, nn.Linear layers and torch.optim.SGD on autograd
gradients, never with dltutor's solvers. From the repository root:

    PYTHONPATH=. python tests/reference/record_practice_keys_torch.py

Writes tests/data/practice_keys_torch.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from dltutor.practice.families import DIFFICULTIES, generate, load_families

torch.set_default_dtype(torch.float64)
OUT = Path(__file__).resolve().parent.parent / "data" / "practice_keys_torch.json"
PER_DIFFICULTY = 4


def T(a):
    return torch.tensor(np.asarray(a, dtype=float))


def huber_loss(n):
    return {"loss": float(F.huber_loss(T(n["p"]), T(n["y"]), delta=float(n["d"])))}


def gan_discriminator_loss(n):
    # the real batch with target t (one-sided label smoothing when t < 1), the generated one with target 0
    d = torch.cat([T(n["dr"]), T(n["df"])])
    y = torch.cat([torch.full((len(n["dr"]),), float(n["t"])), torch.zeros(len(n["df"]))])
    return {"loss": float(F.binary_cross_entropy(d, y))}


def gan_generator_loss(n):
    d = T(n["df"])
    return {"loss": float(F.binary_cross_entropy(d, torch.ones_like(d)))}


def autoencoder_reconstruction(n):
    x, xh = T(n["x"]), T(n["xh"])
    loss = F.mse_loss(xh, x) if n["lk"] == "mse" else F.binary_cross_entropy(xh, x)
    return {"error": float(loss)}


def autoencoder_params(n):
    sizes = [n["n"], n["c"], n["n"]] if n["h"] == 0 else [n["n"], n["h"], n["c"], n["h"], n["n"]]
    layers = [torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]
    counts = [sum(p.numel() for p in layer.parameters()) for layer in layers]
    code = len(layers) // 2          # the code layer is the middle one, the last of the encoder
    return {"enc": sum(counts[:code]), "dec": sum(counts[code:]), "total": sum(counts)}


def bptt_steps(n):
    # the RNN as the prompt states it: n units, one input per step, W_x one weight per unit,
    # W_h (n, n), b and y one number per unit, h_0 = 0, L = ½|h_T − y|²; torch autograd through
    # the unrolled steps gives the gradients of the shared weights
    units = int(n["n"])
    wx = T(n["wx"]).reshape(units, 1).requires_grad_(True)
    wh = T(n["wh"]).reshape(units, units).requires_grad_(True)
    b = T(np.broadcast_to(n["b"], units)).clone().requires_grad_(True)
    y = T(np.broadcast_to(n["target"], units))
    h = torch.zeros(units)
    for x in n["x"]:
        h = torch.tanh(wx @ T([x]) + wh @ h + b)
    loss = 0.5 * ((h - y) ** 2).sum()
    loss.backward()
    if units == 1:
        return {"loss": loss.item(), "dwx": wx.grad.item(), "dwh": wh.grad.item(), "db": b.grad.item()}
    return {"loss": loss.item(), "dwx_units": wx.grad.flatten().tolist(), "dwh_units": wh.grad.tolist(),
            "db_units": b.grad.tolist()}


def l2_update(n):
    w = T(n["w"]).requires_grad_(True)
    opt = torch.optim.SGD([w], lr=float(n["lr"]))
    out = []
    for g in (n["g1"], n["g2"]):
        opt.zero_grad()
        # data gradient g (a linear term with that gradient) plus Keras's penalty λ·Σw²
        loss = (T(g) * w).sum() + float(n["lam"]) * (w ** 2).sum()
        loss.backward()
        opt.step()
        out.append(w.detach().clone().tolist())
    return {"w1": out[0], "w2": out[1]}


REFERENCE = {"huber-loss": huber_loss, "gan-discriminator-loss": gan_discriminator_loss,
             "gan-generator-loss": gan_generator_loss, "autoencoder-reconstruction": autoencoder_reconstruction,
             "autoencoder-params": autoencoder_params, "l2-update": l2_update, "bptt-steps": bptt_steps}


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def main() -> int:
    families = load_families()
    records = []
    for name in sorted(REFERENCE):
        family = families[name]
        for difficulty in DIFFICULTIES:
            for seed in range(PER_DIFFICULTY):
                problem = generate(family, seed, difficulty)
                answers = REFERENCE[name](problem.names)
                records.append({"id": problem.id, "family": name, "version": family.version, "seed": seed,
                                "difficulty": difficulty, "params": plain(problem.params),
                                "answers": plain({p.name: answers[p.name] for p in problem.parts}), "accept": {}})
    OUT.write_text(json.dumps({"made_by": "tests/reference/record_practice_keys_torch.py",
                               "frameworks": {"torch": torch.__version__}, "records": records}, indent=1) + "\n")
    print(f"{len(records)} problems from {len(REFERENCE)} families -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
