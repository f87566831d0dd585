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
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from dltutor.errors import InputError

DB_NAME = "progress.sqlite3"
SCHEMA_VERSION = 2

MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE attempts (
        id          INTEGER PRIMARY KEY,
        problem_id  TEXT NOT NULL,          -- family@version:seed[:difficulty]
        family      TEXT NOT NULL,
        topic       TEXT NOT NULL DEFAULT '',
        answer      TEXT NOT NULL DEFAULT '',  -- JSON of what the student gave
        marks       REAL NOT NULL,
        max_marks   REAL NOT NULL,
        hints_used  INTEGER NOT NULL DEFAULT 0,
        seconds     REAL,
        source      TEXT NOT NULL DEFAULT 'practice',  -- practice | exam | review
        exam_id     INTEGER REFERENCES exams(id),
        created_at  TEXT NOT NULL
    );
    CREATE INDEX attempts_family ON attempts(family, created_at);
    CREATE TABLE exams (
        id          INTEGER PRIMARY KEY,
        seed        INTEGER,
        topics      TEXT NOT NULL DEFAULT '',
        count       INTEGER NOT NULL,
        minutes     REAL,
        marks       REAL,
        max_marks   REAL,
        started_at  TEXT NOT NULL,
        finished_at TEXT
    );
    CREATE TABLE reviews (
        family      TEXT PRIMARY KEY,
        topic       TEXT NOT NULL DEFAULT '',
        card        TEXT NOT NULL,           -- FSRS card as JSON
        due         TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE lessons (
        lesson_id   TEXT PRIMARY KEY,
        position    INTEGER NOT NULL DEFAULT 0,
        completed   INTEGER NOT NULL DEFAULT 0,
        updated_at  TEXT NOT NULL
    );
    """,
    # v2: an exam keeps one attempt per question, saved as soon as it is answered and
    # updated when the answer changes (so a crash keeps what was answered).
    2: """
    CREATE UNIQUE INDEX attempts_exam_question ON attempts(exam_id, problem_id) WHERE exam_id IS NOT NULL
    """,
}


BUSY_MS = 2000      # SQLite's own wait for a lock, per try (Store._retry tries again after it)


def _is_busy(exc) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and any(
        word in str(exc) for word in ("locked", "busy"))


def _is_full(exc) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)


def _no_space(folder: Path) -> bool:
    """True when the file system holding ``folder`` has (almost) no room left."""
    try:
        info = os.statvfs(folder)
    except (OSError, AttributeError):
        return False
    return info.f_bavail * info.f_frsize < 64 * 1024


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open. SQLite may have rolled back already (a full
    disk does), and a failing ROLLBACK must not hide the error that caused it."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


_EXPECTED: dict[int, dict[str, set[str]]] = {}


def expected_tables(version: int) -> dict[str, set[str]]:
    """Table -> columns of schema ``version`` (built once from MIGRATIONS in memory)."""
    if version not in _EXPECTED:
        conn = sqlite3.connect(":memory:")
        for target in range(1, version + 1):
            conn.executescript(MIGRATIONS[target])
        _EXPECTED[version] = {name: {row[1] for row in conn.execute(f"PRAGMA table_info({name!r})")}
                              for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        conn.close()
    return _EXPECTED[version]


def scheduler():
    """FSRS with one 10-minute (re)learning step: a family answered wrongly comes back in
    the same sitting, one answered well graduates to days at once."""
    from fsrs import Scheduler

    step = (timedelta(minutes=10),)
    return Scheduler(learning_steps=step, relearning_steps=step, enable_fuzzing=False)


class StoreError(InputError):
    """The progress database cannot be used as it is (named in the message)."""


class StoreBusy(StoreError):
    """A write could not be made after retrying: the database stayed locked or the disk full.
    The file itself is healthy; what was to be written is still in memory."""


def lock_wait() -> float:
    """Seconds a write keeps retrying a locked database (``DLTUTOR_LOCK_WAIT``, default 15)."""
    try:
        return max(0.0, min(600.0, float(os.environ.get("DLTUTOR_LOCK_WAIT", "15"))))
    except ValueError:
        return 15.0


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
        self._patience: float | None = None
        self._conn = self._open()

    # -------------------------------------------------------------- opening
    #
    # An existing file is first opened read-only and checked (a SQLite file, a dltutor
    # schema version this dltutor knows, the tables and columns of that version, the pages
    # it reads intact); only then is it opened for writing, switched to WAL and migrated.
    # A file that fails a check is reported with its path and left byte for byte as it was.

    def _open(self) -> sqlite3.Connection:
        try:
            existing = self.path.is_file() and self.path.stat().st_size > 0
        except OSError as exc:       # a folder on the way that cannot be searched
            raise StoreError(f"the progress database {str(self.path)!r} cannot be reached: "
                             f"{exc.strerror or exc}; set DLTUTOR_HOME to a folder of your own") from None
        if existing:
            conn = self._connect(readonly=True)
            self._check(conn)
            if self.readonly:
                conn.row_factory = sqlite3.Row
                return conn
            conn.close()
        elif self.path.exists() and not self.path.is_file():
            raise StoreError(f"the progress database {str(self.path)!r} is not a regular file; "
                             "set DLTUTOR_HOME to a folder of your own")
        elif self.readonly:   # nothing saved yet: an empty database in memory answers every question
            conn = sqlite3.connect(":memory:", isolation_level=None)
            self._migrate(conn, 0)
            conn.row_factory = sqlite3.Row
            return conn
        self._check_folder()
        conn = self._connect(readonly=False)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL"), "open")
            conn.execute("PRAGMA foreign_keys = ON")
            if version < SCHEMA_VERSION:
                self._retry(lambda: self._migrate(conn, version), "update")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise self._unusable(exc) from None
        except BaseException:
            conn.close()
            raise
        conn.row_factory = sqlite3.Row
        return conn

    def _check_folder(self) -> None:
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data folder {str(folder)!r}: {exc.strerror}; "
                             "set DLTUTOR_HOME to a writable folder") from None
        if not os.access(folder, os.W_OK):
            raise StoreError(f"the data folder {str(folder)!r} is read-only; "
                             "set DLTUTOR_HOME to a writable folder (dltutor progress can still read it)")

    def _connect(self, readonly: bool) -> sqlite3.Connection:
        """A connection; read-only ones never write a byte (a read-only folder falls back to
        ``immutable``, where no other writer can be at work)."""
        uri = self.path.absolute().as_uri()
        tries = [f"{uri}?mode=ro"] if readonly else [f"{uri}?mode=rwc"]
        if readonly and not os.access(self.path.parent, os.W_OK):
            tries.append(f"{uri}?mode=ro&immutable=1")
        last: sqlite3.Error | None = None
        for target in tries:
            try:
                conn = sqlite3.connect(target, uri=True, timeout=1, isolation_level=None)
                conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
                conn.execute("PRAGMA user_version").fetchone()
                return conn
            except sqlite3.Error as exc:
                last = exc
        raise self._unusable(last) from None

    def _check(self, conn: sqlite3.Connection) -> None:
        """The file is a dltutor progress database this version can use, intact where it is read."""
        def fail(exc) -> StoreError:
            conn.close()
            return self._unusable(exc)

        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {name: {row[1] for row in conn.execute(f"PRAGMA table_info({name!r})")}
                      for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise fail(exc) from None
        if version > SCHEMA_VERSION:
            conn.close()
            raise StoreError(f"the progress database {str(self.path)!r} was written by a newer dltutor "
                             f"(schema {version}; this one knows {SCHEMA_VERSION}); upgrade dltutor "
                             "(the file was not changed)")
        if version == 0 and tables:
            conn.close()
            raise StoreError(f"{str(self.path)!r} is not a dltutor progress database (it has tables "
                             f"{', '.join(sorted(tables)[:3])} but no dltutor schema version); set DLTUTOR_HOME "
                             "to another folder (the file was not changed)")
        missing = []
        for table, columns in expected_tables(version).items():
            if table not in tables:
                missing.append(f"table {table}")
            else:
                missing += [f"column {table}.{column}" for column in sorted(columns - tables[table])]
        if missing:
            conn.close()
            raise StoreError(f"the progress database {str(self.path)!r} is damaged: its schema lacks "
                             f"{', '.join(missing[:3])}; keep a copy, then move it away to start a new one "
                             "(the file was not changed)")
        try:
            problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
        except sqlite3.DatabaseError as exc:
            raise fail(exc) from None
        if problems != ["ok"]:
            conn.close()
            raise StoreError(f"the progress database {str(self.path)!r} is damaged ({' '.join(problems[0].split())[:160]}); keep a "
                             "copy, then move it away to start a new one (the file was not changed)")

    def _unusable(self, exc: BaseException | None) -> StoreError:
        text = str(exc) if exc else "unknown error"
        if _is_busy(exc) or _is_full(exc):
            return StoreBusy(self._busy_line(exc, "open"))
        if _no_space(self.path.parent):     # SQLite says "disk I/O error" when it cannot make its -shm file
            return StoreBusy(f"cannot open the progress database {str(self.path)!r}: the disk is full; "
                             "free some space (the database itself is fine)")
        if isinstance(exc, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text
                                                        or "corrupt" in text):
            return StoreError(f"the progress database {str(self.path)!r} is not readable ({text}); keep a "
                              "copy, then move it away to start a new one (the file was not changed)")
        return StoreError(f"the progress database {str(self.path)!r} cannot be used ({text}); "
                          "the file was not changed")

    def _busy_line(self, exc: BaseException | None, doing: str) -> str:
        if _is_full(exc):
            return (f"cannot {doing} the progress database {str(self.path)!r}: the disk is full; "
                    "free some space (the database itself is fine)")
        return (f"cannot {doing} the progress database {str(self.path)!r}: another program has kept it "
                f"locked for {lock_wait():g} s; close it or try again (the database itself is fine)")

    @contextlib.contextmanager
    def patience(self, seconds: float | None):
        """Within the block a locked database is retried for ``seconds`` (None: ``lock_wait()``;
        0: one short try), e.g. for saves that must not keep a student waiting."""
        old = self._patience
        self._patience = seconds
        quick = seconds is not None and seconds < BUSY_MS / 1000
        if quick:
            self._conn.execute(f"PRAGMA busy_timeout = {int(max(seconds or 0, 0.25) * 1000)}")
        try:
            yield self
        finally:
            self._patience = old
            if quick:
                self._conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")

    def _retry(self, action, doing: str = "save to"):
        """Run ``action``; a locked database or a full disk is retried with growing pauses for
        ``lock_wait()`` seconds, then is a StoreBusy naming the file."""
        deadline = time.monotonic() + (lock_wait() if self._patience is None else self._patience)
        pause = 0.05
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if not (_is_busy(exc) or _is_full(exc)) or time.monotonic() + pause > deadline:
                    if _is_busy(exc) or _is_full(exc):
                        raise StoreBusy(self._busy_line(exc, doing)) from None
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 1.0)

    @staticmethod
    def _migrate(conn: sqlite3.Connection, version: int) -> None:
        for target in range(version + 1, SCHEMA_VERSION + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise sqlite3.DatabaseError("it has tables but no dltutor schema version")
                if current < target:  # another process may have migrated meanwhile
                    for statement in MIGRATIONS[target].split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {target}")
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

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
                _rollback(conn)
                raise
            return cur.lastrowid

        return self._retry(attempt)

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
