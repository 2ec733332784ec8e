"""Grade the submissions of one assignment: nbgrader autograde, Spanish feedback, CSV."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from nbgrader.api import MissingEntry
from nbgrader.converters import Autograde, GenerateFeedback
from sqlalchemy.exc import SAWarning

from autograder.pipeline.course import CourseError, kernel_environment, load_config, open_gradebook, run_nbgrader
from autograder.pipeline.export import write_grades_csv
from autograder.pipeline.failures import failure_reason, write_failure_feedback, zero_submission
from autograder.pipeline.moodle import write_moodle_csv
from autograder.pipeline.state import graded_state, save_state
from autograder.pipeline.summary import write_report
from autograder.pipeline.views import release


FEEDBACK_MISSING = " (sin retroalimentación: ver logs/)"


@dataclass(frozen=True)
class StudentGrade:
    student: str
    auto_score: float
    max_auto_score: float
    manual_score: float
    max_manual_score: float
    manual_pending: bool  # open answers still to grade in the formgrader
    seconds: float
    failure: str | None = None  # Spanish reason when nbgrader could not grade the notebook
    feedback_missing: bool = False  # graded, but nbgrader could not write the feedback (see logs/)


def submitted_students(root: Path, assignment: str) -> list[str]:
    submitted = Path(root) / "submitted"
    return sorted(p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir()) if submitted.is_dir() else []


def grade(
    *,
    root: Path,
    assignment: str,
    students: list[str] | None = None,
    profile: str = "completo",
    force: bool = False,
    progress: Callable[[str], None] = print,
) -> list[StudentGrade]:
    """Autograde every submission of ``assignment``, one student at a time.

    A submission nbgrader cannot grade (broken notebook, dead kernel) scores 0
    with a Spanish reason in its feedback; the batch goes on. Writes
    ``feedback/<student>/<assignment>/`` and, in ``calificaciones/``, the
    assignment's CSV, its histogram and summary, and ``moodle.csv`` (every
    assignment of the gradebook, for Moodle's grade import).

    Resumable: a submission graded before with the same notebook and profile
    is not graded again unless ``force``.
    """
    root = Path(root).resolve()
    students = students or submitted_students(root, assignment)
    if not students:
        raise CourseError(f"No hay entregas de {assignment} en {root / 'submitted'}.")
    config = load_config(root)
    if not _in_gradebook(config, assignment):
        release(root=root, assignment_ids=[assignment])
    results, started = [], time.monotonic()
    with kernel_environment(profile), warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's own session warnings, not the instructor's business
        for done, student in enumerate(students, start=1):
            state = None if force else graded_state(root, assignment, student, profile)
            if state is None:
                results.append(_grade_one(root, config, assignment, student))
                if not results[-1].feedback_missing:  # otherwise the next run tries again
                    save_state(root, assignment, student, profile=profile, failure=results[-1].failure)
            else:
                results.append(_recorded_grade(config, assignment, student, 0.0, failure=state["motivo"]))
            progress(_progress_line(results[-1], done, len(students), time.monotonic() - started, again=state is None))
    grades = root / "calificaciones"
    write_grades_csv(config, assignment, results, grades / f"{assignment}.csv")
    write_moodle_csv(config, grades / "moodle.csv")
    write_report(config, assignment, results, grades)
    return results


def _grade_one(root: Path, config, assignment: str, student: str) -> StudentGrade:
    started = time.monotonic()
    result = run_nbgrader(config, Autograde, assignment=assignment, student=student, force=True, create_student=True)
    failure, feedback_missing = None, False
    if result["success"]:
        result = run_nbgrader(config, GenerateFeedback, assignment=assignment, student=student, force=True)
        feedback_missing = not result["success"]
    else:
        failure = failure_reason(result)
        with open_gradebook(config) as gradebook:
            zero_submission(gradebook, assignment, student)
        write_failure_feedback(root / "feedback" / student / assignment / f"{assignment}.html", assignment, failure)
    if not result["success"]:
        log = root / "logs" / assignment / f"{student}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(f"{result.get('log', '')}\n{result.get('error') or ''}", encoding="utf-8")
    return _recorded_grade(config, assignment, student, time.monotonic() - started, failure, feedback_missing)


def _recorded_grade(config, assignment: str, student: str, seconds: float, failure=None, feedback_missing=False) -> StudentGrade:
    """The student's grade as the gradebook holds it."""
    with open_gradebook(config) as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return StudentGrade(
            student=student,
            auto_score=float(submission.code_score),
            max_auto_score=float(submission.max_code_score),
            manual_score=float(submission.written_score),
            max_manual_score=float(submission.max_written_score),
            manual_pending=bool(submission.needs_manual_grade),
            seconds=seconds,
            failure=failure,
            feedback_missing=feedback_missing,
        )


def _in_gradebook(config, assignment: str) -> bool:
    with open_gradebook(config) as gradebook:
        try:
            return bool(gradebook.find_assignment(assignment).notebooks)
        except MissingEntry:
            return False


def _progress_line(last: StudentGrade, done: int, total: int, elapsed: float, again: bool = True) -> str:
    left = elapsed / done * (total - done)
    state = f"NO CORREGIDA: {last.failure}" if last.failure else f"{last.auto_score:g}/{last.max_auto_score:g} puntos automáticos"
    if last.feedback_missing:
        state += FEEDBACK_MISSING
    timing = f"{last.seconds:.0f} s" if again else "ya corregida, sin cambios"
    return f"[{done}/{total}] {last.student}: {state} ({timing}; quedan ~{left / 60:.1f} min)"
