"""Grading every assignment's scenario submissions: each loses exactly the points it should.

One nbgrader batch per assignment grades its scenarios in the quick profile
(the session fixture ``graded_scenarios``); the tests then read the gradebook,
the feedback and the CSV. By default the batch holds the CI subset
(``CI_SCENARIOS`` in tests/conftest.py: the reference solution, the
untouched release, a broken file, the seeds' own mistakes and an honest
alternative; about 3 minutes per assignment on 2 cores), and the other
scenarios' tests are skipped; ``pytest --todos-los-escenarios`` grades them
all (about 8 minutes per assignment), and ``pytest --escenarios a,b`` only
the named ones (the tests of an assignment none of them belongs to, or that
need a scenario not named, such as ``solucion``, are skipped).
"""

import csv
import html
import re

import pytest

from tests.conftest import cell_scores, selected_scenarios
from tests.scenarios import main, tables

TABLES = {table.assignment: table for table in tables()}
CASES = [(table.assignment, name) for table in TABLES.values() for name in table.scenarios]
FEEDBACK_CASES = [(a, name) for a, name in CASES if TABLES[a].scenarios[name].says or name == "solucion"]


@pytest.fixture(scope="module")
def selected(request):
    """selected(assignment): the scenarios this run grades."""
    return lambda assignment: selected_scenarios(request.config, assignment)


@pytest.fixture(scope="module")
def graded(graded_scenarios):
    """graded(assignment): the graded batch of that assignment's selected scenarios (graded once per session)."""
    return graded_scenarios


def require_graded(selected, assignment, *names):
    """Skip the test unless this run grades ``assignment`` and, among its scenarios, ``names``."""
    chosen = selected(assignment)
    if not chosen or not set(names) <= chosen:
        pytest.skip(f"no se corrigen {', '.join(names) or 'escenarios'} de {assignment} en esta ejecución")


def failed_tests(course, assignment, student):
    """Autograded test cells of ``student`` that did not get their points, and all their points."""
    tests = cell_scores(course, assignment, student)
    return {name for name, (score, top) in tests.items() if score < top}, tests


def feedback(course, assignment, student) -> str:
    """The student's feedback page as text (HTML entities decoded)."""
    page = (course / "feedback" / student / assignment / f"{assignment}.html").read_text(encoding="utf-8")
    return html.unescape(page)


def test_the_committed_scenarios_are_up_to_date():
    """Are the committed scenario notebooks what the scenario tables build from the releases?"""
    assert main([]) == 0, "ejecuta: python -m tests.scenarios --update"


@pytest.mark.parametrize("assignment, name", CASES)
def test_each_scenario_loses_exactly_its_points(graded, selected, assignment, name):
    """Does the scenario fail exactly its listed test cells, and score the rest?"""
    if name not in selected(assignment):
        pytest.skip("fuera de los escenarios de esta ejecución: pytest --todos-los-escenarios o --escenarios")
    course, results, _ = graded(assignment)
    table = TABLES[assignment]
    failed, tests = failed_tests(course, assignment, name)
    assert failed == table.scenarios[name].lost
    expected = sum(top for test, (_, top) in tests.items() if test not in table.scenarios[name].lost)
    assert results[name].auto_score == pytest.approx(expected)
    assert results[name].max_auto_score == pytest.approx(table.max_auto_score)


@pytest.mark.parametrize("assignment", TABLES)
def test_the_reference_solution_gets_every_automatic_point(graded, selected, assignment):
    """Does the reference solution score every automatic point and the untouched release none?"""
    require_graded(selected, assignment, "solucion", "sin_cambios")
    _, results, lines = graded(assignment)
    assert results["solucion"].auto_score == TABLES[assignment].max_auto_score
    assert results["sin_cambios"].auto_score == 0
    assert len(lines) == len(results) == len(selected(assignment)), "every submission reports progress"


def test_a_broken_notebook_scores_zero_with_a_spanish_reason(graded, selected):
    """Is a truncated notebook graded 0 with a reason, without stopping the batch?"""
    require_graded(selected, "p1_normalizacion", "cuaderno_roto")
    course, results, _ = graded("p1_normalizacion")
    assert "no es un JSON válido" in results["cuaderno_roto"].failure
    with (course / "calificaciones" / "p1_normalizacion.csv").open(encoding="utf-8") as handle:
        row = next(row for row in csv.DictReader(handle) if row["alumno"] == "cuaderno_roto")
    assert "no es un JSON válido" in row["observaciones"] and row["pendiente_revision_manual"] == "no"


@pytest.mark.parametrize("assignment, name", FEEDBACK_CASES)
def test_feedback_is_spanish_and_hides_the_hidden_tests(graded, selected, assignment, name):
    """Is the feedback in Spanish, with the failing check's sentence and no hidden test code?"""
    if name not in selected(assignment):
        pytest.skip("fuera de los escenarios de esta ejecución: pytest --todos-los-escenarios o --escenarios")
    course, results, _ = graded(assignment)
    page = feedback(course, assignment, name)
    if results[name].failure is None:  # a notebook nbgrader graded, not the page of one it could not
        # nbgrader's English labels read "Score: 1.0 / 1.0"; a student's own output may say "Score" (keras_tuner)
        assert "Puntuación" in page and not re.search(r"Score: [\d.]+ / [\d.]+", page)
    assert "autograder" not in page and "HIDDEN TESTS" not in page and "check_" not in page
    for fragment in TABLES[assignment].scenarios[name].fragments:
        assert fragment in page


@pytest.mark.parametrize("assignment", TABLES)
def test_grades_are_exported_as_csv(graded, selected, assignment):
    """Does the CSV hold one row per submission with the gradebook's scores?"""
    require_graded(selected, assignment, "solucion")
    course, _, _ = graded(assignment)
    with (course / "calificaciones" / f"{assignment}.csv").open(encoding="utf-8") as handle:
        rows = {row["alumno"]: row for row in csv.DictReader(handle)}
    assert set(rows) == selected(assignment)
    assert float(rows["solucion"]["puntos_automaticos"]) == TABLES[assignment].max_auto_score
    assert rows["solucion"]["pendiente_revision_manual"] == "sí"


@pytest.mark.parametrize("assignment", TABLES)
def test_grades_are_exported_for_moodle(graded, selected, assignment):
    """Does moodle.csv hold one row per student, an identifier column and the assignment's totals?"""
    require_graded(selected, assignment)
    course, _, _ = graded(assignment)
    with (course / "calificaciones" / f"{assignment}.csv").open(encoding="utf-8") as handle:
        totals = {row["alumno"]: float(row["total"]) for row in csv.DictReader(handle)}
    with (course / "calificaciones" / "moodle.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = {row["usuario"]: float(row[assignment]) for row in reader}
    assert reader.fieldnames == ["usuario", assignment]
    assert rows == totals


@pytest.mark.parametrize("assignment", TABLES)
def test_the_report_has_a_histogram_and_a_summary(graded, selected, assignment):
    """Are the score histogram (a PNG) and the class report's summary written, counting every submission?"""
    require_graded(selected, assignment)
    course, results, _ = graded(assignment)
    folder = course / "calificaciones"
    assert (folder / f"{assignment}_histograma.png").read_bytes().startswith(b"\x89PNG")
    summary = (folder / f"{assignment}_informe.html").read_text(encoding="utf-8")
    assert f"<td>entregas</td><td>{len(results)}</td>" in summary
    failed = sum(1 for result in results.values() if result.failure)
    assert f"<td>no corregibles en esta corrección (0 puntos)</td><td>{failed}</td>" in summary
