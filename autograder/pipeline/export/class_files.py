"""The files of one assignment written for the instructor in ``calificaciones/``, from its grade records.

``autograder corregir`` writes them after grading; ``autograder
retroalimentacion`` writes them again after manual grading in the formgrader.
"""

from __future__ import annotations

from pathlib import Path

from autograder.pipeline.class_report.page import write_class_report
from autograder.pipeline.class_report.similarity import write_similarity_report
from autograder.pipeline.export.grades_csv import write_grades_csv
from autograder.pipeline.grades.records import StudentGrade, submitted_students
from autograder.pipeline.moodle.gradebook_csv import write_moodle_csv


def write_class_files(*, root: Path, config, assignment: str, results: list[StudentGrade]) -> None:
    """In ``calificaciones/``: the assignment's CSV, ``moodle.csv``, the class report and the similarity hint."""
    grades = root / "calificaciones"
    write_grades_csv(config, assignment, results, grades / f"{assignment}.csv")
    write_moodle_csv(config, grades / "moodle.csv")
    write_class_report(config, assignment, results, grades)
    write_similarity_report(root, assignment, submitted_students(root, assignment), grades)
