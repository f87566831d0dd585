"""Training quality with fixed seeds, the fit/evaluate/predict API, save/load, stop and callbacks."""

import threading

import numpy as np
import pytest

from dltutor.errors import InputError
from dltutor.nn import build, datasets
from dltutor.nn.optimizers import SGD


def test_xor_reaches_full_accuracy():
    X, y = datasets.load("xor")
    model = build("Input(2) -> Dense(8, tanh) -> Dense(1, sigmoid)", seed=0)
    model.compile(loss="auto", optimizer="adam", lr=0.05)
    assert model.loss.name == "bce"
    model.fit(X, y, epochs=300, batch_size=4)
    assert model.evaluate(X, y)["accuracy"] == 1.0
    assert np.array_equal((model.predict(X)[:, 0] > 0.5).astype(int), [0, 1, 1, 0])


def test_spiral_three_classes_train_accuracy():
    X, y = datasets.load("spiral", samples=300, classes=3, seed=0)
    model = build("Input(2) -> Dense(32, relu) -> Dense(3, softmax)", seed=0)
    model.compile(loss="cce", optimizer="adam", lr=0.01)
    history = model.fit(X, y, epochs=200, batch_size=32, verbose=False)
    assert len(history) == 200
    assert model.evaluate(X, y)["accuracy"] >= 0.97


@pytest.mark.parametrize("spec,epochs", [
    ("Input(64) -> Dense(64, relu) -> Dense(10, softmax)", 15),
    ("Input(8,8,1) -> Conv2D(8, 3, relu) -> MaxPooling2D(2) -> Flatten -> Dense(10, softmax)", 12),
], ids=["mlp", "cnn"])
def test_digits_test_accuracy(spec, epochs):
    X, y = datasets.load("digits", seed=0)
    X_train, y_train, X_test, y_test = datasets.split(X, y, 0.2, seed=0)
    model = build(spec, seed=0)
    model.compile(optimizer="adam", lr=0.005 if "Conv" not in spec else 0.01)
    history = model.fit(X_train, y_train, epochs=epochs, batch_size=32, validation_data=(X_test, y_test))
    assert model.evaluate(X_test, y_test)["accuracy"] >= 0.95
    assert history[-1]["val_accuracy"] == pytest.approx(model.evaluate(X_test, y_test)["accuracy"])


def test_history_records_and_determinism():
    X, y = datasets.load("moons", samples=100, seed=1)
    runs = []
    for _ in range(2):
        model = build("Input(2) -> Dense(8, tanh) -> Dense(1, sigmoid)", seed=3).compile(optimizer="adam", lr=0.01)
        runs.append(model.fit(X, y, epochs=3, batch_size=16, validation_data=(X[:20], y[:20])))
    assert set(runs[0][0]) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds"}
    assert [r["epoch"] for r in runs[0]] == [1, 2, 3]
    assert [r["loss"] for r in runs[0]] == [r["loss"] for r in runs[1]]


def test_loss_auto_choices():
    assert build("Input(2) -> Dense(3, softmax)").compile().loss.name == "cce"
    assert build("Input(2) -> Dense(1, sigmoid)").compile().loss.name == "bce"
    assert build("Input(2) -> Dense(2, sigmoid)").compile().loss.name == "mse"
    assert build("Input(2) -> Dense(1)").compile().loss.name == "mse"


def test_optimizer_object_and_float32():
    X, y = datasets.load("blobs", samples=60, classes=3)
    opt = SGD(lr=0.1)
    model = build("Input(2) -> Dense(3, softmax)", seed=0).compile(optimizer=opt)
    model.fit(X, y, epochs=2, batch_size=10)
    assert model.optimizer is opt and opt.iterations == 12
    assert model.predict(X).dtype == np.float32
    assert all(w.dtype == np.float32 for layer in model.layers for w in layer.weights.values())


def test_digits_reshape_to_input():
    X, y = datasets.load("digits", samples=50)
    for spec in ("Input(64) -> Dense(10, softmax)", "Input(8,8,1) -> Flatten -> Dense(10, softmax)",
                 "Input(8,8) -> SimpleRNN(4) -> Dense(10, softmax)"):
        model = build(spec).compile()
        assert model.predict(X).shape == (50, 10)
    with pytest.raises(InputError, match=r"64 values per sample .*Input\(8, 8, 3\)"):
        build("Input(8,8,3) -> Flatten -> Dense(10)").predict(X)
    with pytest.raises(InputError, match="labels go from 0 to 9 but the model has 3 outputs"):
        build("Input(64) -> Dense(3, softmax)").compile().fit(X, y)


