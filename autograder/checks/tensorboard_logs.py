"""p4: what TensorBoard's logs hold, read outside the kernel and matched with the fit log's own records.

A training run's logs must hold, for each of its epochs, the training and
validation scalars its record shows and the weight histograms. An HParams
grid must hold one run per combination, each with its hyperparameters and the
validation figures of one of the notebook's trainings: a figure that no
training recorded on the validation images (a test figure) is not one.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from tensorboard.plugins.hparams import metadata as hparams_metadata

from autograder.checks.accuracy import model_accuracy
from autograder.checks.evaluation import LOSS_TOLERANCE
from autograder.checks.loaded_evidence import kernel_id, recorded_runs, training_record
from autograder.checks.event_logs import Series, read_log
from autograder.checks.failure import require
from autograder.checks.reference import pool
from autograder.checks.splits import touches_test_set
from autograder.kernel.training_run import EventLog, TrainingRun

EPOCH_SCALARS = {"epoch_loss": "loss", "epoch_accuracy": "accuracy"}  # Keras' tag -> the history's key
METRICS = ("val_loss", "val_accuracy")  # what each HParams run must log, under these tags


def _scalars_match(series: Series | None, values: list[float]) -> bool:
    logged = series.scalars() if series else {}
    return bool(values) and all(
        epoch in logged and math.isclose(logged[epoch], value, rel_tol=1e-5, abs_tol=1e-7)
        for epoch, value in enumerate(values))


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
    """One run of the HParams grid: its hyperparameters and the training whose validation figures it logged."""

    folder: str
    hparams: dict
    record: TrainingRun
    val_accuracy: float


def _hparam_value(value):
    kind = value.WhichOneof("kind")
    return getattr(value, kind) if kind else None


def _declared_domains(runs: dict) -> dict[str, list]:
    """The discrete domain of each hyperparameter declared with ``hp.hparams_config`` (empty if none)."""
    for tags in runs.values():
        series = tags.get(hparams_metadata.EXPERIMENT_TAG)
        if series and series.plugin == hparams_metadata.PLUGIN_NAME:
            experiment = hparams_metadata.parse_experiment_plugin_data(series.content)
            return {info.name: [_hparam_value(v) for v in info.domain_discrete.values]
                    for info in experiment.hparam_infos if info.HasField("domain_discrete")}
    return {}


def _matching_run(logged: dict[str, float], used: set[int]) -> TrainingRun | None:
    """A training whose record shows, at some epoch, exactly the validation figures ``logged``."""
    for index, record in enumerate(recorded_runs()):
        if index in used or record.validation_rows is None or touches_test_set(record):
            continue
        history, count = record.history, len(record.validation_rows)
        for loss, accuracy in zip(history.get("val_loss", []), history.get("val_accuracy", [])):
            if (math.isclose(loss, logged["val_loss"], rel_tol=LOSS_TOLERANCE)
                    and abs(accuracy - logged["val_accuracy"]) <= 1.5 / count):
                used.add(index)
                return record
    return None


def grid_runs(events: EventLog) -> list[GridRun]:
    """The grid's runs, each matched with its training, after checking the grid is complete."""
    require(isinstance(events, EventLog) and events.inside and events.files,
            "No hay registros de HParams en HPARAMS_DIR: escribe allí un registro por combinación.")
    runs = read_log(events)
    sessions = {folder: tags[hparams_metadata.SESSION_START_INFO_TAG] for folder, tags in runs.items()
                if hparams_metadata.SESSION_START_INFO_TAG in tags}
    require(sessions, "Los registros de HPARAMS_DIR no tienen ninguna ejecución con sus hiperparámetros (hp.hparams).")
    grid, used = [], set()
    for folder, series in sorted(sessions.items()):
        info = hparams_metadata.parse_session_start_info_plugin_data(series.content)
        hparams = {name: _hparam_value(value) for name, value in info.hparams.items()}
        scalars = {tag: runs[folder][tag].scalars() for tag in METRICS if tag in runs[folder]}
        require(len(scalars) == len(METRICS) and all(scalars.values()),
                f"La ejecución de HParams {hparams} debe registrar val_loss y val_accuracy (tf.summary.scalar).")
        logged = {tag: values[max(values)] for tag, values in scalars.items()}
        record = _matching_run(logged, used)
        require(record is not None,
                f"Lo registrado para {hparams} no es la validación de ningún entrenamiento del cuaderno: "
                "registra val_loss y val_accuracy con x_val, nunca con el test.")
        grid.append(GridRun(folder, hparams, record, logged["val_accuracy"]))
    _require_complete(grid, _declared_domains(runs))
    return grid


def _require_complete(grid: list[GridRun], declared: dict[str, list]) -> None:
    names = set(grid[0].hparams)
    require(all(set(run.hparams) == names for run in grid),
            "Todas las ejecuciones de HParams deben registrar los mismos hiperparámetros.")
    domains = {name: declared.get(name) or sorted({run.hparams[name] for run in grid}, key=repr) for name in names}
    require(len(names) >= 2 and all(len(values) >= 2 for values in domains.values()),
            "La rejilla debe combinar al menos dos hiperparámetros, con al menos dos valores cada uno.")
    wanted = {tuple(sorted(zip(domains, combination))) for combination in itertools.product(*domains.values())}
    logged = [tuple(sorted(run.hparams.items())) for run in grid]
    require(len(logged) == len(set(logged)) == len(wanted) and set(logged) == wanted,
            f"La rejilla debe tener exactamente una ejecución por combinación ({len(wanted)}); tiene {len(logged)}.")


def check_hparams_grid(events) -> None:
    """Every combination of the grid ran once, logging its hyperparameters and its own validation figures."""
    grid_runs(events)


def _same_values(given: dict, hparams: dict) -> bool:
    return set(given) == set(hparams) and all(
        math.isclose(given[name], value, rel_tol=1e-6) if isinstance(value, float) and isinstance(given[name], (int, float))
        else given[name] == value for name, value in hparams.items())


def check_best_combination(events, best, model, test_accuracy) -> None:
    """``best`` is the combination with the highest validation accuracy, ``model`` its trained model and
    ``test_accuracy`` that model's accuracy on the test set."""
    grid = grid_runs(events)
    top = max(run.val_accuracy for run in grid)
    winners = [run for run in grid if run.val_accuracy >= top - 1e-9]
    require(isinstance(best, dict) and any(_same_values(best, run.hparams) for run in winners),
            "mejor_combinacion no es la combinación con la mayor exactitud en validación de la rejilla.")
    require(any(kernel_id(model) == run.record.model_id for run in winners if _same_values(best, run.hparams)),
            "mejor_modelo debe ser el modelo entrenado con mejor_combinacion en la rejilla.")
    ref = pool()
    accuracy = model_accuracy(model, ref.x_test / 255.0, ref.y_test, "mejor_modelo")
    require(isinstance(test_accuracy, (int, float)) and abs(float(test_accuracy) - accuracy) <= 1.5 / len(ref.y_test),
            "test_mejor no es la exactitud de mejor_modelo en el conjunto de test.")
