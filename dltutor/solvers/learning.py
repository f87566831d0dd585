"""Learning rules of a single neuron, epoch by epoch (CLI.md, "Conventions").

    perceptron  y = step(w·x + b) for 0/1 labels, sign(w·x + b) for ±1 labels
                w ← w + lr·(t − y)·x,   b ← b + lr·(t − y)        (per sample, in data order)
    LMS         y = w·x + b,  e = t − y
       online   w ← w + lr·e·x,         b ← b + lr·e              (per sample)
       batch    w ← w + lr·mean(e·x),   b ← b + lr·mean(e)        (once per epoch)

Data: X of shape (samples, features), one label t per sample; w has one weight per feature.
"""

from __future__ import annotations

import numpy as np

from dltutor.errors import InputError
from dltutor.nn import activations as acts
from dltutor.nn import losses
from dltutor.solution import Filled, Solution, Step, Table
from dltutor.solvers.neurons import arg, check_lengths, dot, weighted_sum
from dltutor.solvers.cycles import WeightHistory
from dltutor.solvers.registry import (Option, choice, dataset, integer, nonnegative_number, number,
                                      positive_number, register, vector)
from dltutor.values import Dataset, format_number, format_value
from dltutor.values import plural

MAX_EPOCHS = 1000
MAX_ROWS = 5_000           # samples x epochs: the rows of working shown
DIVERGED = 1e100


def _check_data(data: Dataset, w: np.ndarray, epochs: int) -> tuple[np.ndarray, np.ndarray]:
    """X (samples, features) and t (samples,), checked against w and the size caps."""
    X, t = data
    if t.ndim != 1:
        raise InputError(f"--data: each sample needs one label (a number after ':'), "
                         f"sample 1 has {t.shape[1]}")
    check_lengths(w, "--w", X[0], "each --data sample", "give one weight per feature")
    if len(X) * epochs > MAX_ROWS:
        raise InputError(f"--data has {len(X)} samples x --epochs {epochs} = {len(X) * epochs:,} rows of "
                         f"working; the limit is {MAX_ROWS:,}: use fewer epochs")
    return X, t


def _echo(data: Dataset, w: np.ndarray, b: float, lr: float, epochs: int) -> dict:
    X, t = data
    return {"data": [[*x, ti] for x, ti in zip(X.tolist(), t.tolist())], "w": w.tolist(), "b": b,
            "lr": lr, "epochs": epochs}


def _update_text(w_old, b_old, lr: float, err: float, x, w_new, b_new) -> Filled:
    """``[w] + lr*err*[x] = [w'],  b = b + lr*err = b'``: the update with the numbers in
    (it follows the formula ``w = w + ...``, so the first ``w =`` is the formula's)."""
    return Filled(f"{{}} + {{}}*{arg(err)}*{{}} = {{}},  b = {arg(b_old)} + {{}}*{arg(err)} = {{}}",
                  (w_old, lr, err, x, w_new, b_old, lr, err, b_new))


# -------------------------------------------------------------- perceptron

