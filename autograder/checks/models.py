"""Check that every training run starts from a new, untrained model."""

from __future__ import annotations

from autograder.checks.failure import CheckFailed, require
from autograder.checks.loaded_evidence import BuilderProbe, training_record
from autograder.judge.registry import hidden_check


@hidden_check
def check_fresh_builder(builder: BuilderProbe, name: str = "build_model") -> None:
    """``build_model()``, called twice in the kernel, gave two distinct, untrained models."""
    require(isinstance(builder, BuilderProbe), f"{name} debe ser una función que devuelve un modelo nuevo.")
    require(builder.error is None, f"{name}() falla al llamarla sin argumentos ({builder.error}).")
    require(builder.models == 2, f"{name}() debe devolver un modelo de Keras.")
    require(builder.distinct, f"{name}() devuelve el mismo modelo en cada llamada: debe crear uno nuevo.")
    require(
        not any(builder.steps),
        f"{name}() devuelve un modelo ya entrenado: debe crear uno nuevo sin entrenar.",
    )


@hidden_check
def check_fresh_runs(histories: dict, builder: str = "build_model") -> None:
    """Each run (name -> the History its ``fit`` returned) trained a model nothing had trained before.

    The kernel's fit log knows, for every run, whether its model object had
    been fitted already, how many steps its optimizer had taken and whether
    its weights belonged to a model trained earlier.
    """
    require(isinstance(histories, dict) and histories, "Faltan los entrenamientos que se comparan.")
    advice = f"crea un modelo nuevo con {builder} en cada entrenamiento."
    owners: dict[int, str] = {}
    reported: dict[int, str] = {}  # one run handed over under two names was trained once, not twice
    for name, history in histories.items():
        record = training_record(history, name)
        require(
            id(record) not in reported,
            f"'{reported.get(id(record))}' y '{name}' son el mismo entrenamiento (el mismo History): cada "
            f"entrenamiento que se compara debe ser uno propio, con su propio modelo nuevo hecho con {builder}.",
        )
        reported[id(record)] = name
        shared = {owners[v] for v in record.variables if v in owners}
        require(not shared, f"Los entrenamientos '{min(shared, default='')}' y '{name}' usan el mismo modelo: {advice}")
        owners.update(dict.fromkeys(record.variables, name))
        require(
            record.previous_fits == 0 and record.optimizer_steps_at_start == 0 and not record.shared_variables_with,
            f"El modelo del entrenamiento '{name}' ya estaba entrenado antes de empezar: {advice}",
        )


@hidden_check
def check_fresh_models(build_model, runs) -> None:
    """p1's form: ``runs`` maps a run name to the ``(model, history)`` pair that ``train_model`` returns."""
    check_fresh_builder(build_model)
    require(isinstance(runs, dict) and runs, "runs debe ser un diccionario con los entrenamientos.")
    histories = {}
    for name, run in runs.items():
        try:
            _, histories[name] = run
        except (TypeError, ValueError):
            raise CheckFailed(f"El entrenamiento '{name}' de runs debe ser la pareja (modelo, history) "
                              "que devuelve train_model.") from None
    check_fresh_runs(histories)
