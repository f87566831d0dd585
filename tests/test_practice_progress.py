"""Practice and exams on the command line are kept in the progress store (DLTUTOR_HOME)."""

from __future__ import annotations

import io
import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from dltutor.store import DB_NAME, AttemptRecord, Store, now
from tests.conftest import ROOT, run_cli, run_process

# seed 66 of cnn draws conv-same-padding first: a 24x24 input, 5x5 kernel, stride 2, 'same'
# padding gives ceil(24/2) = 12 (the 'same' rule of CLI.md), then a pooling table
EXAM = ("exam", "--plain", "--topics", "cnn", "--count", "2", "--seed", "66")
FIRST = "conv-same-padding@1:420502:medium"
RIGHT, WRONG = "12", "11"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DLTUTOR_HOME", str(tmp_path / "home"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))      # in-process exams read end of input
    return tmp_path / "home"


def progress() -> dict:
    result = run_cli("progress", "--json")
    assert result.code == 0, result.err
    return result.json()


def test_piped_exam_shows_in_progress(home):
    # 7 first, then back to question 1 (skip wraps round) and 8: one attempt, with the last answer
    proc = run_process(*EXAM, input=f"{WRONG}\nskip\n{RIGHT}\nsubmit\n", env={"DLTUTOR_HOME": str(home)})
    assert proc.code == 0 and "Exam over (submitted): 2/4 marks" in proc.out, proc.err
    data = progress()
    (attempt,) = data["attempts"]                    # the unanswered pooling question is no attempt
    (exam,) = data["exams"]
    assert attempt["problem_id"] == FIRST and attempt["family"] == "conv-same-padding"
    assert (attempt["source"], attempt["topic"], attempt["answer"]) == ("exam", "cnn", {"out": RIGHT})
    assert (attempt["marks"], attempt["max_marks"], attempt["hints_used"]) == (2, 2, 0)
    assert attempt["seconds"] >= 0 and attempt["exam_id"] == exam["id"]
    assert (exam["seed"], exam["topics"], exam["count"], exam["marks"], exam["max_marks"]) == (66, "cnn", 2, 2, 4)
    assert exam["finished_at"]
    assert data["topics"]["cnn"] == {"attempts": 1, "families": {"conv-same-padding": 1.0}, "mastery": 1.0}
    assert [r["family"] for r in data["schedule"]] == ["conv-same-padding"] and data["due"] == []
    human = run_cli("progress")
    assert "conv-same-padding 2/2 (exam)" in human.out and "Recent exams" in human.out


