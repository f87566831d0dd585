"""What ``dltutor predict`` and ``dltutor convert`` share: a model saved by ``dltutor train --save``
and the CSV rows it is run on.

A saved file (``dltutor.nn.weights_io``) is an ``.npz`` with one array per weight, keyed
``NN.Type.name`` (``02.Dense.kernel``), and the model spec under ``spec``. The spec rebuilds the
model; ``weights_io.load`` then checks every name and shape before copying the weights in.
"""

from __future__ import annotations

import math
import zipfile

import numpy as np

from dltutor.errors import InputError

MAX_CSV_BYTES = 200 * 1024 * 1024


def read_spec(path: str) -> str:
    """The model spec stored in a file saved by ``dltutor train --save`` (InputError if there is none).

    Read as ``weights_io`` reads a saved file: a regular file within its size budget, the spec's
    ``.npy`` header checked before its text is read."""
    from dltutor.files import check_path
    from dltutor.nn import weights_io

    check_path(path, "WEIGHTS")
    not_saved = f"{path!r} is not a model saved by dltutor train --save"
    with weights_io._open_regular(path, "dltutor train --save") as raw:
        try:
            archive = zipfile.ZipFile(raw)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise InputError(f"{not_saved}: not an .npz file") from None
        with archive:
            entries = {info.filename: info for info in archive.infolist()}
            if "spec.npy" not in entries:
                arrays = ", ".join(name.removesuffix(".npy") for name in list(entries)[:4]) or "none"
                raise InputError(f"{not_saved}: it holds no model spec (its arrays: {arrays})")
            return weights_io._read_spec(archive, entries["spec.npy"], path)


def load_model(path: str):
    """The engine's model (``dltutor.nn.model.Sequential``) with the weights saved in ``path``."""
    from dltutor.nn.model import build

    spec = read_spec(path)
    try:
        model = build(spec)
    except InputError as exc:
        raise InputError(f"{path!r} holds a model spec that does not build: {exc}") from None
    model.load(path)
    return model


def saved_arrays(model) -> dict[str, np.ndarray]:
    """The model's weights by their saved key ``NN.Type.name``."""
    from dltutor.nn.weights_io import keys

    return {key: layer.weights[name] for key, (layer, name) in keys(model).items()}


def read_rows(path: str, model) -> np.ndarray:
    """The CSV file's rows as floats (N, values per sample): one sample per row, separated by commas,
    values in Keras's order (channels last); blank lines and lines starting with # are skipped."""
    from dltutor.files import check_path

    where = check_path(path, "--input")
    width = math.prod(model.input_shape)
    shape = "Input(" + ", ".join(str(d) for d in model.input_shape) + ")"
    try:
        with where.open("rb") as handle:
            raw = handle.read(MAX_CSV_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"--input {path!r} does not exist") from None
    except OSError as exc:
        raise InputError(f"--input {path!r} cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CSV_BYTES:
        raise InputError(f"--input {path!r} is larger than {MAX_CSV_BYTES // 2**20} MiB; split it into parts")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"--input {path!r} is not UTF-8 text (a CSV file of numbers)") from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cells = line.split(",")
        if len(cells) != width:
            raise InputError(f"--input {path!r} line {number} has {len(cells)} values; the model's {shape} "
                             f"takes {width} per row")
        try:
            values = [float(c) for c in cells]
        except ValueError:
            bad = next(c for c in cells if not _is_float(c))
            raise InputError(f"--input {path!r} line {number}: {bad.strip()!r} is not a number") from None
        if not all(math.isfinite(v) for v in values):
            raise InputError(f"--input {path!r} line {number} holds NaN or an infinity; give finite numbers")
        rows.append(values)
    if not rows:
        raise InputError(f"--input {path!r} has no rows of numbers")
    return np.asarray(rows, dtype=np.float64)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
