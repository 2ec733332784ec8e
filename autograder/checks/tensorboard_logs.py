"""p4: what TensorBoard's logs hold, read outside the kernel and matched with the fit log's own records.

A training run's logs must hold, for each of its epochs, the training and
validation scalars its record shows and the weight histograms. An HParams
grid must hold one run per combination, each with its hyperparameters and the
validation figures of one of the notebook's trainings: a figure that no
training recorded on the validation images (a test figure) is not one, and a
combination must not log its model's test figures beside them (the kernel logs
every ``evaluate`` call). The best combination is judged on its own, on the
combinations the grid logged, even when the grid fails its own item (logged
as one run, incomplete, with a test figure beside the validation ones).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from tensorboard.plugins.hparams import metadata as hparams_metadata

from autograder.checks.accuracy import model_accuracy
from autograder.checks.evaluation import LOSS_TOLERANCE
from autograder.checks.event_logs import Series, read_log
from autograder.checks.failure import CheckFailed, require
from autograder.checks.loaded_evidence import LoadedEvidence, training_record
from autograder.checks.reference import pool
from autograder.checks.splits import touches_test_set
from autograder.checks.wording import number
from autograder.grading_context import GradingContext
from autograder.judge.registry import hidden_check
from autograder.kernel.fingerprints import rows_digest
from autograder.kernel.training_run import EventLog, TrainingRun

EPOCH_SCALARS = {"epoch_loss": "loss", "epoch_accuracy": "accuracy"}  # Keras' tag -> the history's key
METRICS = ("val_loss", "val_accuracy")  # what each HParams run must log, under these tags


def _scalars_match(series: Series | None, values: list[float]) -> bool:
    logged = series.scalars() if series else {}
    return bool(values) and all(
        epoch in logged and math.isclose(logged[epoch], value, rel_tol=1e-5, abs_tol=1e-7)
        for epoch, value in enumerate(values))


@hidden_check
def check_tensorboard_run(history, *, history_name: str = "historia_tb") -> None:
    """The run's TensorBoard callback logged, inside the notebook's folder, every epoch's scalars and histograms."""
    record = training_record(history, history_name)
    boards = [callback for callback in record.callbacks if type(callback).__name__ == "TensorBoard"]
    require(boards and record.tensorboard,
            f"El entrenamiento de {history_name} no usa un callback keras.callbacks.TensorBoard.")
    require(all(getattr(board, "histogram_freq", 0) == 1 for board in boards),
            f"El callback TensorBoard de {history_name} debe guardar histogramas de los pesos en cada época "
            "(histogram_freq=1).")
    log = record.tensorboard[0]
    require(log.inside, f"La carpeta de registros de TensorBoard de {history_name} debe estar dentro de la carpeta "
                        "del cuaderno (por ejemplo LOG_DIR), para que el corrector pueda leerla.")
    runs = read_log(log)
    train, validation = runs.get("train", {}), runs.get("validation", {})
    missing = "Los registros de TensorBoard de {name} no tienen {what} de cada época (¿se han borrado o movido?)."
    for tag, key in EPOCH_SCALARS.items():
        require(_scalars_match(train.get(tag), record.history.get(key, [])),
                missing.format(name=history_name, what=f"la métrica {key} de entrenamiento"))
        require(_scalars_match(validation.get(tag), record.history.get(f"val_{key}", [])),
                missing.format(name=history_name, what=f"la métrica {key} de validación"))
    epochs = set(range(len(record.history.get("loss", []))))
    require(any(series.plugin == "histograms" and epochs <= set(series.steps) for series in train.values()),
            missing.format(name=history_name, what="los histogramas de los pesos"))


@dataclass(frozen=True)
class GridRun:
    """One combination of the HParams grid: its hyperparameters and the training whose validation figures it logged."""

    folder: str
    hparams: dict
    record: TrainingRun
    val_accuracy: float


@dataclass(frozen=True)
class Grid:
    """The grid's combinations, each matched with its training, and why the grid item fails (None: it passes)."""

    runs: list[GridRun]
    problem: str | None


def _hparam_value(value):
    kind = value.WhichOneof("kind")
    return getattr(value, kind) if kind else None


def combination(hparams: dict) -> str:
    """A combination as a student reads it: ``(unidades = 512; descarte = 0,2)``."""
    def spelled(value):
        return number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    return "(" + "; ".join(f"{name} = {spelled(value)}" for name, value in sorted(hparams.items())) + ")"


def _declared_domains(runs: dict) -> dict[str, list]:
    """The discrete domain of each hyperparameter declared with ``hp.hparams_config`` (empty if none)."""
    for tags in runs.values():
        series = tags.get(hparams_metadata.EXPERIMENT_TAG)
        if series and series.plugin == hparams_metadata.PLUGIN_NAME:
            experiment = hparams_metadata.parse_experiment_plugin_data(series.content)
            return {info.name: [_hparam_value(v) for v in info.domain_discrete.values]
                    for info in experiment.hparam_infos if info.HasField("domain_discrete")}
    return {}


