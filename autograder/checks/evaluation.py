"""p4: evaluating a trained model, and the epoch where it starts to overfit.

Every figure is judged against the run's own record in the fit log and against
the model evaluated again here, on the grader's images and labels: never
against what the student's History object or printed output says.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from autograder.checks.accuracy import SPLITS, model_accuracy, model_scores, predict_reshaped, require_minimum
from autograder.checks.failure import CheckFailed, require
from autograder.checks.loaded_evidence import LoadedEvidence, require_model, training_record
from autograder.checks.measured import Measured
from autograder.checks.reference import pool, training_images
from autograder.checks.regularization import regularization_techniques
from autograder.checks.splits import touches_test_set
from autograder.checks.wording import number
from autograder.grading_context import GradingContext
from autograder.judge.registry import hidden_check
from autograder.kernel.architecture import activation_name
from autograder.kernel.training_run import TrainingRun

LOSS_TOLERANCE = 1e-4  # relative: the same weights on the same images, summed in another order
EPSILON = 1e-7  # Keras' clipping of probabilities in the cross-entropy


def run_of(model, history, model_name: str, history_name: str, evidence: LoadedEvidence) -> TrainingRun:
    """The fit call behind ``history``, which must have trained ``model``."""
    record = training_record(history, history_name)
    require(evidence.trained(model, record),
            f"{history_name} debe ser el History del entrenamiento de {model_name}.")
    return record


def require_holdout_validation(record: TrainingRun, name: str, profile: str) -> None:
    """The run validated on images of x_train's pool, never on the test set, and trained on no test image."""
    require(record.train_rows is not None and record.validation_rows is not None,
            f"El entrenamiento '{name}' debe recibir arrays de NumPy y validar con validation_data=(x_val, y_val).")
    require(not touches_test_set(record, profile),
            f"El entrenamiento '{name}' usa imágenes de test: el test solo se usa para evaluar al final.")


def keras_loss(model, images: np.ndarray, labels: np.ndarray, name: str) -> float:
    """The model's categorical cross-entropy on ``images``, computed as Keras' ``evaluate`` does.

    Keras takes the log-softmax of the logits when the output is a softmax
    (a Dense layer's activation or a softmax layer), and clips probabilities
    to (1e-7, 1 - 1e-7) otherwise: the two differ for confident mistakes.
    """
    logits = _logits(model, images)
    if logits is None:
        scores = model_scores(model, images, name)
        chosen = np.clip((scores / scores.sum(axis=1, keepdims=True))[np.arange(len(labels)), labels], EPSILON, 1 - EPSILON)
        return float(-np.log(chosen.astype(np.float64)).mean())
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_softmax[np.arange(len(labels)), labels].mean())


def _logits(model, images: np.ndarray) -> np.ndarray | None:
    """The inputs of the model's final softmax, or None when its output is no softmax of a layer's output."""
    last = model.layers[-1] if isinstance(model, keras.Model) and model.layers else None
    dense_softmax = isinstance(last, keras.layers.Dense) and activation_name(last.activation) == "softmax"
    if not (dense_softmax or isinstance(last, (keras.layers.Softmax, keras.layers.Activation))
            and activation_name(last) == "softmax"):
        return None
    features = predict_reshaped(keras.Model(model.inputs, last.input), images)
    if features is None or not dense_softmax:
        return features
    kernel, *bias = (np.asarray(weight, dtype=np.float32) for weight in last.get_weights())
    return features.astype(np.float32) @ kernel + (bias[0] if bias else 0)


def _number(value, what: str) -> float:
    require(isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value),
            f"{what} debe ser un número calculado por tu código.")
    return float(value)


def _agrees(value: float, accuracy: float, count: int) -> bool:
    """An accuracy figure agrees when it is off by less than 1.5 images (last-digit differences between CPUs)."""
    return abs(value - accuracy) <= 1.5 / count


