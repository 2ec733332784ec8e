"""Checks of a keras_tuner search (p3): the space it searched and how every trial trained.

Everything is judged from evidence the kit recorded itself as each trial's
``fit`` ran (the fit log): the trial's values and the hyperparameters it had
declared when its fit began, the batch size, the learning rate as each epoch
began, the callbacks and their settings, the images it trained and validated
on, and a fingerprint of its weights as training began and as each epoch
ended. What the tuner reports when the hidden cell runs (its oracle's space,
``get_space``, every trial's values and score, its best trial) can have been
rewritten by the student's code after the search (edited ``trial.json`` files
reloaded, attributes replaced): it is never taken as evidence, only compared
with the fit log, and a disagreement fails the items it touches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np

from autograder import course_data
from autograder.checks.accuracy import SPLIT_NAMES, model_accuracy, require_minimum
from autograder.checks.callbacks import replayed_learning_rates
from autograder.checks.failure import CheckFailed, require
from autograder.checks.loaded_evidence import HandedTuner, LoadedEvidence
from autograder.checks.measured import Measured
from autograder.checks.reference import pool
from autograder.checks.regularization import final_record
from autograder.checks.splits import touches_test_set
from autograder.checks.wording import number
from autograder.grading_context import GradingContext
from autograder.judge.registry import hidden_check
from autograder.kernel.training_run import TrainingRun

TUNERS = {"lr": "tuner_lr", "planificador": "tuner_planificador"}
OBJECTIVE = "val_accuracy"


@dataclass(frozen=True)
class Interval:
    """The values of a continuous hyperparameter: any number from ``low`` to ``high``."""

    low: float
    high: float


# The values each searched hyperparameter must be able to take (hp.Fixed ones may be added: they search nothing).
# A continuous one is judged by the interval it is drawn from, whatever its sampling; a discrete one by its set of
# values, however it is declared (hp.Int(128, 256, step=2, sampling="log") and hp.Choice([128, 256]) are the same).
SPACES = {
    "lr": {"lr": Interval(0.00006, 0.00026), "batch_size": frozenset({128, 256})},
    "planificador": {"factor": Interval(0.1, 0.5), "patience": frozenset({2, 5, 10})},
}
ASKED = {  # how the notebook asks for each, for the sentences
    "lr": 'hp.Float("lr", min_value=0.00006, max_value=0.00026)',
    "batch_size": 'hp.Int("batch_size", 128, 256, step=2, sampling="log")',
    "factor": 'hp.Float("factor", min_value=0.1, max_value=0.5)',
    "patience": 'hp.Choice("patience", [2, 5, 10])',
}
RATE_TOLERANCE = 1e-5  # relative: the optimizer keeps its learning rate in float32
SCORE_TOLERANCE = 1e-6  # a score is a mean of float32 metrics
MAX_LISTED = 10_000  # more values than this: a discrete hyperparameter is judged as the interval it spans
MISMATCH = "lo que informa el tuner no coincide con el entrenamiento que se ejecutó"


def _tuner(tuner, search: str) -> HandedTuner:
    name = TUNERS[search]
    require(isinstance(tuner, HandedTuner), f"{name} debe ser un tuner de keras_tuner (por ejemplo, BayesianOptimization).")
    return tuner


def _runs(tuner: HandedTuner, search: str) -> list[TrainingRun]:
    runs = tuner.runs()
    require(runs, f"{TUNERS[search]} no entrenó ningún trial: llama a su método search.")
    return runs


def _trials(tuner: HandedTuner, search: str) -> dict[str, list[TrainingRun]]:
    """Each trial's runs (several with executions_per_trial > 1), in the order the trials first trained."""
    trials: dict[str, list[TrainingRun]] = {}
    for run in _runs(tuner, search):
        trials.setdefault(str(run.trial["trial_id"]), []).append(run)
    return trials


def _trial_label(trial_id: str, search: str) -> str:
    return f"trial {trial_id} de {TUNERS[search]}"


