"""Figures the checks measure on their way to a verdict (a final model's accuracy), kept for the class report.

Recording never changes a verdict: a check that measures declares a
``measured`` parameter, and the judge hands it the :class:`Measured` of the
cell it judges; the check records what it measured before it compares it. The
judge returns each cell's figures with its verdict, and ``ApplyVerdicts``
writes them into the cell's metadata, under ``METADATA_KEY``, in the
autograded notebook.
"""

from __future__ import annotations

METADATA_KEY = "autograder_medidas"


class Measured:
    """The figures the checks of one cell recorded, in order."""

    def __init__(self):
        self.figures: list[dict] = []

    def record_accuracy(self, *, value: float, split: str, minimum: float, of: str) -> None:
        """The accuracy of model ``of`` on ``split`` (its Spanish name: validación, test) and the minimum it is held
        to."""
        self.figures.append({"kind": "accuracy", "of": of, "split": split, "value": float(value),
                             "minimum": float(minimum)})
