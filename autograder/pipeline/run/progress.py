"""One Spanish progress line per finished submission: a bar, how many are done, failures, time left, the result."""

from __future__ import annotations

import time
from typing import Callable

from autograder.pipeline.grades.records import FEEDBACK_MISSING

BAR_WIDTH = 12


class Progress:
    """Counts the finished submissions of a batch; ``to_grade`` of the ``total`` are graded in this run."""

    def __init__(self, *, total: int, to_grade: int, emit: Callable[[str], None]):
        self._total, self._to_grade, self._emit = total, to_grade, emit
        self._done = self._graded = self._failures = 0
        self._started = time.monotonic()

    def report(self, last, *, graded_now: bool, label: str | None = None) -> None:
        """``last``: the StudentGrade just finished, graded in this run or found graded already; ``label``: how the
        line names it (its student by default)."""
        self._done += 1
        self._graded += graded_now
        self._failures += bool(last.failure)
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
        seconds = (time.monotonic() - self._started) / self._graded * left if left else 0.0
        return f"quedan ~{seconds / 60:.1f} min"


def _result(last, graded_now: bool) -> str:
    state = f"NO CORREGIDA: {last.failure}" if last.failure else f"{last.auto_score:g}/{last.max_auto_score:g} puntos automáticos"
    if last.feedback_missing:
        state += FEEDBACK_MISSING
    timing = f"{last.seconds:.0f} s" if graded_now else "ya corregida, sin cambios"
    return f"{state} ({timing})"
