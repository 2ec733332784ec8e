"""Accuracy of a final model on the grader's own validation and test labels."""

from __future__ import annotations

import numpy as np

from autograder import course_data
from autograder.checks.failure import CheckFailed, require
from autograder.checks.reference import reference
from autograder.checks.thresholds import THRESHOLDS
from autograder.checks.transform import as_matrix, require_same_transform

SPLIT_NAMES = {"valid": "validación", "test": "test"}


def final_accuracies(model, x_valid, x_test, names=("X_valid_final", "X_test_final")) -> dict[str, float]:
    """Accuracy on validation and test of ``model`` fed with the student's preprocessed arrays.

    The arrays must be the real validation and test images under one and the
    same per-pixel transformation; the labels are the grader's, never the student's.
    """
    ref = reference()
    raw = dict(zip(names, (ref.x_valid, ref.x_test)))
    arrays = {name: as_matrix(value, name, raw[name].shape) for name, value in zip(names, (x_valid, x_test))}
    require_same_transform(
        raw, arrays, names[0],
        "{name} no recibe la misma normalización que {base}: usa para los dos las estadísticas de entrenamiento.",
    )
    accuracies = {}
    for split, name, labels in (("valid", names[0], ref.y_valid), ("test", names[1], ref.y_test)):
        try:
            probabilities = np.asarray(model.predict(arrays[name].astype(np.float32), batch_size=1024, verbose=0))
        except Exception as error:
            raise CheckFailed(f"final_model no puede predecir {name} ({type(error).__name__}).") from None
        require(probabilities.shape == (len(labels), 10), "final_model debe dar 10 probabilidades por imagen.")
        accuracies[split] = float((probabilities.argmax(axis=1) == labels).mean())
    return accuracies


def check_accuracy(model, x_valid, x_test, *, split: str, assignment: str) -> None:
    """The final model reaches the assignment's minimum accuracy on ``split`` for this profile."""
    accuracy = final_accuracies(model, x_valid, x_test)[split]
    minimum = THRESHOLDS[assignment][course_data.profile()][split]
    require(
        accuracy >= minimum,
        f"La exactitud de final_model en {SPLIT_NAMES[split]} ({accuracy:.4f}) no llega al mínimo exigido.",
    )
