"""Figures the checks measure on their way to a verdict (a final model's accuracy), kept for the class report.

Recording never changes a verdict: a check records what it measured before it
compares it, the judge takes each cell's figures after judging that cell
(``take``), and ``ApplyVerdicts`` writes them into the cell's metadata, under
``METADATA_KEY``, in the autograded notebook.
"""

from __future__ import annotations

METADATA_KEY = "autograder_medidas"

_FIGURES: list[dict] = []


def record_accuracy(*, value: float, split: str, minimum: float, of: str) -> None:
    """The accuracy of model ``of`` on ``split`` (its Spanish name: validación, test) and the minimum it is held to."""
    _FIGURES.append({"kind": "accuracy", "of": of, "split": split, "value": float(value), "minimum": float(minimum)})


def take() -> list[dict]:
    """The figures recorded since the last call, in order; none are kept."""
    figures = list(_FIGURES)
    _FIGURES.clear()
    return figures