@register(
    "perceptron", topic="learning",
    summary="perceptron learning rule, epoch by epoch",
    options=[
        Option("data", dataset, "labelled samples: 0,0:0; 0,1:0; 1,0:0; 1,1:1 (labels 0/1 or -1/1)",
               required=True, metavar="DATA"),
        Option("w", vector, "initial weights, one per feature", required=True, metavar="VEC"),
        Option("b", number, "initial bias", default="0", metavar="B"),
        Option("lr", positive_number, "learning rate", default="1", metavar="LR"),
        Option("epochs", integer(minimum=1, maximum=MAX_EPOCHS), f"passes over the data (at most {MAX_EPOCHS})",
               default="1", metavar="N"),
        Option("output", choice("auto", "step", "sign"),
               "output function: step (0/1), sign (-1/+1), or auto (step for 0/1 labels, sign for -1/+1)",
               default="auto", metavar="F"),
        Option("theta", nonnegative_number, "dead band θ: output 1 above θ, 0 inside [-θ, θ], -1 below; "
               "w += lr·t·x only when the output is wrong (±1 targets)", metavar="T"),
    ],
    examples=["--data '0,0:0; 0,1:0; 1,0:0; 1,1:1' --w 0,0 --b 0 --lr 1 --epochs 10",
              "--data '1,1:1; 1,-1:-1; -1,1:-1; -1,-1:-1' --w 0,0 --epochs 3",
              "--data '1,1:1; 1,0:-1; 0,1:-1; 0,0:-1' --w 0,0 --theta 0.2 --epochs 10"],
)
def perceptron(data: Dataset, w: np.ndarray, b: float = 0.0, lr: float = 1.0, epochs: int = 1,
               output: str = "auto", theta: float | None = None) -> Solution:
    """Per sample, in data order: y = f(w·x + b), w += lr·(t − y)·x, b += lr·(t − y).

    f is step (1 if z ≥ 0, 0 otherwise) or sign (+1 if z ≥ 0, −1 otherwise); --output auto picks step for
    0/1 labels and sign for ±1 labels. A caller that runs one sample at a time must pass
    --output: a single +1 label cannot tell the two apart. Stops early after an epoch
    without updates (later epochs would repeat it)."""
    X, t = _check_data(data, w, epochs)
    if theta is not None:
        if output != "auto":
            raise InputError(f"--output {output} and --theta exclude each other: --theta has its own "
                             f"three-valued output")
        from dltutor.solvers.deadband import dead_band

        return dead_band(X, t, w, b, lr, epochs, theta, _echo(data, w, b, lr, epochs))
    labels = set(t.tolist())
    if output == "step" and labels <= {0.0, 1.0} or output == "sign" and labels <= {-1.0, 1.0}:
        fn = output
    elif output != "auto":
        raise InputError(f"--output {output} needs labels {'0/1' if output == 'step' else '-1/+1'}; "
                         f"the data have {', '.join(format_number(v) for v in sorted(labels))}")
    elif labels <= {0.0, 1.0}:
        fn = "step"
    elif labels <= {-1.0, 1.0}:
        fn = "sign"
    else:
        odd = [v for v in t.tolist() if v not in (0.0, 1.0, -1.0)]
        what = f"label {format_number(odd[0])}" if odd else "labels mix 0 and -1"
        raise InputError(f"--data {what}: perceptron labels must be all 0/1 (step output) or all "
                         f"-1/+1 (sign output)")
    act = acts.get(fn)
    inputs = _echo(data, w, b, lr, epochs)
    steps = [Step("Output function", f"y = {act.formula}", "", fn,
                  note=(f"the labels are {'0/1' if fn == 'step' else '-1/+1'}, so the output is {fn}(z)"
                        if output == "auto" else f"the output is {fn}(z), as asked"))]
    w = w.astype(float).copy()
    converged = False
    history = WeightHistory(w, b)     # a repeat of an epoch's weights: the run cycles (not separable)
    for epoch in range(1, epochs + 1):
        shown = not history.cycled
        rows, first_update, updates = [], None, 0
        for k, (x, target) in enumerate(zip(X, t), start=1):
            z = dot(w, x, b)
            y = float(act.forward(np.array([z]))[0])
            err = target - y
            w_old, b_old = w.copy(), b
            if err != 0:
                w = w + lr * err * x
                b = b + lr * err
                updates += 1
                if first_update is None:
                    first_update = (k, _update_text(w_old.tolist(), b_old, lr, err, x.tolist(), w.tolist(), b))
            rows.append((x.tolist(), target, z, y, err, w.tolist(), b))
        converged = updates == 0
        if converged:
            note = f"no update in epoch {epoch}: every sample is classified correctly, so training has converged"
            if epoch < epochs:
                note += f" (epochs {epoch + 1} to {epochs} would repeat this one, so they are not shown)"
        else:
            note = f"{plural(updates, 'update')} in this epoch"
            if first_update is not None:
                k, text = first_update
                note += f"; the first, at sample {k}: w = w + lr*(t - y)*x = {text.render()}"
            repeat = history.note(w, b, epoch, epochs) if shown else ""
            if repeat:
                note += "; " + repeat
            elif epoch == epochs and not history.cycled:
                note += "; not converged yet: more epochs may help (if the data are linearly separable)"
        if not shown:
            continue
        steps.append(Step(f"Epoch {epoch}", "w = w + lr*(t - y)*x,  b = b + lr*(t - y)", "",
                          {"w": w.tolist(), "b": b}, note=note,
                          table=Table(("x", "t", "z", "y", "t - y", "new w", "new b"), tuple(rows))))
        if converged:
            break
    return Solution("perceptron", inputs, {"w": w.tolist(), "b": b, "converged": converged}, tuple(steps))


