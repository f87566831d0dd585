"""Layers that rescale activations: inverted dropout and batch normalization.

    dropout (training, inverted):  y_k = m_k·x_k/(1 − rate)      m_k ∈ {0, 1}
    batch norm, per feature j (column of a batch of rows):
        train:  μ_j = mean_k x_kj,  σ²_j = mean_k (x_kj − μ_j)²   (no Bessel correction)
        infer:  μ_j, σ²_j = the moving mean and variance given
        y_kj = γ_j·(x_kj − μ_j)/√(σ²_j + ε) + β_j

Conventions are Keras 3's (``Dropout`` scales the kept units by 1/(1 − rate) in
training so that nothing changes at inference; ``BatchNormalization`` with
epsilon 0.001), checked against values Keras recorded
(tests/reference/record_breadth.py).
"""

from __future__ import annotations


import numpy as np

from dltutor.errors import InputError
from dltutor.solution import Filled, Solution, Step, Table
from dltutor.solvers.neurons import arg, join_terms, shown_terms
from dltutor.solvers.registry import Option, choice, matrix, nonnegative_number, number, register, vector
from dltutor.values import format_number
from dltutor.values import plural


def _rate(text: str, what: str) -> float:
    rate = number(text, what)
    if not 0 <= rate < 1:
        raise InputError(f"{what} {format_number(rate)} must be from 0 up to (not including) 1: "
                         f"it is the fraction of units dropped")
    return rate


@register(
    "dropout", topic="regularization",
    summary="inverted dropout in training: kept units are scaled by 1/(1 - rate)",
    options=[
        Option("x", vector, "the layer's inputs x_k", required=True, metavar="VEC"),
        Option("rate", _rate, "fraction of units dropped, in [0, 1)", required=True, metavar="R"),
        Option("mask", vector, "1 = unit kept, 0 = unit dropped (one per x_k)", required=True, metavar="VEC"),
    ],
    examples=["--x 1,2,3,4 --rate 0.5 --mask 1,0,1,1", "--x 0.2,-0.4,0.6 --rate 0.2 --mask 1,1,0"],
)
def dropout(x: np.ndarray, rate: float, mask: np.ndarray) -> Solution:
    """Inverted dropout of one vector x (n values) with a given 0/1 mask (n values):
    y = mask·x/(1 − rate), so that the expected value of y is x and inference uses x unchanged."""
    if len(mask) != len(x):
        raise InputError(f"--mask has {plural(len(mask), 'value')} but --x has {len(x)}: give one 0/1 per input")
    bad = np.flatnonzero((mask != 0) & (mask != 1))
    if bad.size:
        k = int(bad[0])
        raise InputError(f"--mask value {format_number(float(mask[k]))} (position {k + 1}) is not 0 or 1")
    scale = 1 / (1 - rate)
    y = mask * x * scale + 0.0
    n = len(x)
    idx = shown_terms(n)
    template = "[" + join_terms([arg(mask[k]) + "*" + arg(x[k]) + "/(1 - {})" for k in idx], n, ", ") + "]"
    nums = tuple(v for k in idx for v in (mask[k], x[k], rate))
    kept = int(mask.sum())
    steps = (
        Step("Scale of the kept units", "scale = 1/(1 - rate)", Filled("1/(1 - {})", (rate,)), scale,
             note="inverted dropout scales in training, so the layer does nothing at inference"),
        Step("Output", "y_k = m_k*x_k/(1 - rate)", Filled(template, nums), y.tolist(),
             note=f"{kept} of {n} units kept ({format_number(kept / n)} of them; the expected share is "
                  f"1 - rate = {format_number(1 - rate)})",
             table=Table(("k", "x_k", "m_k", "y_k"),
                         tuple((k + 1, float(x[k]), int(mask[k]), float(y[k])) for k in range(n)))),
    )
    return Solution("dropout", {"x": x.tolist(), "rate": rate, "mask": mask.tolist()}, {"y": y.tolist()}, steps)


# ------------------------------------------------------------- batch norm

def _per_feature(v: np.ndarray | None, features: int, what: str, default: float) -> np.ndarray:
    if v is None:
        return np.full(features, default)
    if len(v) == 1:
        return np.full(features, float(v[0]))
    if len(v) != features:
        raise InputError(f"{what} has {plural(len(v), 'value')} but --x has {plural(features, 'feature column')}: "
                         f"give one per column (or one number for all)")
    return v


def _eps(text: str, what: str) -> float:
    return nonnegative_number(text, what)


