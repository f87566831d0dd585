"""``dltutor exam --plain`` under faults: kill -9, a locked database, closed stdin, an ASCII
terminal, a 64 MB answer line. Real processes, real pipes, a second process holding the lock."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from dltutor.store import DB_NAME, Store

# topic backprop, seed 1, one question: backprop-output-weights, three parts (vector, vector, matrix);
# the topic is named so that families added to other topics do not change the question
EXAM = ["exam", "--plain", "--topics", "backprop", "--count", "1", "--seed", "1"]


def start(home: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    full = dict(os.environ, DLTUTOR_HOME=str(home), **(env or {}))
    return subprocess.Popen([sys.executable, "-m", "dltutor", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=full, cwd=ROOT)


def until_prompt(proc: subprocess.Popen, prompt: str, timeout: float = 60) -> None:
    """Read the exam's output up to the line that starts with ``prompt`` (bounded)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"the exam ended before {prompt!r}: {proc.stderr.read()}")
        if line.startswith(prompt):
            return
    raise AssertionError(f"no {prompt!r} within {timeout} s")


def answers_saved(path: Path) -> list[dict]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [json.loads(a) for (a,) in con.execute("SELECT answer FROM attempts WHERE source = 'exam'")]
    finally:
        con.close()


def finish(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=20)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        try:
            stream.close()
        except OSError:
            pass


def test_kill_9_with_two_of_three_parts_typed_keeps_both(tmp_path):
    proc = start(tmp_path, *EXAM)
    try:
        until_prompt(proc, "(a)> ")
        proc.stdin.write("0.1,0.2\n")
        proc.stdin.flush()
        until_prompt(proc, "(b)> ")
        proc.stdin.write("0.3,0.4\n")
        proc.stdin.flush()
        until_prompt(proc, "(c)> ")        # (b) has been saved before (c) is asked
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        finish(proc)
    (saved,) = answers_saved(tmp_path / DB_NAME)
    assert list(saved.values()) == ["0.1,0.2", "0.3,0.4"]


