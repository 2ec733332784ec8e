"""Checks of the callbacks: their configuration and what they really do to a training run."""

from __future__ import annotations

import math
import types

import keras

from autograder.checks.failure import CheckFailed, require
from autograder.checks.loaded_evidence import LoadedEvidence, training_record
from autograder.checks.wording import number
from autograder.judge.registry import hidden_check

VALIDATION_METRICS = ("val_loss", "val_accuracy")
PLATEAU_EPOCHS = 8
PROBE_LEARNING_RATE = 0.01  # the probe only needs a rate the halvings are easy to read from


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


@hidden_check
def check_reduce_lr_config(reduce_lr) -> None:
    """A ReduceLROnPlateau on a validation metric, patience 2, 50 % reduction."""
    callback = _single(reduce_lr, keras.callbacks.ReduceLROnPlateau, "reduce_lr")
    _require_validation_monitor(callback, "reduce_lr")
    require(callback.patience == 2,
            f"La paciencia de reduce_lr es de {number(callback.patience)} épocas; se piden 2 (patience=2).")
    require(math.isclose(callback.factor, 0.5),
            f"reduce_lr multiplica la tasa de aprendizaje por {number(callback.factor)}: para reducirla un 50 % "
            "usa factor=0.5.")


def _replay_copy(callback) -> keras.callbacks.ReduceLROnPlateau:
    """A fresh ReduceLROnPlateau with the callback's settings and its direction made explicit.

    Keras infers ``mode="auto"`` from the compiled model's metrics; the replay
    has no model, so the direction comes from the metric's own Keras class.
    """
    mode = callback.mode
    if mode not in ("min", "max"):
        name = callback.monitor.removeprefix("val_")
        metric = None if name == "loss" else _keras_metric(name)
        mode = "max" if getattr(metric, "_direction", "down") == "up" else "min"
    return keras.callbacks.ReduceLROnPlateau(
        monitor=callback.monitor, factor=callback.factor, patience=callback.patience, mode=mode,
        min_delta=abs(callback.min_delta), cooldown=callback.cooldown, min_lr=callback.min_lr, verbose=0,
    )


def _keras_metric(name: str):
    try:
        return keras.metrics.get(name)
    except ValueError:
        return None


def replayed_learning_rates(callback, monitored: list[float], first_rate: float) -> list[float]:
    """The learning rate Keras' own ReduceLROnPlateau logs at each epoch, given the monitored values.

    The callback is driven through its public hooks epoch by epoch, on an
    optimizer that starts at ``first_rate``: no network is trained.
    """
    replay = _replay_copy(callback)
    replay.set_model(types.SimpleNamespace(optimizer=keras.optimizers.SGD(learning_rate=first_rate)))
    replay.on_train_begin()
    rates = []
    for epoch, value in enumerate(monitored):
        logs = {callback.monitor: value}
        replay.on_epoch_end(epoch, logs)
        rates.append(logs["learning_rate"])
    return rates


def plateau_learning_rates(callback) -> list[float]:
    """Learning rate of each epoch of a run whose validation metric never improves."""
    return replayed_learning_rates(callback, [1.0] * PLATEAU_EPOCHS, PROBE_LEARNING_RATE)


def _halvings_only(rates, floor: float) -> bool:
    """Every change between consecutive rates halves the rate (or stops at the callback's ``min_lr``)."""
    return all(
        math.isclose(new, old) or math.isclose(new, max(old / 2, floor), rel_tol=1e-5)
        for old, new in zip(rates, rates[1:])
    )


@hidden_check
def check_reduce_lr_behaviour(reduce_lr, history) -> None:
    """On a plateau the rate halves after 2 epochs without improvement, and the student's run did what it should.

    The run is judged on its own recorded numbers: at every epoch its logged
    learning rate must be the one ReduceLROnPlateau gives for the validation
    values that run recorded. A run that kept improving and was never reduced
    did nothing wrong; a rate changed when it should not have been, or not
    changed when it should, fails.
    """
    callback = _single(reduce_lr, keras.callbacks.ReduceLROnPlateau, "reduce_lr")
    try:
        rates = plateau_learning_rates(callback)
    except Exception as error:
        raise CheckFailed(f"reduce_lr no se puede aplicar a un entrenamiento ({type(error).__name__}).") from None
    first_reduction = next((i for i, rate in enumerate(rates) if not math.isclose(rate, rates[0])), None)
    require(
        first_reduction == 3 and _halvings_only(rates, callback.min_lr),
        "En una meseta, reduce_lr no reduce la tasa de aprendizaje a la mitad tras 2 épocas sin mejora.",
    )
    run = training_record(history, "history_rlr")
    logged, monitored = run.history.get("learning_rate", []), run.history.get(callback.monitor, [])
    require(
        logged and len(monitored) == len(logged),
        f"El historial de history_rlr no registra la tasa de aprendizaje y '{callback.monitor}' en cada época: "
        "entrena con reduce_lr en callbacks.",
    )
    expected = replayed_learning_rates(callback, monitored, logged[0])
    wrong = next((epoch for epoch, (got, want) in enumerate(zip(logged, expected), start=1)
                  if not math.isclose(got, want, rel_tol=1e-5)), None)
    require(
        wrong is None,
        f"En history_rlr la tasa de aprendizaje de la época {wrong} no es la que reduce_lr da según "
        f"'{callback.monitor}' en las épocas anteriores: solo reduce_lr debe cambiarla.",
    )


@hidden_check
def check_early_stopping(early_stopping, final_model, *, evidence: LoadedEvidence) -> None:
    """An EarlyStopping on a validation metric that was used to train ``final_model``."""
    callback = _single(early_stopping, keras.callbacks.EarlyStopping, "early_stopping")
    _require_validation_monitor(callback, "early_stopping")
    require(callback.patience >= 1, "La paciencia de early_stopping debe ser de al menos una época.")
    used = any(evidence.kernel_id(callback) in {evidence.kernel_id(c) for c in run.callbacks}
               for run in evidence.runs_of(final_model))
    require(used, "early_stopping no se usó para entrenar final_model: pásalo en callbacks al entrenarlo.")


@hidden_check
def check_final_reduce_lr(final_model, *, evidence: LoadedEvidence) -> None:
    """``final_model`` was trained with a ReduceLROnPlateau on a validation metric, as the task asks (4.1).

    ``reduce_lr`` itself or another ReduceLROnPlateau: the task asks for the
    reduction in the final training, not for one variable.
    """
    used = [callback for run in evidence.runs_of(final_model) for callback in run.callbacks
            if isinstance(callback, keras.callbacks.ReduceLROnPlateau)]
    require(used, "final_model no se entrenó con reduce_lr: pásalo en callbacks, junto con early_stopping, al entrenarlo.")
    require(
        any(callback.monitor in VALIDATION_METRICS for callback in used),
        "El ReduceLROnPlateau con el que se entrenó final_model debe vigilar una métrica del conjunto de validación "
        "('val_loss' o 'val_accuracy').",
    )
