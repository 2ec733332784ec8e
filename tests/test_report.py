"""The score table printed after grading."""

from autograder.pipeline.export.score_table import score_table
from autograder.pipeline.grades.records import StudentGrade


def test_the_table_shows_scores_pending_answers_and_failures():
    """Does the table give each student's points, pending manual grading and failure reason?"""
    table = score_table("p1_normalizacion", [
        StudentGrade("ana", 4.5, 4.5, 0.0, 2.5, True, 60.0),
        StudentGrade("david", 0.0, 4.5, 0.0, 2.5, False, 0.1, failure="El cuaderno entregado está dañado."),
    ])
    ana, david = table.splitlines()[2:]
    assert "4.50/4.50" in ana and "0.00/2.50 (pendiente)" in ana and ana.endswith("corregida")
    assert "0.00/4.50" in david and "pendiente" not in david and "no corregida: El cuaderno" in david
