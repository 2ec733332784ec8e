"""Accuracy of a final model on the grader's own validation and test images and labels."""

from __future__ import annotations

import numpy as np

from autograder.checks.failure import require
from autograder.checks.loaded_evidence import LoadedEvidence, require_model
from autograder.checks.measured import Measured
from autograder.checks.reference import pool, reference, training_images
from autograder.checks.regularization import final_record
from autograder.checks.splits import require_validation_split
from autograder.checks.transform import as_matrix, require_same_transform
from autograder.checks.wording import number
from autograder.grading_context import GradingContext
from autograder.judge.registry import hidden_check

SPLITS = ("valid", "test")
SPLIT_NAMES = {"valid": "validación", "test": "test"}
VARIABLES = {"valid": "X_valid_final", "test": "X_test_final"}


def predict_reshaped(model, images: np.ndarray) -> np.ndarray | None:
    """``model.predict`` of ``images`` as they are, flattened or with a channel axis (the first shape the
    model takes); None if it takes none."""
    shapes = [images.shape[1:], (int(np.prod(images.shape[1:])),), (*images.shape[1:], 1)]
    for shape in dict.fromkeys(shapes):
        try:
            return np.asarray(model.predict(images.reshape(-1, *shape), batch_size=1024, verbose=0))
        except Exception:
            continue
    return None


def model_scores(model, images: np.ndarray, name: str = "final_model") -> np.ndarray:
    """The 10 class scores ``model`` gives each of ``images``, images reshaped to the model's input."""
    scores = predict_reshaped(require_model(model, name), images)
    require(scores is not None, f"{name} no puede clasificar las imágenes (comprueba la forma de su entrada).")
    require(scores.shape == (len(images), 10), f"{name} debe dar 10 valores (uno por clase) por imagen.")
    return scores


def model_accuracy(model, images: np.ndarray, labels: np.ndarray, name: str = "final_model") -> float:
    """Share of ``images`` that ``model`` puts in the grader's class."""
    return float((model_scores(model, images, name).argmax(axis=1) == labels).mean())


def final_accuracy(model, x_valid, x_test, split: str, profile: str) -> float:
    """p1: accuracy of ``model`` on ``split``, fed with the student's preprocessed arrays.

    ``X_valid_final`` must be the real validation images under a per-pixel
    linear normalization; for the test split, ``X_test_final`` must follow the
    very same map. The labels are the grader's, never the student's.
    """
    ref = reference(profile)
    raw = {VARIABLES["valid"]: ref.x_valid, VARIABLES["test"]: ref.x_test}
    given = {VARIABLES["valid"]: x_valid, VARIABLES["test"]: x_test}
    used = [VARIABLES["valid"]] + ([VARIABLES["test"]] if split == "test" else [])
    arrays = {name: as_matrix(given[name], name, raw[name].shape) for name in used}
    require_same_transform(
        raw, arrays, VARIABLES["valid"],
        "{name} no recibe la misma normalización que {base}: usa para los dos las estadísticas de entrenamiento.",
    )
    return model_accuracy(model, arrays[VARIABLES[split]].astype(np.float32), getattr(ref, f"y_{split}"))


def final_net_accuracy(model, history, split: str, profile: str, *, evidence: LoadedEvidence) -> float:
    """p2: accuracy of ``model`` on the validation images of its own training run, or on the test set.

    The model takes the images as the notebook gives them (scaled to (0, 1));
    the validation images are found in x_train by their fingerprints, and must
    be the run's 20 % of x_train.
    """
    record, ref = final_record(model, history, evidence), pool(profile)
    if split == "test":
        return model_accuracy(model, ref.x_test / 255.0, ref.y_test)
    require_validation_split(record, "final_history", profile)
    images, labels = training_images(record.validation_rows, profile)
    return model_accuracy(model, images / 255.0, labels)


def require_minimum(accuracy: float, *, split: str, assignment: str, context: GradingContext, measured: Measured,
                    what: str = "final_model") -> None:
    """``accuracy`` reaches the minimum of ``split`` for ``assignment`` on the context's profile; both are recorded
    in ``measured`` first."""
    minimum = context.minimum_accuracy(split, assignment)
    measured.record_accuracy(value=accuracy, split=SPLIT_NAMES[split], minimum=minimum, of=what)
    require(
        accuracy >= minimum,
        f"La exactitud de {what} en {SPLIT_NAMES[split]} ({number(round(accuracy, 4))}) no llega al mínimo exigido.",
    )


@hidden_check
def check_accuracy(model, x_valid, x_test, *, split: str, assignment: str, context: GradingContext,
                   measured: Measured) -> None:
    """p1: the final model reaches the assignment's minimum accuracy on ``split`` for this profile."""
    accuracy = final_accuracy(model, x_valid, x_test, split, context.profile)
    require_minimum(accuracy, split=split, assignment=assignment, context=context, measured=measured)


@hidden_check
def check_final_net_accuracy(model, history, *, split: str, assignment: str, context: GradingContext,
                             evidence: LoadedEvidence, measured: Measured) -> None:
    """p2: the final network reaches the assignment's minimum accuracy on ``split`` for this profile."""
    accuracy = final_net_accuracy(model, history, split, context.profile, evidence=evidence)
    require_minimum(accuracy, split=split, assignment=assignment, context=context, measured=measured)
