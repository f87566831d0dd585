"""Files under attack: symlinks and read-only targets for ``-o``, FIFOs for ``--file`` and
``--load``, a zip bomb and a crafted ``.npy`` header, NaN weights, SIGTERM during training
and during a write. Real files and processes; every wait is bounded."""

from __future__ import annotations

import io
import os
import signal
import stat
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from dltutor.errors import InputError
from dltutor.files import read_regular, write_atomic


def dltutor(*args: str, cwd: Path = ROOT, timeout: float = 120, env: dict | None = None):
    return subprocess.run([sys.executable, "-m", "dltutor", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd, env=dict(os.environ, **(env or {})))


def one_line_error(result, *words: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


# ------------------------------------------------------------------ writing: -o


def test_sheet_writes_through_a_symlink(tmp_path):
    target = tmp_path / "real" / "sheet.md"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    result = dltutor("sheet", "--format", "md", "--seed", "1", "--count", "1", "-o", str(link), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() != "old" and "Problem" in target.read_text()
    assert not list(tmp_path.rglob("*.tmp"))


def test_sheet_refuses_a_read_only_file(tmp_path):
    target = tmp_path / "sheet.md"
    target.write_text("keep me")
    target.chmod(0o444)
    result = dltutor("sheet", "--format", "md", "--seed", "1", "--count", "1", "-o", str(target), cwd=tmp_path)
    one_line_error(result, str(target), "read-only")
    assert target.read_text() == "keep me" and stat.S_IMODE(target.stat().st_mode) == 0o444


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("a")
    target.chmod(0o640)
    write_atomic(target, "b")
    assert target.read_text() == "b" and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_sigterm_during_a_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"before")

    def writer(handle):
        handle.write(b"half")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)                       # the signal arrives here
        handle.write(b"never")

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, writer)
    assert target.read_bytes() == b"before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL     # restored


# ------------------------------------------------------------------ reading: only regular files


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def test_fifo_for_file_is_refused_at_once(fifo):
    started = time.monotonic()
    result = dltutor("solve", "params", "--file", str(fifo), timeout=60)
    one_line_error(result, "--file", str(fifo), "not a regular file")
    assert time.monotonic() - started < 30


def test_fifo_for_load_is_refused_at_once(fifo):
    result = dltutor("train", "--data", "xor", "--epochs", "1", "--load", str(fifo), "--json", timeout=60)
    one_line_error(result, str(fifo), "not a regular file")


def test_read_regular_refuses_devices_and_caps_size(tmp_path):
    with pytest.raises(InputError, match="not a regular file"):
        read_regular("/dev/zero", "--file", 100)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(InputError, match="larger than 100 bytes"):
        read_regular(big, "--file", 100)
    assert read_regular(big, "--file", 101) == b"x" * 101


# ------------------------------------------------------------------ .npz: headers first, a budget


XOR = "Input(2) -> Dense(4, tanh) -> Dense(1, sigmoid)"


def model_keys() -> dict[str, tuple]:
    from dltutor.nn.model import build
    from dltutor.nn.weights_io import keys

    model = build(XOR, seed=0)
    return {key: layer.weights[name] for key, (layer, name) in keys(model).items()}


