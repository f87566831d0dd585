"""`dltutor train`: the JSON object of CLI.md, the human summary, saving, and bad input."""

import json
import os

import numpy as np
import pytest

from conftest import assert_bad_input, run_cli


def test_json_shape():
    result = run_cli("train", "--data", "spiral", "--epochs", "3", "--samples", "90", "--json")
    assert result.code == 0, result.err
    out = json.loads(result.out)
    assert set(out) == {"kind", "inputs", "history", "final"} and out["kind"] == "train"
    assert out["inputs"]["data"] == "spiral" and out["inputs"]["loss"] == "cce"
    assert [r["epoch"] for r in out["history"]] == [1, 2, 3]
    for record in out["history"]:
        assert set(record) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds"}
        assert record["val_accuracy"] is not None
    assert set(out["final"]) == {"loss", "accuracy", "val_loss", "val_accuracy", "params"}
    assert out["final"]["params"] == 195                   # Dense(2->32) + Dense(32->3)


def test_xor_default_trains_to_full_accuracy_and_has_no_test_split():
    out = run_cli("train", "--data", "xor", "--json").json()
    assert out["final"]["accuracy"] == 1.0
    assert out["final"]["val_loss"] is None and out["inputs"]["test_split"] == 0


def test_human_output_has_summary():
    result = run_cli("train", "--data", "blobs", "--epochs", "2")
    assert result.code == 0, result.err
    for fragment in ("training summary", "parameters", "Input(2) -> Dense(8, relu) -> Dense(3, softmax)",
                     "accuracy", "test"):
        assert fragment in result.out


def test_save_then_load(tmp_path):
    path = tmp_path / "m.npz"
    first = run_cli("train", "--data", "moons", "--epochs", "20", "--save", str(path), "--json")
    assert first.code == 0, first.err
    assert path.exists()
    again = run_cli("train", "--data", "moons", "--epochs", "0", "--load", str(path), "--json").json()
    assert again["final"]["accuracy"] == pytest.approx(first.json()["final"]["accuracy"])
    with np.load(path) as data:
        assert "01.Dense.kernel" in data.files


def test_padding_cropping_upsampling_layernorm_train_save_load_predict(tmp_path):
    """A model with every new spatial layer and LayerNormalization, end to end from the command line."""
    from dltutor.nn import build, datasets

    spec = ("Input(8,8,1) -> ZeroPadding2D(((1,0),(0,2))) -> Cropping2D((1,1)) -> UpSampling2D((1,2)) "
            "-> Conv2D(4,3,relu) -> LayerNormalization -> Reshape(70,4) -> ZeroPadding1D((1,0)) "
            "-> Cropping1D((0,1)) -> UpSampling1D(2) -> LayerNormalization(axis=(1,2), center=False) "
            "-> Flatten -> Dense(10, softmax)")
    path = tmp_path / "m.npz"
    first = run_cli("train", "--data", "digits", "--model", spec, "--epochs", "3", "--save", str(path), "--json")
    assert first.code == 0, first.err
    out = first.json()
    assert out["final"]["params"] == run_cli("solve", "params", spec, "--json").json()["answer"]["total"]
    assert out["history"][-1]["loss"] < out["history"][0]["loss"] and out["final"]["val_accuracy"] >= 0.8
    again = run_cli("train", "--data", "digits", "--model", spec, "--epochs", "0", "--load", str(path), "--json")
    assert again.json()["final"]["val_accuracy"] == pytest.approx(out["final"]["val_accuracy"])
    X, _ = datasets.load("digits", seed=0)
    csv = tmp_path / "x.csv"
    np.savetxt(csv, X[:4].reshape(4, -1), delimiter=",", fmt="%.9g")
    predicted = run_cli("predict", str(path), "--input", str(csv), "--json")
    assert predicted.code == 0, predicted.err
    model = build(spec)
    model.load(path)
    expected = model.predict(X[:4].reshape(4, 8, 8, 1))
    np.testing.assert_allclose(predicted.json()["outputs"], expected, rtol=1e-6, atol=1e-7)
    assert np.allclose(expected.sum(axis=1), 1)


def test_help_has_examples():
    result = run_cli("train", "--help")
    assert result.code == 0 and "Examples:" in result.out and "dltutor train --data xor" in result.out


@pytest.mark.parametrize("args,fragments", [
    (["--data", "iris"], ["unknown data set 'iris'"]),
    (["--data", "xor", "--model", "Input(2) -> Dense(3"], ["--model", "Dense(3"]),
    (["--data", "xor", "--model", "Input(2) -> Dense(4, elu)"], ["elu"]),
    (["--data", "digits", "--model", "Input(8,8,3) -> Flatten -> Dense(10, softmax)"], ["(64,)", "Input(8, 8, 3)"]),
    (["--data", "spiral", "--model", "Input(2) -> Dense(5, softmax)"], ["(5,)", "3 classes"]),
    (["--data", "xor", "--save", "/nonexistent-folder/w.npz"], ["/nonexistent-folder"]),
    (["--data", "xor", "--test-split", "1.5"], ["--test-split"]),
    (["--data", "moons", "--classes", "4"], ["only to spiral and blobs"]),
    (["--data", "xor", "--load", "/nonexistent-file.npz"], ["does not exist"]),
    (["--data", "digits", "--model", "Input(8,8,1) -> UpSampling2D(2, interpolation=bicubic) -> Flatten "
      "-> Dense(10, softmax)"], ["'UpSampling2D(2, interpolation=bicubic)'", "'bicubic'"]),
    (["--data", "digits", "--model", "Input(8,8,1) -> LayerNormalization(axis=4) -> Flatten -> Dense(10)"],
     ["axis 4"]),
])
@pytest.mark.parametrize("as_json", [False, True])
def test_bad_input(args, fragments, as_json):
    assert_bad_input(run_cli("train", *args, *(["--json"] if as_json else [])), *fragments)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder(tmp_path):
    tmp_path.chmod(0o500)
    try:
        assert_bad_input(run_cli("train", "--data", "xor", "--save", str(tmp_path / "w.npz")), "not writable")
    finally:
        tmp_path.chmod(0o700)


def test_ctrl_c_stops_cleanly_and_saves(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT

    path = tmp_path / "w.npz"
    proc = subprocess.Popen([sys.executable, "-m", "dltutor", "train", "--data", "digits", "--epochs", "50000",
                             "--save", str(path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped by Ctrl-C" in out and "training summary" in out and "saved the weights" in out
    assert "Traceback" not in err and path.exists()
