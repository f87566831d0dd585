"""The progress database: every attempt and exam, and a review schedule per problem family.

One SQLite file, ``progress.sqlite3``, in the user data folder (platformdirs;
the environment variable ``DLTUTOR_HOME`` overrides the folder, tests use it).

- WAL journal and a busy timeout, so two processes answering at once both land.
- Every write is one transaction: a crash or Ctrl-C loses at most the answer
  being typed.
- ``PRAGMA user_version`` holds the schema version; ``MIGRATIONS`` bring an older
  file up to date. An existing file is opened read-only and checked first (SQLite,
  a known schema version, its tables and columns, ``quick_check``): a file written
  by a newer dltutor, a foreign or damaged one is reported with its path and left
  unchanged, byte for byte; only a file that passes is opened for writing.
- A locked database or a full disk is retried with growing pauses
  (``DLTUTOR_LOCK_WAIT`` seconds, default 15), then reported in one line
  (``StoreBusy``) that does not suggest discarding the file; the caller still has
  what it meant to write. ``Store(readonly=True)`` reads without writing a byte
  (``dltutor progress`` in a read-only folder).
- Reviews are scheduled per family with FSRS (the ``fsrs`` package, the
  scheduler Anki uses); the rating comes from correctness, hints and time.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dltutor.store.opening import (
    BUSY_MS,
    DB_NAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    FileGuard,
    StoreBusy,
    StoreError,
    expected_tables,
    lock_wait,
    rollback,
)

__all__ = ["DB_NAME", "MIGRATIONS", "SCHEMA_VERSION", "AttemptRecord", "Store", "StoreBusy", "StoreError",
           "data_home", "expected_tables", "lock_wait", "now", "rating_for", "scheduler"]

def scheduler():
    """FSRS with one 10-minute (re)learning step: a family answered wrongly comes back in
    the same sitting, one answered well graduates to days at once."""
    from fsrs import Scheduler

    step = (timedelta(minutes=10),)
    return Scheduler(learning_steps=step, relearning_steps=step, enable_fuzzing=False)


def data_home() -> Path:
    """The folder that holds the progress database."""
    override = os.environ.get("DLTUTOR_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("dltutor", appauthor=False))


def now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class AttemptRecord:
    """One row of the attempts table: a problem answered (a practice check or an exam question)."""

    problem_id: str
    family: str
    marks: float
    max_marks: float
    topic: str = ""
    answer: object = ""
    hints_used: int = 0
    seconds: float | None = None
    source: str = "practice"

    @property
    def fraction(self) -> float:
        return self.marks / self.max_marks if self.max_marks else 0.0


def rating_for(attempt: AttemptRecord) -> int:
    """FSRS rating (1 Again, 2 Hard, 3 Good, 4 Easy) from marks, hints and time."""
    if attempt.fraction < 0.5:
        return 1
    if attempt.hints_used >= 1 or attempt.fraction < 1.0:
        return 2
    if attempt.seconds is not None and attempt.seconds <= 60:
        return 4
    return 3


class Store:
    """The progress database at ``path`` (default: ``data_home()/progress.sqlite3``)."""

    def __init__(self, path: Path | str | None = None, *, readonly: bool = False):
        self.path = Path(path) if path else data_home() / DB_NAME
        self.readonly = readonly
        self._guard = FileGuard(self.path)
        self._conn = self._guard.open(readonly)

    @contextlib.contextmanager
    def patience(self, seconds: float | None):
        """Within the block a locked database is retried for ``seconds`` (None: ``lock_wait()``;
        0: one short try), e.g. for saves that must not keep a student waiting."""
        old = self._guard.patience
        self._guard.patience = seconds
        quick = seconds is not None and seconds < BUSY_MS / 1000
        if quick:
            self._conn.execute(f"PRAGMA busy_timeout = {int(max(seconds or 0, 0.25) * 1000)}")
        try:
            yield self
        finally:
            self._guard.patience = old
            if quick:
                self._conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write(self, sql: str, params: tuple = ()) -> int:
        """One statement in its own immediate transaction, retried while the database is locked
        or the disk full (then StoreBusy); returns the row id."""
        if self.readonly:
            raise StoreError(f"the progress database {str(self.path)!r} was opened read-only")
        conn = self._conn

        def attempt() -> int:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cur = conn.execute(sql, params)
                conn.execute("COMMIT")
            except BaseException:
                rollback(conn)
                raise
            return cur.lastrowid

        return self._guard.retry(attempt)

    # -------------------------------------------------------------- attempts
    def record_attempt(self, attempt: AttemptRecord, *, exam_id: int | None = None,
                       when: datetime | None = None, schedule: bool = True) -> int:
        """Store one answered problem and (by default) update its family's review schedule.

        Within an exam a problem has one attempt: recording it again replaces the answer."""
        when = when or now()
        values_ = (attempt.problem_id, attempt.family, attempt.topic, json.dumps(attempt.answer),
                   float(attempt.marks), float(attempt.max_marks), int(attempt.hints_used), attempt.seconds,
                   attempt.source, exam_id, _iso(when))
        sql = ("INSERT INTO attempts (problem_id, family, topic, answer, marks, max_marks, hints_used,"
               " seconds, source, exam_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
        if exam_id is not None:
            sql += (" ON CONFLICT(exam_id, problem_id) WHERE exam_id IS NOT NULL DO UPDATE SET"
                    " answer = excluded.answer, marks = excluded.marks, max_marks = excluded.max_marks,"
                    " hints_used = excluded.hints_used, seconds = excluded.seconds,"
                    " created_at = excluded.created_at")
        row = self._write(sql, values_)
        if schedule:
            self.review(attempt.family, rating_for(attempt), topic=attempt.topic, when=when)
        return row

    def forget_exam_attempt(self, exam_id: int, problem_id: str) -> None:
        """Drop the saved answer of an exam question that is no longer answered (the student erased it):
        an unanswered question is not an attempt."""
        self._write("DELETE FROM attempts WHERE exam_id = ? AND problem_id = ?", (exam_id, problem_id))

    def attempts(self, family: str | None = None, limit: int = 1000) -> list[sqlite3.Row]:
        if family:
            return self._conn.execute("SELECT * FROM attempts WHERE family = ? ORDER BY id DESC LIMIT ?",
                                      (family, limit)).fetchall()
        return self._conn.execute("SELECT * FROM attempts ORDER BY id DESC LIMIT ?", (limit,)).fetchall()

    # -------------------------------------------------------------- exams
    def start_exam(self, *, seed: int | None, topics: list[str], count: int, minutes: float | None,
                   when: datetime | None = None) -> int:
        return self._write("INSERT INTO exams (seed, topics, count, minutes, started_at) VALUES (?,?,?,?,?)",
                           (seed, ",".join(topics), count, minutes, _iso(when or now())))

    def finish_exam(self, exam_id: int, marks: float, max_marks: float, when: datetime | None = None) -> None:
        self._write("UPDATE exams SET marks = ?, max_marks = ?, finished_at = ? WHERE id = ?",
                    (float(marks), float(max_marks), _iso(when or now()), exam_id))

    def exams(self, limit: int = 100) -> list[sqlite3.Row]:
        return self._conn.execute("SELECT * FROM exams ORDER BY id DESC LIMIT ?", (limit,)).fetchall()

    # -------------------------------------------------------------- reviews
    def review(self, family: str, rating: int, *, topic: str = "", when: datetime | None = None) -> datetime:
        """Schedule the next review of ``family`` after a review rated 1..4; returns its due time."""
        from fsrs import Card, Rating

        when = when or now()
        row = self._conn.execute("SELECT card FROM reviews WHERE family = ?", (family,)).fetchone()
        card = Card.from_dict(json.loads(row["card"])) if row else Card(due=when)
        card, _log = scheduler().review_card(card, Rating(rating), review_datetime=when)
        self._write("INSERT INTO reviews (family, topic, card, due, updated_at) VALUES (?,?,?,?,?) "
                    "ON CONFLICT(family) DO UPDATE SET card = excluded.card, due = excluded.due, "
                    "updated_at = excluded.updated_at, topic = CASE WHEN excluded.topic = '' "
                    "THEN reviews.topic ELSE excluded.topic END",
                    (family, topic, json.dumps(card.to_dict()), _iso(card.due), _iso(when)))
        return card.due

    def due(self, when: datetime | None = None) -> list[sqlite3.Row]:
        """Families whose review is due at ``when`` (default now), most overdue first."""
        return self._conn.execute("SELECT family, topic, due FROM reviews WHERE due <= ? ORDER BY due",
                                  (_iso(when or now()),)).fetchall()

    def schedule(self) -> list[sqlite3.Row]:
        return self._conn.execute("SELECT family, topic, due FROM reviews ORDER BY due").fetchall()

    # -------------------------------------------------------------- lessons
    def set_lesson_position(self, lesson_id: str, position: int, completed: bool = False) -> None:
        self._write("INSERT INTO lessons (lesson_id, position, completed, updated_at) VALUES (?,?,?,?) "
                    "ON CONFLICT(lesson_id) DO UPDATE SET position = excluded.position, "
                    "completed = max(lessons.completed, excluded.completed), updated_at = excluded.updated_at",
                    (lesson_id, int(position), int(completed), _iso(now())))

    def lesson_positions(self) -> dict[str, sqlite3.Row]:
        return {r["lesson_id"]: r for r in self._conn.execute("SELECT * FROM lessons").fetchall()}

    def last_lesson(self) -> str | None:
        row = self._conn.execute("SELECT lesson_id FROM lessons ORDER BY updated_at DESC, rowid DESC LIMIT 1"
                                 ).fetchone()
        return row["lesson_id"] if row else None

    # -------------------------------------------------------------- summaries
    def mastery(self, recent: int = 10) -> dict[str, dict]:
        """Per topic: attempts, the mean score of each family's last ``recent`` attempts, families seen."""
        rows = self._conn.execute(
            "SELECT topic, family, marks, max_marks FROM ("
            " SELECT topic, family, marks, max_marks,"
            "  row_number() OVER (PARTITION BY family ORDER BY id DESC) AS k FROM attempts)"
            " WHERE k <= ?", (recent,)).fetchall()
        by_family: dict[tuple[str, str], list[float]] = {}
        for r in rows:
            by_family.setdefault((r["topic"] or "other", r["family"]), []).append(
                r["marks"] / r["max_marks"] if r["max_marks"] else 0.0)
        counts = dict(self._conn.execute("SELECT coalesce(nullif(topic, ''), 'other'), count(*) "
                                         "FROM attempts GROUP BY 1").fetchall())
        out: dict[str, dict] = {}
        for (topic, family), scores in by_family.items():
            entry = out.setdefault(topic, {"attempts": counts.get(topic, 0), "families": {}, "mastery": 0.0})
            entry["families"][family] = sum(scores) / len(scores)
        for entry in out.values():
            entry["mastery"] = sum(entry["families"].values()) / len(entry["families"])
        return out

    def streak(self, today: datetime | None = None) -> int:
        """Consecutive days, up to today (or yesterday), with at least one attempt."""
        days = {datetime.fromisoformat(r[0]).date() for r in
                self._conn.execute("SELECT DISTINCT substr(created_at, 1, 10) || 'T00:00:00+00:00' "
                                   "FROM attempts").fetchall()}
        day = (today or now()).date()
        if day not in days:
            day -= timedelta(days=1)
        count = 0
        while day in days:
            count += 1
            day -= timedelta(days=1)
        return count
