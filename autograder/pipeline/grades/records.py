"""Each submission's grade as the gradebook and its state file hold it: what every report and table is written from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.pipeline.course import open_gradebook
from autograder.pipeline.grades.resume_state import recorded_states

# Said after a grade whose feedback nbgrader could not write, in the progress lines and the score table.
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


def recorded_grade(config, assignment: str, student: str, seconds: float, failure=None,
                   feedback_missing=False) -> StudentGrade:
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


def recorded_grades(*, root: Path, config, assignment: str) -> list[StudentGrade]:
    """The grade of every submission of ``assignment`` whose grading finished, with its recorded time and failure."""
    return [recorded_grade(config, assignment, student, state["seconds"], state["failure"])
            for student, state in recorded_states(root, assignment).items()]
