"""Check that every training run starts from a new, untrained model."""

from __future__ import annotations

import keras

from autograder.kernel.architecture import flat_layers
from autograder.checks.failure import CheckFailed, require
from autograder.kernel.fit_log import training_record


def _parts(model) -> set[int]:
    """Identities of the model's layers and variables: two distinct models share none."""
    return {id(part) for part in [*flat_layers(model), *model.weights]}


def _steps_taken(model) -> int:
    optimizer = getattr(model, "optimizer", None)
    return 0 if optimizer is None else int(optimizer.iterations)


def check_fresh_builder(build_model, name: str = "build_model") -> None:
    """``build_model()``, called twice, gives two distinct, built, untrained models."""
    try:
        first, second = build_model(), build_model()
    except Exception as error:
        raise CheckFailed(f"{name}() falla al llamarla sin argumentos ({type(error).__name__}).") from None
    for model in (first, second):
        require(isinstance(model, keras.Model), f"{name}() debe devolver un modelo de Keras.")
    require(
        first is not second and not (_parts(first) & _parts(second)),
        f"{name}() devuelve el mismo modelo en cada llamada: debe crear uno nuevo.",
    )
    require(
        _steps_taken(first) == 0 and _steps_taken(second) == 0,
        f"{name}() devuelve un modelo ya entrenado: debe crear uno nuevo sin entrenar.",
    )


def check_fresh_runs(histories: dict, builder: str = "build_model") -> None:
    """Each run (name -> the History its ``fit`` returned) trained a model nothing had trained before.

    The kernel's fit log knows, for every run, whether its model object had
    been fitted already, how many steps its optimizer had taken and whether
    its weights belonged to a model trained earlier.
    """
    require(isinstance(histories, dict) and histories, "Faltan los entrenamientos que se comparan.")
    advice = f"crea un modelo nuevo con {builder} en cada entrenamiento."
    owners: dict[int, str] = {}
    for name, history in histories.items():
        record = training_record(history, name)
        shared = {owners[v] for v in record.variables if v in owners}
        require(not shared, f"Los entrenamientos '{min(shared, default='')}' y '{name}' usan el mismo modelo: {advice}")
        owners.update(dict.fromkeys(record.variables, name))
        require(
            record.previous_fits == 0 and record.optimizer_steps_at_start == 0 and not record.shared_variables_with,
            f"El modelo del entrenamiento '{name}' ya estaba entrenado antes de empezar: {advice}",
        )


def check_fresh_models(build_model, runs) -> None:
    """p1's form: ``runs`` maps a run name to the ``(model, history)`` pair that ``train_model`` returns."""
    check_fresh_builder(build_model)
    require(isinstance(runs, dict) and runs, "runs debe ser un diccionario con los entrenamientos.")
    histories = {}
    for name, run in runs.items():
        try:
            _, histories[name] = run
        except Exception:
            raise CheckFailed(f"El entrenamiento '{name}' de runs debe ser la pareja (modelo, history) que devuelve train_model.") from None
    check_fresh_runs(histories)
