"""The score table printed after grading."""

from __future__ import annotations

from autograder.pipeline.grades.records import FEEDBACK_MISSING, StudentGrade


def score_table(assignment: str, results: list[StudentGrade]) -> str:
    width = max([len("alumno")] + [len(result.student) for result in results])
    lines = [
        f"Calificaciones de {assignment}",
        f"{'alumno':<{width}}  {'automático':<11}  {'manual':<22}  estado",
    ]
    for result in results:
        manual = f"{result.manual_score:.2f}/{result.max_manual_score:.2f}"
        if result.manual_pending:
            manual += " (pendiente)"
        state = f"no corregida: {result.failure}" if result.failure else "corregida"
        if result.feedback_missing:
            state += FEEDBACK_MISSING
        auto = f"{result.auto_score:.2f}/{result.max_auto_score:.2f}"
        lines.append(f"{result.student:<{width}}  {auto:<11}  {manual:<22}  {state}")
    return "\n".join(lines)
