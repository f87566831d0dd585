"""Shared test helpers: run the CLI in-process or as a real subprocess."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run_cli(*args: str) -> Result:
    """Run ``dltutor ARGS`` in this process through the real entry point (exit-code mapping included)."""
    from dltutor.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Result(code, out.getvalue(), err.getvalue())


def run_process(*args: str, input: str | None = None, env: dict | None = None, timeout: float = 60) -> Result:
    """Run ``python -m dltutor ARGS`` as a real process."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "dltutor", *args], capture_output=True, text=True,
                          input=input, env=full_env, timeout=timeout, cwd=ROOT)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def load_data(name: str):
    """A JSON file of recorded reference values from tests/data/."""
    return json.loads((DATA / name).read_text())


@pytest.fixture
def cli():
    return run_cli


def assert_bad_input(result: Result, *fragments: str) -> None:
    """Exit 2, one line on stderr naming the value, nothing on stdout, no traceback."""
    assert result.code == 2, (result.code, result.out, result.err)
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in result.err, (fragment, result.err)


# Runs a command as the only child of a small wrapper, which writes that child's peak
# memory (KiB) to a file: a measure of this one process, whatever else the suite has run.
_PEAK_WRAPPER = ("import resource, subprocess, sys\n"
                 "code = subprocess.run(sys.argv[2:]).returncode\n"
                 "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
                 "sys.exit(code)\n")


def measured(cmd: list[str], peak_file) -> list[str]:
    """``cmd`` wrapped so that its peak resident memory lands in ``peak_file`` (read with ``peak_kib``)."""
    return [sys.executable, "-c", _PEAK_WRAPPER, str(peak_file), *cmd]


def peak_kib(peak_file) -> int:
    return int(Path(peak_file).read_text())


class FakeClock:
    """A clock the test moves by hand (``clock.now += 30``), for sessions and recorders that take ``clock=``."""

    def __init__(self, start: float = 0.0):
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path):
    """A progress store in a fresh folder of the test's own."""
    from dltutor.store import Store

    with Store(tmp_path / "progress.sqlite3") as s:
        yield s