HOLDER = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
con.execute("INSERT INTO exams (count, started_at) VALUES (1, 'x')")
print("locked", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
"""


def hold_lock(path: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def release(holder: subprocess.Popen) -> None:
    if holder.poll() is None:
        holder.stdin.write("\n")
        holder.stdin.flush()
    holder.wait(timeout=20)
    holder.stdin.close()
    holder.stdout.close()


def test_lock_during_the_exam_keeps_the_answers_and_saves_them_when_free(tmp_path):
    Store(tmp_path / DB_NAME).close()
    holder = hold_lock(tmp_path / DB_NAME)
    proc = start(tmp_path, *EXAM, env={"DLTUTOR_LOCK_WAIT": "20"})
    try:
        until_prompt(proc, "(a)> ")
        proc.stdin.write("0.1,0.2\n")
        proc.stdin.flush()
        until_prompt(proc, "(b)> ")          # not held up by the lock
        release(holder)
        proc.stdin.write("0.3,0.4\n1,2;3,4\nsubmit\n")
        proc.stdin.close()
        out = proc.stdout.read()
        err = proc.stderr.read()
        assert proc.wait(timeout=60) == 0
    finally:
        finish(proc)
        release(holder)
    assert "Exam over" in out
    assert err.count("\n") <= 1 and "Traceback" not in err
    (saved,) = answers_saved(tmp_path / DB_NAME)
    assert list(saved.values()) == ["0.1,0.2", "0.3,0.4", "1,2;3,4"]
    with Store(tmp_path / DB_NAME, readonly=True) as store:
        assert store.exams()[0]["finished_at"] is not None


def test_lock_for_the_whole_exam_is_one_line_and_the_result_is_shown(tmp_path):
    Store(tmp_path / DB_NAME).close()
    holder = hold_lock(tmp_path / DB_NAME)
    try:
        result = subprocess.run([sys.executable, "-m", "dltutor", *EXAM, "--json"], input="0.1,0.2\n0.3,0.4\n\nsubmit\n",
                                capture_output=True, text=True, timeout=120, cwd=ROOT,
                                env=dict(os.environ, DLTUTOR_HOME=str(tmp_path), DLTUTOR_LOCK_WAIT="1"))
    finally:
        release(holder)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["reason"] == "submitted" and len(data["questions"]) == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "locked" in errors[0] and "not saved" in errors[0]
    assert "move it away" not in result.stderr and "Traceback" not in result.stderr
    assert answers_saved(tmp_path / DB_NAME) == []


def test_closed_stdin_ends_like_end_of_input(tmp_path):
    result = subprocess.run(["sh", "-c", 'exec "$0" -m dltutor exam --plain --count 1 --seed 3 <&-', sys.executable],
                            capture_output=True, text=True, timeout=120, cwd=ROOT,
                            env=dict(os.environ, DLTUTOR_HOME=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert "Exam over (end of input)" in result.stdout
    assert "Error" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_non_utf8_stdout_encodes_what_it_cannot_show(tmp_path, as_json, encoding):
    """No exit 1 on a terminal that cannot show the course's symbols. (click writes UTF-8 to a
    stream that says ASCII, which it takes for a misconfigured one; latin-1 is honoured, and
    what it cannot show is escaped.)"""
    result = subprocess.run([sys.executable, "-m", "dltutor", *EXAM, "--no-record", *(["--json"] if as_json else [])],
                            input=b"0.1,0.2\n\nsubmit\n", capture_output=True, timeout=120, cwd=ROOT,
                            env=dict(os.environ, PYTHONIOENCODING=encoding, DLTUTOR_HOME=str(tmp_path)))
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stderr
    out = result.stdout.decode("utf-8" if encoding == "ascii" else encoding)
    if as_json:
        data = json.loads(out)                     # the escapes are JSON escapes
        assert data["questions"][0]["parts"][0]["given"] == "0.1,0.2"
    elif encoding == "latin-1":
        assert "\\u03a3" in out and "\u03a3" not in out     # the loss's sum sign, escaped


def test_a_64_mb_answer_line_is_refused_without_holding_it(tmp_path):
    """The line is refused at entry with one message and asked again; memory stays flat."""
    from tests.conftest import measured, peak_kib

    def run(line: str) -> tuple[subprocess.CompletedProcess, int]:
        peak_file = tmp_path / "peak"
        proc = subprocess.run(measured([sys.executable, "-m", "dltutor", *EXAM, "--json"], peak_file),
                              input=line + "\n0.5,0.5\n\nsubmit\n",
                              capture_output=True, text=True, timeout=240, cwd=ROOT,
                              env=dict(os.environ, DLTUTOR_HOME=str(tmp_path)))
        return proc, peak_kib(peak_file)

    small, small_peak = run("0.1,0.2")
    big, peak = run("9" * (64 << 20))
    assert big.returncode == 0, big.stderr
    assert big.stderr.count("characters long; the limit is 8,000") == 1
    data = json.loads(big.stdout)
    assert data["questions"][0]["parts"][0]["given"] == "0.5,0.5"
    # a 64 MiB line held whole would add at least 64 MiB (as text, far more) to the process
    assert peak < small_peak + 48 * 1024, f"the exam reached {peak // 1024} MiB ({small_peak // 1024} MiB without it)"
    saved = answers_saved(tmp_path / DB_NAME)
    assert max(len(json.dumps(a)) for a in saved) < 1000


def test_check_answers_on_generate_are_capped(tmp_path):
    result = subprocess.run([sys.executable, "-m", "dltutor", "generate", "conv-output-size", "--seed", "1",
                             "--check", "1" * 8001], capture_output=True, text=True, timeout=120, cwd=ROOT,
                            env=dict(os.environ, DLTUTOR_HOME=str(tmp_path)))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--check" in result.stderr and "8,000" in result.stderr
    assert not (tmp_path / DB_NAME).exists()


def _unshare_works() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


FULL_DISK = r"""
import json, os, subprocess, sys
home = sys.argv[1]
env = dict(os.environ, DLTUTOR_HOME=home, DLTUTOR_LOCK_WAIT="1")
from dltutor.store import Store
Store(os.path.join(home, "progress.sqlite3")).close()
info = os.statvfs(home)
with open(os.path.join(home, "fill"), "wb") as fill:      # leave ~40 KiB: the database opens, a save does not fit
    try:
        fill.write(bytes(max(0, info.f_bavail * info.f_frsize - 40 * 1024)))
    except OSError:
        pass
run = subprocess.run([sys.executable, "-m", "dltutor", "exam", "--plain", "--topics", "backprop", "--count", "1", "--seed", "1", "--json"],
                     input="0.1,0.2\n0.3,0.4\n1,2;3,4\nsubmit\n", capture_output=True, text=True, env=env, timeout=120)
print(json.dumps({"code": run.returncode, "out": run.stdout, "err": run.stderr}))
"""


@pytest.mark.skipif(not _unshare_works(), reason="needs unshare -rm (user and mount namespaces) for a small tmpfs")
def test_full_disk_mid_exam_is_one_line_and_the_result_is_shown(tmp_path):
    home = tmp_path / "small"
    home.mkdir()
    result = subprocess.run(["unshare", "-rm", "sh", "-c", 'mount -t tmpfs -o size=256k none "$1" && exec "$2" -c "$3" "$1"',
                             "sh", str(home), sys.executable, FULL_DISK], capture_output=True, text=True, timeout=180,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    assert run["code"] == 0, run["err"]
    assert json.loads(run["out"])["reason"] == "submitted"
    errors = [line for line in run["err"].splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "disk is full" in errors[0] and "not saved" in errors[0]
    assert "rollback" not in run["err"] and "move it away" not in run["err"] and "Traceback" not in run["err"]
