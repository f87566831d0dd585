"""Writing files the safe way: never half a file, never a traceback.

Every file dltutor writes for the user (sheets, exports, lesson exports, saved
weights) goes through ``write_atomic``: the bytes go to a temporary file in the
same folder, which then replaces the target in one ``os.replace``. A failed
run leaves the old file (or none) and no temporary file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from dltutor.errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_path(path: Path | str, label: str = "-o") -> Path:
    """``path`` as a Path, or InputError when no file can have that name: a NUL byte, or a
    name longer than the system allows (both would escape as ValueError/OSError from os.stat)."""
    from dltutor.values import quote

    text = str(path)
    if "\x00" in text:
        raise InputError(f"{label} {quote(text)} contains a NUL character; give an ordinary file name")
    try:
        Path(text).is_dir()
    except OSError as exc:
        raise InputError(f"{label} {quote(text)} cannot be used: {exc.strerror or exc}") from None
    return Path(text)


def write_atomic(path: Path | str, data: str | bytes | Callable[[BinaryIO], None], *, label: str = "-o") -> None:
    """Write ``data`` (text, bytes, or a function that writes to a binary file) to ``path``.

    A folder that does not exist or cannot be written is bad input naming ``label`` and the path."""
    path = check_path(path, label)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"{label} {str(path)!r} is a folder; give a file name")
    if path.exists() and not path.is_file():
        # /dev/null, /dev/stdout, a named pipe: write into it; replacing it would destroy it.
        _write_in_place(path, data, label)
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"{label} {str(path)!r} cannot be written: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if callable(data):
                data(handle)
            else:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_umask())   # mkstemp makes 0600; these are ordinary files
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{label} {str(path)!r} cannot be written: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_in_place(path: Path, data, label: str) -> None:
    try:
        with open(path, "wb") as handle:
            if callable(data):
                data(handle)
            else:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as exc:
        raise InputError(f"{label} {str(path)!r} cannot be written: {exc.strerror or exc}") from None
