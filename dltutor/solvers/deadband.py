"""The perceptron rule with a dead band, ``solve perceptron --theta T`` (Fausett,
"Fundamentals of Neural Networks", 1994, section 2.3, common in soft-computing courses):

    y = 1 if z > θ;  0 if −θ ≤ z ≤ θ;  −1 if z < −θ          z = w·x + b
    when y ≠ t:  w ← w + lr·t·x,  b ← b + lr·t               (no change when y = t)

Targets are bipolar (−1/+1); inputs may be binary or bipolar. An output of 0 (undecided)
is always wrong, so training pushes every sample out of the band [−θ, θ].
"""

from __future__ import annotations

import numpy as np

from dltutor.errors import InputError
from dltutor.solution import Solution, Step, Table
from dltutor.solvers.cycles import WeightHistory
from dltutor.solvers.neurons import dot
from dltutor.values import format_number
from dltutor.values import plural


def band_output(z: float, theta: float) -> int:
    return 1 if z > theta else (-1 if z < -theta else 0)


def dead_band(X: np.ndarray, t: np.ndarray, w: np.ndarray, b: float, lr: float, epochs: int, theta: float,
              inputs: dict) -> Solution:
    """Epochs of the dead-band rule over samples X (samples, features) with ±1 targets t."""
    labels = set(t.tolist())
    if not labels <= {-1.0, 1.0}:
        odd = next(v for v in t.tolist() if v not in (-1.0, 1.0))
        raise InputError(f"--data label {format_number(odd)}: with --theta the targets must be -1 or +1 "
                         f"(an output of 0 means 'undecided')")
    steps = [Step("Output function", "y = Piecewise((1, z > theta), (0, z >= -theta), (-1, True))", "", theta,
                  note=f"outputs 1 above θ = {format_number(theta)}, 0 inside [-θ, θ], -1 below; "
                       f"the weights change only when y differs from t")]
    w = w.astype(float).copy()
    converged = False
    history = WeightHistory(w, b)     # a repeat of an epoch's weights: the run cycles (not separable)
    for epoch in range(1, epochs + 1):
        shown = not history.cycled
        rows, updates = [], 0
        for x, target in zip(X, t):
            z = dot(w, x, b)
            y = band_output(z, theta)
            if y != target:
                w = w + lr * target * x
                b = b + lr * target
                updates += 1
            rows.append((x.tolist(), target, z, y, "yes" if y != target else "no", w.tolist(), b))
        converged = updates == 0
        if converged:
            note = f"no update in epoch {epoch}: every sample is outside the band on its own side"
            if epoch < epochs:
                note += f" (epochs {epoch + 1} to {epochs} would repeat this one, so they are not shown)"
        else:
            note = f"{plural(updates, 'update')} in this epoch"
            repeat = history.note(w, b, epoch, epochs) if shown else ""
            note += "; " + repeat if repeat else ""
        if not shown:
            continue
        steps.append(Step(f"Epoch {epoch}", "if y != t: w = w + lr*t*x,  b = b + lr*t", "",
                          {"w": w.tolist(), "b": b}, note=note,
                          table=Table(("x", "t", "z", "y", "update", "new w", "new b"), tuple(rows))))
        if converged:
            break
    inputs = dict(inputs, theta=theta)
    return Solution("perceptron", inputs, {"w": w.tolist(), "b": b, "converged": converged}, tuple(steps))
