"""Checks of a keras_tuner search (p3): the space it searched and how every trial trained.

Everything is judged from evidence: the tuner's snapshot when the hidden cell
ran (its oracle's space and objective) and the fit log's record of every
trial's ``fit`` (the trial's values, the batch size, the learning rate as each
epoch began, the callbacks, the images it trained and validated on).
"""

from __future__ import annotations

import math

import keras
import numpy as np

from autograder import course_data
from autograder.checks.accuracy import model_accuracy, require_minimum
from autograder.checks.callbacks import replayed_learning_rates
from autograder.checks.loaded_evidence import HandedTuner
from autograder.checks.failure import CheckFailed, require
from autograder.checks.models import check_fresh_builder
from autograder.checks.reference import pool
from autograder.checks.regularization import final_record
from autograder.checks.splits import touches_test_set
from autograder.kernel.training_run import TrainingRun

TUNERS = {"lr": "tuner_lr", "planificador": "tuner_planificador"}
OBJECTIVE = "val_accuracy"
# The space each search must declare (hp.Fixed values may be added: they search nothing).
SPACES = {
    "lr": {
        "lr": {"class": "Float", "min_value": 0.00006, "max_value": 0.00026},
        "batch_size": {"class": "Int", "min_value": 128, "max_value": 256, "step": 2, "sampling": "log"},
    },
    "planificador": {
        "factor": {"class": "Float", "min_value": 0.1, "max_value": 0.5},
        "patience": {"class": "Choice", "values": [2, 5, 10]},
    },
}
RATE_TOLERANCE = 1e-5  # relative: the optimizer keeps its learning rate in float32


def _tuner(tuner, search: str) -> HandedTuner:
    name = TUNERS[search]
    require(isinstance(tuner, HandedTuner), f"{name} debe ser un tuner de keras_tuner (por ejemplo, BayesianOptimization).")
    return tuner


def _runs(tuner: HandedTuner, search: str) -> list[TrainingRun]:
    runs = tuner.runs()
    require(runs, f"{TUNERS[search]} no entrenó ninguna prueba: llama a su método search.")
    return runs


def best_run(tuner: HandedTuner, search: str) -> TrainingRun:
    """The trial run with the best validation accuracy (the first of equals, as keras_tuner picks)."""
    return max(_runs(tuner, search), key=lambda run: max(run.history.get(OBJECTIVE) or [-math.inf]))


def best_validation_accuracy(tuner, search: str) -> float:
    run = best_run(_tuner(tuner, search), search)
    return max(run.history.get(OBJECTIVE) or [math.nan])


def check_fresh_trials(builder, tuner, *, search: str) -> None:
    """``build(hp)`` gives a new untrained model per call, and every trial trained one nothing had trained."""
    check_fresh_builder(builder, "build(hp)")
    for run in _runs(_tuner(tuner, search), search):
        require(
            run.previous_fits == 0 and run.optimizer_steps_at_start == 0 and not run.shared_variables_with,
            f"La prueba {run.trial['trial_id']} de {TUNERS[search]} entrena un modelo ya entrenado: "
            "build(hp) debe crear y devolver un modelo nuevo en cada llamada.",
        )


def _same_setting(got, want) -> bool:
    if isinstance(want, float):
        return isinstance(got, (int, float)) and math.isclose(got, want, rel_tol=1e-9)
    if isinstance(want, list):
        return isinstance(got, list) and sorted(got, key=str) == sorted(want, key=str)
    return got == want


def check_search_space(tuner, *, search: str) -> None:
    """The oracle's objective is to maximise val_accuracy and its space is the one the task asks for."""
    tuner, name = _tuner(tuner, search), TUNERS[search]
    require(
        tuner.objective.get("name") == OBJECTIVE and tuner.objective.get("direction") == "max",
        f"{name} debe maximizar la exactitud en validación (objective=\"{OBJECTIVE}\").",
    )
    declared = {hp.get("name"): hp for hp in tuner.space if hp.get("class") != "Fixed"}
    for hp_name, wanted in SPACES[search].items():
        require(hp_name in declared, f"El espacio de búsqueda de {name} no tiene el hiperparámetro '{hp_name}'.")
        require(
            all(_same_setting(declared[hp_name].get(key), value) for key, value in wanted.items()),
            f"El hiperparámetro '{hp_name}' de {name} no tiene el tipo, el rango, el paso o el muestreo que pide el enunciado.",
        )
    extra = sorted(set(declared) - set(SPACES[search]), key=str)
    require(not extra, f"El espacio de búsqueda de {name} tiene hiperparámetros que el enunciado no pide: {', '.join(map(str, extra))}.")


