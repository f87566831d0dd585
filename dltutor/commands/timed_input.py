"""Reading a line that may have to stop waiting: the time limit of ``dltutor exam --plain``.

A blocking ``readline`` cannot be given a deadline portably (``select`` does not see the
lines Python has already buffered, and Windows cannot select on a pipe), so one reader
thread does the blocking reads, one at a time, and hands each result over a queue; the
exam waits on the queue at most the time left. The thread sleeps in ``readline`` (no
polling), and when the exam ends while it waits, it is a daemon: nothing keeps the
process alive, and no later line is read.

    reader = TimedReader(read_one)            # read_one() -> the result of one blocking read
    result = reader.read(timeout=12.5)        # raises TimedOut after 12.5 s without a line
"""

from __future__ import annotations

import queue
import threading
from typing import Callable


class TimedOut(Exception):
    """No line came before the deadline."""


class TimedReader:
    def __init__(self, read_one: Callable[[], object]):
        self._read_one = read_one
        self._results: queue.Queue = queue.Queue()
        self._wanted = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                self._results.put((True, self._read_one()))
            except BaseException as exc:      # handed to the waiting reader, raised there
                self._results.put((False, exc))
                return

    def read(self, timeout: float | None):
        """The next read's result, or ``TimedOut`` after ``timeout`` seconds (None: no limit).
        A read that timed out is not lost: its line is the result of the next ``read``."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="dltutor-stdin", daemon=True)
            self._thread.start()
        if self._results.empty() and not self._pending():
            self._wanted.set()
        try:
            ok, value = self._results.get(timeout=None if timeout is None else max(0.0, timeout))
        except queue.Empty:
            self._outstanding = True
            raise TimedOut from None
        self._outstanding = False
        if not ok:
            raise value
        return value

    _outstanding = False

    def _pending(self) -> bool:
        """A read asked for earlier is still running (it timed out): do not ask for another."""
        return self._outstanding
