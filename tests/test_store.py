"""The progress database: attempts, exams, reviews, and how it fails."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from dltutor.store import DB_NAME, MIGRATIONS, SCHEMA_VERSION, AttemptRecord, Store, StoreError, rating_for
from conftest import assert_bad_input, run_cli

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DLTUTOR_HOME", str(tmp_path))
    return tmp_path


def attempt(family="conv-output-size", marks=2, max_marks=2, **kw):
    return AttemptRecord(problem_id=f"{family}@1:7", family=family, marks=marks, max_marks=max_marks,
                   topic=kw.pop("topic", "cnn"), **kw)


def test_database_lives_in_dltutor_home(home):
    with Store() as store:
        store.record_attempt(attempt(), when=T0)
    assert (home / DB_NAME).exists()
    con = sqlite3.connect(home / DB_NAME)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_attempts_and_mastery_per_topic(home):
    with Store() as store:
        store.record_attempt(attempt(marks=2), when=T0)
        store.record_attempt(attempt(marks=0), when=T0)
        store.record_attempt(attempt("lms-online", marks=3, max_marks=4, topic="learning"), when=T0)
        mastery = store.mastery()
    assert mastery["cnn"]["attempts"] == 2
    assert mastery["cnn"]["mastery"] == pytest.approx(0.5)
    assert mastery["learning"]["mastery"] == pytest.approx(0.75)


@pytest.mark.parametrize("marks, hints, seconds, rating", [
    (0, 0, 30, 1), (1, 0, 30, 2), (2, 1, 30, 2), (2, 0, 30, 4), (2, 0, 300, 3), (2, 0, None, 3)])
def test_rating_from_correctness_hints_and_time(marks, hints, seconds, rating):
    assert rating_for(attempt(marks=marks, hints_used=hints, seconds=seconds)) == rating


def test_a_wrong_answer_comes_back_sooner_than_a_right_one(home):
    with Store() as store:
        store.record_attempt(attempt("a", marks=0), when=T0)
        store.record_attempt(attempt("b", marks=2, seconds=100), when=T0)
        due = {r["family"]: datetime.fromisoformat(r["due"]) for r in store.schedule()}
        assert due["a"] < due["b"]
        assert due["a"] - T0 <= timedelta(minutes=10)      # FSRS learning step
        assert [r["family"] for r in store.due(T0 + timedelta(minutes=30))] == ["a"]


def test_exam_is_stored_with_its_attempts(home):
    with Store() as store:
        exam_id = store.start_exam(seed=3, topics=["cnn"], count=2, minutes=None, when=T0)
        store.record_attempt(attempt(source="exam"), exam_id=exam_id, when=T0)
        store.finish_exam(exam_id, 2, 4, when=T0)
        (exam,) = store.exams()
        assert (exam["marks"], exam["max_marks"], exam["topics"]) == (2, 4, "cnn")
        assert store.attempts()[0]["exam_id"] == exam_id


def test_an_exam_keeps_one_attempt_per_question(home):
    with Store() as store:
        exam_id = store.start_exam(seed=1, topics=[], count=1, minutes=None, when=T0)
        store.record_attempt(attempt(marks=0, answer={"out": "7"}), exam_id=exam_id, schedule=False)
        store.record_attempt(attempt(marks=2, answer={"out": "8"}), exam_id=exam_id, schedule=False)
        store.record_attempt(attempt(marks=2), when=T0)          # outside the exam: a new attempt
        rows = store.attempts()
        assert len(rows) == 2
        in_exam = next(r for r in rows if r["exam_id"] == exam_id)
        assert (in_exam["marks"], in_exam["answer"]) == (2, '{"out": "8"}')


def test_an_old_database_is_migrated_and_keeps_its_data(home):
    path = home / DB_NAME
    con = sqlite3.connect(path)
    for statement in MIGRATIONS[1].split(";"):
        if statement.strip():
            con.execute(statement)
    con.execute("INSERT INTO attempts (problem_id, family, marks, max_marks, created_at)"
                " VALUES ('f@1:1', 'f', 1, 2, '2026-01-01T00:00:00+00:00')")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    with Store() as store:
        assert [r["family"] for r in store.attempts()] == ["f"]
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("SELECT name FROM sqlite_master WHERE name = 'attempts_exam_question'").fetchone()


def test_streak_counts_consecutive_days(home):
    with Store() as store:
        for days_ago in (0, 1, 2, 4):
            store.record_attempt(attempt(), when=T0 - timedelta(days=days_ago))
        assert store.streak(today=T0) == 3


def test_lesson_position_is_remembered(home):
    with Store() as store:
        store.set_lesson_position("perceptron", 3)
        store.set_lesson_position("lms", 1, completed=True)
        store.set_lesson_position("lms", 0)
    with Store() as store:
        positions = store.lesson_positions()
        assert positions["perceptron"]["position"] == 3
        assert positions["lms"]["completed"] == 1
        assert store.last_lesson() == "lms"


WRITER = """
import sys
from dltutor.store import Store, AttemptRecord
with Store() as store:
    for i in range(40):
        store.record_attempt(AttemptRecord(f"fam@1:{i}", "fam" + sys.argv[1], 1, 1, topic="cnn"))
"""


def test_two_processes_writing_at_once_lose_nothing(home):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(k)]) for k in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    with Store() as store:
        assert len(store.attempts()) == 80


def test_corrupt_database_is_reported_and_left_alone(home):
    path = home / DB_NAME
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not readable") as err:
        Store()
    assert str(path) in str(err.value)
    assert path.read_bytes() == before


def test_newer_schema_is_reported_and_left_alone(home):
    Store().close()
    path = home / DB_NAME
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer dltutor"):
        Store()
    assert path.read_bytes() == before


def test_foreign_database_is_not_migrated(home):
    path = home / DB_NAME
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE mine (x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="no dltutor schema version"):
        Store()


def test_unusable_data_folder_is_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("DLTUTOR_HOME", str(blocker / "sub"))
    with pytest.raises(StoreError, match="cannot create the data folder"):
        Store()


def test_read_only_folder_is_a_clear_error(tmp_path, monkeypatch):
    # Tests run as root here, where chmod cannot make a folder read-only: ask os.access instead.
    import dltutor.store as store_module

    monkeypatch.setenv("DLTUTOR_HOME", str(tmp_path))
    monkeypatch.setattr(store_module.os, "access", lambda path, mode: False)
    with pytest.raises(StoreError, match="read-only"):
        Store()


def test_progress_command_reports_a_corrupt_database(home):
    (home / DB_NAME).write_bytes(b"garbage" * 1000)
    assert_bad_input(run_cli("progress"), DB_NAME)


def test_progress_command_shows_mastery_and_due(home):
    with Store() as store:
        store.record_attempt(attempt(marks=0), when=T0)
    result = run_cli("progress")
    assert result.code == 0, result.err
    assert "cnn" in result.out and "conv-output-size" in result.out
    data = run_cli("progress", "--json").json()
    assert data["topics"]["cnn"]["mastery"] == 0
    assert data["due"][0]["family"] == "conv-output-size"
