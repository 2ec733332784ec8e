"""Check that the final network uses at least one regularization technique."""

from __future__ import annotations

from autograder.kernel.architecture import regularization_techniques
from autograder.checks.evidence import TrainingRun, kernel_id, require_model, training_record
from autograder.checks.failure import require


def final_record(model, history) -> TrainingRun:
    """The fit call behind ``final_history``, which must have trained ``final_model``."""
    record = training_record(history, "final_history")
    require(
        kernel_id(model) is not None and record.model_id == kernel_id(model),
        "final_history debe ser el History del entrenamiento de final_model.",
    )
    return record


def check_regularized(model, history) -> None:
    record = final_record(model, history)
    require(
        regularization_techniques(require_model(model, "final_model"), record.callbacks),
        "La red final no usa ninguna técnica de regularización "
        "(dropout, regularización L1/L2, batch normalization o early stopping).",
    )
