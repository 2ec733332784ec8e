"""Grading p1_normalizacion's scenario submissions: each loses exactly the points it should.

One nbgrader batch grades all of them in the quick profile (about 10 minutes
on 2 cores); the tests then read the gradebook, the feedback and the CSV.
"""

import csv

import pytest
from nbgrader.api import Gradebook

from autograder.pipeline.grading import grade
from tests.conftest import make_course, submit
from tests.p1_normalizacion.scenarios import ASSIGNMENT, FOLDER, SCENARIOS, main


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("p1") / "curso")
    for name in SCENARIOS:
        submit(course, ASSIGNMENT, name, (FOLDER / f"{name}.ipynb").read_text(encoding="utf-8"))
    lines = []
    results = grade(root=course, assignment=ASSIGNMENT, profile="rapido", progress=lines.append)
    return course, {result.student: result for result in results}, lines


def failed_tests(course, student):
    """Autograded test cells of ``student`` that did not get their points, and all their points."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "curso-dl") as gradebook:
        notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        tests = {g.name: (g.score, g.max_score) for g in notebook.grades if g.cell.cell_type == "code"}
    return {name for name, (score, top) in tests.items() if score < top}, tests


def test_the_committed_scenarios_are_up_to_date():
    """Are the committed scenario notebooks what the scenario table builds from the release?"""
    assert main([]) == 0, "ejecuta: python -m tests.p1_normalizacion.scenarios --update"


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_scenario_loses_exactly_its_points(graded, name):
    """Does the scenario fail exactly its listed test cells, and score the rest?"""
    course, results, _ = graded
    failed, tests = failed_tests(course, name)
    assert failed == SCENARIOS[name].lost
    expected = sum(top for test, (_, top) in tests.items() if test not in SCENARIOS[name].lost)
    assert results[name].auto_score == pytest.approx(expected)
    assert results[name].max_auto_score == pytest.approx(4.5)


def test_the_reference_solution_gets_every_automatic_point(graded):
    """Does the reference solution score 4.5 / 4.5 and the untouched release 0?"""
    _, results, _ = graded
    assert results["solucion"].auto_score == 4.5
    assert results["sin_cambios"].auto_score == 0


def test_a_broken_notebook_scores_zero_with_a_spanish_reason(graded):
    """Is a truncated notebook graded 0 with a reason, without stopping the batch?"""
    course, results, lines = graded
    assert "no es un JSON válido" in results["cuaderno_roto"].failure
    assert len(lines) == len(SCENARIOS), "every submission reports progress"
    feedback = (course / "feedback" / "cuaderno_roto" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    assert "no es un JSON válido" in feedback


@pytest.mark.parametrize("name", ["solucion", "estadisticas_de_test", "celda_con_error"])
def test_feedback_is_spanish_and_hides_the_hidden_tests(graded, name):
    """Is the feedback in Spanish, with the failing check's sentence and no hidden test code?"""
    course, _, _ = graded
    html = (course / "feedback" / name / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    assert "Puntuación" in html and "Score" not in html
    assert "autograder" not in html and "HIDDEN TESTS" not in html and "check_standardized" not in html
    if name == "estadisticas_de_test":
        assert "X_test_standardized no recibe la misma transformación" in html


def test_grades_are_exported_as_csv(graded):
    """Does the CSV hold one row per submission with the gradebook's scores?"""
    course, results, _ = graded
    with (course / "calificaciones" / f"{ASSIGNMENT}.csv").open(encoding="utf-8") as handle:
        rows = {row["alumno"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(SCENARIOS)
    assert float(rows["solucion"]["puntos_automaticos"]) == 4.5
    assert rows["solucion"]["pendiente_revision_manual"] == "sí"
    assert rows["cuaderno_roto"]["observaciones"] and rows["cuaderno_roto"]["pendiente_revision_manual"] == "no"

