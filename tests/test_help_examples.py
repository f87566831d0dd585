"""Every example printed by a command's --help runs as printed (solve kinds: see test_cli.py)."""

from __future__ import annotations

import io
import shlex

import pytest

from conftest import run_cli

COMMANDS = ["generate", "stress", "exam", "sheet", "export", "lessons", "lesson", "progress", "train"]
SLOW = ("train",)          # trained in tests/nn/test_train_cli.py with short epochs


def examples(command: str) -> list[str]:
    text = run_cli(command, "--help").out
    block = text.split("Examples:", 1)[1]
    return [line.strip() for line in block.splitlines() if line.strip().startswith("dltutor ")]


def runnable(example: str) -> bool:
    """Examples that need a terminal, a shell feature or a file of answers are read, not run."""
    return not any(mark in example for mark in ("<", "$'", "...", "--plain --minutes"))


CASES = [pytest.param(cmd, ex, id=ex[:60]) for cmd in COMMANDS if cmd not in SLOW
         for ex in examples(cmd) if runnable(ex)]


def test_every_command_has_examples():
    for command in COMMANDS:
        assert examples(command), command


@pytest.mark.parametrize("command, example", CASES)
def test_help_example_runs(command, example, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))   # an exam with no answers: end of input submits
    monkeypatch.setenv("DLTUTOR_HOME", str(tmp_path / "home"))
    args = shlex.split(example)[1:]
    if command == "stress":
        args = [("3" if prev == "-n" else a) for prev, a in zip([""] + args, args)]   # fewer draws
    if command == "export":
        args = [a if a not in ("5",) else "1" for a in args]
    result = run_cli(*args, *(["--no-solution"] if command == "generate" and "--list" not in args else []))
    assert result.code == 0, (example, result.err)