@register(
    "batchnorm", topic="regularization",
    summary="batch normalization of a batch (rows = samples), in training or at inference",
    options=[
        Option("x", matrix, "the batch: one row per sample, one column per feature", required=True,
               metavar="MAT"),
        Option("gamma", vector, "scale γ per feature (one number: all) [default: 1]", metavar="VEC"),
        Option("beta", vector, "shift β per feature (one number: all) [default: 0]", metavar="VEC"),
        Option("eps", _eps, "ε added to the variance (Keras 0.001; PyTorch 1e-5)", default="0.001",
               metavar="EPS"),
        Option("mode", choice("train", "infer"), "train: the batch's statistics; infer: --mean and --var",
               default="train", metavar="MODE", choices=("train", "infer")),
        Option("mean", vector, "moving mean per feature (--mode infer)", metavar="VEC"),
        Option("var", vector, "moving variance per feature (--mode infer)", metavar="VEC"),
    ],
    examples=['--x "1,2;3,6;5,4"', '--x "1,2;3,6" --gamma 2,1 --beta 0,0.5',
              '--x "1,2;3,6" --mode infer --mean 2,4 --var 1,4'],
)
def batchnorm(x: np.ndarray, gamma=None, beta=None, eps: float = 0.001, mode: str = "train",
              mean=None, var=None) -> Solution:
    """Batch normalization of a batch x of shape (samples, features), per feature column:
    y = γ·(x − μ)/√(σ² + ε) + β, with μ, σ² the batch mean and (biased) variance in training,
    or the given moving statistics at inference."""
    n, f = x.shape
    g = _per_feature(gamma, f, "--gamma", 1.0)
    b = _per_feature(beta, f, "--beta", 0.0)
    steps: list[Step] = []
    if mode == "train":
        if mean is not None or var is not None:
            raise InputError("--mean/--var are the moving statistics of --mode infer; in training the "
                             "batch's own mean and variance are used")
        mu = x.mean(axis=0)
        sigma2 = ((x - mu) ** 2).mean(axis=0)
        col = x[:, 0]
        idx = shown_terms(n)
        mean_text = "(" + join_terms(["{}" for _ in idx], n) + ")/{}"
        var_text = "(" + join_terms(["({} - " + arg(mu[0]) + ")**2" for _ in idx], n) + ")/{}"
        steps.append(Step("Batch mean per feature", "mu_j = Sum(x_kj, (k, 1, m))/m",
                          Filled("feature 1: " + mean_text, (*[col[k] for k in idx], n)), mu.tolist(),
                          note=f"the mean of each column over the {n} sample{'s' if n != 1 else ''} of the batch"))
        steps.append(Step("Batch variance per feature", "var_j = Sum((x_kj - mu_j)**2, (k, 1, m))/m",
                          Filled("feature 1: " + var_text, (*[v for k in idx for v in (col[k], mu[0])], n)),
                          sigma2.tolist(),
                          note="divided by m, not m - 1 (no Bessel correction), as Keras and PyTorch "
                               "normalize in training"))
        if n == 1:
            steps[-1] = Step(steps[-1].title, steps[-1].formula, steps[-1].substituted, steps[-1].value,
                             note="one sample: every variance is 0 and x − μ is 0, so y = β")
    else:
        if mean is None or var is None:
            raise InputError("--mode infer needs --mean and --var (the moving statistics), "
                             "e.g. --mean 2,4 --var 1,4")
        mu = _per_feature(mean, f, "--mean", 0.0)
        sigma2 = _per_feature(var, f, "--var", 1.0)
        neg = np.flatnonzero(sigma2 < 0)
        if neg.size:
            raise InputError(f"--var value {format_number(float(sigma2[neg[0]]))} is negative; "
                             f"a variance is at least 0")
        steps.append(Step("Moving statistics", "mu_j, var_j = the moving mean and variance", "",
                          [mu.tolist(), sigma2.tolist()],
                          note="at inference the layer uses the statistics gathered during training, "
                               "not the batch's"))
    denom = sigma2 + eps
    zero = np.flatnonzero(denom == 0)
    if zero.size:
        raise InputError(f"feature {int(zero[0]) + 1} has variance 0 and --eps is 0: the normalization "
                         f"divides by zero (use an --eps above 0)")
    std = np.sqrt(denom)
    xhat = (x - mu) / std
    y = g * xhat + b + 0.0
    steps.append(Step("Normalized inputs", "xhat_kj = (x_kj - mu_j)/sqrt(var_j + eps)",
                      Filled("sample 1, feature 1: ({} - " + arg(mu[0]) + ")/sqrt({} + {})",
                             (x[0, 0], mu[0], sigma2[0], eps)), xhat.tolist()))
    steps.append(Step("Scale and shift", "y_kj = gamma_j*xhat_kj + beta_j",
                      Filled("sample 1, feature 1: {}*" + arg(xhat[0, 0]) + " + " + arg(b[0]),
                             (g[0], xhat[0, 0], b[0])), y.tolist(),
                      note="γ and β are learned; with γ = sqrt(var_j + ε) and β = μ_j the layer "
                           "could undo the normalization"))
    inputs = {"x": x.tolist(), "gamma": g.tolist(), "beta": b.tolist(), "eps": eps, "mode": mode}
    if mode == "infer":
        inputs.update(mean=mu.tolist(), var=sigma2.tolist())
    answer = {"mean": mu.tolist(), "var": sigma2.tolist(), "y": y.tolist()}
    return Solution("batchnorm", inputs, answer, tuple(steps))
