"""`dltutor predict` and `dltutor convert` as commands: outputs, files written, bad input, help."""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import subprocess
import sys

import numpy as np
import pytest

from conftest import assert_bad_input, run_cli
from dltutor.nn.model import build


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A small saved model with known weights, and a CSV of three rows."""
    folder = tmp_path_factory.mktemp("predict")
    model = build("Input(2) -> Dense(3, tanh) -> Dense(2, softmax)", seed=0)
    rng = np.random.default_rng(5)
    for layer in model.layers:
        for w in layer.weights.values():
            w[...] = rng.normal(0, 1, w.shape)
    model.save(folder / "m.npz")
    X = np.array([[0.5, -1.0], [2.0, 0.25], [0.0, 0.0]])
    (folder / "x.csv").write_text("# x1,x2\n" + "\n".join(",".join(str(v) for v in row) for row in X) + "\n\n")
    return folder, model, X


def _by_hand(model, X):
    """Dense → tanh → Dense → softmax with the saved weights, in float64 NumPy."""
    (W1, b1), (W2, b2) = [(layer.weights["kernel"], layer.weights["bias"]) for layer in model.layers]
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_predict_json_is_one_row_per_input_row(saved):
    folder, model, X = saved
    result = run_cli("predict", str(folder / "m.npz"), "--input", str(folder / "x.csv"), "--json")
    assert result.code == 0, result.err
    outputs = result.json()["outputs"]
    assert list(result.json()) == ["outputs"]
    np.testing.assert_allclose(outputs, _by_hand(model, X), rtol=1e-6, atol=1e-7)


def test_predict_prints_rows_for_people(saved):
    folder, model, X = saved
    result = run_cli("predict", str(folder / "m.npz"), "--input", str(folder / "x.csv"), "--digits", "3")
    assert result.code == 0, result.err
    rows = [[float(v) for v in line.split(",")] for line in result.out.strip().splitlines()]
    np.testing.assert_allclose(rows, _by_hand(model, X), rtol=6e-3)


def test_convert_writes_script_and_weights_beside_it(saved, tmp_path):
    folder, _, _ = saved
    result = run_cli("convert", str(folder / "m.npz"), "--to", "pytorch", "-o", str(tmp_path / "net.py"))
    assert result.code == 0, result.err
    assert (tmp_path / "net.py").read_text().startswith('"""Input(2) -> Dense(3, tanh) -> Dense(2, softmax)')
    with np.load(tmp_path / "net.weights.npz") as w:
        assert w["dense_1.weight"].shape == (3, 2)          # PyTorch's (out, in)
    assert "net.py" in result.err and "net.weights.npz" in result.err


@pytest.mark.parametrize("args, fragment", [
    (["predict", "missing.npz", "--input", "x.csv"], "missing.npz"),
    (["predict", "{m}", "--input", "nothere.csv"], "nothere.csv"),
    (["predict", "{m}", "--input", "{bad_width}"], "line 1 has 3 values"),
    (["predict", "{m}", "--input", "{bad_value}"], "'abc'"),
    (["predict", "{m}", "--input", "{nan}"], "NaN"),
    (["predict", "{m}", "--input", "{empty}"], "no rows"),
    (["predict", "{plain}", "--input", "{csv}"], "not a model saved by dltutor train --save"),
    (["predict", "{text}", "--input", "{csv}"], "not an .npz file"),
    (["convert", "{m}", "--to", "tensorflow"], "'tensorflow'"),
    (["convert", "{m}", "--to", "pytorch", "-o", "{folder}/model.txt"], "model.txt"),
    (["convert", "{m}", "--to", "pytorch", "-o", "{folder}/m.py"], "would write its weights over"),
    (["convert", "{plain}", "--to", "keras"], "plain.npz"),
])
def test_bad_input_exits_2_naming_the_value(args, fragment, saved, tmp_path, monkeypatch):
    folder, _, _ = saved
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad_width.csv").write_text("1,2,3\n")
    (tmp_path / "bad_value.csv").write_text("1,abc\n")
    (tmp_path / "nan.csv").write_text("1,nan\n")
    (tmp_path / "empty.csv").write_text("# nothing\n")
    np.savez(tmp_path / "plain.npz", a=np.zeros(3))
    (tmp_path / "text.npz").write_text("not a zip")
    # a weights file named as convert names its weights: -o m.py would write over it
    (tmp_path / "m.weights.npz").write_bytes((folder / "m.npz").read_bytes())
    names = {"m": str(tmp_path / "m.weights.npz"), "bad_width": "bad_width.csv", "bad_value": "bad_value.csv",
             "nan": "nan.csv", "empty": "empty.csv", "plain": "plain.npz", "text": "text.npz",
             "csv": str(folder / "x.csv"), "folder": str(tmp_path)}
    result = run_cli(*[a.format(**names) for a in args])
    assert_bad_input(result, fragment)


