"""Reading and writing the user's files the safe way: never half a file, never a hang, never a traceback.

Every file dltutor writes for the user (sheets, exports, lesson exports, saved
weights) goes through ``write_atomic``: the bytes go to a temporary file in the
same folder, which then replaces the target in one ``os.replace``. A failed
run (an error, Ctrl-C, SIGTERM) leaves the old file (or none) and no temporary
file behind.

- A **symlink** is written through: the file it points to is replaced (atomically,
  in its own folder) and the link stays a link.
- A **read-only** file is not replaced: one line, exit 2 (make it writable or
  choose another name). An existing file keeps its permission bits.
- Devices and named pipes (``/dev/null``, ``/dev/stdout``, a FIFO) are written
  into, never replaced.

Files given to read (``--file``, ``--load``) go through ``read_regular``: only a
regular file is opened (a FIFO or a device would block or never end), and at
most ``limit`` bytes are read.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
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


@contextlib.contextmanager
def _sigterm_interrupts():
    """SIGTERM raises KeyboardInterrupt inside the block (main thread only), so a temporary file
    is removed on the way out instead of being left behind by the default, immediate exit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        old = signal.signal(signal.SIGTERM, interrupt)
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _target(path: Path, label: str) -> Path:
    """The file a write to ``path`` replaces: ``path`` itself, or what a symlink points to."""
    if not path.is_symlink():
        return path
    try:
        target = Path(os.path.realpath(path, strict=False))
    except (OSError, RuntimeError) as exc:     # a loop of links
        raise InputError(f"{label} {str(path)!r} is a symlink that cannot be followed: "
                         f"{getattr(exc, 'strerror', None) or exc}") from None
    if target.is_symlink():                     # realpath stopped at a loop
        raise InputError(f"{label} {str(path)!r} is a symlink loop; give an ordinary file name")
    return target


def write_atomic(path: Path | str, data: str | bytes | Callable[[BinaryIO], None], *, label: str = "-o") -> None:
    """Write ``data`` (text, bytes, or a function that writes to a binary file) to ``path``.

    A folder that does not exist or cannot be written, or a read-only file, is bad input naming
    ``label`` and the path; a symlink is written through (see the module's docstring)."""
    path = _target(check_path(path, label), label)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"{label} {str(path)!r} is a folder; give a file name")
    mode = None
    if path.exists():
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # /dev/null, /dev/stdout, a named pipe: write into it; replacing it would destroy it.
            _write_in_place(path, data, label)
            return
        if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
            raise InputError(f"{label} {str(path)!r} is read-only; make it writable or choose another name")
        mode = stat.S_IMODE(info.st_mode)
    with _sigterm_interrupts():
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
            # mkstemp makes 0600; a new file is an ordinary one, a replaced one keeps its bits
            os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise InputError(f"{label} {str(path)!r} cannot be written: {exc.strerror or exc}") from None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _size(n: int) -> str:
    for unit, step in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= step and n % step == 0:
            return f"{n // step} {unit}"
    return f"{n:,} bytes"


def read_regular(path: Path | str, label: str, limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them, or InputError naming
    ``label`` and the path. ``os.stat`` comes before ``open``: a FIFO, a socket or a device is
    refused without being opened (opening a FIFO blocks until a writer comes); the file is then
    opened with O_NONBLOCK and checked again, in case it was swapped in between."""
    from dltutor.values import quote

    text = str(path)
    shown = quote(text, 80)
    if "\x00" in text:
        raise InputError(f"{label} {shown} contains a NUL character; give an ordinary file name")
    too_big = f"{label} {shown} is larger than {_size(limit)}"
    not_regular = (f"{label} {shown} cannot be read: it is not a regular file (a pipe or a device); "
                   f"give a {what} of at most {_size(limit)}")
    try:
        info = os.stat(text)
    except FileNotFoundError:
        raise InputError(f"{label} {shown} does not exist") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{label} {shown} cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{label} {shown} cannot be read: it is a folder; give a {what}")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(not_regular)
    if info.st_size > limit:
        raise InputError(too_big)
    try:
        fd = os.open(text, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"{label} {shown} cannot be read: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(not_regular)
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise InputError(f"{label} {shown} cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise InputError(too_big)
    return data


def _write_in_place(path: Path, data, label: str) -> None:
    try:
        with open(path, "wb") as handle:
            if callable(data):
                data(handle)
            else:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as exc:
        raise InputError(f"{label} {str(path)!r} cannot be written: {exc.strerror or exc}") from None
