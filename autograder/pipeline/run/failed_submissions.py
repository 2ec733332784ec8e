"""What to tell a student whose submission nbgrader could not grade, and how it scores."""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from autograder.pipeline.page_templates import render_page

# (texts found in nbgrader's log, Spanish reason for the student), first match wins.
REASONS = [
    (("No notebooks found",), "No se encontró el cuaderno de la práctica en la entrega."),
    (("NotJSONError", "JSONDecodeError"), "El cuaderno entregado está dañado (no es un JSON válido) y no se pudo abrir."),
    (("UnresponsiveKernelError", "DeadKernelError"), "El kernel de Python se cerró o dejó de responder al ejecutar el cuaderno."),
    (("SchemaTooNewError", "SchemaTooOldError"), "El cuaderno tiene metadatos de nbgrader alterados o de otra versión."),
    (("ValidationError",), "El cuaderno no tiene un formato válido (nbformat o metadatos alterados)."),
]
UNKNOWN = "No se pudo corregir la entrega por un error inesperado; el profesor revisará el registro."


def failure_reason(result: dict) -> str:
    text = f"{result.get('log', '')}\n{result.get('error', '')}"
    return next((reason for markers, reason in REASONS if any(m in text for m in markers)), UNKNOWN)


def zero_submission(gradebook: Gradebook, assignment: str, student: str) -> None:
    """Score every grade of a failed submission 0, with nothing left for manual grading."""
    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(assignment, student)
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            grade.auto_score = 0
            grade.manual_score = None
            grade.needs_manual_grade = False
    gradebook.db.commit()


def write_failure_feedback(path: Path, assignment: str, reason: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    page = render_page("run/failed_submission.html.j2", assignment=assignment, reason=reason)
    path.write_text(page, encoding="utf-8")