def _help_lines(command: str, prefix: str) -> list[str]:
    text = run_cli(command, "--help").out
    return [line.strip() for line in text.splitlines() if line.strip().startswith(prefix)]


@pytest.mark.parametrize("command", ["predict", "convert"])
def test_help_examples_run_as_printed(command, tmp_path, monkeypatch):
    """The help's preparation lines (train, printf) and then every example, in a fresh folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DLTUTOR_HOME", str(tmp_path / "home"))
    prepare = _help_lines(command, "dltutor train") + _help_lines(command, "printf")
    assert len(prepare) == 2
    assert run_cli(*shlex.split(prepare[0])[1:], "--json").code == 0
    subprocess.run(prepare[1], shell=True, check=True, cwd=tmp_path)
    examples = [line for line in _help_lines(command, f"dltutor {command} ")]
    assert examples
    for example in examples:
        result = run_cli(*shlex.split(example)[1:])
        assert result.code == 0, (example, result.err)
    if command == "convert":
        assert (tmp_path / "xor_torch.py").exists() and (tmp_path / "xor_keras.weights.npz").exists()
        expected = run_cli("predict", "xor.npz", "--input", "points.csv", "--json").json()["outputs"]
        for line in _help_lines(command, "python") + _help_lines(command, "KERAS_BACKEND=torch python"):
            framework = "keras" if "keras" in line else "pytorch"
            if importlib.util.find_spec("torch") is None or importlib.util.find_spec(framework.replace(
                    "pytorch", "torch")) is None:
                continue        # the framework tests say 'skipped'; here the dltutor lines are the point
            env = dict(os.environ, KERAS_BACKEND="torch")
            args = shlex.split(line.replace("KERAS_BACKEND=torch ", ""))
            proc = subprocess.run([sys.executable, *args[1:]], capture_output=True, text=True, cwd=tmp_path,
                                  env=env, timeout=120)
            assert proc.returncode == 0, proc.stderr[-2000:]
            np.testing.assert_allclose(json.loads(proc.stdout)["outputs"], expected, rtol=1e-5, atol=1e-5)


def test_convert_of_what_pytorch_cannot_build_is_bad_input(tmp_path):
    """The engine trains an LSTM with relu; nn.LSTM has tanh only: exit 2 naming it, no file written."""
    model = build("Input(3, 2) -> LSTM(2, relu) -> Dense(1)", seed=0)
    model.save(tmp_path / "relu.npz")
    assert_bad_input(run_cli("convert", str(tmp_path / "relu.npz"), "--to", "pytorch", "-o",
                             str(tmp_path / "relu_torch.py")), "LSTM(2, relu)", "'relu'")
    assert not (tmp_path / "relu_torch.py").exists() and not (tmp_path / "relu_torch.weights.npz").exists()
    assert run_cli("convert", str(tmp_path / "relu.npz"), "--to", "keras", "-o", str(tmp_path / "k.py")).code == 0
