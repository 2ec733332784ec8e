"""What one Dask task does: grade one submission with nbgrader against a private gradebook.

The task writes ``autograded/<student>/`` and ``feedback/<student>/`` in the
course root (on a filesystem the driver shares) and returns plain data; it
never writes the course gradebook.
"""

from __future__ import annotations

import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import psutil
from nbgrader.converters import Autograde

from autograder.grading_context import GradingContext
from autograder.pipeline.course import CONFIG_FILE, kernel_environment, load_config, open_gradebook, run_nbgrader
from autograder.pipeline.feedback.regenerate import GenerateFeedbackPage
from autograder.pipeline.grades.resume_state import submission_digest
from autograder.pipeline.run.failed_submissions import failure_reason
from autograder.pipeline.run.private_gradebook import add_student_record, autograded_results, quiet_gradebook


@dataclass(frozen=True)
class GradedSubmission:
    student: str
    seconds: float
    digest: str = ""  # submission_digest of the submission as the task found it
    results: dict | None = None  # autograded_results of the private gradebook; None if not graded
    failure: str | None = None  # Spanish reason when the submission could not be graded
    feedback_missing: bool = False  # graded, but nbgrader could not write the feedback
    log: str = ""  # nbgrader's log (or the traceback) when something failed
    crashed: bool = False  # the task raised or its worker died: no verdict on the notebook, the next run tries again
    cpu_seconds: float = 0.0  # CPU the task used: this worker process, its kernel and judges (TaskCPU)


def grade_submission(
    *, root: str, student: str, context: GradingContext, gradebook: bytes, record: dict
) -> GradedSubmission:
    """nbgrader's Autograde and GenerateFeedback (the HTML alone) for one submission of ``context.assignment``.

    ``gradebook`` is an ``assignment_gradebook`` and ``record`` the student's
    ``student_record``: together, the private gradebook the task grades in.
    ``context`` goes to the judging steps (``ApplyVerdicts``) through their
    configuration; the student's kernel, another process, gets its profile
    from the environment (``kernel_environment``).
    """
    assignment = context.assignment
    started, digest = time.monotonic(), submission_digest(Path(root), assignment, student)
    with (TaskCPU() as cpu, tempfile.TemporaryDirectory(prefix="autograder-") as scratch,
          kernel_environment(context.profile), quiet_gradebook()):
        private = Path(scratch) / "gradebook.db"
        private.write_bytes(gradebook)
        config = load_config(Path(root))
        config.CourseDirectory.db_url = f"sqlite:///{private}"
        config.Judging.context = context
        with open_gradebook(config) as opened:
            add_student_record(gradebook=opened, assignment=assignment, record=record)
        result = run_nbgrader(config, Autograde, assignment=assignment, student=student, force=True, create_student=True)
        if not result["success"]:
            return GradedSubmission(student, time.monotonic() - started, digest, failure=failure_reason(result), log=_log(result),
                                    cpu_seconds=cpu.seconds())
        feedback = run_nbgrader(config, GenerateFeedbackPage, assignment=assignment, student=student, force=True)
        with open_gradebook(config) as opened:
            results = autograded_results(gradebook=opened, assignment=assignment, student=student)
        cpu_seconds = cpu.seconds()
    return GradedSubmission(
        student,
        time.monotonic() - started,
        digest,
        results=results,
        feedback_missing=not feedback["success"],
        log="" if feedback["success"] else _log(feedback),
        cpu_seconds=cpu_seconds,
    )


class TaskCPU:
    """CPU seconds a task used: this process's, and its descendants' (the student's kernel, the judges), sampled.

    The kernel runs sandboxed in a PID namespace of its own; it is not reaped
    as this process's child, so ``RUSAGE_CHILDREN`` never counts it. Instead,
    every ``interval`` seconds, the user and system time of each process below
    this one is read (``psutil``); what one spent before the task started
    (the verdict server's start-up) is not counted. A process that ends between
    two samples loses at most ``interval`` seconds; one that lives shorter than
    that is not seen. A worker runs one task at a time, so this process's own
    time across the task is the task's: nbgrader's work.
    """

    def __init__(self, interval: float = 0.5):
        self._interval, self._stop = interval, threading.Event()
        self._me = psutil.Process()
        self._before = self._tree()
        self._latest: dict[tuple[int, float], float] = {}
        self._own = self._own_seconds()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def __enter__(self) -> TaskCPU:
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()

    def seconds(self) -> float:
        """The CPU seconds so far (and the sampling stops)."""
        self._stop.set()
        self._thread.join()
        self._latest.update(self._tree())
        used = sum(value - self._before.get(key, 0.0) for key, value in self._latest.items())
        return self._own_seconds() - self._own + used

    def _sample(self) -> None:
        while not self._stop.wait(self._interval):
            self._latest.update(self._tree())

    def _tree(self) -> dict[tuple[int, float], float]:
        found = {}
        try:
            children = self._me.children(recursive=True)
        except psutil.Error:
            return found
        for child in children:
            try:
                with child.oneshot():
                    times = child.cpu_times()
                    found[child.pid, child.create_time()] = times.user + times.system
            except psutil.Error:  # it ended meanwhile
                pass
        return found

    def _own_seconds(self) -> float:
        times = self._me.cpu_times()
        return times.user + times.system


def sees_course(*, root: str) -> bool:
    """Whether this worker sees the course folder (run on every worker before grading)."""
    return (Path(root) / CONFIG_FILE).is_file()


def crashed_task(*, student: str, error: BaseException) -> GradedSubmission:
    """A task that raised, or whose worker died: the submission is not graded."""
    log = "".join(traceback.format_exception(error))
    return GradedSubmission(student, 0.0, failure=failure_reason({"error": log}), log=log, crashed=True)


def _log(result: dict) -> str:
    return f"{result.get('log', '')}\n{result.get('error') or ''}"
