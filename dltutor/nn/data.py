"""Small classification data sets for training in the terminal, drawn from a seeded generator.

    load(name, samples=None, classes=None, seed=0, noise=None) -> X (N, F) float32, y (N,) int64

    xor      the four corners of the unit square, label x1 XOR x2 (more samples: noisy copies)
    circles  a ring (label 0) around a smaller ring (label 1), radius ratio 0.5
    moons    two interleaving half circles
    spiral   k arms winding out from the centre, one class per arm (CS231n's toy set)
    blobs    k Gaussian clusters with centres on a circle of radius 4
    digits   1,797 handwritten digits, 8x8 pixels scaled to 0..1 (64 values), labels 0..9

The digits come from ``digits.npz`` in this folder, made once by
tests/reference/make_digits.py from scikit-learn's bundled copy of the UCI optdigits
data (scikit-learn is BSD-3-Clause licensed); nothing is downloaded at run time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dltutor.errors import InputError

MAX_SAMPLES = 100_000
DIGITS_FILE = Path(__file__).with_name("digits.npz")

# name -> (default samples, default noise, default classes, classes fixed?)
DEFAULTS = {
    "xor": (4, 0.0, 2, True),
    "circles": (200, 0.1, 2, True),
    "moons": (200, 0.1, 2, True),
    "spiral": (300, 0.2, 3, False),
    "blobs": (300, 1.0, 3, False),
    "digits": (1797, 0.0, 10, True),
}
NAMES = tuple(DEFAULTS)


def _per_class(samples: int, classes: int) -> list[int]:
    base, extra = divmod(samples, classes)
    return [base + (1 if j < extra else 0) for j in range(classes)]


def xor(samples, noise, classes, rng):
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    idx = np.arange(samples) % 4
    X = corners[idx] + noise * rng.standard_normal((samples, 2))
    return X, (corners[idx, 0] != corners[idx, 1]).astype(np.int64)


def circles(samples, noise, classes, rng, factor=0.5):
    n_out, n_in = _per_class(samples, 2)
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate([np.c_[np.cos(t_out), np.sin(t_out)], factor * np.c_[np.cos(t_in), np.sin(t_in)]])
    y = np.r_[np.zeros(n_out), np.ones(n_in)].astype(np.int64)
    return X + noise * rng.standard_normal(X.shape), y


def moons(samples, noise, classes, rng):
    n_out, n_in = _per_class(samples, 2)
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate([np.c_[np.cos(t_out), np.sin(t_out)], np.c_[1 - np.cos(t_in), 0.5 - np.sin(t_in)]])
    y = np.r_[np.zeros(n_out), np.ones(n_in)].astype(np.int64)
    return X + noise * rng.standard_normal(X.shape), y


def spiral(samples, noise, classes, rng):
    Xs, ys = [], []
    for j, n in enumerate(_per_class(samples, classes)):
        r = np.linspace(0.0, 1.0, n)
        t = np.linspace(j * 4, (j + 1) * 4, n) + noise * rng.standard_normal(n)
        Xs.append(np.c_[r * np.sin(t), r * np.cos(t)])
        ys.append(np.full(n, j))
    return np.concatenate(Xs), np.concatenate(ys).astype(np.int64)


def blobs(samples, noise, classes, rng):
    Xs, ys = [], []
    for j, n in enumerate(_per_class(samples, classes)):
        angle = 2 * np.pi * j / classes
        centre = 4 * np.array([np.cos(angle), np.sin(angle)])
        Xs.append(centre + noise * rng.standard_normal((n, 2)))
        ys.append(np.full(n, j))
    return np.concatenate(Xs), np.concatenate(ys).astype(np.int64)


def digits(samples, noise, classes, rng):
    with np.load(DIGITS_FILE) as data:
        images, labels = data["images"], data["labels"]
    order = rng.permutation(len(images))[:samples]
    X = images[order].reshape(len(order), 64) / 16.0
    if noise:
        X = X + noise * rng.standard_normal(X.shape)
    return X, labels[order].astype(np.int64)


GENERATORS = {"xor": xor, "circles": circles, "moons": moons, "spiral": spiral, "blobs": blobs,
              "digits": digits}


def load(name: str, samples: int | None = None, classes: int | None = None, seed: int = 0,
         noise: float | None = None):
    """X (N, features) float32 and y (N,) int64 labels 0..K−1, shuffled with ``seed``."""
    if name not in GENERATORS:
        raise InputError(f"unknown data set {name!r}; choose from {', '.join(NAMES)}")
    d_samples, d_noise, d_classes, fixed = DEFAULTS[name]
    if classes is not None and fixed and classes != d_classes:
        raise InputError(f"the {name} data set has {d_classes} classes; --classes {classes} applies "
                         f"only to spiral and blobs")
    classes = d_classes if classes is None else int(classes)
    if not 2 <= classes <= 20:
        raise InputError(f"classes must be from 2 to 20, got {classes}")
    samples = d_samples if samples is None else int(samples)
    limit = 1797 if name == "digits" else MAX_SAMPLES
    if not classes <= samples <= limit:
        raise InputError(f"samples must be from {classes} to {limit:,} for {name}, got {samples}")
    if noise is None:
        noise = 0.15 if (name == "xor" and samples > 4) else d_noise
    if not 0 <= float(noise) <= 10:
        raise InputError(f"noise must be from 0 to 10, got {noise}")
    rng = np.random.default_rng(seed)
    X, y = GENERATORS[name](samples, float(noise), classes, rng)
    if name not in ("digits", "xor"):
        order = rng.permutation(len(X))
        X, y = X[order], y[order]
    return X.astype(np.float32), y


def split(X, y, test: float = 0.2, seed: int = 0):
    """Shuffle, then hold out a fraction ``test`` (0 keeps everything for training).
    Returns X_train, y_train, X_test, y_test."""
    if not 0 <= test < 1:
        raise InputError(f"the test split must be from 0 up to (not including) 1, got {test}")
    n = len(X)
    n_test = int(round(n * test))
    if test and n - n_test < 1:
        raise InputError(f"a test split of {test} leaves no training samples out of {n}")
    order = np.random.default_rng([seed, 2]).permutation(n)
    test_idx, train_idx = order[:n_test], order[n_test:]
    return X[train_idx], y[train_idx], X[test_idx], y[test_idx]


def batches(X, y, batch_size: int, rng: np.random.Generator | None = None):
    """Mini-batches (X_b, y_b) in a shuffled order (data order when ``rng`` is None)."""
    order = np.arange(len(X)) if rng is None else rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]
