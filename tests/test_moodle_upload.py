"""Grades and feedback back to Moodle: the grading worksheet filled in from the gradebook, and the feedback ZIP."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from autograder.cli import main
from autograder.pipeline.assign.views import release
from autograder.pipeline.course import load_config, open_gradebook
from autograder.pipeline.moodle.upload import write_moodle_return
from autograder.pipeline.run.failed_submissions import write_failure_feedback
from tests.conftest import make_course
from tests.moodle_downloads import HEADER, flat, fputcsv
from tests.test_moodle_collection import ASSIGNMENT, NOTEBOOKS, collect

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
ANA, BRUNO, DAVID = "ana.garcia@uni.es", "bruno@uni.es", "david@uni.es"


def score(course, student: str, *, code: float, open_answers: bool) -> None:
    """What grading leaves in the gradebook: ``code`` of each autograded cell's points, open answers graded or pending."""
    with open_gradebook(load_config(course)) as gradebook:
        submission = gradebook.update_or_create_submission(ASSIGNMENT, student)
        for grade in submission.notebooks[0].grades:
            if grade.cell.cell_type == "code":
                grade.auto_score, grade.needs_manual_grade = grade.max_score * code, False
            else:
                grade.manual_score, grade.needs_manual_grade = (grade.max_score if open_answers else None), not open_answers
        gradebook.db.commit()