def test_save_and_load_roundtrip(tmp_path):
    X, y = datasets.load("circles", samples=80)
    spec = "Input(2) -> Dense(6, tanh) -> BatchNormalization -> Dense(1, sigmoid)"
    model = build(spec, seed=0).compile(lr=0.05)
    model.fit(X, y, epochs=3, batch_size=16)
    path = tmp_path / "w.npz"
    model.save(path)
    other = build(spec, seed=99)
    other.load(path)
    np.testing.assert_array_equal(other.predict(X), model.predict(X))
    assert not list(tmp_path.glob("*.tmp"))          # atomic: no temporary file left
    with pytest.raises(InputError, match=r"weight 01.Dense.kernel has shape \(2, 6\), the model needs \(2, 7\)"):
        build("Input(2) -> Dense(7, tanh) -> BatchNormalization -> Dense(1, sigmoid)").load(path)
    with pytest.raises(InputError, match="does not exist"):
        model.load(tmp_path / "missing.npz")
    (tmp_path / "bad.npz").write_text("not a zip")
    with pytest.raises(InputError, match="not a .npz file"):
        model.load(tmp_path / "bad.npz")
    with pytest.raises(InputError, match="does not exist"):
        model.save(tmp_path / "nope" / "w.npz")


def test_stop_flag_and_callbacks():
    X, y = datasets.load("spiral", samples=90)
    model = build("Input(2) -> Dense(8, relu) -> Dense(3, softmax)").compile()
    stop = threading.Event()
    seen, epochs = [], []

    def on_batch(epoch, batch, batches, loss):
        seen.append((epoch, batch, batches))
        if epoch == 2 and batch == 2:
            stop.set()

    history = model.fit(X, y, epochs=50, batch_size=10, on_batch=on_batch, callback=epochs.append, stop=stop)
    assert model.stopped
    assert seen[-1] == (2, 2, 9) and len(history) == 2 and epochs == history
    model.fit(X, y, epochs=1, batch_size=10, stop=lambda: False)
    assert not model.stopped


def test_dropout_only_in_training_and_batchnorm_moving_stats():
    model = build("Input(4) -> Dropout(0.5) -> BatchNormalization", seed=0)
    X = np.ones((8, 4), dtype=np.float32) * 3
    np.testing.assert_allclose(model.predict(X), 3 / np.sqrt(1 + 1e-3), rtol=1e-5)   # moving stats 0 and 1
    A = model.layers[0].forward(X, training=True)
    assert set(np.unique(A)) <= {0.0, 6.0}


def test_repr_is_useful():
    model = build("Input(8,8,1) -> Conv2D(4, 3, relu) -> Flatten -> Dense(10, softmax)")
    text = repr(model)
    assert "params=1490" in text and "kernel(3, 3, 1, 4)" in text and "relu" in text


@pytest.mark.parametrize("spec", [
    "Input(8,8,1) -> ZeroPadding2D(((1,0),(2,1))) -> Conv2D(6, 3, relu) -> Cropping2D(((0,1),(1,1))) "
    "-> UpSampling2D((2,1)) -> MaxPooling2D(2) -> LayerNormalization -> Flatten -> Dense(10, softmax)",
    "Input(8,8) -> ZeroPadding1D((1,2)) -> Conv1D(8, 3, relu) -> Cropping1D((1,0)) -> UpSampling1D(2) "
    "-> LayerNormalization(axis=(1,2), scale=False) -> Flatten -> Dense(10, softmax)",
    "Input(8,8,1) -> UpSampling2D(2, interpolation=bilinear) -> Conv2D(4, 3, relu, strides=2) "
    "-> LayerNormalization(axis=1, center=False) -> Flatten -> Dense(10, softmax)",
], ids=["2d", "1d", "bilinear"])
def test_padding_cropping_upsampling_layernorm_models_learn_digits(spec):
    X, y = datasets.load("digits", seed=0)
    X_train, y_train, X_test, y_test = datasets.split(X, y, 0.2, seed=0)
    model = build(spec, seed=0).compile(optimizer="adam", lr=0.01)
    before = model.evaluate(X_test, y_test)
    history = model.fit(X_train, y_train, epochs=4, batch_size=32)
    after = model.evaluate(X_test, y_test)
    assert history[-1]["loss"] < 0.5 * history[0]["loss"]
    assert after["loss"] < 0.3 * before["loss"] and after["accuracy"] >= 0.85
