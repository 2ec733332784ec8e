"""Manual grading in nbgrader's formgrader, in a real browser: the grade and comment reach the gradebook and the
grade files, survive a forced regrade and reach the student's feedback.

The formgrader runs in ``jupyter lab`` started from the course root, as an instructor starts it; Debian's
headless Chromium (``make browser``) drives its grading page, typing as an instructor does."""

import csv
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.pipeline.feedback.regenerate import regenerate_feedback
from autograder.pipeline.run.batch import grade
from tests.conftest import GRADED_ASSIGNMENT, answer_panel, copy_course, feedback_html
from tests.formgrader_session import headless_chromium, listed_submissions, open_submission, running_formgrader, type_grades

ANSWER, SCORE, COMMENT = "respuesta_normalizacion", "0.75", "Bien: la escala de las entradas cambia el gradiente."
# The p1 batch's submission done in part: its written answers wait for a person, its three normalizations score
# 1.5 automatic points, and with no network to train it is regraded in seconds.
STUDENT, AUTOMATIC = "solo_normalizacion", 1.5
TOTAL = f"{AUTOMATIC + float(SCORE):.2f}"


@pytest.fixture(scope="module")
def course(graded_course, tmp_path_factory):
    return copy_course(graded_course, tmp_path_factory.mktemp("formgrader"))


@pytest.fixture(scope="module")
def formgrader(course, tmp_path_factory):
    with running_formgrader(course, tmp_path_factory.mktemp("jupyter")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with headless_chromium(tmp_path_factory.mktemp("chromium")) as driver:
        yield driver


def grade_by_hand(browser, formgrader: str, course: Path) -> int:
    """In the notebook's list of submissions, count them; open the student's one and grade ``ANSWER``. The count."""
    listed = listed_submissions(browser, formgrader, GRADED_ASSIGNMENT, GRADED_ASSIGNMENT)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "curso-dl") as gradebook:
        notebook_id = gradebook.find_submission_notebook(GRADED_ASSIGNMENT, GRADED_ASSIGNMENT, STUDENT).id
    open_submission(browser, f"{formgrader}/formgrader/submissions/{notebook_id}")
    type_grades(browser, {ANSWER: (SCORE, COMMENT)})
    return listed


def manual_grade(course: Path) -> tuple:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "curso-dl") as gradebook:
        grade_ = gradebook.find_grade(ANSWER, GRADED_ASSIGNMENT, GRADED_ASSIGNMENT, STUDENT)
        comment = gradebook.find_comment(ANSWER, GRADED_ASSIGNMENT, GRADED_ASSIGNMENT, STUDENT)
        return grade_.manual_score, comment.manual_comment


def autograded(course: Path) -> int:
    """Submissions nbgrader graded (a broken notebook, zeroed by the kit, has no autograded notebook to show)."""
    return len(list((course / "autograded").glob(f"*/{GRADED_ASSIGNMENT}/{GRADED_ASSIGNMENT}.ipynb")))


def exported_total(course: Path) -> tuple[str, str]:
    """The student's manual points in the assignment's CSV and total in moodle.csv."""
    grades = course / "calificaciones"
    with (grades / f"{GRADED_ASSIGNMENT}.csv").open(encoding="utf-8") as handle:
        row = next(row for row in csv.DictReader(handle) if row["alumno"] == STUDENT)
    with (grades / "moodle.csv").open(encoding="utf-8") as handle:
        moodle = next(row for row in csv.DictReader(handle) if row["usuario"] == STUDENT)
    return row["puntos_manuales"], moodle[GRADED_ASSIGNMENT]


def shows_manual_grade(course: Path) -> bool:
    panel = answer_panel(feedback_html(course, STUDENT), ANSWER)
    return f"Puntuación: {SCORE} / 1.0" in panel and COMMENT in panel


def test_a_grade_entered_in_the_formgrader_is_kept_exported_and_fed_back(course, formgrader, browser):
    """Does a score and comment typed in the formgrader reach the gradebook, survive `corregir --forzar` (the
    grade files carrying it), and show in the feedback written again by `retroalimentacion`?"""
    assert grade_by_hand(browser, formgrader, course) == autograded(course) > 1, "every graded submission is listed"
    assert manual_grade(course) == (float(SCORE), COMMENT)

    grade(root=course, assignment=GRADED_ASSIGNMENT, students=[STUDENT], profile="rapido", force=True, workers=1,
          progress=lambda line: None)
    assert manual_grade(course) == (float(SCORE), COMMENT)
    assert exported_total(course) == (SCORE, TOTAL)
    assert shows_manual_grade(course), "the regrade's own feedback shows the manual grade"

    (course / "feedback" / STUDENT / GRADED_ASSIGNMENT / f"{GRADED_ASSIGNMENT}.html").unlink()
    regenerate_feedback(root=course, assignment=GRADED_ASSIGNMENT, students=[STUDENT])
    assert shows_manual_grade(course)
    assert exported_total(course) == (SCORE, TOTAL)
