"""Which regularization techniques a network uses, and the check that the final network uses one."""

from __future__ import annotations

import keras

from autograder.checks.failure import require
from autograder.checks.loaded_evidence import LoadedEvidence, require_model, training_record
from autograder.judge.registry import hidden_check
from autograder.kernel.architecture import flat_layers
from autograder.kernel.training_run import TrainingRun


def regularization_techniques(model, callbacks=()) -> list[str]:
    """Spanish names of the regularization techniques in a model and its training callbacks."""
    found = []
    layers = flat_layers(model)
    if any(isinstance(layer, (keras.layers.Dropout, keras.layers.GaussianNoise, keras.layers.GaussianDropout,
                              keras.layers.AlphaDropout, keras.layers.SpatialDropout1D)) for layer in layers):
        found.append("dropout")
    if any(getattr(layer, attribute, None) is not None for layer in layers
           for attribute in ("kernel_regularizer", "bias_regularizer", "activity_regularizer")):
        found.append("regularización L1/L2")
    if any(isinstance(layer, (keras.layers.BatchNormalization, keras.layers.LayerNormalization)) for layer in layers):
        found.append("batch normalization")
    if any(isinstance(callback, keras.callbacks.EarlyStopping) for callback in callbacks):
        found.append("early stopping")
    return found


def final_record(model, history, evidence: LoadedEvidence) -> TrainingRun:
    """The fit call behind ``final_history``, which must have trained ``final_model``."""
    record = training_record(history, "final_history")
    require(
        evidence.trained(model, record),
        "final_history debe ser el History del entrenamiento de final_model.",
    )
    return record


@hidden_check
def check_regularized(model, history, *, evidence: LoadedEvidence) -> None:
    record = final_record(model, history, evidence)
    require(
        regularization_techniques(require_model(model, "final_model"), record.callbacks),
        "La red final no usa ninguna técnica de regularización "
        "(dropout, regularización L1/L2, batch normalization o early stopping).",
    )