@pytest.fixture(scope="module")
def moodle_course(tmp_path_factory):
    """A course with p1 released, three notebooks collected from Moodle, two graded with feedback, one not yet graded."""
    tmp_path = tmp_path_factory.mktemp("moodle")
    course = make_course(tmp_path / "curso")
    release(root=course, assignment_ids=[ASSIGNMENT])
    collect(course, tmp_path, {flat(p, f"{ASSIGNMENT}.ipynb"): NOTEBOOKS[n]
                               for p, n in [("101", "ana"), ("102", "bruno"), ("104", "david")]})
    score(course, ANA, code=1.0, open_answers=True)
    score(course, BRUNO, code=0.5, open_answers=False)
    for student in (ANA, BRUNO):
        write_failure_feedback(course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html", ASSIGNMENT, "Ejemplo")
    return course


def rows_by_participant(path) -> tuple[list[str], dict[str, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, {row[0]: dict(zip(header, row)) for row in rows}


def test_the_worksheet_round_trips_with_grades_and_comments(moodle_course):
    """Does the worksheet keep Moodle's header, BOM and Identificador, with comma grades and Spanish comments filled in?"""
    result = write_moodle_return(root=moodle_course, assignment=ASSIGNMENT)
    downloaded = moodle_course / "calificaciones" / f"{ASSIGNMENT}_moodle_hoja_descargada.csv"
    assert result.worksheet.read_bytes().split(b"\n")[0] == downloaded.read_bytes().split(b"\n")[0]  # BOM and quotes too
    header, rows = rows_by_participant(result.worksheet)
    assert header == HEADER
    assert list(rows) == [f"Participante {p}" for p in ("101", "102", "103", "104", "105")]
    assert rows["Participante 101"]["Calificación"] == "7,00"
    assert rows["Participante 102"]["Calificación"] == "2,25"
    assert "Total: 7/7" in rows["Participante 101"]["Comentarios de retroalimentación"]
    assert "pendientes de corrección manual" in rows["Participante 102"]["Comentarios de retroalimentación"]
    assert rows["Participante 105"]["Calificación"] == rows["Participante 104"]["Calificación"] == ""
    assert rows["Participante 101"]["Última modificación (entrega)"] == "lunes, 2 de diciembre de 2024, 18:05"


def test_the_feedback_zip_is_named_as_moodles_import_reads_it(moodle_course):
    """Does each feedback member split, as importziplib.php splits it, into the student's participant id
    and the feedback plugin?"""
    result = write_moodle_return(root=moodle_course, assignment=ASSIGNMENT)
    with zipfile.ZipFile(result.feedback_zip) as archive:
        names = archive.namelist()
        assert archive.read(names[0]).startswith(b"<!DOCTYPE html>")
    assert sorted(names) == [
        f"Ana García López_101_assignfeedback_file_{ASSIGNMENT}.html", f"Bruno Díaz_102_assignfeedback_file_{ASSIGNMENT}.html",
    ]
    assert [name.split("_", 4)[1:] for name in sorted(names)] == [
        ["101", "assignfeedback", "file", f"{ASSIGNMENT}.html"], ["102", "assignfeedback", "file", f"{ASSIGNMENT}.html"],
    ]
    assert f"{DAVID}: sin retroalimentación en feedback/{DAVID}/{ASSIGNMENT}/ (¿sin corregir?): no va en el ZIP." in result.notes


def test_open_answers_still_to_grade_by_hand_are_pointed_out(moodle_course):
    """Does the command say how many submissions still have open answers to grade by hand (bruno's), whose grade may rise?"""
    notes = write_moodle_return(root=moodle_course, assignment=ASSIGNMENT).notes
    assert [note for note in notes if "sin corregir a mano" in note] == [
        f"Preguntas abiertas sin corregir a mano en 1 de las entregas de {ASSIGNMENT}: su nota en la hoja no las cuenta "
        "todavía (corrígelas en el formgrader y usa «autograder retroalimentacion» y «autograder devolver» otra vez)."]


def test_a_different_maximum_in_moodle_is_pointed_out(moodle_course):
    """When Moodle's maximum grade differs from the assignment's points, does the command say so (Moodle would skip the grade)?"""
    copy = moodle_course / "calificaciones" / f"{ASSIGNMENT}_moodle_hoja_descargada.csv"
    original = copy.read_bytes()
    copy.write_bytes(original.replace("7,00".encode(), "10,00".encode()))
    try:
        notes = write_moodle_return(root=moodle_course, assignment=ASSIGNMENT).notes
    finally:
        copy.write_bytes(original)
    assert any("7,00 puntos en nbgrader y 10,00 en Moodle" in note for note in notes)


def test_the_command_says_where_the_files_are_and_needs_a_collection_first(moodle_course, capsys):
    """Does `autograder devolver` print both files, and fail in Spanish for an assignment never collected from Moodle?"""
    assert main(["--curso", str(moodle_course), "devolver", ASSIGNMENT]) == 0
    out = capsys.readouterr().out
    assert f"{ASSIGNMENT}_moodle_hoja.csv" in out and f"{ASSIGNMENT}_retroalimentacion.zip" in out
    assert main(["--curso", str(moodle_course), "devolver", "p2_aspectos_practicos"]) == 2
    assert "usa antes «autograder recoger»" in capsys.readouterr().err


def test_an_english_worksheet_is_filled_in_too(tmp_path):
    """Is a worksheet downloaded in English (Identifier, Grade, Feedback comments) read and filled in the same way?"""
    course = make_course(tmp_path / "curso")
    release(root=course, assignment_ids=[ASSIGNMENT])
    english = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade", "Grade can be changed",
               "Last modified (submission)", "Last modified (grade)", "Feedback comments"]
    ana = ["Participant 101", "Ana García López", "ana.garcia@uni.es", "Submitted for grading", "", "7.00", "Yes",
           "Monday, 2 December 2024, 6:05 PM", "-", ""]
    sheet = tmp_path / "worksheet.csv"
    sheet.write_text(fputcsv(english) + fputcsv(ana), encoding="utf-8")
    collect(course, tmp_path, {flat("101", f"{ASSIGNMENT}.ipynb"): NOTEBOOKS["ana"]}, worksheet=sheet)
    score(course, ANA, code=1.0, open_answers=True)
    result = write_moodle_return(root=course, assignment=ASSIGNMENT)
    header, *rows = list(csv.reader(io.StringIO(result.worksheet.read_text(encoding="utf-8"))))
    assert header == english and not result.worksheet.read_bytes().startswith("\ufeff".encode())
    assert not any("puntos en nbgrader" in note for note in result.notes)  # "7.00" is the same maximum
    assert dict(zip(header, rows[0]))["Grade"] == "7,00" and rows[0][0] == "Participant 101"
