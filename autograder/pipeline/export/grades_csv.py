"""Grades of one assignment as a CSV file, from the gradebook."""

from __future__ import annotations

from pathlib import Path

from autograder.pipeline.course import open_gradebook
from autograder.pipeline.csv_file import write_csv
from autograder.pipeline.grades.lateness import written_delay

COLUMNS = [
    "alumno", "practica", "puntos_automaticos", "max_automaticos", "puntos_manuales", "max_manuales",
    "pendiente_revision_manual", "total", "max_total", "retraso", "observaciones",
]


def write_grades_csv(config, assignment: str, results, path: Path) -> Path:
    """One row per submission in the gradebook; ``results`` (each with ``student`` and ``failure``) adds the failure reasons."""
    failures = {result.student: result.failure for result in results if result.failure}
    with open_gradebook(config) as gradebook:
        rows = [
            {
                "alumno": submission.student.id,
                "practica": assignment,
                "puntos_automaticos": round(submission.code_score, 2),
                "max_automaticos": round(submission.max_code_score, 2),
                "puntos_manuales": round(submission.written_score, 2),
                "max_manuales": round(submission.max_written_score, 2),
                "pendiente_revision_manual": "sí" if submission.needs_manual_grade else "no",
                "total": round(submission.score, 2),
                "max_total": round(submission.max_score, 2),
                # after nbgrader's due date (the gradebook's), by the submission's timestamp
                "retraso": written_delay(submission.total_seconds_late) if submission.total_seconds_late > 0 else "",
                "observaciones": failures.get(submission.student.id, ""),
            }
            for submission in sorted(gradebook.assignment_submissions(assignment), key=lambda s: s.student.id)
        ]
    return write_csv(path, COLUMNS, rows)

