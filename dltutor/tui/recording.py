"""Exam answers into the progress store without ever stopping the screen.

``ScreenRecorder`` wraps the session's ``StoreRecorder``: a save that the store
refuses (locked by another program past its wait, disk full, read-only folder)
is kept in memory and tried again later, and the student is told once, in a
notification, never with a traceback. While saves fail, the store is not asked
again on every key (each try may wait for a lock), only every ``RETRY_SECONDS``
and at the end of the exam.

    recorder = ScreenRecorder(store, exam, warn=app.notify)
    ExamSession(exam, recorder)
"""

from __future__ import annotations

import time
from collections.abc import Callable

from dltutor.store import StoreError

RETRY_SECONDS = 20.0


class ScreenRecorder:
    def __init__(self, store, exam, warn: Callable[..., object], clock: Callable[[], float] = time.monotonic):
        from dltutor.practice.session import StoreRecorder

        self.warn, self.clock = warn, clock
        self.pending: set[int] = set()
        self.failed_at: float | None = None
        self.warned = False
        self.inner = StoreRecorder(store)
        self._try(lambda: self.inner._start(exam))

    def _try(self, write: Callable[[], object]) -> bool:
        try:
            write()
        except StoreError as exc:
            self.failed_at = self.clock()
            if not self.warned:
                self.warned = True
                self.warn(f"Your answers cannot be saved just now ({exc}); they are kept and saved "
                          "as soon as the progress database can be written.", severity="warning", timeout=10)
            return False
        self.failed_at = None
        return True

    def save(self, exam, number: int) -> None:
        self.pending.add(number)
        if self.failed_at is not None and self.clock() - self.failed_at < RETRY_SECONDS:
            return                      # do not wait for a lock on every key
        self.flush(exam)

    def flush(self, exam) -> bool:
        for number in sorted(self.pending):
            if not self._try(lambda n=number: self.inner.save(exam, n)):
                return False
            self.pending.discard(number)
        return True

    def finish(self, exam, result) -> None:
        self.pending.clear()            # finish writes every question as it stands
        if not self._try(lambda: self.inner.finish(exam, result)):
            self.warn("The exam could not be saved in your progress; its marks are shown here.",
                      severity="error", timeout=10)
