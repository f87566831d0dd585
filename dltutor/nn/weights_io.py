"""Saving and loading a model's weights as ``.npz`` (one array per weight, plus the spec text).

Keys are ``NN.Type.name`` (``02.Dense.kernel``), layer numbers from 1. Saving writes a
temporary file in the same folder and renames it over the target, so an interrupted
save never leaves half a file. Loading checks every name and shape before copying.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from dltutor.errors import InputError
from dltutor.files import write_atomic


def keys(model) -> dict[str, tuple]:
    return {f"{i:02d}.{layer.type}.{name}": (layer, name)
            for i, layer in enumerate(model.layers, start=1) for name in layer.weights}


def check_writable(path) -> Path:
    """The target path, or InputError if its folder is missing or not writable."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"cannot save weights to {str(path)!r}: it is a folder; give a file name like model.npz")
    if not folder.is_dir():
        raise InputError(f"cannot save weights to {str(path)!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise InputError(f"cannot save weights to {str(path)!r}: the folder {str(folder)!r} is not writable")
    return path


def save(model, path) -> None:
    path = check_writable(path)
    arrays = {key: layer.weights[name] for key, (layer, name) in keys(model).items()}
    arrays["spec"] = np.array(model.spec)
    write_atomic(path, lambda handle: np.savez_compressed(handle, **arrays), label="--save")


def load(model, path) -> None:
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise InputError(f"cannot load weights: {str(path)!r} does not exist") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        raise InputError(f"cannot load weights from {str(path)!r}: not a .npz file of weights") from None
    spec = str(stored.pop("spec", "?"))
    wanted = keys(model)
    for key, (layer, name) in wanted.items():
        have = stored.get(key)
        want = layer.weights[name].shape
        if have is None or have.shape != want:
            got = "is missing" if have is None else f"has shape {have.shape}"
            raise InputError(f"{str(path)!r} does not fit this model: weight {key} {got}, the model needs "
                             f"{want} (the file was saved from {spec!r})")
    extra = sorted(set(stored) - set(wanted))
    if extra:
        raise InputError(f"{str(path)!r} does not fit this model: it has extra weights {', '.join(extra[:3])} "
                         f"(the file was saved from {spec!r})")
    for key, (layer, name) in wanted.items():
        layer.weights[name][...] = stored[key]      # in place: the optimizer keeps its references
