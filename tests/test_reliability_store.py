"""The progress database under attack: damaged, foreign, newer, locked, full, read-only.

Every command that writes checks the file first (opened read-only until it is sure):
a file it cannot use is exit 2 with one line naming it, and its bytes stay as they were.
A locked database or a full disk is retried, then one line that never suggests
discarding a healthy file. Real processes and real files throughout; a second process
holds the lock with ``BEGIN EXCLUSIVE``.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from dltutor.store import DB_NAME, AttemptRecord, Store, StoreBusy, StoreError

ATTEMPT = AttemptRecord("conv-output-size@1:7", "conv-output-size", 2, 2, topic="cnn")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dltutor(home: Path, *args: str, input: str = "", env: dict | None = None, timeout: float = 120):
    full = dict(os.environ, DLTUTOR_HOME=str(home), **(env or {}))
    return subprocess.run([sys.executable, "-m", "dltutor", *args], input=input, capture_output=True,
                          text=True, env=full, timeout=timeout, cwd=ROOT)


WRITERS = [
    ("exam", "--plain", "--count", "1", "--seed", "3"),
    ("generate", "conv-output-size", "--seed", "1", "--check", "3", "--no-solution"),
    ("progress",),
]


def healthy(home: Path) -> Path:
    with Store(home / DB_NAME) as store:
        for i in range(30):
            store.record_attempt(AttemptRecord(f"f@1:{i}", f"fam{i % 5}", 1, 2, topic="cnn", answer="x" * 500))
    return home / DB_NAME


def damage_a_page(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'attempts'").fetchone()[0]
    con.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page:(root - 1) * page + 64] = b"\xa5" * 64   # the attempts b-tree's header
    path.write_bytes(bytes(data))


def drop_table(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("DROP TABLE reviews")
    con.commit()
    con.close()


def foreign(path: Path) -> None:
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)          # a rollback-journal file: a WAL switch would rewrite its header
    con.execute("CREATE TABLE recipes (name TEXT, minutes INTEGER)")
    con.execute("INSERT INTO recipes VALUES ('bread', 240)")
    con.commit()
    con.close()


def newer(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()


def garbage(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))


@pytest.mark.parametrize("spoil, words", [
    (damage_a_page, "damaged"), (drop_table, "lacks table reviews"), (foreign, "not a dltutor progress database"),
    (newer, "newer dltutor"), (garbage, "not readable")],
    ids=["damaged-page", "missing-table", "foreign", "newer-schema", "garbage"])
@pytest.mark.parametrize("command", WRITERS, ids=lambda c: c[0])
def test_unusable_file_is_reported_and_left_byte_for_byte(tmp_path, spoil, words, command):
    path = healthy(tmp_path)
    spoil(path)
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    before = digest(path)
    result = dltutor(tmp_path, *command, input="1\nsubmit\n")
    assert result.returncode == 2, (result.stdout[-500:], result.stderr)
    assert result.stderr.count("\n") == 1 and str(path) in result.stderr and words in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert digest(path) == before
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


HOLDER = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
con.execute("INSERT INTO exams (count, started_at) VALUES (1, 'x')")
print("locked", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
"""


@pytest.fixture
def locked(tmp_path):
    """A healthy database that a second process holds with BEGIN EXCLUSIVE until released."""
    path = healthy(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"

    def release():
        if holder.poll() is None:
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait(timeout=20)

    try:
        yield path, release
    finally:
        release()
        holder.stdin.close()
        holder.stdout.close()


def test_locked_database_is_one_line_after_retrying(tmp_path, locked):
    path, _ = locked
    result = dltutor(tmp_path, "generate", "conv-output-size", "--seed", "1", "--check", "3", "--no-solution",
                     env={"DLTUTOR_LOCK_WAIT": "1"})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and str(path) in result.stderr and "locked" in result.stderr
    assert "move it away" not in result.stderr and "Traceback" not in result.stderr


def test_progress_reads_a_locked_database(tmp_path, locked):
    result = dltutor(tmp_path, "progress", "--json", env={"DLTUTOR_LOCK_WAIT": "1"})
    assert result.returncode == 0, result.stderr
    assert '"attempts"' in result.stdout


def test_a_write_waits_for_the_lock_to_go(tmp_path, locked):
    """Released within the retry window, the write lands (no message at all)."""
    import threading

    path, release = locked
    threading.Timer(1.0, release).start()
    result = dltutor(tmp_path, "generate", "conv-output-size", "--seed", "1", "--check", "3", "--no-solution",
                     env={"DLTUTOR_LOCK_WAIT": "20"})
    assert result.returncode == 0 and result.stderr == ""
    with Store(path, readonly=True) as store:
        assert len(store.attempts()) == 31


def test_full_disk_is_retried_then_one_line_naming_the_real_error(tmp_path, monkeypatch):
    """SQLite's own 'database or disk is full' (max_page_count makes it real), not 'cannot rollback'."""
    monkeypatch.setenv("DLTUTOR_LOCK_WAIT", "0.3")
    path = healthy(tmp_path)
    with Store(path) as store:
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreBusy) as err:
            for i in range(200):
                store.record_attempt(AttemptRecord(f"g@1:{i}", "g", 1, 1, answer="y" * 4000), schedule=False)
        message = str(err.value)
        assert "disk is full" in message and str(path) in message
        assert "rollback" not in message and "move it away" not in message
        assert not store._conn.in_transaction
        store._conn.execute(f"PRAGMA max_page_count = {pages * 100}")
        store.record_attempt(ATTEMPT)                      # space again: the same store goes on
    with Store(path, readonly=True) as store:
        assert store.attempts(limit=1)[0]["family"] == "conv-output-size"


def _unshare_works() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not _unshare_works(), reason="needs unshare -rm (user and mount namespaces)")
def test_read_only_folder_still_shows_progress(tmp_path):
    """A real read-only mount of the data folder (as root, chmod would not stop a write)."""
    home = tmp_path / "home"
    home.mkdir()
    path = healthy(home)
    before = digest(path)
    script = ('mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && '
              'DLTUTOR_HOME="$HOME_DIR" exec "$@"')
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", str(home), sys.executable, "-m", "dltutor",
                             "progress", "--json"], capture_output=True, text=True, timeout=120, cwd=ROOT,
                            env=dict(os.environ, HOME_DIR=str(home)))
    assert result.returncode == 0, result.stderr
    assert '"fam0"' in result.stdout
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", str(home), sys.executable, "-m", "dltutor",
                             "generate", "conv-output-size", "--seed", "1", "--check", "3", "--no-solution"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT, env=dict(os.environ, HOME_DIR=str(home)))
    assert result.returncode == 2 and "read-only" in result.stderr and result.stderr.count("\n") == 1
    assert digest(path) == before


def test_progress_on_a_fresh_folder_creates_nothing(tmp_path):
    result = dltutor(tmp_path / "new", "progress", "--json")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "new" / DB_NAME).exists()


def test_read_only_store_refuses_to_write(tmp_path):
    path = healthy(tmp_path)
    with Store(path, readonly=True) as store:
        with pytest.raises(StoreError, match="read-only"):
            store.record_attempt(ATTEMPT)
