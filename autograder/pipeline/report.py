"""The score table printed after grading."""

from __future__ import annotations

from autograder.pipeline.grading import StudentGrade


def score_table(assignment: str, results: list[StudentGrade]) -> str:
    width = max([len("alumno")] + [len(result.student) for result in results])
    lines = [
        f"Calificaciones de {assignment}",
        f"{'alumno':<{width}}  {'automático':>11}  {'manual (pendiente)':>18}  estado",
    ]
    for result in results:
        state = f"no corregida: {result.failure}" if result.failure else "corregida"
        if result.feedback_missing:
            state += " (sin retroalimentación: ver logs/)"
        lines.append(
            f"{result.student:<{width}}  {result.auto_score:>5.2f}/{result.max_auto_score:<5.2f}"
            f"  {'':>9}/{result.max_manual_score:<8.2f}  {state}"
        )
    return "\n".join(lines)