# --------------------------------------------------------------------- lms

def _check_divergence(w: np.ndarray, b: float, lr: float, epoch: int) -> None:
    """Stop a diverging run while its numbers are still finite (1e100 is no weight anyone needs;
    with inputs up to 1e12 the products and their squares stay finite below it)."""
    if not (np.all(np.abs(w) < DIVERGED) and abs(b) < DIVERGED):
        raise InputError(f"--lr {format_number(lr)}: the weights diverge (they pass 1e100 in epoch {epoch}); "
                         f"use a smaller learning rate")


def _mse(X: np.ndarray, t: np.ndarray, w: np.ndarray, b: float) -> float:
    return float(losses.mse(t, X @ w + b))


@register(
    "lms", topic="learning",
    summary="LMS (Widrow-Hoff, ADALINE) rule, sample by sample or full batch",
    options=[
        Option("data", dataset, "labelled samples: 1,1:1; 1,-1:-1; -1,1:-1; -1,-1:-1", required=True,
               metavar="DATA"),
        Option("w", vector, "initial weights, one per feature", required=True, metavar="VEC"),
        Option("b", number, "initial bias", default="0", metavar="B"),
        Option("lr", positive_number, "learning rate", default="0.1", metavar="LR"),
        Option("epochs", integer(minimum=1, maximum=MAX_EPOCHS), f"passes over the data (at most {MAX_EPOCHS})",
               default="1", metavar="N"),
        Option("mode", choice("online", "batch"), "online: update after every sample; batch: one "
               "full-batch gradient step per epoch", default="online", metavar="MODE",
               choices=("online", "batch")),
    ],
    examples=["--data '1,1:1; 1,-1:-1; -1,1:-1; -1,-1:-1' --w 0.2,-0.3 --b 0.1 --lr 0.1",
              "--data '1,1:1; 1,-1:-1; -1,1:-1; -1,-1:-1' --w 0.2,-0.3 --b 0.1 --epochs 3 --mode batch"],
)
def lms(data: Dataset, w: np.ndarray, b: float = 0.0, lr: float = 0.1, epochs: int = 1,
        mode: str = "online") -> Solution:
    """y = w·x + b, e = t − y; online: w += lr·e·x, b += lr·e after every sample;
    batch: w += lr·mean(e·x), b += lr·mean(e) once per epoch. The answer's mse is
    mean((t − (w·x + b))²) over the data with the final weights."""
    X, t = _check_data(data, w, epochs)
    inputs = {**_echo(data, w, b, lr, epochs), "mode": mode}
    w = w.astype(float).copy()
    run = _lms_online if mode == "online" else _lms_batch
    w, b, steps = run(X, t, w, b, lr, epochs)
    mse = _mse(X, t, w, b)
    return Solution("lms", inputs, {"w": w.tolist(), "b": b, "mse": mse}, tuple(steps))


def _settled(before: tuple, w: np.ndarray, b: float) -> bool:
    """The weights at the end of an epoch equal those at the end of the one before, to 12 figures."""
    old = np.append(before[0], before[1])
    new = np.append(w, b)
    return bool(np.all(np.abs(new - old) <= 1e-12 * np.maximum(1.0, np.abs(new))))


