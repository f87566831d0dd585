"""Opening the progress database without harming it, and writing to it when it is busy.

``FileGuard(path).open(readonly)`` opens an existing file read-only first and checks it
(a SQLite file, a schema version this dltutor knows, the tables and columns of that
version, ``quick_check``); only a file that passes is opened for writing, switched to
WAL and migrated. A damaged, foreign or newer file is a ``StoreError`` naming it, and
its bytes are left as they were. ``FileGuard.retry`` runs a write, retrying a locked
database or a full disk with growing pauses, then raises ``StoreBusy`` (one line that
never suggests discarding a healthy file).
"""

from __future__ import annotations

import os
import sqlite3
import time
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


BUSY_MS = 2000      # SQLite's own wait for a lock, per try (FileGuard.retry tries again after it)


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


def rollback(conn: sqlite3.Connection) -> None:
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


class FileGuard:
    """The checks and the patience around one database file."""

    def __init__(self, path: Path):
        self.path = path
        self.patience: float | None = None      # seconds a busy write is retried (None: lock_wait())

    # An existing file is first opened read-only and checked (a SQLite file, a dltutor
    # schema version this dltutor knows, the tables and columns of that version, the pages
    # it reads intact); only then is it opened for writing, switched to WAL and migrated.
    # A file that fails a check is reported with its path and left byte for byte as it was.

    def open(self, readonly: bool) -> sqlite3.Connection:
        try:
            existing = self.path.is_file() and self.path.stat().st_size > 0
        except OSError as exc:       # a folder on the way that cannot be searched
            raise StoreError(f"the progress database {str(self.path)!r} cannot be reached: "
                             f"{exc.strerror or exc}; set DLTUTOR_HOME to a folder of your own") from None
        if existing:
            conn = self.connect(readonly=True)
            self.check(conn)
            if readonly:
                conn.row_factory = sqlite3.Row
                return conn
            conn.close()
        elif self.path.exists() and not self.path.is_file():
            raise StoreError(f"the progress database {str(self.path)!r} is not a regular file; "
                             "set DLTUTOR_HOME to a folder of your own")
        elif readonly:   # nothing saved yet: an empty database in memory answers every question
            conn = sqlite3.connect(":memory:", isolation_level=None)
            self.migrate(conn, 0)
            conn.row_factory = sqlite3.Row
            return conn
        self.check_folder()
        conn = self.connect(readonly=False)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            self.retry(lambda: conn.execute("PRAGMA journal_mode = WAL"), "open")
            conn.execute("PRAGMA foreign_keys = ON")
            if version < SCHEMA_VERSION:
                self.retry(lambda: self.migrate(conn, version), "update")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise self.unusable(exc) from None
        except BaseException:
            conn.close()
            raise
        conn.row_factory = sqlite3.Row
        return conn

    def check_folder(self) -> None:
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data folder {str(folder)!r}: {exc.strerror}; "
                             "set DLTUTOR_HOME to a writable folder") from None
        if not os.access(folder, os.W_OK):
            raise StoreError(f"the data folder {str(folder)!r} is read-only; "
                             "set DLTUTOR_HOME to a writable folder (dltutor progress can still read it)")

    def connect(self, readonly: bool) -> sqlite3.Connection:
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
        raise self.unusable(last) from None

    def check(self, conn: sqlite3.Connection) -> None:
        """The file is a dltutor progress database this version can use, intact where it is read."""
        def fail(exc) -> StoreError:
            conn.close()
            return self.unusable(exc)

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

    def unusable(self, exc: BaseException | None) -> StoreError:
        text = str(exc) if exc else "unknown error"
        if _is_busy(exc) or _is_full(exc):
            return StoreBusy(self.busy_line(exc, "open"))
        if _no_space(self.path.parent):     # SQLite says "disk I/O error" when it cannot make its -shm file
            return StoreBusy(f"cannot open the progress database {str(self.path)!r}: the disk is full; "
                             "free some space (the database itself is fine)")
        if isinstance(exc, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text
                                                        or "corrupt" in text):
            return StoreError(f"the progress database {str(self.path)!r} is not readable ({text}); keep a "
                              "copy, then move it away to start a new one (the file was not changed)")
        return StoreError(f"the progress database {str(self.path)!r} cannot be used ({text}); "
                          "the file was not changed")

    def busy_line(self, exc: BaseException | None, doing: str) -> str:
        if _is_full(exc):
            return (f"cannot {doing} the progress database {str(self.path)!r}: the disk is full; "
                    "free some space (the database itself is fine)")
        return (f"cannot {doing} the progress database {str(self.path)!r}: another program has kept it "
                f"locked for {lock_wait():g} s; close it or try again (the database itself is fine)")

    def retry(self, action, doing: str = "save to"):
        """Run ``action``; a locked database or a full disk is retried with growing pauses for
        ``lock_wait()`` seconds, then is a StoreBusy naming the file."""
        deadline = time.monotonic() + (lock_wait() if self.patience is None else self.patience)
        pause = 0.05
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if not (_is_busy(exc) or _is_full(exc)) or time.monotonic() + pause > deadline:
                    if _is_busy(exc) or _is_full(exc):
                        raise StoreBusy(self.busy_line(exc, doing)) from None
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 1.0)

    @staticmethod
    def migrate(conn: sqlite3.Connection, version: int) -> None:
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
                rollback(conn)
                raise