def _matching_run(logged: dict[str, float], used: set[int], profile: str, evidence: LoadedEvidence) -> TrainingRun | None:
    """A training whose record shows, at some epoch, exactly the validation figures ``logged``."""
    for index, record in enumerate(evidence.recorded_runs()):
        if index in used or record.validation_rows is None or touches_test_set(record, profile):
            continue
        history, count = record.history, len(record.validation_rows)
        for loss, accuracy in zip(history.get("val_loss", []), history.get("val_accuracy", [])):
            if (math.isclose(loss, logged["val_loss"], rel_tol=LOSS_TOLERANCE)
                    and abs(accuracy - logged["val_accuracy"]) <= 1.5 / count):
                used.add(index)
                return record
    return None


def _sessions(runs: dict) -> dict[str, list[dict]]:
    """``{run folder: [hyperparameters of each hp.hparams call written there, in order]}``."""
    sessions = {}
    for folder, tags in runs.items():
        series = tags.get(hparams_metadata.SESSION_START_INFO_TAG)
        if series is None:
            continue
        infos = [hparams_metadata.parse_session_start_info_plugin_data(content) for content in series.contents]
        sessions[folder] = [{name: _hparam_value(value) for name, value in info.hparams.items()} for info in infos]
    return sessions


def _logged_figures(tags: dict, count: int) -> list[dict[str, float]] | None:
    """The validation figures of each of the ``count`` combinations logged in one folder, in order; None if missing.

    One combination in its folder: the value at the last step. Several in one folder: the values in the order they
    were written, one per combination."""
    if not all(tag in tags and tags[tag].values for tag in METRICS):
        return None
    if count == 1:
        return [{tag: values[max(values)] for tag, values in ((tag, tags[tag].scalars()) for tag in METRICS)}]
    written = {tag: [float(value.reshape(-1)[0]) for value in map(np.asarray, tags[tag].values) if value.size == 1]
               for tag in METRICS}
    if any(len(values) != count for values in written.values()):
        return None
    return [{tag: written[tag][i] for tag in METRICS} for i in range(count)]


def _test_figure_logged(runs: dict, grid: list[GridRun], profile: str, evidence: LoadedEvidence) -> str | None:
    """A sentence when a combination's folder logs, besides its validation figures, a figure that its model's
    ``evaluate`` on the test set returned, or the accuracy of its ``predict`` on the test set with the grader's
    labels (the "Ojo" of exercise 7); None otherwise."""
    ref = pool(profile)
    test_digest = rows_digest(ref.test_fingerprints)
    for run in grid:
        on_test = [evaluation for evaluation in evidence.recorded_evaluations()
                   if evaluation.model_id == run.record.model_id and evaluation.rows_digest == test_digest]
        test_figures = [value for evaluation in on_test for value in evaluation.results] + [
            float(np.mean(np.asarray(evaluation.classes) == ref.y_test))
            for evaluation in on_test if len(evaluation.classes) == len(ref.y_test)]
        for tag, series in sorted(runs[run.folder].items()):
            if tag in METRICS or series.plugin == hparams_metadata.PLUGIN_NAME:
                continue
            logged = [float(np.asarray(value).reshape(-1)[0]) for value in series.values if np.asarray(value).size == 1]
            if any(math.isclose(value, figure, rel_tol=1e-6, abs_tol=1e-9) for value in logged for figure in test_figures):
                return (f"La rejilla registra para {combination(run.hparams)} '{tag}', una cifra de su modelo en el "
                        "conjunto de test: mirar el test de cada combinación es elegir con el test (el «Ojo» del "
                        "ejercicio 7). Registra solo val_loss y val_accuracy y evalúa en test una sola vez, el modelo "
                        "elegido.")
    return None


