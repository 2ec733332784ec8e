"""Accuracy of a final model on the grader's own validation and test labels."""

from __future__ import annotations

import numpy as np

from autograder import course_data
from autograder.checks.failure import CheckFailed, require
from autograder.checks.reference import reference
from autograder.checks.thresholds import THRESHOLDS
from autograder.checks.transform import as_matrix, require_same_transform

SPLIT_NAMES = {"valid": "validación", "test": "test"}
VARIABLES = {"valid": "X_valid_final", "test": "X_test_final"}


def final_accuracy(model, x_valid, x_test, split: str) -> float:
    """Accuracy of ``model`` on ``split``, fed with the student's preprocessed arrays.

    ``X_valid_final`` must be the real validation images under a per-pixel
    linear normalization; for the test split, ``X_test_final`` must follow the
    very same map. The labels are the grader's, never the student's.
    """
    ref = reference()
    raw = {VARIABLES["valid"]: ref.x_valid, VARIABLES["test"]: ref.x_test}
    given = {VARIABLES["valid"]: x_valid, VARIABLES["test"]: x_test}
    used = [VARIABLES["valid"]] + ([VARIABLES["test"]] if split == "test" else [])
    arrays = {name: as_matrix(given[name], name, raw[name].shape) for name in used}
    require_same_transform(
        raw, arrays, VARIABLES["valid"],
        "{name} no recibe la misma normalización que {base}: usa para los dos las estadísticas de entrenamiento.",
    )
    name, labels = VARIABLES[split], getattr(ref, f"y_{split}")
    try:
        probabilities = np.asarray(model.predict(arrays[name].astype(np.float32), batch_size=1024, verbose=0))
    except Exception as error:
        raise CheckFailed(f"final_model no puede predecir {name} ({type(error).__name__}).") from None
    require(probabilities.shape == (len(labels), 10), "final_model debe dar 10 probabilidades por imagen.")
    return float((probabilities.argmax(axis=1) == labels).mean())


def final_accuracies(model, x_valid, x_test) -> dict[str, float]:
    return {split: final_accuracy(model, x_valid, x_test, split) for split in SPLIT_NAMES}


def check_accuracy(model, x_valid, x_test, *, split: str, assignment: str) -> None:
    """The final model reaches the assignment's minimum accuracy on ``split`` for this profile."""
    accuracy = final_accuracy(model, x_valid, x_test, split)
    minimum = THRESHOLDS[assignment][course_data.profile()][split]
    require(
        accuracy >= minimum,
        f"La exactitud de final_model en {SPLIT_NAMES[split]} ({accuracy:.4f}) no llega al mínimo exigido.",
    )