def npy_header(shape, descr="<f4") -> bytes:
    text = "{'descr': '%s', 'fortran_order': False, 'shape': %r, }" % (descr, tuple(shape))
    text += " " * (63 - (len(text) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


def write_npz(path: Path, entries: dict[str, bytes | np.ndarray]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, value in entries.items():
            if isinstance(value, np.ndarray):
                buf = io.BytesIO()
                np.lib.format.write_array(buf, value)
                value = buf.getvalue()
            archive.writestr(f"{key}.npy", value)


def train_load(path: Path, tmp_path: Path, peak_file: Path | None = None):
    cmd = [sys.executable, "-m", "dltutor", "train", "--data", "xor", "--model", XOR, "--epochs", "1",
           "--load", str(path), "--json"]
    if peak_file is not None:
        from tests.conftest import measured

        cmd = measured(cmd, peak_file)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=tmp_path)


def test_zip_bomb_is_refused_from_its_headers(tmp_path):
    """512 MiB of zeros in a ~0.5 MB archive: refused before anything is unpacked."""

    path = tmp_path / "bomb.npz"
    weights = model_keys()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, value in weights.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, value)
            archive.writestr(f"{key}.npy", buf.getvalue())
        with archive.open("padding.npy", "w", force_zip64=True) as handle:
            handle.write(npy_header((128 << 20,)))
            chunk = bytes(1 << 20)
            for _ in range(512):
                handle.write(chunk)
    assert path.stat().st_size < 2 << 20
    from tests.conftest import peak_kib

    result = train_load(path, tmp_path, tmp_path / "peak")
    one_line_error(result, str(path), "unpack")
    peak = peak_kib(tmp_path / "peak")           # this process alone; unpacking would take 512 MiB
    assert peak < 400 * 1024, f"dltutor train reached {peak // 1024} MiB"


def test_header_claiming_2_to_the_40_elements_is_refused(tmp_path):
    path = tmp_path / "crafted.npz"
    entries: dict[str, bytes | np.ndarray] = dict(model_keys())
    first = next(iter(entries))
    entries[first] = npy_header((1 << 40,)) + b"\x00" * 64
    write_npz(path, entries)
    result = train_load(path, tmp_path)
    one_line_error(result, str(path), first, "1099511627776")


def test_right_shape_but_data_cut_short_is_refused(tmp_path):
    path = tmp_path / "short.npz"
    entries: dict[str, bytes | np.ndarray] = dict(model_keys())
    first = next(iter(entries))
    entries[first] = npy_header(entries[first].shape) + b"\x00" * 4
    write_npz(path, entries)
    result = train_load(path, tmp_path)
    one_line_error(result, str(path), "cut short")


def test_nan_weights_are_refused_on_load(tmp_path):
    path = tmp_path / "nan.npz"
    entries = {k: v.copy() for k, v in model_keys().items()}
    first = next(iter(entries))
    entries[first].flat[0] = np.nan
    write_npz(path, entries)
    result = train_load(path, tmp_path)
    one_line_error(result, str(path), first, "NaN")


def test_nan_weights_are_not_saved(tmp_path):
    from dltutor.nn.model import build

    model = build(XOR, seed=0)
    next(iter(model.layers[0].weights.values()))[...] = np.inf
    with pytest.raises(InputError, match="NaN or infinite"):
        model.save(tmp_path / "w.npz")
    assert not list(tmp_path.iterdir())


def test_a_good_file_still_loads(tmp_path):
    from dltutor.nn.model import build

    model = build(XOR, seed=3)
    model.save(tmp_path / "w.npz")
    other = build(XOR, seed=4)
    other.load(tmp_path / "w.npz")
    for a, b in zip(model.layers, other.layers):
        for name in a.weights:
            np.testing.assert_array_equal(a.weights[name], b.weights[name])


# ------------------------------------------------------------------ SIGTERM during train


def test_sigterm_during_train_is_like_ctrl_c(tmp_path):
    save = tmp_path / "model.npz"
    proc = subprocess.Popen([sys.executable, "-m", "dltutor", "train", "--data", "spiral", "--epochs", "100000",
                             "--save", str(save)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, env=dict(os.environ, COLUMNS="100"))
    try:
        time.sleep(5)                       # imports done, training under way
        assert proc.poll() is None, "training ended before the signal"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=20)
    assert proc.returncode == 0, err[-2000:]
    assert "stopped" in out and "epoch" in out               # the summary of what was trained
    assert save.exists() and not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_stored_spec_reads_the_spec_with_the_same_checks(tmp_path, fifo):
    from dltutor.nn.model import build
    from dltutor.nn.weights_io import stored_spec

    build(XOR, seed=1).save(tmp_path / "w.npz")
    assert stored_spec(tmp_path / "w.npz") == XOR
    with pytest.raises(InputError, match="not a regular file"):
        stored_spec(fifo)
    crafted = tmp_path / "crafted.npz"
    write_npz(crafted, {"spec": npy_header((1 << 40,), "<U8")})
    with pytest.raises(InputError, match="not a model spec"):
        stored_spec(crafted)
