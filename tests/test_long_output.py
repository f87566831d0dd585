"""Long output stays readable: a cycling perceptron ends with a note, --brief on every kind, a pager
only on a terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli
from dltutor.render.formula_unicode import prose
from dltutor.solvers.registry import KIND_MODULES, get_kind

XOR = "0,0:0; 0,1:1; 1,0:1; 1,1:0"


def test_a_perceptron_on_xor_stops_showing_epochs_once_the_weights_repeat():
    """XOR is not linearly separable, so the perceptron rule cycles for ever; the working stops at
    the first repeat with a note, and the answer (after epoch 200) is checked against a plain loop
    of the rule written here."""
    result = run_cli("solve", "perceptron", "--data", XOR, "--w", "0,0", "--epochs", "200", "--json")
    assert result.code == 0, result.err
    out = json.loads(result.out)
    epochs = [s for s in out["steps"] if s["title"].startswith("Epoch")]
    assert len(epochs) < 10                     # not 200 epochs of the same four rows
    assert "not linearly separable" in epochs[-1]["note"]
    assert "epochs" in epochs[-1]["note"] and "not shown" in epochs[-1]["note"]
    # the answer is still the weights after epoch 200, from a plain loop of the rule (step output)
    w, b = [0.0, 0.0], 0.0
    data = [((0, 0), 0), ((0, 1), 1), ((1, 0), 1), ((1, 1), 0)]
    for _ in range(200):
        for x, t in data:
            y = 1 if w[0] * x[0] + w[1] * x[1] + b >= 0 else 0
            w = [w[0] + (t - y) * x[0], w[1] + (t - y) * x[1]]
            b += t - y
    assert out["answer"] == {"w": w, "b": b, "converged": False}


def test_a_separable_run_still_shows_every_epoch_until_it_converges():
    result = run_cli("solve", "perceptron", "--data", "0,0:0; 0,1:0; 1,0:0; 1,1:1", "--w", "0,0",
                     "--epochs", "20", "--json")
    out = json.loads(result.out)
    assert out["answer"]["converged"] is True
    assert not any("not linearly separable" in s.get("note", "") for s in out["steps"])


def test_lms_that_settles_is_not_listed_a_thousand_times():
    result = run_cli("solve", "lms", "--data", XOR, "--w", "0,0", "--epochs", "1000", "--json")
    out = json.loads(result.out)
    assert len(out["steps"]) < 4000
    assert "settled" in out["steps"][-1]["note"]
    # least squares on XOR with a bias: w = (0, 0), b = 0.5 is the batch optimum; online LMS with
    # lr = 0.1 circles near it, and its mean squared error stays above the optimum's 0.25
    assert 0.25 <= out["answer"]["mse"] < 0.26


def _brief_case(name: str) -> list[str]:
    import shlex

    return shlex.split(get_kind(name).examples[0])


@pytest.mark.parametrize("name", sorted(KIND_MODULES))
def test_brief_on_every_kind_is_the_answer_and_one_line_per_step(name):
    args = _brief_case(name)
    if "--emit" in args:
        pytest.skip("--emit prints a program")
    full = json.loads(run_cli("solve", name, *args, "--json").out)
    result = run_cli("solve", name, *args, "--brief")
    assert result.code == 0, result.err
    before, _, answer = result.out.partition("Answer")
    lines = [line for line in before.splitlines() if line.strip() and not line.startswith("╭")]
    assert len(lines) == len(full["steps"])
    for i, (line, step) in enumerate(zip(lines, full["steps"]), start=1):
        assert line.startswith(f"{i}. {prose(step['title'])}")      # the title as mathematics
        assert "^(" not in line and "[[" not in line, line
    assert answer.strip()


def _pager_run(tmp_path, *args, tty: bool):
    """Run dltutor with PAGER = a script that records what it was given; stdout a pty or a pipe."""
    marker = tmp_path / "paged.txt"
    marker.unlink(missing_ok=True)
    pager = tmp_path / "pager.sh"
    pager.write_text(f"#!/bin/sh\ncat > {marker}\n")
    pager.chmod(0o755)
    env = dict(os.environ, PAGER=str(pager), LINES="10", COLUMNS="80", NO_COLOR="1",
               DLTUTOR_HOME=str(tmp_path / "home"))
    command = [sys.executable, "-m", "dltutor", *args]
    if not tty:
        subprocess.run(command, env=env, cwd=ROOT, capture_output=True, timeout=60, check=True)
        return marker.exists()
    leader, follower = pty.openpty()
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    while True:                       # drain the terminal so the child never blocks on a full pty
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            if not os.read(leader, 65536):
                break
        except OSError:
            break
    proc.wait(timeout=60)
    os.close(leader)
    return marker.exists() and marker.read_text().strip() != ""


LONG = ("solve", "perceptron", "--data", "0,0:0; 0,1:0; 1,0:0; 1,1:1", "--w", "0,0", "--epochs", "8")


def test_long_solve_output_goes_through_the_pager_on_a_terminal(tmp_path):
    assert _pager_run(tmp_path, *LONG, tty=True)


def test_no_pager_when_piped_or_asked_not_to(tmp_path):
    assert not _pager_run(tmp_path, *LONG, tty=False)
    assert not _pager_run(tmp_path, *LONG, "--no-pager", tty=True)


def test_short_output_is_not_paged(tmp_path):
    assert not _pager_run(tmp_path, "solve", "conv-output", "--input", "28", "--kernel", "5", "--brief",
                          tty=True)


def test_a_lesson_is_paged_on_a_terminal_only(tmp_path):
    assert _pager_run(tmp_path, "lesson", "perceptron", tty=True)
    assert not _pager_run(tmp_path, "lesson", "perceptron", "--no-pager", tty=True)
    assert not _pager_run(tmp_path, "lesson", "perceptron", tty=False)


def test_the_dead_band_rule_on_xnor_stops_at_the_first_repeat():
    """XNOR of ±1 inputs is not linearly separable; from w = 0 one epoch of the θ rule returns to 0."""
    result = run_cli("solve", "perceptron", "--data", "1,1:-1; 1,-1:1; -1,1:1; -1,-1:-1", "--w", "0,0",
                     "--theta", "0.2", "--epochs", "100", "--json")
    out = json.loads(result.out)
    epochs = [s for s in out["steps"] if s["title"].startswith("Epoch")]
    assert len(epochs) == 1 and "not linearly separable" in epochs[0]["note"]
    assert out["answer"] == {"w": [0.0, 0.0], "b": 0.0, "converged": False}


def test_output_to_a_pipe_has_no_trailing_spaces():
    """Rich pads a block to the screen's width; a file or a pipe gets the lines as they end."""
    out = run_cli("solve", "backprop", "--x", "1,0.5", "--target", "0.8", "--w1", "0.2,-0.4;0.7,0.1",
                  "--b1", "0,0.1", "--w2", "0.5,-0.3;0.6,0.2", "--b2", "0.1", "--w3", "0.9,-0.5", "--b3", "0").out
    assert out.count("\n") > 50
    assert [line for line in out.splitlines() if line != line.rstrip()] == []


def test_a_per_step_answer_too_wide_for_a_table_is_listed_by_step():
    """Two units: each step's contributions are matrices; on an 80-column screen they are
    listed step by step instead of a table whose rows wrap."""
    out = run_cli("solve", "bptt", "--x", "1,2", "--wx", "0.5,-0.3", "--wh", "0.2,0.1;-0.4,0.3", "--b", "0,0.1",
                  "--target", "1,0").out
    answer = out[out.index("Answer"):]
    assert "t = 1" in answer and "t = 2" in answer
    assert max(len(line) for line in answer.splitlines()) <= 80