def _settled_note(epoch: int, epochs: int) -> str:
    return (f"the weights after epoch {epoch} equal those after epoch {epoch - 1} (to 12 significant "
            f"figures): training has settled, so epochs {epoch + 1} to {epochs} change nothing shown "
            f"here and are not listed (the answer is after epoch {epochs})")


def _lms_online(X, t, w, b, lr, epochs):
    steps = []
    settled = False          # once an epoch changes nothing, later epochs are computed, not shown
    for epoch in range(1, epochs + 1):
        before = (w.copy(), b)
        shown_from = len(steps)
        for k, (x, target) in enumerate(zip(X, t), start=1):
            y, y_formula, y_sub = weighted_sum(x, w, b, products=False, name="y")
            e = float(target - y)
            w_old, b_old = w.copy(), b
            w = w + lr * e * x
            b = b + lr * e
            _check_divergence(w, b, lr, epoch)
            update = _update_text(w_old.tolist(), b_old, lr, e, x.tolist(), w.tolist(), b)
            sub = Filled(f"{y_sub.template} = {{}},  e = {{}} - {arg(y)} = {{}},  w = {update.template}",
                         (*y_sub.values, y, target, y, e, *update.values))
            note = ""
            if k == len(X):
                note = (f"end of epoch {epoch}: with these weights the mean squared error over the "
                        f"data is {format_number(_mse(X, t, w, b))}")
            title = f"Sample {k}" if epochs == 1 else f"Epoch {epoch}, sample {k}"
            steps.append(Step(f"{title}: x = {format_value(x)}, t = {format_number(target)}",
                              f"{y_formula},  e = t - y,  w = w + lr*e*x,  b = b + lr*e", sub,
                              {"y": y, "e": e, "w": w.tolist(), "b": b}, note=note))
        if settled:
            del steps[shown_from:]
        elif epoch < epochs and _settled(before, w, b):
            settled = True
            last = steps[-1]
            steps[-1] = Step(last.title, last.formula, last.substituted, last.value,
                             note=last.note + "; " + _settled_note(epoch, epochs))
    return w, b, steps


def _lms_batch(X, t, w, b, lr, epochs):
    steps = []
    settled = False
    for epoch in range(1, epochs + 1):
        before = (w.copy(), b)
        y = np.array([dot(w, x, b) for x in X])
        e = t - y
        grad_w = (e[:, None] * X).mean(axis=0)     # mean(e·x), one entry per feature
        grad_b = float(e.mean())
        w_old, b_old = w.copy(), b
        w = w + lr * grad_w
        b = b + lr * grad_b
        _check_divergence(w, b, lr, epoch)
        rows = tuple((x.tolist(), ti, yi, ei, (ei * x).tolist()) for x, ti, yi, ei in zip(X, t, y, e))
        sub = Filled(f"{{}} + {{}}*{{}} = {{}},  b = {arg(b_old)} + {{}}*{arg(grad_b)} = {{}}",
                     (w_old.tolist(), lr, grad_w.tolist(), w.tolist(), b_old, lr, grad_b, b))
        note = (f"mean(e·x) = {format_value(grad_w)}, mean(e) = {format_number(grad_b)}; the mean squared error "
                f"was {format_number(float(np.mean(e ** 2)))} before this update and is "
                f"{format_number(_mse(X, t, w, b))} after it. This is gradient descent on "
                f"(1/2)·mean(e²): its gradient is -mean(e·x)")
        if settled:
            continue
        if epoch < epochs and _settled(before, w, b):
            settled = True
            note += "; " + _settled_note(epoch, epochs)
        steps.append(Step(f"Epoch {epoch} (full batch)", "w = w + lr*mean(e*x),  b = b + lr*mean(e)", sub,
                          {"y": y.tolist(), "e": e.tolist(), "w": w.tolist(), "b": b}, note=note,
                          table=Table(("x", "t", "y", "e", "e·x"), rows)))
    return w, b, steps