def _objective_values(runs: list[TrainingRun]) -> list[list[float]] | None:
    values = [list(run.history.get(OBJECTIVE) or []) for run in runs]
    return values if all(values) else None


def _recorded_score(runs: list[TrainingRun]) -> float:
    """keras_tuner's score of a trial from its fits: the best epoch of each, averaged over its executions."""
    values = _objective_values(runs)
    return float(np.mean([max(series) for series in values])) if values else -math.inf


def _score_agrees(score, runs: list[TrainingRun]) -> bool:
    """``score`` is one keras_tuner could give these fits: the mean of each one's best or last epoch, or (one fit)
    any epoch's value, as a fit that returns a metric of its own choosing would report."""
    values = _objective_values(runs)
    if values is None or not isinstance(score, (int, float)):
        return values is None  # nothing recorded to compare with (the training check says why)
    candidates = [np.mean([max(series) for series in values]), np.mean([series[-1] for series in values])]
    if len(values) == 1:
        candidates += values[0]
    return any(math.isclose(score, candidate, rel_tol=0, abs_tol=SCORE_TOLERANCE) for candidate in candidates)


def _reported_trials(tuner: HandedTuner) -> dict[str, dict] | None:
    trials = tuner.reported.get("trials")
    return None if trials is None else {str(trial.get("trial_id")): trial for trial in trials}


def trial_scores(tuner: HandedTuner, search: str) -> dict[str, float]:
    """Every trained trial's score: the one the tuner reports when the fit log bears it out, else keras_tuner's own
    from the recorded fits."""
    reported = _reported_trials(tuner) or {}
    scores = {}
    for trial_id, runs in _trials(tuner, search).items():
        score = reported.get(trial_id, {}).get("score")
        agrees = isinstance(score, (int, float)) and _objective_values(runs) is not None and _score_agrees(score, runs)
        scores[trial_id] = float(score) if agrees else _recorded_score(runs)
    return scores


def best_trial(tuner: HandedTuner, search: str) -> tuple[str, list[TrainingRun]]:
    """The trial with the best score (the first of equals, as keras_tuner picks) and its runs."""
    trials, scores = _trials(tuner, search), trial_scores(tuner, search)
    best = max(scores, key=lambda trial_id: scores[trial_id])
    return best, trials[best]


def best_run(tuner: HandedTuner, search: str) -> TrainingRun:
    """The first run of the best trial."""
    return best_trial(tuner, search)[1][0]


def best_validation_accuracy(tuner, search: str) -> float:
    tuner = _tuner(tuner, search)
    best, _ = best_trial(tuner, search)
    score = trial_scores(tuner, search)[best]
    return score if math.isfinite(score) else math.nan


def _real_values(run: TrainingRun, search: str) -> dict[str, object]:
    """The values a run really trained with, as the fit log recorded them (None where it could not)."""
    if search == "lr":
        return {"lr": run.learning_rates[0] if run.learning_rates else None, "batch_size": run.batch_size}
    found = [callback for callback in run.callbacks if isinstance(callback, keras.callbacks.ReduceLROnPlateau)]
    if len(found) != 1:
        return {"factor": None, "patience": None}
    return {"factor": found[0].factor, "patience": found[0].patience}


def _same_value(got, want, rel_tol: float = 1e-9) -> bool:
    numeric = (int, float)
    if isinstance(got, numeric) and isinstance(want, numeric) and not isinstance(got, bool) and not isinstance(want, bool):
        return math.isclose(got, want, rel_tol=rel_tol)
    return got == want


def _text(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value)
    return f"'{value}'"


def _listed(values, limit: int = 5) -> str:
    """``[130, 132]`` -> ``"los valores 130 y 132"``; one value: ``"el valor 130"``; long lists cut short."""
    values = sorted(values, key=lambda value: (str(type(value)), value))
    if len(values) == 1:
        return f"el valor {_text(values[0])}"
    shown = [_text(value) for value in values[:limit]]
    if len(values) > limit + 1:  # "y 1 más" would say less than the value itself
        return f"los valores {'; '.join(shown)} y {len(values) - limit} más"
    shown = [_text(value) for value in values]
    return f"los valores {'; '.join(shown[:-1])} y {shown[-1]}"


