"""Check the train/validation split of a training run: 20 % of x_train, never the test set."""

from __future__ import annotations

import numpy as np

from autograder.checks.failure import require
from autograder.checks.loaded_evidence import training_record
from autograder.checks.reference import pool
from autograder.checks.wording import number
from autograder.grading_context import GradingContext
from autograder.judge.registry import hidden_check
from autograder.kernel.training_run import TrainingRun

VALIDATION_FRACTION = 0.2


def touches_test_set(record: TrainingRun, profile: str) -> bool:
    """Whether the run trained or validated on any image of the test set.

    Fashion-MNIST repeats a few images between training and test (12 on the
    full data): only images that x_train lacks give the test set away.
    """
    ref = pool(profile)
    test_only = np.setdiff1d(ref.test_fingerprints, ref.train_fingerprints)
    return any(rows is not None and np.isin(rows, test_only).any()
               for rows in (record.train_rows, record.validation_rows))


def require_validation_split(record: TrainingRun, name: str, profile: str) -> None:
    """The run trained on 80 % of x_train and validated on the other 20 %, test images untouched."""
    ref = pool(profile)
    require(
        record.train_rows is not None,
        f"El entrenamiento '{name}' debe recibir las imágenes de x_train como un array de NumPy.",
    )
    require(
        record.validation_rows is not None,
        f"El entrenamiento '{name}' no usa validación: separa el 20 % de x_train "
        "(validation_split=0.2 o validation_data).",
    )
    require(
        not touches_test_set(record, profile),
        f"El entrenamiento '{name}' usa imágenes de test: entrenamiento y validación deben salir solo de x_train.",
    )
    total, validation = len(ref.train_fingerprints), len(record.validation_rows)
    require(
        abs(validation - VALIDATION_FRACTION * total) <= 1,
        f"El entrenamiento '{name}' valida con el {number(round(100 * validation / total, 1))} % de x_train; "
        "se pide el 20 %.",
    )
    used = np.sort(np.concatenate([record.train_rows, record.validation_rows]))
    require(
        np.array_equal(used, np.sort(ref.train_fingerprints)),
        f"El entrenamiento '{name}' no reparte x_train entre entrenamiento (80 %) y validación (20 %): "
        "usa x_train completo y sin modificar.",
    )


@hidden_check
def check_validation_splits(*runs: dict, context: GradingContext) -> None:
    """Every run of every comparison (name -> History) validates on 20 % of x_train."""
    for histories in runs:
        require(isinstance(histories, dict) and histories, "Faltan los entrenamientos que se comparan.")
        for name, history in histories.items():
            require_validation_split(training_record(history, name), name, context.profile)
