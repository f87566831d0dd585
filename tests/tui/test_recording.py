"""A progress database that refuses a write never stops the exam screen: answers are kept and saved later."""


from dltutor.practice.exam import build_exam
from dltutor.store import Store, StoreBusy
from tests.conftest import FakeClock
from dltutor.tui.recording import RETRY_SECONDS, ScreenRecorder


def test_refused_saves_are_kept_then_written(store, monkeypatch):
    exam = build_exam(["cnn"], 2, seed=5)
    warnings, clock = [], FakeClock(0.0)
    recorder = ScreenRecorder(store, exam, warn=lambda *a, **k: warnings.append(a[0]), clock=clock)
    part = exam.questions[0].problem.parts[0].name
    exam.answer(0, part, "7")

    real = Store.record_attempt

    def busy(*args, **kwargs):
        raise StoreBusy("the progress database is locked by another program")

    monkeypatch.setattr(Store, "record_attempt", busy)
    recorder.save(exam, 0)                          # refused: said once, kept
    recorder.save(exam, 0)
    assert len(warnings) == 1 and recorder.pending == {0}
    monkeypatch.setattr(Store, "record_attempt", real)
    recorder.save(exam, 0)                          # within the back-off: not tried yet
    assert store.attempts() == []
    clock.now += RETRY_SECONDS + 1
    recorder.save(exam, 0)                          # tried again: written
    assert recorder.pending == set()
    assert [r["problem_id"] for r in store.attempts()] == [exam.questions[0].problem.id]