def _require_holdout(run: TrainingRun, what: str) -> None:
    """The run trained on x_train and validated on x_val, as the locked data cell splits them."""
    require(not touches_test_set(run), f"{what} usa imágenes de test: el test nunca debe guiar el entrenamiento.")
    fingerprints, n_val = pool().train_fingerprints, course_data.validation_size()
    same = lambda rows, want: rows is not None and np.array_equal(np.sort(rows), np.sort(want))  # noqa: E731
    require(
        same(run.train_rows, fingerprints[:-n_val]) and same(run.validation_rows, fingerprints[-n_val:]),
        f"{what} no entrena con x_train y valida con x_val (validation_data).",
    )


def _close_to_tuned(value: float | None, tuned: float) -> bool:
    """``value`` is ``tuned``, or ``tuned`` rounded to two significant figures."""
    if value is None:
        return False
    half_unit = 0.5 * 10 ** (math.floor(math.log10(abs(tuned))) - 1)
    return abs(value - tuned) <= half_unit * (1 + 1e-6) + abs(tuned) * RATE_TOLERANCE


def _callback(run: TrainingRun, kind, what: str, advice: str):
    found = [callback for callback in run.callbacks if isinstance(callback, kind)]
    require(len(found) == 1, f"{what} debe usar un {kind.__name__} ({advice}).")
    return found[0]


def check_trial_training(tuner, tuned=None, *, search: str) -> None:
    """Each trial trained with its own hyperparameters, on the train/validation split, with the asked callbacks.

    ``lr``: the trial's batch size and learning rate, early stopping on
    val_accuracy. ``planificador``: the learning rate and batch size of
    ``tuned``'s best trial, a ReduceLROnPlateau on val_accuracy with the trial's
    factor and patience and a ``min_lr``, early stopping with twice its patience.
    """
    tuner = _tuner(tuner, search)
    fixed = None if search == "lr" else best_run(_tuner(tuned, "lr"), "lr").trial["values"]
    for run in _runs(tuner, search):
        values, what = run.trial["values"], f"La prueba {run.trial['trial_id']} de {TUNERS[search]}"
        _require_holdout(run, what)
        first_rate = run.learning_rates[0] if run.learning_rates else None
        if fixed is None:
            require(run.batch_size == values.get("batch_size"),
                    f"{what} no entrena con el batch_size que ha elegido el tuner (hp.Int en fit).")
            require(first_rate is not None and math.isclose(first_rate, values.get("lr", math.nan), rel_tol=RATE_TOLERANCE),
                    f"{what} no empieza con la tasa de aprendizaje 'lr' que ha elegido el tuner.")
        else:
            require(run.batch_size == fixed.get("batch_size"),
                    f"{what} no usa el batch_size ajustado en el ejercicio 1.")
            require(_close_to_tuned(first_rate, fixed.get("lr", math.nan)),
                    f"{what} no empieza con la tasa de aprendizaje ajustada en el ejercicio 1 (puedes redondearla a dos cifras).")
        early = _callback(run, keras.callbacks.EarlyStopping, what, "terminación temprana")
        require(early.monitor == OBJECTIVE, f"La terminación temprana de la {what[3:]} debe vigilar '{OBJECTIVE}'.")
        if fixed is not None:
            _require_scheduler(run, values, early, what)


def _require_scheduler(run: TrainingRun, values: dict, early, what: str) -> None:
    reduce = _callback(run, keras.callbacks.ReduceLROnPlateau, what, "el planificador")
    require(reduce.monitor == OBJECTIVE, f"El ReduceLROnPlateau de la {what[3:]} debe vigilar '{OBJECTIVE}'.")
    require(
        math.isclose(reduce.factor, values.get("factor", math.nan), rel_tol=1e-9) and reduce.patience == values.get("patience"),
        f"El ReduceLROnPlateau de la {what[3:]} no usa el factor y la paciencia que ha elegido el tuner.",
    )
    require(reduce.min_lr > 0, f"El ReduceLROnPlateau de la {what[3:]} debe tener una cota inferior min_lr.")
    require(early.patience == 2 * reduce.patience,
            f"La paciencia de la terminación temprana de la {what[3:]} debe ser el doble de la del planificador.")


