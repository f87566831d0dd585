"""The toy data sets: shapes, dtypes, label ranges, seeds, split and batches."""

import numpy as np
import pytest

from dltutor.errors import InputError
from dltutor.nn import datasets


@pytest.mark.parametrize("name,samples,classes,features", [
    ("xor", 4, 2, 2), ("circles", 200, 2, 2), ("moons", 200, 2, 2), ("spiral", 300, 3, 2),
    ("blobs", 300, 3, 2), ("digits", 1797, 10, 64)])
def test_defaults(name, samples, classes, features):
    X, y = datasets.load(name)
    assert X.shape == (samples, features) and X.dtype == np.float32
    assert y.shape == (samples,) and y.dtype.kind == "i"
    assert sorted(set(y.tolist())) == list(range(classes))


def test_xor_is_the_truth_table():
    X, y = datasets.load("xor")
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == [0, 1, 1, 0]


def test_digits_pixels_and_counts():
    X, y = datasets.load("digits")
    assert X.min() == 0 and X.max() == 1
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]  # scikit-learn's counts


@pytest.mark.parametrize("name", ["spiral", "blobs"])
def test_classes_and_seed(name):
    X, y = datasets.load(name, samples=100, classes=5, seed=1)
    assert sorted(set(y.tolist())) == [0, 1, 2, 3, 4] and np.bincount(y).tolist() == [20] * 5
    X2, _ = datasets.load(name, samples=100, classes=5, seed=1)
    X3, _ = datasets.load(name, samples=100, classes=5, seed=2)
    assert np.array_equal(X, X2) and not np.array_equal(X, X3)


def test_split_and_batches():
    X, y = datasets.load("moons", samples=100)
    Xtr, ytr, Xte, yte = datasets.split(X, y, 0.2, seed=0)
    assert len(Xtr) == 80 and len(Xte) == 20
    assert sorted(np.r_[Xtr[:, 0], Xte[:, 0]].tolist()) == sorted(X[:, 0].tolist())
    assert len(datasets.split(X, y, 0)[2]) == 0
    sizes = [len(b) for b, _ in datasets.batches(X, y, 32, np.random.default_rng(0))]
    assert sizes == [32, 32, 32, 4]


@pytest.mark.parametrize("kwargs,fragment", [
    ({"name": "iris"}, "unknown data set 'iris'"),
    ({"name": "moons", "classes": 3}, "only to spiral and blobs"),
    ({"name": "spiral", "classes": 50}, "classes must be from 2 to 20"),
    ({"name": "digits", "samples": 5000}, "samples must be from 10 to 1,797"),
])
def test_bad_requests(kwargs, fragment):
    with pytest.raises(InputError, match=fragment):
        datasets.load(**kwargs)
