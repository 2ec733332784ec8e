"""Checks of the callbacks: their configuration and what they really do to a training run."""

from __future__ import annotations

import math
import warnings

import keras

from autograder.checks.evidence import kernel_id, runs_of, training_record
from autograder.checks.failure import CheckFailed, require
from autograder.checks.reference import reference

VALIDATION_METRICS = ("val_loss", "val_accuracy")
PLATEAU_EPOCHS = 8
PROBE_LEARNING_RATE = 0.01


def _single(value, kind, name: str):
    """The callback itself, or the only one of its kind in a list of callbacks."""
    if isinstance(value, (list, tuple)):
        found = [item for item in value if isinstance(item, kind)]
        value = found[0] if len(found) == 1 else None
    require(isinstance(value, kind), f"{name} debe ser un keras.callbacks.{kind.__name__}.")
    return value


def _require_validation_monitor(callback, name: str) -> None:
    require(
        callback.monitor in VALIDATION_METRICS,
        f"{name} debe vigilar una métrica del conjunto de validación ('val_loss' o 'val_accuracy').",
    )


def check_reduce_lr_config(reduce_lr) -> None:
    """A ReduceLROnPlateau on a validation metric, patience 2, 50 % reduction."""
    callback = _single(reduce_lr, keras.callbacks.ReduceLROnPlateau, "reduce_lr")
    _require_validation_monitor(callback, "reduce_lr")
    require(callback.patience == 2, "La paciencia de reduce_lr no es de 2 épocas.")
    require(math.isclose(callback.factor, 0.5), "reduce_lr no reduce la tasa de aprendizaje un 50 % (factor).")


class _LearningRateRecorder(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.rates = []

    def on_epoch_begin(self, epoch, logs=None):
        self.rates.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))


def plateau_learning_rates(callback) -> list[float]:
    """Learning rate at the start of each epoch of a real run that never improves.

    The probe network is frozen, so every validation metric is constant: the
    callback sees a plateau from the first epoch on.
    """
    ref = reference()
    x, y = ref.x_train[:256] / 255.0, ref.y_train[:256]
    probe = keras.Sequential([keras.Input(shape=(x.shape[1],)), keras.layers.Dense(10, activation="softmax")])
    probe.trainable = False
    probe.compile(
        optimizer=keras.optimizers.SGD(learning_rate=PROBE_LEARNING_RATE),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    recorder = _LearningRateRecorder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probe.fit(x, y, validation_data=(x, y), epochs=PLATEAU_EPOCHS, batch_size=64,
                  verbose=0, callbacks=[callback, recorder])
    return recorder.rates


def _halvings_only(rates, floor: float) -> bool:
    """Every change between consecutive rates halves the rate (or stops at the callback's ``min_lr``)."""
    return all(
        math.isclose(new, old) or math.isclose(new, max(old / 2, floor), rel_tol=1e-5)
        for old, new in zip(rates, rates[1:])
    )


def check_reduce_lr_behaviour(reduce_lr, history) -> None:
    """Driven through a plateau, the rate halves after 2 epochs without improvement; the history shows it."""
    callback = _single(reduce_lr, keras.callbacks.ReduceLROnPlateau, "reduce_lr")
    try:
        rates = plateau_learning_rates(callback)
    except Exception as error:
        raise CheckFailed(f"reduce_lr falla al entrenar una red ({type(error).__name__}).") from None
    first_reduction = next((i for i, rate in enumerate(rates) if not math.isclose(rate, rates[0])), None)
    require(
        first_reduction == 3 and _halvings_only(rates, callback.min_lr),
        "En una meseta, reduce_lr no reduce la tasa de aprendizaje a la mitad tras 2 épocas sin mejora.",
    )
    logged = training_record(history, "history_rlr").history.get("learning_rate", [])
    require(
        len(logged) > 1 and _halvings_only(logged, callback.min_lr) and logged[-1] < logged[0],
        "El historial de history_rlr no muestra reducciones de la tasa de aprendizaje a la mitad.",
    )


def check_early_stopping(early_stopping, final_model) -> None:
    """An EarlyStopping on a validation metric that was used to train ``final_model``."""
    callback = _single(early_stopping, keras.callbacks.EarlyStopping, "early_stopping")
    _require_validation_monitor(callback, "early_stopping")
    require(callback.patience >= 1, "La paciencia de early_stopping debe ser de al menos una época.")
    used = any(kernel_id(callback) in {kernel_id(c) for c in run.callbacks} for run in runs_of(final_model))
    require(used, "early_stopping no se usó para entrenar final_model: pásalo en callbacks al entrenarlo.")
