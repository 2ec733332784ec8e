"""Hand the hidden checks' evidence over to the grader, from inside the student's kernel.

A hidden test cell calls ``verify.<check>(values...)``. Nothing is judged
here: each call writes the values (arrays, saved models, callback settings,
training histories, the fit log's records) into ``.evidencia/`` next to the
notebook, keyed by a hash of the running cell's source. After the notebook
has run, a separate process that the student's code never touched loads the
evidence and computes the verdicts (:mod:`autograder.verdicts`). The hidden
cells' sources are secret, so student code cannot write evidence under their
keys, and a patched ``verify`` only hands over nothing, which fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np

from autograder.kernel import fit_log
from autograder.kernel.layout import CALL_FILE, EVIDENCE_DIR, FIT_LOG_DIR, cell_key


class _Recorder:
    """``verify.check_name(*values)`` records a call of the named check on those values."""

    def __init__(self):
        self.folder = Path.cwd() / EVIDENCE_DIR
        self.cell = cell_key("")
        self._calls = 0

    def running(self, source: str) -> None:
        self.cell = cell_key(source)

    def __getattr__(self, check: str):
        if check.startswith("_"):
            raise AttributeError(check)

        def record(*args, **kwargs) -> None:
            self._calls += 1
            write_call(self.folder / f"{self.cell}-{self._calls:04d}", check, args, kwargs)
            write_fit_log(self.folder / FIT_LOG_DIR)

        return record


verify = _Recorder()


def track_cells(ipython) -> None:
    """Keep ``verify`` told which cell is running (IPython's ``pre_run_cell`` event)."""
    ipython.events.register("pre_run_cell", lambda info: verify.running(info.raw_cell or ""))


def write_call(folder: Path, check: str, args, kwargs) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    call = {
        "check": check,
        "args": [_dump(value, folder, f"arg{i}") for i, value in enumerate(args)],
        "kwargs": {name: _dump(value, folder, f"kw_{name}") for name, value in kwargs.items()},
    }
    (folder / CALL_FILE).write_text(json.dumps(call, default=_plain), encoding="utf-8")


def write_fit_log(folder: Path) -> None:
    """Every fit record not written yet, as plain data: the runs' evidence."""
    for index, record in enumerate(fit_log.LOG.records):
        target = folder / f"{index:04d}"
        if (target / "record.json").exists():
            continue
        target.mkdir(parents=True, exist_ok=True)
        for name in ("train_rows", "validation_rows"):
            rows = getattr(record, name)
            if rows is not None:
                np.save(target / f"{name}.npy", rows, allow_pickle=False)
        plain = {
            "model_id": id(record.model),
            "previous_fits": record.previous_fits,
            "validation_source": record.validation_source,
            "callbacks": [_callback(callback) for callback in record.callbacks],
            "history": record.history_values,
            "optimizer": record.optimizer,
            "optimizer_steps_at_start": record.optimizer_steps_at_start,
            "variables": sorted(record.variables),
            "dense_layers": [layer.__dict__ for layer in record.dense_layers],
            "shared_variables_with": record.shared_variables_with,
        }
        (target / "record.json").write_text(json.dumps(plain, default=_plain), encoding="utf-8")


def _dump(value, folder: Path, name: str) -> dict:
    """A JSON reference to ``value``; arrays and models go to files beside it."""
    try:
        return _reference(value, folder, name)
    except Exception as error:  # an object that cannot be handed over is evidence of nothing
        return {"kind": "unreadable", "type": type(value).__name__, "error": type(error).__name__}


def _reference(value, folder: Path, name: str) -> dict:
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"kind": "value", "value": value}
    if isinstance(value, keras.Model):
        value.save(folder / f"{name}.keras")
        return {"kind": "model", "id": id(value), "file": f"{name}.keras"}
    if isinstance(value, keras.callbacks.History):
        record = fit_log.LOG.record_for(value)
        index = None if record is None else fit_log.LOG.records.index(record)
        return {"kind": "history", "record": index}
    if isinstance(value, keras.callbacks.Callback):
        return _callback(value)
    if isinstance(value, dict):
        return {"kind": "dict", "items": [[str(key), _dump(item, folder, f"{name}_{i}")] for i, (key, item) in enumerate(value.items())]}
    if isinstance(value, (list, tuple)):
        return {"kind": "sequence", "items": [_dump(item, folder, f"{name}_{i}") for i, item in enumerate(value)]}
    if callable(value) and not hasattr(value, "__array__"):
        return {"kind": "builder", "probe": _probe_builder(value)}
    array = np.asarray(value)
    np.save(folder / f"{name}.npy", array, allow_pickle=False)
    return {"kind": "array", "file": f"{name}.npy"}


def _callback(callback) -> dict:
    """A callback as the keras class it derives from and its plain settings."""
    keras_class = next(
        (cls.__name__ for cls in type(callback).__mro__ if getattr(keras.callbacks, cls.__name__, None) is cls),
        "Callback",
    )
    settings = {
        key: value
        for key, value in vars(callback).items()
        if not key.startswith("_") and (value is None or isinstance(value, (bool, int, float, str)))
    }
    return {"kind": "callback", "class": keras_class, "id": id(callback), "settings": settings}


def _probe_builder(builder) -> dict:
    """Call a model builder twice: what it returns, not how it is written, is the evidence."""
    try:
        first, second = builder(), builder()
    except Exception as error:
        return {"error": type(error).__name__}
    models = [model for model in (first, second) if isinstance(model, keras.Model)]
    parts = [{id(part) for part in [*fit_log.flat_layers(model), *model.weights]} for model in models]
    return {
        "error": None,
        "models": len(models),
        "distinct": len(models) == 2 and first is not second and not (parts[0] & parts[1]),
        "steps": [_steps_taken(model) for model in models],
    }


def _steps_taken(model) -> int:
    optimizer = getattr(model, "optimizer", None)
    return 0 if optimizer is None else int(optimizer.iterations)


def _plain(value):
    """NumPy scalars as Python numbers, for JSON (which here keeps nan and inf)."""
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    raise TypeError(type(value).__name__)
