"""One Spanish progress line per finished submission: a bar, how many are done, failures, time left, the result."""

from __future__ import annotations

import time
from typing import Callable, Hashable

from autograder.pipeline.grades.records import FEEDBACK_MISSING
from autograder.pipeline.run.cost import BATCH_WALL

BAR_WIDTH = 12


class Progress:
    """Counts the finished submissions of a batch; ``to_grade`` of the ``total`` are graded in this run.

    The time left comes from the batch's expected wall time (``expect``), corrected by how the finished
    submissions' real seconds compare with their estimates; without it, from the submissions finished so far.
    """

    def __init__(self, *, total: int, to_grade: int, emit: Callable[[str], None]):
        self._total, self._to_grade, self._emit = total, to_grade, emit
        self._done = self._graded = self._failures = 0
        self._started = time.monotonic()
        self._estimates: dict[Hashable, float] = {}
        self._expected: float | None = None
        self._expected_from = self._started
        self._real = self._estimated = 0.0  # seconds of the finished submissions that had an estimate, and theirs

    def expect(self, *, estimates: dict[Hashable, float], seconds: float | None) -> None:
        """Grading starts now: ``estimates`` of each submission (seconds of one worker, by key), ``seconds`` the
        batch's expected wall time (``cost.expected_wall``; None: unknown)."""
        self._estimates, self._expected, self._expected_from = dict(estimates), seconds, time.monotonic()

    def report(self, last, *, graded_now: bool, label: str | None = None, key: Hashable | None = None) -> None:
        """``last``: the StudentGrade just finished, graded in this run or found graded already; ``label``: how the
        line names it (its student by default); ``key``: its key in ``expect``'s estimates."""
        self._done += 1
        self._graded += graded_now
        self._failures += bool(last.failure)
        if graded_now and key in self._estimates:
            self._real += last.seconds
            self._estimated += self._estimates[key]
        filled = round(BAR_WIDTH * self._done / self._total)
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        self._emit(
            f"[{bar}] {self._done}/{self._total} · {self._failures} sin corregir · {self._time_left()}"
            f" · {label or last.student}: {_result(last, graded_now)}"
        )

    def _time_left(self) -> str:
        left = self._to_grade - self._graded
        if left and not self._graded:
            return "calculando el tiempo que queda"
        seconds = 0.0
        if left:
            seconds = self._left_as_expected() or (time.monotonic() - self._started) / self._graded * left
        return f"quedan ~{seconds / 60:.1f} min"

    def _left_as_expected(self) -> float | None:
        """The expected wall time, as much slower or faster as the finished submissions were than their estimates
        (each task's real seconds against its estimate × BATCH_WALL), minus the time gone; None if unknown or past."""
        if self._expected is None or self._estimated <= 0:
            return None
        pace = self._real / (self._estimated * BATCH_WALL)
        left = self._expected * pace - (time.monotonic() - self._expected_from)
        return left if left > 0 else None


def _result(last, graded_now: bool) -> str:
    state = f"NO CORREGIDA: {last.failure}" if last.failure else f"{last.auto_score:g}/{last.max_auto_score:g} puntos automáticos"
    if last.feedback_missing:
        state += FEEDBACK_MISSING
    timing = f"{last.seconds:.0f} s" if graded_now else "ya corregida, sin cambios"
    return f"{state} ({timing})"
