"""exam --plain ends by itself when the time is up, while the student sits at a prompt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from conftest import ROOT


def start_exam(tmp_path, *args):
    env = dict(os.environ, DLTUTOR_HOME=str(tmp_path / "home"), NO_COLOR="1")
    return subprocess.Popen([sys.executable, "-m", "dltutor", "exam", "--plain", "--topics", "cnn", "--count", "2",
                             "--seed", "4", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def test_the_time_limit_ends_the_exam_at_a_prompt_and_keeps_what_was_typed(tmp_path):
    proc = start_exam(tmp_path, "--minutes", "0.1", "--json")      # 6 s
    started = time.monotonic()
    proc.stdin.write("24\n")           # one part answered, then the student stops typing
    proc.stdin.flush()
    try:
        proc.wait(timeout=40)                   # stdin stays open: no end of input, the clock ends it
        out, err = proc.stdout.read(), proc.stderr.read()
    finally:
        proc.kill()
        proc.stdin.close()
    assert proc.returncode == 0, err
    assert time.monotonic() - started < 35
    result = json.loads(out)
    assert result["reason"] == "time is up"
    assert result["questions"][0]["parts"][0]["given"] == "24"
    assert "left]" in err                                           # the prompts showed the time left


def text(value, plus=0) -> str:
    """An expected value as a student types it: 1,2;3,4 for a matrix."""
    if isinstance(value, list):
        sep = ";" if value and isinstance(value[0], list) else ","
        return sep.join(text(v, plus) for v in value)
    return f"{value + plus:g}"


def test_tell_me_as_i_go_keeps_the_first_checked_answer(tmp_path):
    key = subprocess.run([sys.executable, "-m", "dltutor", "exam", "--plain", "--topics", "cnn", "--count", "2",
                          "--seed", "4", "--json", "--no-record"], input="", capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    first = json.loads(key.stdout)["questions"][0]
    right = [text(p["expected"]) for p in first["parts"]]
    # wrong answers (every number one more), checked; then back to question 1 and the right ones typed
    wrong = [text(p["expected"], plus=1) for p in first["parts"]]
    lines = wrong + ["back"] + right + ["submit"]
    proc = start_exam(tmp_path, "--show-correct", "--json", "--no-record")
    out, err = proc.communicate("\n".join(lines) + "\n", timeout=60)
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert result["questions"][0]["marks"] == 0, result["questions"][0]
    assert "Checked: the answers are kept" in err
