"""Saving and loading a model's weights as ``.npz`` (one array per weight, plus the spec text).

Keys are ``NN.Type.name`` (``02.Dense.kernel``), layer numbers from 1. Saving writes a
temporary file in the same folder and renames it over the target, so an interrupted
save never leaves half a file; weights with NaN or infinite values are not saved.

Loading trusts nothing in the file: only a regular file of at most ``MAX_NPZ_BYTES`` is
opened; the archive's entries, and each array's name, dtype and shape, are read from the
zip and ``.npy`` headers and checked against the model before any data is read; then
exactly the bytes those shapes need are decompressed (a zip bomb or a header claiming
2**40 elements is refused, not allocated), and NaN or infinite values are refused.
"""

from __future__ import annotations

import contextlib
import math
import os
import stat
import zipfile
from pathlib import Path

import numpy as np

from dltutor.errors import InputError
from dltutor.files import write_atomic

MAX_NPZ_BYTES = 256 << 20      # a saved model file, and the arrays it holds, at most this size
MAX_SPEC_CHARS = 65536
MAX_HEADER = 10_000            # bytes of one .npy header (numpy's own default limit)


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
    bad = next((key for key, array in arrays.items() if not np.isfinite(array).all()), None)
    if bad is not None:
        raise InputError(f"cannot save weights to {str(path)!r}: weight {bad} has NaN or infinite values "
                         "(training diverged; try a smaller --lr)")
    arrays["spec"] = np.array(model.spec)
    write_atomic(path, lambda handle: np.savez_compressed(handle, **arrays), label="--save")


