"""Gradebook records between the course gradebook and a grading task's private one."""

import os
import shutil
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.pipeline.run.private_gradebook import (
    add_student_record,
    assignment_gradebook,
    autograded_results,
    merge_results,
    student_record,
)

ASSIGNMENT, NOTEBOOK, COURSE = "p1", "p1", "curso-dl"
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own session warnings


@pytest.fixture(scope="module")
def empty_course_gradebook(tmp_path_factory):
    """A course gradebook with one assignment: a code test, an open answer and a locked source cell."""
    path = tmp_path_factory.mktemp("curso") / "gradebook.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")  # nbgrader runs alembic
        gradebook = Gradebook(f"sqlite:///{path}", COURSE)
    with gradebook:
        gradebook.add_assignment(ASSIGNMENT)
        gradebook.add_notebook(NOTEBOOK, ASSIGNMENT, kernelspec='{"name": "python3"}')
        gradebook.add_grade_cell("test", NOTEBOOK, ASSIGNMENT, max_score=2, cell_type="code")
        gradebook.add_grade_cell("respuesta", NOTEBOOK, ASSIGNMENT, max_score=1, cell_type="markdown")
        gradebook.add_solution_cell("respuesta", NOTEBOOK, ASSIGNMENT)
        gradebook.add_source_cell("test", NOTEBOOK, ASSIGNMENT, cell_type="code", locked=True, source="assert x == 1",
                                  checksum="abc")
    return path


@pytest.fixture
def course_gradebook(empty_course_gradebook, tmp_path):
    path = tmp_path / "gradebook.db"
    shutil.copyfile(empty_course_gradebook, path)
    with Gradebook(f"sqlite:///{path}", COURSE) as gradebook:
        yield gradebook


def private_gradebook(course_gradebook, tmp_path, student):
    """What a grading task starts from: the assignment's gradebook file with the student added."""
    path = tmp_path / f"privado_{student}.db"
    path.write_bytes(assignment_gradebook(gradebook=course_gradebook, assignment=ASSIGNMENT))
    gradebook = Gradebook(f"sqlite:///{path}", COURSE)
    record = student_record(gradebook=course_gradebook, assignment=ASSIGNMENT, student=student)
    add_student_record(gradebook=gradebook, assignment=ASSIGNMENT, record=record)
    return gradebook


def autograde(gradebook, student, score):
    """What nbgrader's SaveAutoGrades does to the private gradebook, in short."""
    submission = gradebook.update_or_create_submission(ASSIGNMENT, student)
    for grade in submission.notebooks[0].grades:
        if grade.name == "test":
            grade.auto_score, grade.needs_manual_grade = score, grade.manual_score is not None
    submission.notebooks[0].comments[0].auto_comment = "No response."
    gradebook.db.commit()
    return autograded_results(gradebook=gradebook, assignment=ASSIGNMENT, student=student)


def test_the_private_gradebook_holds_the_assignment_as_the_course_gradebook_does(course_gradebook, tmp_path):
    """Does the task's gradebook get every cell autograding reads, hidden test sources included?"""
    with private_gradebook(course_gradebook, tmp_path, "ana") as private:
        notebook = private.find_notebook(NOTEBOOK, ASSIGNMENT)
        assert notebook.kernelspec == '{"name": "python3"}'
        assert ({(c.name, c.max_score, c.cell_type) for c in notebook.grade_cells}
                == {("test", 2, "code"), ("respuesta", 1, "markdown")})
        assert [c.name for c in notebook.solution_cells] == ["respuesta"]
        assert [(c.source, c.locked, c.checksum) for c in notebook.source_cells] == [("assert x == 1", True, "abc")]
        assert private.find_student("ana").id == "ana"


def test_merging_twice_updates_the_one_submission_and_keeps_manual_grades(course_gradebook, tmp_path):
    """Is a regraded submission replaced in place, never duplicated, with the formgrader's manual grades kept?"""
    with private_gradebook(course_gradebook, tmp_path, "ana") as private:
        merge_results(gradebook=course_gradebook, assignment=ASSIGNMENT, student="ana", results=autograde(private, "ana", 0.0))
    course_gradebook.find_grade("respuesta", NOTEBOOK, ASSIGNMENT, "ana").manual_score = 1.0
    course_gradebook.db.commit()
    with private_gradebook(course_gradebook, tmp_path, "ana") as private:
        results = autograde(private, "ana", 2.0)
        merge_results(gradebook=course_gradebook, assignment=ASSIGNMENT, student="ana", results=results)
        merge_results(gradebook=course_gradebook, assignment=ASSIGNMENT, student="ana", results=results)
    submissions = course_gradebook.assignment_submissions(ASSIGNMENT)
    assert [s.student.id for s in submissions] == ["ana"]
    assert (submissions[0].code_score, submissions[0].written_score) == (2.0, 1.0)
    assert course_gradebook.find_comment("respuesta", NOTEBOOK, ASSIGNMENT, "ana").auto_comment == "No response."


def test_a_grade_marked_by_hand_before_is_flagged_for_review_when_regraded(course_gradebook, tmp_path):
    """Does the private gradebook carry the earlier manual score, so that autograding flags it as nbgrader does?"""
    with private_gradebook(course_gradebook, tmp_path, "bea") as private:
        merge_results(gradebook=course_gradebook, assignment=ASSIGNMENT, student="bea", results=autograde(private, "bea", 0.0))
    course_gradebook.find_grade("test", NOTEBOOK, ASSIGNMENT, "bea").manual_score = 1.5
    course_gradebook.db.commit()
    with private_gradebook(course_gradebook, tmp_path, "bea") as private:
        assert private.find_grade("test", NOTEBOOK, ASSIGNMENT, "bea").manual_score == 1.5
        merge_results(gradebook=course_gradebook, assignment=ASSIGNMENT, student="bea", results=autograde(private, "bea", 2.0))
    grade = course_gradebook.find_grade("test", NOTEBOOK, ASSIGNMENT, "bea")
    assert (grade.auto_score, grade.manual_score, grade.needs_manual_grade) == (2.0, 1.5, True)


def test_the_manual_comment_and_extra_credit_reach_the_private_gradebook(course_gradebook, tmp_path):
    """Does a regrading task see the formgrader's comment and extra credit, so that its feedback shows them?"""
    with private_gradebook(course_gradebook, tmp_path, "eva") as private:
        merge_results(gradebook=course_gradebook, assignment=ASSIGNMENT, student="eva", results=autograde(private, "eva", 0.0))
    course_gradebook.find_comment("respuesta", NOTEBOOK, ASSIGNMENT, "eva").manual_comment = "Bien razonado."
    course_gradebook.find_grade("respuesta", NOTEBOOK, ASSIGNMENT, "eva").extra_credit = 0.5
    course_gradebook.db.commit()
    with private_gradebook(course_gradebook, tmp_path, "eva") as private:
        assert private.find_comment("respuesta", NOTEBOOK, ASSIGNMENT, "eva").comment == "Bien razonado."
        assert private.find_grade("respuesta", NOTEBOOK, ASSIGNMENT, "eva").extra_credit == 0.5
