"""The feedback a student gets back: answers waiting for manual grading, the feedback folder, and the
feedback written again after manual grading (``autograder retroalimentacion``)."""

import csv

import pytest
from nbgrader.api import Gradebook
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from autograder.kernel.layout import CALL_FILE, EVIDENCE_DIR
from autograder.pipeline.course import CourseError, load_config
from autograder.pipeline.feedback.regenerate import regenerate_feedback
from tests.conftest import GRADED_ASSIGNMENT, GRADED_STUDENT, answer_panel, copy_course, feedback_html

ANSWER, OTHER_ANSWER = "respuesta_normalizacion", "respuesta_tasa_aprendizaje"  # written answers of 1 point each
PENDING = "pendiente de corrección manual"
COMMENT = "Bien explicado el papel de la escala en el gradiente."
# What the student's kernel may leave in the autograded folder: models, TensorBoard logs, KerasTuner trials, evidence.
KERNEL_FILES = ("modelo.keras", "registros/fit/events.out.tfevents.1", "ajuste/trial_0/trial.json",
                f"{EVIDENCE_DIR}/x/{CALL_FILE}")


@pytest.fixture(scope="module")
def regenerated(graded_course, tmp_path_factory):
    """The graded course after manual grading (0.75 points and a comment on one answer, by the Gradebook API)
    and ``regenerate_feedback``, with files the kernel wrote in the autograded folder."""
    course = copy_course(graded_course, tmp_path_factory.mktemp("retroalimentacion"))
    autograded = course / "autograded" / GRADED_STUDENT / GRADED_ASSIGNMENT
    for name in KERNEL_FILES:
        (autograded / name).parent.mkdir(parents=True, exist_ok=True)
        (autograded / name).write_bytes(b"\0")
    notebook = (autograded / f"{GRADED_ASSIGNMENT}.ipynb").read_bytes()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "curso-dl") as gradebook:
        grade = gradebook.find_grade(ANSWER, GRADED_ASSIGNMENT, GRADED_ASSIGNMENT, GRADED_STUDENT)
        grade.manual_score, grade.needs_manual_grade = 0.75, False
        gradebook.find_comment(ANSWER, GRADED_ASSIGNMENT, GRADED_ASSIGNMENT, GRADED_STUDENT).manual_comment = COMMENT
        gradebook.db.commit()
    written = regenerate_feedback(root=course, assignment=GRADED_ASSIGNMENT, students=[GRADED_STUDENT])
    assert (autograded / f"{GRADED_ASSIGNMENT}.ipynb").read_bytes() == notebook, "no notebook was run again"
    return course, written


def test_an_answer_waiting_for_manual_grading_says_so(graded_course):
    """Does the feedback say an open answer is pending manual grading, and not that it scored 0?"""
    panel = answer_panel(feedback_html(graded_course), ANSWER)
    assert PENDING in panel
    assert "0.0 / 1.0" not in panel


def test_the_total_says_which_part_of_it_is_pending(graded_course):
    """Does the total at the top say how many points (the 2.5 of the open answers) still wait for manual grading?"""
    heading = feedback_html(graded_course).split("</h4>")[0]
    assert "Puntuación: 4.5 / 7.0; 2.5 puntos pendientes de corrección manual" in heading


def test_the_feedback_folder_holds_the_feedback_page_alone(graded_course, regenerated):
    """Does feedback/<alumno>/<práctica>/ hold only the HTML, after grading and after writing it again, and none
    of the files of the autograded folder (course_data.py, models, logs, trials, evidence)?"""
    for course in (graded_course, regenerated[0]):
        folder = course / "feedback" / GRADED_STUDENT / GRADED_ASSIGNMENT
        assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [f"{GRADED_ASSIGNMENT}.html"]


def test_feedback_written_again_shows_the_manual_grade_and_comment(regenerated):
    """After manual grading, does the regenerated feedback show the manual points and the comment, keep the
    other answer pending, and still hide the hidden tests?"""
    course, written = regenerated
    html = feedback_html(course)
    assert written == [course / "feedback" / GRADED_STUDENT / GRADED_ASSIGNMENT / f"{GRADED_ASSIGNMENT}.html"]
    assert "Puntuación: 0.75 / 1.0" in answer_panel(html, ANSWER)
    assert COMMENT in answer_panel(html, ANSWER)
    assert PENDING in answer_panel(html, OTHER_ANSWER)
    assert "Puntuación: 5.25 / 7.0; 1.5 puntos pendientes" in html
    assert "check_scaled" not in html  # the hidden test of the first test cell


def test_feedback_written_again_exports_the_grades_again(regenerated):
    """Do the assignment's CSV and moodle.csv carry the manual points once the feedback is written again?"""
    course = regenerated[0]
    with (course / "calificaciones" / f"{GRADED_ASSIGNMENT}.csv").open(encoding="utf-8") as handle:
        row = next(row for row in csv.DictReader(handle) if row["alumno"] == GRADED_STUDENT)
    with (course / "calificaciones" / "moodle.csv").open(encoding="utf-8") as handle:
        moodle = next(row for row in csv.DictReader(handle) if row["usuario"] == GRADED_STUDENT)
    assert (row["puntos_manuales"], row["total"], moodle[GRADED_ASSIGNMENT]) == ("0.75", "5.25", "5.25")


def test_feedback_for_a_student_without_a_graded_submission_is_refused(graded_course):
    """Is asking for the feedback of a student with no graded submission a Spanish error, not a silent no-op?"""
    with pytest.raises(CourseError, match="No hay entrega corregida de p1_normalizacion para nadie"):
        regenerate_feedback(root=graded_course, assignment=GRADED_ASSIGNMENT, students=["nadie"])


def test_the_formgraders_generate_feedback_button_writes_the_same_spanish_page(graded_course, tmp_path):
    """Does the formgrader's "Generate Feedback" (nbgrader's API, with the formgrader's own template setting) use
    the course's feedback steps: the pending answer marked, the hidden tests stripped?"""
    course = copy_course(graded_course, tmp_path)
    page = course / "feedback" / GRADED_STUDENT / GRADED_ASSIGNMENT / f"{GRADED_ASSIGNMENT}.html"
    page.unlink()
    config = load_config(course)
    config.HTMLExporter.template_name = "formgrade"  # as nbgrader's FormgradeExtension.build_extra_config sets it
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    result = api.generate_feedback(GRADED_ASSIGNMENT, GRADED_STUDENT)
    assert result["success"], result.get("error")
    html = feedback_html(course)
    assert PENDING in answer_panel(html, ANSWER)
    assert "check_scaled" not in html