def _open_regular(path, label: str):
    """A binary file object for the regular file ``path`` (stat before open: a FIFO would block)."""
    text = str(path)
    try:
        info = os.stat(text)
    except FileNotFoundError:
        raise InputError(f"cannot load weights: {text!r} does not exist") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot load weights from {text!r}: {getattr(exc, 'strerror', None) or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a pipe or a device)"
        raise InputError(f"cannot load weights from {text!r}: it is {kind}; give the .npz file {label} saved")
    if info.st_size > MAX_NPZ_BYTES:
        raise InputError(f"cannot load weights from {text!r}: it is {info.st_size:,} bytes, more than "
                         f"{MAX_NPZ_BYTES >> 20} MiB; a saved dltutor model is far smaller")
    try:
        fd = os.open(text, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"cannot load weights from {text!r}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError(f"cannot load weights from {text!r}: it is not a regular file")
    return os.fdopen(fd, "rb")


def _header(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """(shape, fortran_order, dtype, handle) of one ``.npy`` entry, from its header alone."""
    from numpy.lib import format as npy

    handle = archive.open(info)
    version = npy.read_magic(handle)
    if version == (1, 0):
        shape, fortran, dtype = npy.read_array_header_1_0(handle, max_header_size=MAX_HEADER)
    elif version in ((2, 0), (3, 0)):
        shape, fortran, dtype = npy.read_array_header_2_0(handle, max_header_size=MAX_HEADER)
    else:
        raise ValueError(f"unknown .npy version {version}")
    return tuple(int(d) for d in shape), bool(fortran), dtype, handle


def _read(handle, shape, fortran, dtype, what: str, path) -> np.ndarray:
    """Exactly the bytes ``shape`` and ``dtype`` need (refused beyond the budget), as an array."""
    count = math.prod(shape)
    nbytes = count * dtype.itemsize
    if dtype.hasobject or nbytes > MAX_NPZ_BYTES:
        raise InputError(f"cannot load weights from {str(path)!r}: {what} claims {count:,} values of "
                         f"{dtype}; more than a dltutor model holds")
    data = handle.read(nbytes)
    if len(data) != nbytes:
        raise InputError(f"cannot load weights from {str(path)!r}: {what} is cut short")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


@contextlib.contextmanager
def _archive(path, label: str, max_entries: int):
    """The ``.npz`` at ``path`` as (zip archive, {array name: zip entry}), after the checks the
    zip's own headers allow: a regular file, at most ``max_entries`` arrays, at most
    ``MAX_NPZ_BYTES`` unpacked (as declared), only ``.npy`` entries. Nothing is unpacked yet."""
    with _open_regular(path, label) as raw:
        try:
            archive = zipfile.ZipFile(raw)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise InputError(f"cannot load weights from {str(path)!r}: not a .npz file of weights") from None
        with archive:
            entries = archive.infolist()
            if len(entries) > max_entries:
                raise InputError(f"cannot load weights from {str(path)!r}: it holds {len(entries)} arrays, "
                                 f"more than the {max_entries} expected")
            declared = sum(info.file_size for info in entries)
            if declared > MAX_NPZ_BYTES:          # what the zip headers say it would unpack to
                raise InputError(f"cannot load weights from {str(path)!r}: it would unpack to {declared:,} bytes, "
                                 f"more than {MAX_NPZ_BYTES >> 20} MiB; a saved dltutor model is far smaller")
            names = {info.filename[:-4]: info for info in entries if info.filename.endswith(".npy")}
            if len(names) != len(entries):
                raise InputError(f"cannot load weights from {str(path)!r}: not a .npz file of weights")
            yield archive, names


def stored_spec(path, label: str = "dltutor train --save") -> str | None:
    """The model spec saved in the ``.npz`` at ``path`` (None if it holds none), read with the
    same checks as the weights: for commands that build the model from the file."""
    with _archive(path, label, max_entries=10_000) as (archive, names):
        return _read_spec(archive, names["spec"], path) if "spec" in names else None


def read_weights(path, wanted: dict[str, tuple], label: str = "--save") -> tuple[str, dict[str, np.ndarray]]:
    """(spec text, {key: array}) from the ``.npz`` at ``path``, checked against ``wanted``
    (key -> shape) from the headers before any data is read."""
    with _archive(path, label, max_entries=len(wanted) + 1 + 16) as (archive, names):
        spec = "?"
        if "spec" in names:
            spec = _read_spec(archive, names["spec"], path)
        for key, want in wanted.items():       # every name and shape, from the headers only
            info = names.get(key)
            if info is None:
                got = "is missing"
            else:
                shape, fortran, dtype, handle = _open_header(archive, info, path)
                handle.close()
                got = None if shape == want else f"has shape {shape}"
                if got is None and dtype.kind != "f":
                    got = f"holds {dtype} values, not floating-point numbers"
            if got:
                raise InputError(f"{str(path)!r} does not fit this model: weight {key} {got}, the model "
                                 f"needs {want} (the file was saved from {spec!r})")
        extra = sorted(set(names) - set(wanted) - {"spec"})
        if extra:
            raise InputError(f"{str(path)!r} does not fit this model: it has extra weights "
                             f"{', '.join(extra[:3])} (the file was saved from {spec!r})")
        arrays = {}
        for key in wanted:
            shape, fortran, dtype, handle = _open_header(archive, names[key], path)
            with handle:
                array = _read(handle, shape, fortran, dtype, f"weight {key}", path)
            if not np.isfinite(array).all():
                raise InputError(f"cannot load weights from {str(path)!r}: weight {key} has NaN or "
                                 "infinite values (it was saved from a diverged training)")
            arrays[key] = array
    return spec, arrays


def _open_header(archive, info, path):
    try:
        return _header(archive, info)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, SyntaxError, TypeError) as exc:
        raise InputError(f"cannot load weights from {str(path)!r}: entry {info.filename!r} is not a "
                         f"readable array ({exc})") from None


def _read_spec(archive, info, path) -> str:
    shape, fortran, dtype, handle = _open_header(archive, info, path)
    with handle:
        if dtype.kind != "U" or shape != () or dtype.itemsize > 4 * MAX_SPEC_CHARS:
            raise InputError(f"cannot load weights from {str(path)!r}: its 'spec' is not a model spec")
        return str(_read(handle, shape, fortran, dtype, "the spec", path)[()])


def load(model, path) -> None:
    wanted = {key: layer.weights[name].shape for key, (layer, name) in keys(model).items()}
    try:
        _spec, stored = read_weights(path, wanted, label="dltutor train --save")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"cannot load weights from {str(path)!r}: not a .npz file of weights") from None
    for key, (layer, name) in keys(model).items():
        layer.weights[name][...] = stored[key]      # in place: the optimizer keeps its references