def _read_until(stream, text: str, timeout: float = 30) -> str:
    """Raw reads on the pipe (a buffered readline would hide data from select)."""
    seen, end = b"", time.monotonic() + timeout
    while text.encode() not in seen:
        assert time.monotonic() < end, seen
        if select.select([stream], [], [], 0.5)[0]:
            chunk = os.read(stream.fileno(), 65536)
            assert chunk, seen                      # the process ended early
            seen += chunk
    return seen.decode()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_signal_keeps_the_answers_given(home, sig):
    env = {**os.environ, "DLTUTOR_HOME": str(home)}
    proc = subprocess.Popen([sys.executable, "-m", "dltutor", *EXAM], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        proc.stdin.write(RIGHT + "\n")
        proc.stdin.flush()
        _read_until(proc.stdout, "Question 2 of 2")   # waiting for the second answer now
        time.sleep(0.2)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "Exam over (interrupted): 2/4 marks" in out, err
    with Store() as store:
        (attempt,) = store.attempts()
        (exam,) = store.exams()
    assert attempt["problem_id"] == FIRST and json.loads(attempt["answer"]) == {"out": RIGHT}
    assert exam["finished_at"] and (exam["marks"], exam["max_marks"]) == (2, 4)


def test_a_killed_exam_keeps_the_answers_given(home):
    """kill -9 allows no clean-up: the answer must already be in the store when it is given."""
    env = {**os.environ, "DLTUTOR_HOME": str(home)}
    proc = subprocess.Popen([sys.executable, "-m", "dltutor", *EXAM], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        proc.stdin.write(RIGHT + "\n")
        proc.stdin.flush()
        _read_until(proc.stdout, "Question 2 of 2")
        proc.kill()
        proc.wait(timeout=30)
    finally:
        proc.kill()
    with Store() as store:
        (attempt,) = store.attempts()
        (exam,) = store.exams()
        assert store.schedule() == []          # reviews move only when the exam ends
    assert attempt["problem_id"] == FIRST and json.loads(attempt["answer"]) == {"out": RIGHT}
    assert attempt["marks"] == 2 and not exam["finished_at"]


def test_internal_error_keeps_the_answers_given(home, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(RIGHT + "\n"))

    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr("dltutor.practice.exam.Exam.next", broken)      # fails after the first answer
    result = run_cli(*EXAM)
    assert result.code == 1 and "boom" in result.err
    (attempt,) = progress()["attempts"]
    assert attempt["problem_id"] == FIRST and attempt["marks"] == 2


def test_no_record_leaves_no_database(home):
    result = run_cli(*EXAM, "--no-record", "--json")
    assert result.code == 0 and result.json()["reason"] == "end of input"
    check = run_cli("generate", FIRST, "--check", RIGHT, "--no-record", "--no-solution")
    assert check.code == 0 and "2/2 marks" in check.out
    assert not (home / DB_NAME).exists()


def test_checked_practice_is_an_attempt(home):
    result = run_cli("generate", FIRST, "--check", WRONG, "--json")
    assert result.code == 0 and result.json()["check"][0]["correct"] is False
    (attempt,) = progress()["attempts"]
    assert (attempt["source"], attempt["problem_id"], attempt["answer"]) == ("practice", FIRST, {"out": WRONG})
    assert (attempt["marks"], attempt["max_marks"], attempt["exam_id"]) == (0, 2, None)
    assert progress()["schedule"][0]["family"] == "conv-same-padding"   # wrong: back in 10 minutes


def _corrupt(home):
    home.mkdir(parents=True)
    (home / DB_NAME).write_bytes(b"not a database, " * 64)


def _newer(home):
    home.mkdir(parents=True)
    with sqlite3.connect(home / DB_NAME) as conn:
        conn.execute("PRAGMA user_version = 99")


@pytest.mark.parametrize("spoil, fragment", [(_corrupt, "not readable"), (_newer, "newer dltutor")],
                         ids=["corrupt", "newer-schema"])
@pytest.mark.parametrize("args", [(*EXAM, "--json"), ("generate", FIRST, "--check", RIGHT)], ids=["exam", "generate"])
def test_unusable_store_stops_before_asking(home, spoil, fragment, args):
    spoil(home)
    before = (home / DB_NAME).read_bytes()
    result = run_cli(*args)
    assert result.code == 2 and result.out == ""
    (line,) = result.err.strip().splitlines()
    assert fragment in line and "--no-record" in line and "Question" not in result.err
    assert (home / DB_NAME).read_bytes() == before             # never overwritten


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes to read-only folders")
def test_read_only_folder(home):
    home.mkdir()
    home.chmod(0o500)
    try:
        result = run_cli(*EXAM)
    finally:
        home.chmod(0o700)
    assert result.code == 2 and "read-only" in result.err and "--no-record" in result.err


def _make_due(*families: tuple[str, str]) -> None:
    """Wrong answers a day ago: the 10-minute relearning step is long past, so these are due."""
    with Store() as store:
        for family, topic in families:
            store.record_attempt(AttemptRecord(f"{family}@1:1:medium", family, 0, 2, topic=topic),
                                 when=now() - timedelta(days=1))


def test_nothing_due(home):
    result = run_cli("exam", "--plain", "--due")
    assert result.code == 0 and len(result.out.strip().splitlines()) == 1 and "Nothing is due" in result.out
    quiet = run_cli("exam", "--plain", "--due", "--json", "--seed", "3")
    assert quiet.code == 0 and quiet.json()["questions"] == [] and quiet.json()["reason"] == "nothing due"


def test_due_exam(home):
    _make_due(("conv-same-padding", "cnn"), ("perceptron-epoch", "learning"), ("retired-family", "cnn"))
    first = run_cli("exam", "--plain", "--due", "--seed", "5", "--json").json()
    again = run_cli("exam", "--plain", "--due", "--seed", "5", "--json").json()
    ids = [q["id"] for q in first["questions"]]
    assert [i.split("@")[0] for i in ids] == ["conv-same-padding", "perceptron-epoch"]   # unknown one left out
    assert ids == [q["id"] for q in again["questions"]] and first["seed"] == 5
    assert ids[0] != "conv-same-padding@1:1:medium"                                      # a fresh variant
    other = run_cli("exam", "--plain", "--due", "--seed", "6", "--json").json()
    assert [q["id"] for q in other["questions"]] != ids
    learning = run_cli("exam", "--plain", "--due", "--topics", "learning", "--json").json()
    assert [q["id"].split("@")[0] for q in learning["questions"]] == ["perceptron-epoch"]
    human = run_cli("exam", "--plain", "--due", "--seed", "5", "--count", "1")
    assert "Review of the families due (seed 5): 1 question" in human.out


def test_due_exam_answer_moves_the_review(home):
    _make_due(("conv-same-padding", "cnn"))
    proc = run_process("exam", "--plain", "--due", "--seed", "5", "--json", input="",
                       env={"DLTUTOR_HOME": str(home)})
    problem = json.loads(proc.out)["questions"][0]
    answer = str(problem["parts"][0]["expected"])
    proc = run_process("exam", "--plain", "--due", "--seed", "5", input=f"{answer}\nsubmit\n",
                       env={"DLTUTOR_HOME": str(home)})
    assert proc.code == 0 and "2/2 marks" in proc.out, proc.err
    assert progress()["due"] == []          # answered well: scheduled days ahead
    assert "Nothing is due" in run_cli("exam", "--plain", "--due").out


def test_full_screen_exam_opens_on_the_exam_screen(home):
    import asyncio

    from dltutor.commands.practice import exam_app

    app = exam_app(["cnn"], 3, 20.0, 7)

    async def look():
        async with app.run_test() as pilot:
            await pilot.pause()
            return [type(s).__name__ for s in app.screen_stack], app.screen

    stack, screen = asyncio.run(look())
    assert stack[-2:] == ["HomeScreen", "ExamScreen"]                # Esc goes back home
    assert (screen.topics, screen.count, screen.minutes, screen.seed) == (["cnn"], 3, 20.0, 7)


def test_without_a_terminal_the_exam_is_plain(home):
    result = run_cli("exam", "--count", "1", "--seed", "1", "--no-record")
    (line,) = result.err.strip().splitlines()
    assert result.code == 0 and "no terminal" in line and "Exam over (end of input)" in result.out


def test_an_unreadable_answer_is_refused_when_typed(home):
    # 'abc' is refused at the prompt and asked again; the 12 typed next is the answer that counts
    proc = run_process(*EXAM, "--no-record", input=f"abc\n{RIGHT}\nsubmit\n", env={"DLTUTOR_HOME": str(home)})
    assert proc.code == 0, proc.err
    assert proc.out.count("Cannot read that: answer 'abc' is not a number") == 1
    assert "Exam over (submitted): 2/4 marks" in proc.out