def read_grid(events: EventLog, profile: str, evidence: LoadedEvidence) -> Grid:
    """The grid's combinations, each matched with its training; a check failure when there is nothing to judge a
    choice on (no hyperparameters, or figures that are no training's validation figures)."""
    require(isinstance(events, EventLog) and events.inside and events.files,
            "No hay registros de HParams en HPARAMS_DIR: escribe allí un registro por combinación.")
    runs = read_log(events)
    sessions = _sessions(runs)
    require(sessions, "Los registros de HPARAMS_DIR no tienen ninguna ejecución con sus hiperparámetros (hp.hparams).")
    grid, used, shared = [], set(), None
    for folder, combinations in sorted(sessions.items()):
        if len(combinations) > 1:
            shared = shared or (folder, len(combinations))
        figures = _logged_figures(runs[folder], len(combinations))
        require(figures is not None,
                f"La ejecución de HParams {combination(combinations[0])} debe registrar val_loss y val_accuracy "
                "(tf.summary.scalar), una vez por combinación.")
        for hparams, logged in zip(combinations, figures):
            record = _matching_run(logged, used, profile, evidence)
            require(record is not None,
                    f"Lo registrado para {combination(hparams)} no es la validación de ningún entrenamiento del "
                    "cuaderno: registra val_loss y val_accuracy con x_val, nunca con el test.")
            grid.append(GridRun(folder, hparams, record, logged["val_accuracy"]))
    problem = None
    if shared:
        where = f"la subcarpeta '{shared[0]}'" if shared[0] else "HPARAMS_DIR"
        problem = (f"La rejilla registra {shared[1]} combinaciones en una sola ejecución de HParams ({where}): "
                   "HParams compara ejecuciones, así que cada combinación necesita su propio registro, en una "
                   "subcarpeta de HPARAMS_DIR (un tf.summary.create_file_writer para cada una).")
    problem = problem or _test_figure_logged(runs, grid, profile, evidence) or _incomplete(grid, _declared_domains(runs))
    return Grid(grid, problem)


def _incomplete(grid: list[GridRun], declared: dict[str, list]) -> str | None:
    names = set(grid[0].hparams)
    if not all(set(run.hparams) == names for run in grid):
        return "Todas las ejecuciones de HParams deben registrar los mismos hiperparámetros."
    domains = {name: declared.get(name) or sorted({run.hparams[name] for run in grid}, key=repr) for name in names}
    if not (len(names) >= 2 and all(len(values) >= 2 for values in domains.values())):
        return "La rejilla debe combinar al menos dos hiperparámetros, con al menos dos valores cada uno."
    wanted = {tuple(sorted(zip(domains, combination))) for combination in itertools.product(*domains.values())}
    logged = [tuple(sorted(run.hparams.items())) for run in grid]
    if not (len(logged) == len(set(logged)) == len(wanted) and set(logged) == wanted):
        return f"La rejilla debe tener exactamente una ejecución por combinación ({len(wanted)}); tiene {len(logged)}."
    return None


def grid_runs(events: EventLog, profile: str, evidence: LoadedEvidence) -> list[GridRun]:
    """The grid's runs, each matched with its training, after checking the grid is complete."""
    grid = read_grid(events, profile, evidence)
    require(grid.problem is None, grid.problem or "")
    return grid.runs


@hidden_check
def check_hparams_grid(events, *, context: GradingContext, evidence: LoadedEvidence) -> None:
    """Every combination of the grid ran once in a run of its own, logging its hyperparameters and its own
    validation figures, and no test figure."""
    grid_runs(events, context.profile, evidence)


def _same_values(given: dict, hparams: dict) -> bool:
    return set(given) == set(hparams) and all(
        math.isclose(given[name], value, rel_tol=1e-6) if isinstance(value, float) and isinstance(given[name], (int, float))
        else given[name] == value for name, value in hparams.items())


@hidden_check
def check_best_combination(events, best, model, test_accuracy, *, context: GradingContext,
                           evidence: LoadedEvidence) -> None:
    """``best`` is the combination with the highest validation accuracy among those the grid logged, ``model`` its
    trained model and ``test_accuracy`` that model's accuracy on the test set.

    Judged on its own: a grid that fails its own item (logged in one run, incomplete, with a test figure beside the
    validation ones) still shows which combination won on validation."""
    try:
        grid = read_grid(events, context.profile, evidence).runs
    except CheckFailed as failure:
        raise CheckFailed("No se puede comprobar mejor_combinacion sin una rejilla con cifras de validación: "
                          f"{failure}") from None
    top = max(run.val_accuracy for run in grid)
    winners = [run for run in grid if run.val_accuracy >= top - 1e-9]
    require(isinstance(best, dict) and any(_same_values(best, run.hparams) for run in winners),
            f"mejor_combinacion no es la combinación con la mayor exactitud en validación de la rejilla: es "
            f"{combination(winners[0].hparams)}, con {number(round(top, 4))}.")
    require(any(evidence.kernel_id(model) == run.record.model_id for run in winners if _same_values(best, run.hparams)),
            "mejor_modelo debe ser el modelo entrenado con mejor_combinacion en la rejilla.")
    ref = pool(context.profile)
    accuracy = model_accuracy(model, ref.x_test / 255.0, ref.y_test, "mejor_modelo")
    require(isinstance(test_accuracy, (int, float)) and abs(float(test_accuracy) - accuracy) <= 1.5 / len(ref.y_test),
            f"test_mejor no es la exactitud de mejor_modelo en el conjunto de test ({number(round(accuracy, 4))}).")