def check_lr_reductions(tuner, *, search: str = "planificador") -> None:
    """In every trial the learning rate changed exactly when its ReduceLROnPlateau says it should.

    Each run is judged on its own numbers: Keras' ReduceLROnPlateau, replayed on
    the monitored values the run recorded (its min_delta, cooldown and min_lr
    included), must give the learning rate every epoch began with.
    """
    for run in _runs(_tuner(tuner, search), search):
        what = f"La prueba {run.trial['trial_id']} de {TUNERS[search]}"
        reduce = _callback(run, keras.callbacks.ReduceLROnPlateau, what, "el planificador")
        monitored, rates = run.history.get(reduce.monitor) or [], list(run.learning_rates)
        require(monitored and len(rates) >= len(monitored),
                f"{what} no registra '{reduce.monitor}' en cada época: no se puede juzgar su planificador.")
        try:
            expected = replayed_learning_rates(reduce, monitored, rates[0])
        except Exception as error:
            raise CheckFailed(f"El ReduceLROnPlateau de la {what[3:]} no se puede aplicar ({type(error).__name__}).") from None
        wrong = next((epoch for epoch, (got, want) in enumerate(zip(rates, expected), start=1)
                      if not math.isclose(got, want, rel_tol=RATE_TOLERANCE)), None)
        require(wrong is None, f"En la {what[3:]} la tasa de aprendizaje de la época {wrong} no es la que da su "
                               "ReduceLROnPlateau según la validación de las épocas anteriores: solo él debe cambiarla.")


def check_best_trial_accuracy(tuner, *, search: str, assignment: str) -> None:
    """The search's best trial reaches the assignment's minimum validation accuracy for this profile."""
    require_minimum(best_validation_accuracy(tuner, search), split="valid", assignment=assignment,
                    what=f"la mejor prueba de {TUNERS[search]}")


def check_final_training(model, history, tuned) -> None:
    """The final model trained on x_train_val (train + validation), with the tuned settings, never on test."""
    run = final_record(model, history)
    what = "El entrenamiento final"
    require(
        not touches_test_set(run),
        f"{what} usa imágenes de test (¿validation_data=(x_test, y_test)?): el test no debe guiar el entrenamiento.",
    )
    require(run.train_rows is not None and np.array_equal(np.sort(run.train_rows), np.sort(pool().train_fingerprints)),
            f"{what} debe usar x_train_val completo (entrenamiento + validación).")
    fixed = best_run(_tuner(tuned, "lr"), "lr").trial["values"]
    require(run.batch_size == fixed.get("batch_size"), f"{what} no usa el batch_size ajustado en el ejercicio 1.")
    require(_close_to_tuned(run.learning_rates[0] if run.learning_rates else None, fixed.get("lr", math.nan)),
            f"{what} no empieza con la tasa de aprendizaje ajustada en el ejercicio 1.")


def final_test_accuracy(model) -> float:
    ref = pool()
    return model_accuracy(model, ref.x_test / 255.0, ref.y_test)


def check_final_accuracy(model, history, *, assignment: str) -> None:
    """The final model reaches the assignment's minimum test accuracy for this profile."""
    final_record(model, history)
    require_minimum(final_test_accuracy(model), split="test", assignment=assignment)


RESULT_ROWS = {"lr_batch_size": ("val", "modelo_val"), "planificador": ("val", "modelo_val"), "final": ("test",)}


def check_results_table(results, tuner_lr, tuner_planificador, model) -> None:
    """``resultados`` holds the searches' best validation accuracies and the final model's test accuracy."""
    require(
        isinstance(results, dict) and all(
            isinstance(results.get(row), dict) and all(isinstance(results[row].get(key), (int, float)) for key in keys)
            for row, keys in RESULT_ROWS.items()),
        "resultados no tiene las filas y columnas de la tabla (números entre 0 y 1).",
    )
    for row, tuner, search in (("lr_batch_size", tuner_lr, "lr"), ("planificador", tuner_planificador, "planificador")):
        require(math.isclose(results[row]["val"], best_validation_accuracy(tuner, search), abs_tol=1e-4),
                f"resultados['{row}']['val'] no es la exactitud en validación de la mejor prueba de {TUNERS[search]}.")
        require(0 <= results[row]["modelo_val"] <= 1, f"resultados['{row}']['modelo_val'] debe ser una exactitud (entre 0 y 1).")
    require(math.isclose(results["final"]["test"], final_test_accuracy(model), abs_tol=0.003),
            "resultados['final']['test'] no es la exactitud en test de final_model.")


def search_accuracies(namespace: dict) -> dict[str, float]:
    """p3's measure for calibration: the worse search's best validation accuracy, and the final test accuracy."""
    return {
        "valid": min(best_validation_accuracy(namespace[name], search) for search, name in TUNERS.items()),
        "test": final_test_accuracy(namespace["final_model"]),
    }
