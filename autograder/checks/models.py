"""Check that every training run starts from a new, untrained model."""

from __future__ import annotations

import keras

from autograder.checks.failure import CheckFailed, require


def _variables(model) -> set[int]:
    return {id(variable) for variable in model.weights}


def _steps_taken(model) -> int:
    optimizer = getattr(model, "optimizer", None)
    return 0 if optimizer is None else int(optimizer.iterations)


def check_fresh_models(build_model, runs) -> None:
    """``build_model()`` gives a new untrained model per call; no run reuses another's model.

    ``runs`` maps a run name to ``(model, history)``. A model that was already
    trained before its run has taken more optimizer steps than its own history
    records, and a model shared between runs shares its variables.
    """
    try:
        first, second = build_model(), build_model()
    except Exception as error:
        raise CheckFailed(f"build_model() falla al llamarla sin argumentos ({type(error).__name__}).") from None
    for model in (first, second):
        require(isinstance(model, keras.Model), "build_model() debe devolver un modelo de Keras.")
        require(model.weights, "build_model() debe devolver un modelo construido: empieza la red con keras.Input.")
    require(
        first is not second and not (_variables(first) & _variables(second)),
        "build_model() devuelve el mismo modelo en cada llamada: debe crear uno nuevo.",
    )
    require(
        _steps_taken(first) == 0 and _steps_taken(second) == 0,
        "build_model() devuelve un modelo ya entrenado: debe crear uno nuevo sin entrenar.",
    )

    require(isinstance(runs, dict) and runs, "runs debe ser un diccionario con los entrenamientos.")
    owners: dict[int, str] = {}
    own_steps: dict[str, int] = {}
    for name, run in runs.items():
        try:
            model, history = run
            own_steps[name] = int(history.params["steps"]) * len(history.epoch)
        except Exception:
            raise CheckFailed(f"El entrenamiento '{name}' de runs debe ser la pareja (modelo, history) que devuelve train_model.") from None
        shared = {owners[v] for v in _variables(model) if v in owners}
        require(
            not shared,
            f"Los entrenamientos '{min(shared, default='')}' y '{name}' usan el mismo modelo: "
            "crea un modelo nuevo con build_model en cada entrenamiento.",
        )
        owners.update(dict.fromkeys(_variables(model), name))
    for name, (model, _) in runs.items():
        require(
            _steps_taken(model) == own_steps[name],
            f"El modelo del entrenamiento '{name}' ya estaba entrenado antes de empezar: "
            "crea un modelo nuevo con build_model en cada entrenamiento.",
        )
