"""Gradebook records between the course gradebook and the private one each grading task uses.

A Dask task grades one submission against a private SQLite gradebook of its
own. The driver copies the assignment's definition from the course gradebook
into a new SQLite file once (``assignment_gradebook``) and reads each
student's record (``student_record``); the task adds the student to its copy
of that file (``add_student_record``), runs nbgrader's Autograde and reads
back what autograding wrote (``autograded_results``); the driver, the only
writer of the course gradebook, merges it (``merge_results``). Everything goes
through nbgrader's Gradebook API, whatever database the course gradebook is.
"""

from __future__ import annotations

import contextlib
import tempfile
import warnings
from pathlib import Path

from nbgrader.api import Base, Gradebook, MissingEntry
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SAWarning

# The columns of each kind of assignment cell that autograding reads.
CELL_FIELDS = {
    "grade_cells": ("max_score", "cell_type"),
    "solution_cells": (),
    "task_cells": ("max_score", "cell_type"),
    "source_cells": ("cell_type", "locked", "source", "checksum"),
}
STUDENT_FIELDS = ("first_name", "last_name", "email", "lms_user_id")
# What nbgrader's autograding writes for each grade; manual grades are the formgrader's.
AUTOGRADED_GRADE_FIELDS = ("auto_score", "needs_manual_grade")
# What the formgrader writes, for each grade and comment of a submitted notebook.
MANUAL_FIELDS = {"grades": ("manual_score", "extra_credit"), "comments": ("manual_comment",)}
ALEMBIC_VERSION = text("SELECT version_num FROM alembic_version")


@contextlib.contextmanager
def quiet_gradebook():
    """nbgrader's own SQLAlchemy session warnings are not the instructor's business."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        yield


def assignment_gradebook(*, gradebook: Gradebook, assignment: str) -> bytes:
    """A new SQLite gradebook holding ``assignment``'s definition alone, as the bytes of its file."""
    record = gradebook.find_assignment(assignment)
    with tempfile.TemporaryDirectory(prefix="autograder-") as scratch:
        path = Path(scratch) / "gradebook.db"
        _create_tables(f"sqlite:///{path}", schema_version=gradebook.db.execute(ALEMBIC_VERSION).scalar_one())
        with Gradebook(f"sqlite:///{path}", gradebook.course_id) as private:
            private.add_assignment(assignment, duedate=record.duedate)
            add_cell = {
                "grade_cells": private.add_grade_cell,
                "solution_cells": private.add_solution_cell,
                "task_cells": private.add_task_cell,
                "source_cells": private.add_source_cell,
            }
            for notebook in record.notebooks:
                private.add_notebook(notebook.name, assignment, kernelspec=notebook.kernelspec)
                for kind, fields in CELL_FIELDS.items():
                    for cell in getattr(notebook, kind):
                        add_cell[kind](cell.name, notebook.name, assignment, **{field: getattr(cell, field) for field in fields})
        return path.read_bytes()


def student_record(*, gradebook: Gradebook, assignment: str, student: str) -> dict:
    """The student and their earlier submission of ``assignment``, if any, as plain data."""
    try:
        fields = {field: getattr(gradebook.find_student(student), field) for field in STUDENT_FIELDS}
    except MissingEntry:
        fields = {}
    return {"student": {"student_id": student, **fields},
            "earlier_submission": _earlier_submission(gradebook, assignment, student)}


def add_student_record(*, gradebook: Gradebook, assignment: str, record: dict) -> None:
    """Write a ``student_record`` into an ``assignment_gradebook``."""
    student = gradebook.add_student(**record["student"])
    earlier = record["earlier_submission"]
    if earlier is not None:
        # so that nbgrader's SaveAutoGrades flags for review what was graded by hand before,
        # and the feedback shows the manual grades and comments
        submission = gradebook.add_submission(assignment, student.id, extension=earlier["extension"])
        for notebook in submission.notebooks:
            for kind in MANUAL_FIELDS:
                for item in getattr(notebook, kind):
                    for field, value in earlier["manual"][notebook.name][kind][item.name].items():
                        setattr(item, field, value)
        gradebook.db.commit()


def autograded_results(*, gradebook: Gradebook, assignment: str, student: str) -> dict:
    """What nbgrader's autograding wrote for the submission: timestamp, late penalties, grades and comments."""
    submission = gradebook.find_submission(assignment, student)
    return {
        "timestamp": submission.timestamp,
        "notebooks": {
            notebook.name: {
                "late_submission_penalty": notebook.late_submission_penalty,
                "grades": {grade.name: {field: getattr(grade, field) for field in AUTOGRADED_GRADE_FIELDS}
                           for grade in notebook.grades},
                "comments": {comment.name: comment.auto_comment for comment in notebook.comments},
            }
            for notebook in submission.notebooks
        },
    }


def merge_results(*, gradebook: Gradebook, assignment: str, student: str, results: dict) -> None:
    """Write ``autograded_results`` into the gradebook.

    The student's submission is created the first time and updated in place
    when graded again: never a second one. Manual grades and comments stay.
    """
    gradebook.update_or_create_student(student)
    timestamp = {"timestamp": results["timestamp"]} if results["timestamp"] else {}
    submission = gradebook.update_or_create_submission(assignment, student, **timestamp)
    for notebook in submission.notebooks:
        graded = results["notebooks"][notebook.name]
        notebook.late_submission_penalty = graded["late_submission_penalty"]
        for grade in notebook.grades:
            for field, value in graded["grades"][grade.name].items():
                setattr(grade, field, value)
        for comment in notebook.comments:
            comment.auto_comment = graded["comments"][comment.name]
    gradebook.db.commit()


def _earlier_submission(gradebook: Gradebook, assignment: str, student: str) -> dict | None:
    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return None
    return {
        "extension": submission.extension,
        "manual": {
            notebook.name: {
                kind: {item.name: {field: getattr(item, field) for field in fields} for item in getattr(notebook, kind)}
                for kind, fields in MANUAL_FIELDS.items()
            }
            for notebook in submission.notebooks
        },
    }


def _create_tables(url: str, *, schema_version: str) -> None:
    """nbgrader's tables and schema version, as ``Gradebook`` creates them in a new database.

    ``Gradebook`` asks a new ``alembic`` process for the version (seconds of
    imports); the course gradebook already holds it.
    """
    engine = create_engine(url)
    Base.metadata.create_all(bind=engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:version)"), {"version": schema_version})
    engine.dispose()
