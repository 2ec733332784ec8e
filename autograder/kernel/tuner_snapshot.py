"""Plain-data snapshots of keras_tuner objects, taken in the student's kernel; nothing is judged here.

- :func:`trial_of`: the trial a ``fit`` call trains for. keras_tuner passes every
  trial's ``fit`` a ``TunerCallback`` that holds the tuner and the trial, so the
  fit log can say which tuner and which hyperparameter values the run belongs to,
  and which hyperparameters the trial had declared when its fit began.
- :func:`tuner_snapshot`: a tuner a hidden cell hands over: its objective and
  what it reports when the hidden cell runs: the search space its oracle holds
  (and ``get_space`` returns), every trial's values, score and status, its
  best trial and the values ``get_best_hyperparameters`` gives. The student's code may have rewritten any of it after the search
  (edited files reloaded, attributes replaced): the checks compare it with the
  fit log, never take it as evidence of how the trials trained.

keras_tuner is never imported here: its objects are recognised by the module
their classes come from, so notebooks that do not use it pay nothing.
"""

from __future__ import annotations

_type, _id, _getattr, _isinstance, _dict, _str = type, id, getattr, isinstance, dict, str
_PLAIN = (bool, int, float, str)


def keras_tuner_classes(value) -> list[str]:
    """Names of the keras_tuner classes ``value``'s real class derives from (empty for other objects)."""
    return [cls.__name__ for cls in _type(value).__mro__ if (cls.__module__ or "").startswith("keras_tuner")]


def trial_of(callbacks) -> dict | None:
    """The tuner and trial a fit call's callbacks say it trains for, or None outside a search."""
    for callback in callbacks or ():
        if "TunerCallback" in keras_tuner_classes(callback):
            trial = _getattr(callback, "trial", None)
            return {
                "tuner_id": _id(_getattr(callback, "tuner", None)),
                "trial_id": _str(_getattr(trial, "trial_id", "")),
                "values": _values(_getattr(trial, "hyperparameters", None)),
                "space": _space(_getattr(trial, "hyperparameters", None)),
            }
    return None


def tuner_snapshot(tuner) -> dict:
    """A tuner as plain data: what its oracle searched, and for which objective (its runs are in the fit log)."""
    oracle = _getattr(tuner, "oracle", None)
    objective = _getattr(oracle, "objective", None)
    hyperparameters = _getattr(oracle, "hyperparameters", None)
    return {
        "kind": "tuner",
        "id": _id(tuner),
        "objective": {"name": _plain(_getattr(objective, "name", None)),
                      "direction": _plain(_getattr(objective, "direction", None))},
        "space": [_hyperparameter(hp) for hp in (_getattr(hyperparameters, "space", None) or ())],
        "reported": {
            "get_space": _reported(lambda: _space(oracle.get_space())),
            "trials": _reported(lambda: [_trial(trial) for trial in _dict(oracle.trials).values()]),
            "best": _reported(lambda: [_str(trial.trial_id) for trial in oracle.get_best_trials(1)]),
            "best_hyperparameters": _reported(lambda: [_values(hp) for hp in tuner.get_best_hyperparameters(1)]),
        },
    }


def _reported(read):
    """What the tuner reports, or None when asking it fails (the checks then judge without it)."""
    try:
        return read()
    except Exception:
        return None


def _space(hyperparameters) -> list[dict] | None:
    try:
        return [_hyperparameter(hp) for hp in (_getattr(hyperparameters, "space", None) or ())]
    except Exception:
        return None


def _trial(trial) -> dict:
    """One trial as the oracle reports it: its id, values, score and status."""
    return {"trial_id": _str(_getattr(trial, "trial_id", "")), "values": _values(_getattr(trial, "hyperparameters", None)),
            "score": _plain(_getattr(trial, "score", None)), "status": _plain(_getattr(trial, "status", None))}


def _hyperparameter(hp) -> dict:
    """One hyperparameter of the space: its keras_tuner class and its plain settings."""
    config = hp.get_config()
    settings = {key: _plain(value) for key, value in config.items() if key != "conditions"}
    return {"class": (keras_tuner_classes(hp) or ["?"])[0], **settings}


def _values(hyperparameters) -> dict:
    values = _getattr(hyperparameters, "values", None) or {}
    return {_str(name): _plain(value) for name, value in _dict(values).items()}


def _plain(value):
    """A JSON-safe copy: numbers, strings, lists of them; anything else as its type's name."""
    if value is None or _isinstance(value, _PLAIN):
        return value
    if _isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    item = _getattr(value, "item", None)  # NumPy scalars
    if item is not None and _getattr(value, "shape", None) == ():
        return item()
    return f"<{_type(value).__name__}>"
