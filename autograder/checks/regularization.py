"""Check that the final network uses at least one regularization technique."""

from __future__ import annotations

from autograder.kernel.architecture import regularization_techniques
from autograder.checks.failure import require
from autograder.kernel.fit_log import FitRecord, training_record


def final_record(model, history) -> FitRecord:
    """The fit call behind ``final_history``, which must have trained ``final_model``."""
    record = training_record(history, "final_history")
    require(record.model is model, "final_history debe ser el History del entrenamiento de final_model.")
    return record


def check_regularized(model, history) -> None:
    record = final_record(model, history)
    require(
        regularization_techniques(model, record.callbacks),
        "La red final no usa ninguna técnica de regularización "
        "(dropout, regularización L1/L2, batch normalization o early stopping).",
    )
