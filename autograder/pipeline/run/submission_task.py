"""What one Dask task does: grade one submission with nbgrader against a private gradebook.

The task writes ``autograded/<student>/`` and ``feedback/<student>/`` in the
course root (on a filesystem the driver shares) and returns plain data; it
never writes the course gradebook.
"""

from __future__ import annotations

import resource
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from nbgrader.converters import Autograde

from autograder.pipeline.course import CONFIG_FILE, kernel_environment, load_config, open_gradebook, run_nbgrader
from autograder.pipeline.run.failed_submissions import failure_reason
from autograder.pipeline.feedback.regenerate import GenerateFeedbackPage
from autograder.pipeline.run.private_gradebook import add_student_record, autograded_results, quiet_gradebook
from autograder.pipeline.run.resume_state import submission_digest


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
    cpu_seconds: float = 0.0  # CPU the task used: this worker process and the kernel it waited for (see cpu_used)


def grade_submission(
    *, root: str, assignment: str, student: str, profile: str, gradebook: bytes, record: dict
) -> GradedSubmission:
    """nbgrader's Autograde and GenerateFeedback (the HTML alone) for one submission.

    ``gradebook`` is an ``assignment_gradebook`` and ``record`` the student's
    ``student_record``: together, the private gradebook the task grades in.
    """
    started, cpu, digest = time.monotonic(), cpu_used(), submission_digest(Path(root), assignment, student)
    with tempfile.TemporaryDirectory(prefix="autograder-") as scratch, kernel_environment(profile), quiet_gradebook():
        private = Path(scratch) / "gradebook.db"
        private.write_bytes(gradebook)
        config = load_config(Path(root))
        config.CourseDirectory.db_url = f"sqlite:///{private}"
        with open_gradebook(config) as opened:
            add_student_record(gradebook=opened, assignment=assignment, record=record)
        result = run_nbgrader(config, Autograde, assignment=assignment, student=student, force=True, create_student=True)
        if not result["success"]:
            return GradedSubmission(student, time.monotonic() - started, digest, failure=failure_reason(result), log=_log(result),
                                    cpu_seconds=cpu_used() - cpu)
        feedback = run_nbgrader(config, GenerateFeedbackPage, assignment=assignment, student=student, force=True)
        with open_gradebook(config) as opened:
            results = autograded_results(gradebook=opened, assignment=assignment, student=student)
    return GradedSubmission(
        student,
        time.monotonic() - started,
        digest,
        results=results,
        feedback_missing=not feedback["success"],
        log="" if feedback["success"] else _log(feedback),
        cpu_seconds=cpu_used() - cpu,
    )


def cpu_used() -> float:
    """CPU seconds of this process and of its children that have ended (the student's kernel once it shut down).

    A worker runs one task at a time, so the difference across a task is that
    task's: nbgrader's own work here, and the kernel with the launcher that
    sandboxed it. The judges the verdict server forks are that server's
    children, not this process's: their few seconds are not counted.
    """
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def sees_course(*, root: str) -> bool:
    """Whether this worker sees the course folder (run on every worker before grading)."""
    return (Path(root) / CONFIG_FILE).is_file()


def crashed_task(*, student: str, error: BaseException) -> GradedSubmission:
    """A task that raised, or whose worker died: the submission is not graded."""
    log = "".join(traceback.format_exception(error))
    return GradedSubmission(student, 0.0, failure=failure_reason({"error": log}), log=log, crashed=True)


def _log(result: dict) -> str:
    return f"{result.get('log', '')}\n{result.get('error') or ''}"
