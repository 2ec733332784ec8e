"""Every assignment's grade in one CSV that Moodle's grade import accepts.

Moodle (Calificaciones → Importar → Archivo CSV) needs one row per student, a
column that identifies the student and one column per grade item; the
instructor maps the columns to grade items when importing.
"""

from __future__ import annotations

from pathlib import Path

from autograder.pipeline.course import open_gradebook
from autograder.pipeline.csv_file import write_csv

ID_COLUMN = "usuario"


def write_moodle_csv(config, path: Path) -> Path:
    """One row per student in the gradebook, one column per assignment (its total score, empty if not submitted)."""
    with open_gradebook(config) as gradebook:
        assignments = sorted(assignment.name for assignment in gradebook.assignments)
        scores = {student.id: {} for student in gradebook.students}
        for assignment in assignments:
            for submission in gradebook.assignment_submissions(assignment):
                scores[submission.student.id][assignment] = round(submission.score, 2)
    rows = [{ID_COLUMN: student, **row} for student, row in sorted(scores.items())]
    return write_csv(path, [ID_COLUMN, *assignments], rows)
