"""The grades of one assignment as the gradebook and the state files hold them, and the files written from them.

``autograder corregir`` writes these files after grading; ``autograder
retroalimentacion`` writes them again after manual grading in the formgrader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.pipeline.class_report.page import write_class_report
from autograder.pipeline.course import open_gradebook
from autograder.pipeline.export.grades_csv import write_grades_csv
from autograder.pipeline.moodle.gradebook_csv import write_moodle_csv
from autograder.pipeline.class_report.similarity import write_similarity_report
from autograder.pipeline.run.resume_state import recorded_states


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


def recorded_grade(config, assignment: str, student: str, seconds: float, failure=None, feedback_missing=False) -> StudentGrade:
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
    return [recorded_grade(config, assignment, student, state.get("segundos", 0.0), state.get("motivo"))
            for student, state in recorded_states(root, assignment).items()]


def write_class_files(*, root: Path, config, assignment: str, results: list[StudentGrade]) -> None:
    """In ``calificaciones/``: the assignment's CSV, ``moodle.csv``, the class report and the similarity hint."""
    grades = root / "calificaciones"
    write_grades_csv(config, assignment, results, grades / f"{assignment}.csv")
    write_moodle_csv(config, grades / "moodle.csv")
    write_class_report(config, assignment, results, grades)
    write_similarity_report(root, assignment, submitted_students(root, assignment), grades)