@hidden_check
def check_evaluation(model, history, figures, predictions, *, context: GradingContext, evidence: LoadedEvidence,
                     model_name: str = "modelo_base") -> None:
    """``figures`` holds the model's test loss and accuracy and its training accuracy; ``predictions`` its
    class probabilities for the first five test images (``x_nuevos``)."""
    record = run_of(model, history, model_name, "historia_base", evidence)
    require_holdout_validation(record, "historia_base", context.profile)
    require(isinstance(figures, dict) and {"train_accuracy", "test_loss", "test_accuracy"} <= set(figures),
            "evaluacion debe tener las claves 'train_accuracy', 'test_loss' y 'test_accuracy'.")
    ref = pool(context.profile)
    scores = model_scores(model, ref.x_test / 255.0, model_name)
    loss = keras_loss(model, ref.x_test / 255.0, ref.y_test, model_name)
    test_accuracy = float((scores.argmax(axis=1) == ref.y_test).mean())
    given_loss = _number(figures["test_loss"], "evaluacion['test_loss']")
    given_accuracy = _number(figures["test_accuracy"], "evaluacion['test_accuracy']")
    loss_right = math.isclose(given_loss, loss, rel_tol=LOSS_TOLERANCE)
    accuracy_right = _agrees(given_accuracy, test_accuracy, len(ref.y_test))
    require(loss_right or accuracy_right or not (math.isclose(given_accuracy, loss, rel_tol=LOSS_TOLERANCE)
                                                 and _agrees(given_loss, test_accuracy, len(ref.y_test))),
            f"En evaluacion están cambiadas la pérdida y la exactitud: evaluacion['test_loss'] vale "
            f"{number(given_loss)}, la exactitud de {model_name} en test, y evaluacion['test_accuracy'] vale "
            f"{number(given_accuracy)}, su pérdida. model.evaluate devuelve primero la pérdida y después la exactitud.")
    require(loss_right, f"evaluacion['test_loss'] ({number(given_loss)}) no es la pérdida de {model_name} en el "
                        f"conjunto de test ({number(loss, 4)}): usa model.evaluate(x_test, y_test).")
    require(accuracy_right, f"evaluacion['test_accuracy'] ({number(given_accuracy)}) no es la exactitud de {model_name} "
                            f"en el conjunto de test ({number(test_accuracy, 4)}): usa model.evaluate(x_test, y_test).")
    train = _number(figures["train_accuracy"], "evaluacion['train_accuracy']")
    last_epoch = (record.history.get("accuracy") or [math.nan])[-1]
    images, labels = training_images(record.train_rows, context.profile)
    on_training = float((model_scores(model, images / 255.0, model_name).argmax(axis=1) == labels).mean())
    require(math.isclose(train, last_epoch, rel_tol=1e-6) or _agrees(train, on_training, len(labels)),
            "evaluacion['train_accuracy'] no es la exactitud de entrenamiento: toma la de la última época del "
            "historial o evalúa el modelo con x_train.")
    given = np.asarray(predictions, dtype=np.float64) if isinstance(predictions, np.ndarray) else None
    require(given is not None and given.shape == (5, 10) and np.allclose(given, scores[:5], atol=1e-4),
            f"predicciones debe ser lo que devuelve {model_name}.predict(x_nuevos): 5 filas de 10 probabilidades.")


def best_epoch(record: TrainingRun) -> int:
    """The epoch (from 1) with the lowest validation loss the run recorded; the first one if tied."""
    losses = record.history.get("val_loss")
    if not losses:
        raise CheckFailed("El entrenamiento base no registra val_loss: entrena con validation_data=(x_val, y_val).")
    return int(np.argmin(losses)) + 1


@hidden_check
def check_best_epoch(model, history, epoch, *, evidence: LoadedEvidence) -> None:
    """``epoch`` is the epoch of lowest validation loss in the base run's own record."""
    record = run_of(model, history, "modelo_base", "historia_base", evidence)
    require(type(epoch) is int or isinstance(epoch, np.integer),
            "mejor_epoca debe ser un número entero de época, contando desde 1.")
    require(int(epoch) == best_epoch(record),
            "mejor_epoca no es la época en la que la pérdida de validación de historia_base es mínima "
            "(cuenta las épocas desde 1).")


@hidden_check
def check_retrained(base_history, model, history, epochs, *, context: GradingContext, evidence: LoadedEvidence) -> None:
    """A new model, trained from scratch like the base one, for ``epochs`` (the reported best epoch) epochs."""
    base = training_record(base_history, "historia_base")
    record = run_of(model, history, "modelo_optimo", "historia_optima", evidence)
    require(record.previous_fits == 0 and record.optimizer_steps_at_start == 0 and not record.shared_variables_with
            and record.model_id != base.model_id,
            "modelo_optimo debe ser un modelo nuevo, sin entrenar: crea otro en lugar de seguir entrenando el base.")
    require(record.train_rows is not None and np.array_equal(record.train_rows, base.train_rows),
            "modelo_optimo debe entrenar con los mismos datos que el modelo base (x_train, y_train).")
    require(not touches_test_set(record, context.profile), "El entrenamiento de modelo_optimo usa imágenes de test.")
    require([(layer.units, layer.activation) for layer in record.dense_layers]
            == [(layer.units, layer.activation) for layer in base.dense_layers],
            "modelo_optimo debe tener la misma arquitectura que el modelo base.")
    require(len(record.history.get("loss", ())) == epochs,
            "modelo_optimo no se ha entrenado tantas épocas como dice mejor_epoca.")


def regularized_accuracy(model, history, split: str, profile: str, *, evidence: LoadedEvidence) -> float:
    """Accuracy of the final regularized model on its run's validation images, or on the test set."""
    record = run_of(model, history, "modelo_final", "historia_final", evidence)
    require_holdout_validation(record, "historia_final", profile)
    if split == "test":
        ref = pool(profile)
        return model_accuracy(model, ref.x_test / 255.0, ref.y_test, "modelo_final")
    images, labels = training_images(record.validation_rows, profile)
    return model_accuracy(model, images / 255.0, labels, "modelo_final")


@hidden_check
def check_regularized_accuracy(model, history, *, assignment: str, context: GradingContext, evidence: LoadedEvidence,
                               measured: Measured) -> None:
    """The final model uses a regularization technique and reaches the profile's minimum on validation and test."""
    record = run_of(model, history, "modelo_final", "historia_final", evidence)
    require(regularization_techniques(require_model(model, "modelo_final"), record.callbacks),
            "modelo_final no usa ninguna técnica de regularización (L1/L2, descarte o normalización por lotes).")
    for split in SPLITS:
        require_minimum(regularized_accuracy(model, history, split, context.profile, evidence=evidence), split=split,
                        assignment=assignment, context=context, measured=measured, what="modelo_final")
