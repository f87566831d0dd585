"""Writing user files: atomic for files, in place for devices and pipes."""

from __future__ import annotations

import os
import threading

import pytest

from dltutor.errors import InputError
from dltutor.files import write_atomic


def test_writes_and_replaces_a_file(tmp_path):
    target = tmp_path / "a.txt"
    write_atomic(target, "one")
    write_atomic(target, b"two")
    write_atomic(target, lambda handle: handle.write(b"three"))
    assert target.read_bytes() == b"three"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]      # no temporary file left


def test_a_failure_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")

    def broken(handle):
        handle.write(b"half")
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError):
        write_atomic(target, broken)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_named_pipe_is_written_into_not_replaced(tmp_path):
    """`-o /dev/null` or a pipe: replacing the path would destroy the device (we run as root)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo, "rb").read()))
    reader.start()
    write_atomic(fifo, "through the pipe")
    reader.join(timeout=10)
    assert received == [b"through the pipe"]
    assert fifo.exists() and not fifo.is_file()


def test_missing_folder_and_folder_target_are_bad_input(tmp_path):
    with pytest.raises(InputError, match="cannot be written"):
        write_atomic(tmp_path / "no" / "such" / "x.pdf", "x")
    with pytest.raises(InputError, match="is a folder"):
        write_atomic(tmp_path, "x")