def _stepped(low, high, step, sampling: str, integer: bool) -> list | None:
    """The values of a numeric hyperparameter with a step, as keras_tuner enumerates them."""
    try:
        if sampling == "linear":
            count = int((high - low) // step + 1)
        else:
            count = int(math.log(high / low, step) + 1e-8) + 1
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    if count > MAX_LISTED or count < 1:
        return None
    values = []
    for index in range(count):
        if sampling == "linear":
            value = low + index * step
        elif sampling == "log":
            value = low * math.pow(step, index)
        else:  # reverse_log
            value = high + low - low * math.pow(step, index)
        values.append(int(value) if integer else value)
    return values


def possible_values(hp: dict):
    """The values a hyperparameter (its class and settings, as the snapshot has them) can take: a frozenset, an
    Interval (a continuous one, or too many values to list), or None for a kind this check does not know."""
    kind = hp.get("class")
    if kind == "Choice":
        return frozenset(hp.get("values") or ())
    if kind == "Boolean":
        return frozenset({False, True})
    if kind == "Fixed":
        return frozenset({hp.get("value")})
    if kind not in ("Int", "Float"):
        return None
    low, high, step = hp.get("min_value"), hp.get("max_value"), hp.get("step")
    if not all(isinstance(value, (int, float)) for value in (low, high)):
        return None
    sampling = hp.get("sampling") or "linear"
    if step is None and kind == "Int" and high - low < MAX_LISTED:
        return frozenset(range(int(low), int(high) + 1))
    values = None if step is None else _stepped(low, high, step, sampling, kind == "Int")
    return Interval(low, high) if values is None else frozenset(values)


def _describe(values) -> str:
    if isinstance(values, Interval):
        return f"cualquier valor entre {number(values.low)} y {number(values.high)}"
    return f"solo {_listed(values)}"


def _space_fault(got, want) -> str | None:
    """What is wrong with the values ``got`` when the task asks for ``want`` (None: nothing)."""
    if got is None:
        return "no es de un tipo de hiperparámetro de keras_tuner que se pueda juzgar"
    if isinstance(want, Interval):
        if isinstance(got, Interval):
            if math.isclose(got.low, want.low, rel_tol=1e-9) and math.isclose(got.high, want.high, rel_tol=1e-9):
                return None
            return (f"se elige entre {number(got.low)} y {number(got.high)}, y el enunciado pide el intervalo de "
                    f"{number(want.low)} a {number(want.high)}")
        return (f"puede tomar {_describe(got)}, y el enunciado pide cualquier valor entre {number(want.low)} y "
                f"{number(want.high)} (hp.Float sin step)")
    if isinstance(got, Interval):
        return (f"puede tomar cualquier valor entre {number(got.low)} y {number(got.high)}, y el enunciado pide "
                f"solo {_listed(want)}")
    missing = [value for value in want if not any(_same_value(item, value) for item in got)]
    extra = [value for value in got if not any(_same_value(value, item) for item in want)]
    faults = []
    if missing:
        faults.append(f"no puede tomar {_listed(missing)}, que pide el enunciado")
    if extra:
        faults.append(f"puede tomar {_listed(extra)}, que el enunciado no pide")
    return " y ".join(faults) or None


def _in_space(value, want) -> bool:
    if value is None:
        return True  # not recorded: the training check says why
    if isinstance(want, Interval):
        return (isinstance(value, (int, float)) and want.low * (1 - RATE_TOLERANCE) <= value
                <= want.high * (1 + RATE_TOLERANCE))
    return any(_same_value(value, item) for item in want)


def _searched(space) -> dict[str, object]:
    """A space (a list of hyperparameters' settings) as the values each searched one can take; hp.Fixed left out."""
    return {hp.get("name"): possible_values(hp) for hp in space or () if hp.get("class") != "Fixed"}


def _same_space(one: dict, other: dict) -> bool:
    return set(one) == set(other) and all(_space_fault(one[name], other[name]) is None for name in one)


def _declared_space(tuner: HandedTuner, search: str) -> dict[str, object]:
    """The space the trials had declared when their fits began (the fit log's), or the oracle's if it has none."""
    runs = _runs(tuner, search)
    spaces = [run.trial.get("space") for run in runs]
    if any(space is None for space in spaces):
        return _searched(tuner.space)
    declared: dict[str, object] = {}
    for space in spaces:
        for name, values in _searched(space).items():
            declared.setdefault(name, values)
    return declared


@hidden_check
def check_search_space(tuner, *, search: str) -> None:
    """The search maximises val_accuracy over the asked space, and every trial trained with values in it.

    The space is the one the trials declared when their fits began; what the
    oracle reports (its hyperparameters, ``get_space``) must be that same space
    (a report rewritten after the search is told as such, before the space is
    compared with the asked one), and every trial's real values (the learning rate its optimizer began with,
    its batch size, its ReduceLROnPlateau's factor and patience) must lie in the
    asked one.
    """
    tuner, name = _tuner(tuner, search), TUNERS[search]
    require(
        tuner.objective.get("name") == OBJECTIVE and tuner.objective.get("direction") == "max",
        f"{name} debe maximizar la exactitud en validación (objective=\"{OBJECTIVE}\").",
    )
    declared = _declared_space(tuner, search)
    for source, space in (("oracle.hyperparameters", tuner.space), ("get_space()", tuner.reported.get("get_space"))):
        require(space is None or _same_space(_searched(space), declared),
                f"El espacio de búsqueda que informa {name} ({source}) no es el que declararon sus trials al "
                f"entrenar: {MISMATCH}.")
    for hp_name, wanted in SPACES[search].items():
        require(hp_name in declared, f"El espacio de búsqueda de {name} no tiene el hiperparámetro '{hp_name}'.")
        fault = _space_fault(declared[hp_name], wanted)
        require(fault is None, f"El hiperparámetro '{hp_name}' de {name} {fault} ({ASKED[hp_name]}).")
    extra = sorted(set(declared) - set(SPACES[search]), key=str)
    require(not extra,
            f"El espacio de búsqueda de {name} tiene hiperparámetros que el enunciado no pide: {', '.join(map(str, extra))}.")
    for trial_id, runs in _trials(tuner, search).items():
        for run in runs:
            for hp_name, value in _real_values(run, search).items():
                require(_in_space(value, SPACES[search][hp_name]),
                        f"El {_trial_label(trial_id, search)} entrenó con {hp_name} = {_text(value)}, fuera del espacio "
                        f"que pide el enunciado ({_describe(SPACES[search][hp_name])}): {MISMATCH}.")


def _require_reports_agree(tuner: HandedTuner, search: str) -> None:
    """Every trial the tuner reports trained as it says: its values and score are those of its recorded fits, and its
    best trial is the one with the best score."""
    reported = _reported_trials(tuner)
    if reported is None:
        return
    name, trials = TUNERS[search], _trials(tuner, search)
    for trial_id, runs in trials.items():
        trial = reported.get(trial_id)
        require(trial is not None, f"{name} no informa del trial {trial_id}, que sí entrenó: {MISMATCH}.")
        for run in runs:
            for hp_name, real in _real_values(run, search).items():
                said = trial.get("values", {}).get(hp_name)
                if real is None or said is None:
                    continue
                rel_tol = RATE_TOLERANCE if hp_name == "lr" else 1e-9
                require(_same_value(said, real, rel_tol) and _same_value(said, run.trial["values"].get(hp_name), rel_tol),
                        f"{name} dice que el trial {trial_id} usó {hp_name} = {_text(said)}, pero entrenó con "
                        f"{_text(real)}: {MISMATCH}.")
        score = trial.get("score")
        require(score is None or _score_agrees(score, runs),
                f"{name} da al trial {trial_id} una puntuación ({_text(score)}) que no es la {OBJECTIVE} que "
                f"registraron sus entrenamientos: {MISMATCH}.")
    for trial_id, trial in reported.items():
        require(trial_id in trials or trial.get("score") is None,
                f"{name} informa de un trial {trial_id} con puntuación que no entrenó ningún modelo: {MISMATCH}.")
    best, scores = tuner.reported.get("best"), trial_scores(tuner, search)
    if best and best[0] in scores:
        top = max(scores.values())
        require(math.isclose(scores[best[0]], top, rel_tol=0, abs_tol=SCORE_TOLERANCE),
                f"El mejor trial que informa {name} (el {best[0]}) no es el de mejor {OBJECTIVE} en sus "
                f"entrenamientos: {MISMATCH}.")
    best_values = tuner.reported.get("best_hyperparameters")
    if best_values:
        best_run_values = _real_values(best_run(tuner, search), search)
        for hp_name, real in best_run_values.items():
            said = best_values[0].get(hp_name)
            rel_tol = RATE_TOLERANCE if hp_name == "lr" else 1e-9
            require(real is None or said is None or _same_value(said, real, rel_tol),
                    f"{name}.get_best_hyperparameters() da {hp_name} = {_text(said)}, pero su mejor trial entrenó con "
                    f"{_text(real)}: {MISMATCH}.")


@hidden_check
def check_fresh_trials(tuner, *, search: str, evidence: LoadedEvidence) -> None:
    """Every trial trained a model nothing had trained: new weights, not only a new object.

    The fit log fingerprints a model's weights as each fit begins and as each
    epoch ends: a trial whose weights, as its fit began, are weights an earlier
    run had trained (Hyperband's rounds load an earlier trial's checkpoint and
    continue it) did not start from a new model, whatever ``build`` returned.
    """
    tuner = _tuner(tuner, search)
    trained: dict[str, TrainingRun] = {}  # weights some run had trained (not its starting ones) -> that run
    trial_runs = {id(run) for run in _runs(tuner, search)}
    for run in evidence.recorded_runs():
        if id(run) in trial_runs:
            label = _trial_label(str(run.trial["trial_id"]), search)
            source = trained.get(run.weights_at_start) if run.weights_at_start else None
            if source is not None:
                origin = ("otro entrenamiento anterior" if source.trial is None
                          else f"el trial {source.trial['trial_id']}" if source.trial["tuner_id"] == run.trial["tuner_id"]
                          else f"el trial {source.trial['trial_id']} de otra búsqueda")
                continued = (f" y sigue desde la época {run.initial_epoch}, como en las rondas de Hyperband"
                             if run.initial_epoch else "")
                raise CheckFailed(
                    f"El {label} empieza con los pesos que {origin} ya había entrenado{continued}: cada trial debe "
                    "entrenar un modelo nuevo, con pesos sin entrenar (build(hp) crea uno en cada llamada y ningún "
                    "trial sigue el entrenamiento de otro).")
            require(
                run.previous_fits == 0 and run.optimizer_steps_at_start == 0 and not run.shared_variables_with,
                f"El {label} entrena un modelo ya entrenado: build(hp) debe crear y devolver un modelo nuevo en cada "
                "llamada.",
            )
        for fingerprint in (*run.weights_after_epochs, run.weights_at_end):
            if fingerprint and fingerprint != run.weights_at_start:
                trained.setdefault(fingerprint, run)


def _require_holdout(run: TrainingRun, what: str, profile: str) -> None:
    """The run trained on x_train and validated on x_val, as the locked data cell splits them; each fault by name."""
    require(not touches_test_set(run, profile), f"{what} usa imágenes de test: el test nunca debe guiar el entrenamiento.")
    fingerprints, n_val = pool(profile).train_fingerprints, course_data.validation_size(profile)
    train, validation = fingerprints[:-n_val], fingerprints[-n_val:]
    require(run.train_rows is not None,
            f"{what} no entrena con el array x_train: pasa x_train e y_train a search, que los pasa a fit.")
    require(not np.isin(run.train_rows, np.setdiff1d(validation, train)).any(),
            f"{what} entrena con x_val: entrena solo con x_train y deja x_val para validar "
            "(validation_data=(x_val, y_val)).")
    require(np.array_equal(np.sort(run.train_rows), np.sort(train)),
            f"{what} no entrena con x_train completo: pasa x_train e y_train a search, que los pasa a fit.")
    require(run.validation_rows is not None,
            f"{what} no valida con x_val: pasa (x_val, y_val) como validation_data.")
    require(np.array_equal(np.sort(run.validation_rows), np.sort(validation)),
            f"{what} no valida con x_val: pasa exactamente (x_val, y_val) como validation_data, sin imágenes de x_train.")


def _close_to_tuned(value: float | None, tuned: float) -> bool:
    """``value`` is ``tuned``, or ``tuned`` rounded to two significant figures."""
    if value is None or not math.isfinite(tuned) or tuned == 0:
        return False
    half_unit = 0.5 * 10 ** (math.floor(math.log10(abs(tuned))) - 1)
    return abs(value - tuned) <= half_unit * (1 + 1e-6) + abs(tuned) * RATE_TOLERANCE


def _callback(run: TrainingRun, kind, what: str, advice: str):
    found = [callback for callback in run.callbacks if isinstance(callback, kind)]
    require(len(found) == 1, f"{what} debe usar un {kind.__name__} ({advice}).")
    return found[0]


def _of(what: str) -> str:
    """``"El trial 0 de tuner_lr"`` -> ``"del trial 0 de tuner_lr"``."""
    return "del" + what[2:] if what.startswith("El ") else "de " + what


def tuned_values(tuned) -> dict:
    """The learning rate and batch size exercise 1 tuned: those its best trial really trained with."""
    run = best_run(_tuner(tuned, "lr"), "lr")
    return {"lr": run.learning_rates[0] if run.learning_rates else math.nan, "batch_size": run.batch_size}


@hidden_check
def check_trial_training(tuner, tuned=None, *, search: str, context: GradingContext) -> None:
    """Each trial trained with its own hyperparameters, on the train/validation split, with the asked callbacks,
    and what the tuner reports of its trials (values, scores, best trial) is what its fits recorded.

    ``lr``: the trial's batch size and learning rate, early stopping on
    val_accuracy. ``planificador``: the learning rate and batch size of
    ``tuned``'s best trial, a ReduceLROnPlateau on val_accuracy with the trial's
    factor and patience and a ``min_lr``, early stopping with twice its patience.
    """
    tuner = _tuner(tuner, search)
    fixed = None if search == "lr" else tuned_values(tuned)
    for run in _runs(tuner, search):
        values, what = run.trial["values"], f"El {_trial_label(str(run.trial['trial_id']), search)}"
        _require_holdout(run, what, context.profile)
        first_rate = run.learning_rates[0] if run.learning_rates else None
        if fixed is None:
            require(run.batch_size == values.get("batch_size"),
                    f"{what} no entrena con el batch_size que ha elegido el tuner (hp.Int en fit).")
            require(first_rate is not None and math.isclose(first_rate, values.get("lr", math.nan), rel_tol=RATE_TOLERANCE),
                    f"{what} no empieza con la tasa de aprendizaje 'lr' que ha elegido el tuner.")
        else:
            require(run.batch_size == fixed["batch_size"],
                    f"{what} no usa el batch_size ajustado en el ejercicio 1 ({_text(fixed['batch_size'])}).")
            require(_close_to_tuned(first_rate, fixed["lr"]),
                    f"{what} no empieza con la tasa de aprendizaje ajustada en el ejercicio 1 ({_text(fixed['lr'])}; "
                    "puedes redondearla a dos cifras significativas).")
        early = _callback(run, keras.callbacks.EarlyStopping, what, "terminación temprana")
        require(early.monitor == OBJECTIVE, f"La terminación temprana {_of(what)} debe vigilar '{OBJECTIVE}'.")
        if fixed is not None:
            _require_scheduler(run, values, early, what)
    _require_reports_agree(tuner, search)


def _require_scheduler(run: TrainingRun, values: dict, early, what: str) -> None:
    reduce = _callback(run, keras.callbacks.ReduceLROnPlateau, what, "el planificador")
    require(reduce.monitor == OBJECTIVE, f"El ReduceLROnPlateau {_of(what)} debe vigilar '{OBJECTIVE}'.")
    require(
        math.isclose(reduce.factor, values.get("factor", math.nan), rel_tol=1e-9) and reduce.patience == values.get("patience"),
        f"El ReduceLROnPlateau {_of(what)} no usa el factor y la paciencia que ha elegido el tuner.",
    )
    require(reduce.min_lr > 0, f"El ReduceLROnPlateau {_of(what)} debe tener una cota inferior min_lr.")
    require(early.patience == 2 * reduce.patience,
            f"La paciencia de la terminación temprana {_of(what)} debe ser el doble de la del planificador.")


@hidden_check
def check_lr_reductions(tuner, *, search: str = "planificador") -> None:
    """In every trial the learning rate changed exactly when its ReduceLROnPlateau says it should.

    Each run is judged on its own numbers: Keras' ReduceLROnPlateau, replayed on
    the monitored values the run recorded (its min_delta, cooldown and min_lr
    included), must give the learning rate every epoch began with.
    """
    for run in _runs(_tuner(tuner, search), search):
        what = f"El {_trial_label(str(run.trial['trial_id']), search)}"
        reduce = _callback(run, keras.callbacks.ReduceLROnPlateau, what, "el planificador")
        monitored, rates = run.history.get(reduce.monitor) or [], list(run.learning_rates)
        require(monitored and len(rates) >= len(monitored),
                f"{what} no registra '{reduce.monitor}' en cada época: no se puede juzgar su planificador.")
        try:
            expected = replayed_learning_rates(reduce, monitored, rates[0])
        except Exception as error:
            raise CheckFailed(f"El ReduceLROnPlateau {_of(what)} no se puede aplicar ({type(error).__name__}).") from None
        wrong = next((epoch for epoch, (got, want) in enumerate(zip(rates, expected), start=1)
                      if not math.isclose(got, want, rel_tol=RATE_TOLERANCE)), None)
        require(wrong is None, f"En el {_trial_label(str(run.trial['trial_id']), search)} la tasa de aprendizaje de la "
                               f"época {wrong} no es la que da su ReduceLROnPlateau según la validación de las épocas "
                               "anteriores: solo él debe cambiarla.")


@hidden_check
def check_best_trial_accuracy(tuner, *, search: str, assignment: str, context: GradingContext,
                              measured: Measured) -> None:
    """The search's best trial (by the scores its fits recorded) reaches the assignment's minimum validation accuracy."""
    accuracy = best_validation_accuracy(tuner, search)
    require(math.isfinite(accuracy), f"Los trials de {TUNERS[search]} no registran '{OBJECTIVE}': valida cada uno con "
                                     "validation_data=(x_val, y_val).")
    minimum = context.minimum_accuracy("valid", assignment)
    measured.record_accuracy(value=accuracy, split=SPLIT_NAMES["valid"], minimum=minimum,
                             of=f"el mejor trial de {TUNERS[search]}")
    require(accuracy >= minimum,
            f"La exactitud en validación del mejor trial de {TUNERS[search]} ({number(accuracy, 4)}) no llega al "
            f"mínimo exigido ({number(minimum, 4)}).")


@hidden_check
def check_final_training(model, history, tuned, *, context: GradingContext, evidence: LoadedEvidence) -> None:
    """The final model trained on x_train_val (train + validation), with the tuned settings, never on test."""
    run = final_record(model, history, evidence)
    what = "El entrenamiento final"
    require(
        not touches_test_set(run, context.profile),
        f"{what} usa imágenes de test (¿validation_data=(x_test, y_test)?): el test no debe guiar el entrenamiento.",
    )
    require(run.train_rows is not None
            and np.array_equal(np.sort(run.train_rows), np.sort(pool(context.profile).train_fingerprints)),
            f"{what} debe usar x_train_val completo (entrenamiento + validación).")
    fixed = tuned_values(tuned)
    require(run.batch_size == fixed["batch_size"],
            f"{what} no usa el batch_size ajustado en el ejercicio 1 ({_text(fixed['batch_size'])}).")
    require(_close_to_tuned(run.learning_rates[0] if run.learning_rates else None, fixed["lr"]),
            f"{what} no empieza con la tasa de aprendizaje ajustada en el ejercicio 1 ({_text(fixed['lr'])}).")


def final_test_accuracy(model, profile: str) -> float:
    ref = pool(profile)
    return model_accuracy(model, ref.x_test / 255.0, ref.y_test)


@hidden_check
def check_final_accuracy(model, history, *, assignment: str, context: GradingContext, evidence: LoadedEvidence,
                         measured: Measured) -> None:
    """The final model reaches the assignment's minimum test accuracy for this profile."""
    final_record(model, history, evidence)
    require_minimum(final_test_accuracy(model, context.profile), split="test", assignment=assignment, context=context,
                    measured=measured)


RESULT_ROWS = {"lr_batch_size": ("val", "modelo_val"), "planificador": ("val", "modelo_val"), "final": ("test",)}


def _reported_best_score(tuner: HandedTuner):
    best, reported = tuner.reported.get("best"), _reported_trials(tuner) or {}
    return reported.get(best[0], {}).get("score") if best else None


@hidden_check
def check_results_table(results, tuner_lr, tuner_planificador, model, *, context: GradingContext) -> None:
    """``resultados`` holds the searches' best validation accuracies and the final model's test accuracy.

    A search's ``val`` is its best trial's score, as its fits recorded it: with
    executions_per_trial > 1, the mean over that trial's executions.
    """
    require(
        isinstance(results, dict) and all(
            isinstance(results.get(row), dict) and all(isinstance(results[row].get(key), (int, float)) for key in keys)
            for row, keys in RESULT_ROWS.items()),
        "resultados no tiene las filas y columnas de la tabla (números entre 0 y 1).",
    )
    for row, tuner, search in (("lr_batch_size", tuner_lr, "lr"), ("planificador", tuner_planificador, "planificador")):
        given, recorded = results[row]["val"], best_validation_accuracy(tuner, search)
        require(math.isfinite(recorded), f"Los trials de {TUNERS[search]} no registran '{OBJECTIVE}': no hay "
                                         f"exactitud en validación con que comparar resultados['{row}']['val'].")
        if not math.isclose(given, recorded, abs_tol=1e-4):
            said = _reported_best_score(tuner)
            require(not (isinstance(said, (int, float)) and math.isclose(given, said, abs_tol=1e-4)),
                    f"resultados['{row}']['val'] es la puntuación que informa {TUNERS[search]} de su mejor trial "
                    f"({number(said, 4)}), pero {MISMATCH}: su mejor trial registró {number(recorded, 4)}.")
            raise CheckFailed(f"resultados['{row}']['val'] ({number(given, 4)}) no es la exactitud en validación del "
                              f"mejor trial de {TUNERS[search]} ({number(recorded, 4)}, su score).")
        require(0 <= results[row]["modelo_val"] <= 1, f"resultados['{row}']['modelo_val'] debe ser una exactitud (entre 0 y 1).")
    require(math.isclose(results["final"]["test"], final_test_accuracy(model, context.profile), abs_tol=0.003),
            "resultados['final']['test'] no es la exactitud en test de final_model.")


def search_accuracies(namespace: dict, profile: str) -> dict[str, float]:
    """p3's measure for calibration: the worse search's best validation accuracy, and the final test accuracy."""
    return {
        "valid": min(best_validation_accuracy(namespace[name], search) for search, name in TUNERS.items()),
        "test": final_test_accuracy(namespace["final_model"], profile),
    }
