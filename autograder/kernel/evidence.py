"""Hand the hidden checks' evidence over to the grader, from inside the student's kernel.

A hidden test cell calls ``verify.<check>(values...)``. Nothing is judged
here: each call writes one self-contained folder (the values as arrays, saved
models, callback settings and training-history references, plus the fit log's
records so far) that a separate process, which the student's code never
touched, loads and judges after the notebook has run (``autograder.checks.verdicts``).

What the student's code could do against it, and what stops it:

- Patch numpy, Keras, ``json``, ``os`` or builtins before a hidden cell runs:
  this module is imported as the kernel starts (the fit-log extension), before
  any student code, and keeps its own references to everything it calls.
- Rewrite, delete or plant evidence: in the sandbox each call's folder is
  written in a staging folder the kernel cannot list, under a random name, and
  then moved into a drop box the kernel cannot list, read, write or delete in.
  A folder planted there under a hidden cell's key makes that cell's count of
  calls wrong, which fails it. Outside the sandbox the evidence lies in
  ``.evidencia/`` beside the notebook, unprotected.
"""

from __future__ import annotations

import builtins
import json
import os
import secrets
import tempfile

import keras
import numpy as np

from autograder.kernel import fit_log
from autograder.kernel.layout import CALL_FILE, DROP_BOX_ENV, EVIDENCE_DIR, FIT_LOG_DIR, STAGING_ENV, cell_key

# Bound now, before any student code runs: later patches do not reach the recorder.
_open, _type, _id, _vars, _isinstance, _callable = (
    builtins.open, builtins.type, builtins.id, builtins.vars, builtins.isinstance, builtins.callable)
_mkdir, _makedirs, _rename, _join, _token = os.mkdir, os.makedirs, os.rename, os.path.join, secrets.token_hex
_mkdtemp, _dumps = tempfile.mkdtemp, json.dumps
_asarray, _ascontiguous, _floating, _integer, _bool = (
    np.asarray, np.ascontiguousarray, np.floating, np.integer, np.bool_)
_Model, _History, _Callback, _save_model = (
    keras.Model, keras.callbacks.History, keras.callbacks.Callback, keras.saving.save_model)
_LOG = fit_log.LOG
_KERAS_CALLBACKS = {
    _id(cls): name for name, cls in _vars(keras.callbacks).items()
    if _isinstance(cls, _type) and issubclass(cls, _Callback)
}
_NPY_MAGIC = b"\x93NUMPY\x01\x00"


class _Recorder:
    """``verify.check_name(*values)`` hands a call of the named check on those values over."""

    def __init__(self):
        self._drop_box = os.environ.get(DROP_BOX_ENV) or _join(os.getcwd(), EVIDENCE_DIR)
        self._staging = os.environ.get(STAGING_ENV)
        self._cell = cell_key("")
        self._calls = 0

    def running(self, source: str) -> None:
        self._cell = cell_key(source)

    def __getattr__(self, check: str):
        if check.startswith("_"):
            raise AttributeError(check)

        def record(*args, **kwargs) -> None:
            self._calls += 1
            self._hand_over(f"{self._cell}-{self._calls:04d}-{_token(8)}", check, args, kwargs)

        return record

    def _hand_over(self, name: str, check: str, args, kwargs) -> None:
        target = _join(self._drop_box, name)
        if self._staging:
            staged = _mkdtemp(dir=self._staging)
            write_call(staged, check, args, kwargs)
            try:
                _rename(staged, target)
                return
            except OSError:  # Landlock without cross-folder moves (ABI 1): from now on, write in place
                self._staging = None
        write_call(target, check, args, kwargs)


verify = _Recorder()


def track_cells(ipython) -> None:
    """Keep ``verify`` told which cell is running (IPython's ``pre_run_cell`` event)."""
    ipython.events.register("pre_run_cell", lambda info: verify.running(info.raw_cell or ""))


def write_call(folder: str | os.PathLike, check: str, args, kwargs) -> None:
    """One call's folder: the check's name, its values and the fit log as it stands."""
    folder = os.fspath(folder)
    _makedirs(folder, exist_ok=True)
    call = {
        "check": check,
        "args": [_dump(value, folder, f"arg{i}") for i, value in enumerate(args)],
        "kwargs": {name: _dump(value, folder, f"kw_{name}") for name, value in kwargs.items()},
    }
    _write_text(_join(folder, CALL_FILE), _dumps(call, default=_plain))
    _write_fit_log(_join(folder, FIT_LOG_DIR))


def _write_fit_log(folder: str) -> None:
    """Every fit record so far, as plain data: the runs' evidence."""
    _mkdir(folder)
    for index, record in enumerate(_LOG.records):
        target = _join(folder, f"{index:04d}")
        _mkdir(target)
        for name in ("train_rows", "validation_rows"):
            rows = getattr(record, name)
            if rows is not None:
                _write_npy(_join(target, f"{name}.npy"), rows)
        plain = {
            "model_id": _id(record.model),
            "previous_fits": record.previous_fits,
            "validation_source": record.validation_source,
            "callbacks": [_callback(callback) for callback in record.callbacks],
            "history": record.history_values,
            "optimizer": record.optimizer,
            "optimizer_steps_at_start": record.optimizer_steps_at_start,
            "variables": sorted(record.variables),
            "dense_layers": [_vars(layer) for layer in record.dense_layers],
            "shared_variables_with": record.shared_variables_with,
        }
        _write_text(_join(target, "record.json"), _dumps(plain, default=_plain))


def _dump(value, folder: str, name: str) -> dict:
    """A JSON reference to ``value``; arrays and models go to files beside it."""
    try:
        return _reference(value, folder, name)
    except Exception as error:  # an object that cannot be handed over is evidence of nothing
        return {"kind": "unreadable", "type": _type(value).__name__, "error": _type(error).__name__}


def _reference(value, folder: str, name: str) -> dict:
    kind = _type(value)  # the real class: an object cannot pass for another through __class__
    if value is None or issubclass(kind, (bool, int, float, str)):
        return {"kind": "value", "value": value}
    if issubclass(kind, _Model):
        _save_model(value, _join(folder, f"{name}.keras"))
        return {"kind": "model", "id": _id(value), "file": f"{name}.keras"}
    if issubclass(kind, _History):
        record = _LOG.record_for(value)
        index = None if record is None else _LOG.records.index(record)
        return {"kind": "history", "record": index}
    if issubclass(kind, _Callback):
        return _callback(value)
    if issubclass(kind, dict):
        return {"kind": "dict", "items": [[str(key), _dump(item, folder, f"{name}_{i}")] for i, (key, item) in enumerate(value.items())]}
    if issubclass(kind, (list, tuple)):
        return {"kind": "sequence", "items": [_dump(item, folder, f"{name}_{i}") for i, item in enumerate(value)]}
    if _callable(value) and not hasattr(value, "__array__"):
        return {"kind": "builder", "probe": _probe_builder(value)}
    _write_npy(_join(folder, f"{name}.npy"), _asarray(value))
    return {"kind": "array", "file": f"{name}.npy"}


def _write_npy(path: str, array) -> None:
    """An array in NumPy's .npy format (version 1.0), written by this module alone."""
    array = _ascontiguous(array)
    if array.dtype.hasobject:
        raise TypeError("object arrays are not evidence")
    header = repr({"descr": array.dtype.str, "fortran_order": False, "shape": array.shape})
    header = header + " " * (63 - (len(_NPY_MAGIC) + 2 + len(header)) % 64) + "\n"
    with _open(path, "wb") as file:
        file.write(_NPY_MAGIC + len(header).to_bytes(2, "little") + header.encode("latin1"))
        file.write(array.tobytes())


def _write_text(path: str, text: str) -> None:
    with _open(path, "w", encoding="utf-8") as file:
        file.write(text)


def _callback(callback) -> dict:
    """A callback as the Keras class it derives from and its plain settings."""
    keras_class = next((_KERAS_CALLBACKS[_id(cls)] for cls in _type(callback).__mro__ if _id(cls) in _KERAS_CALLBACKS),
                       "Callback")
    settings = {
        key: value
        for key, value in _vars(callback).items()
        if not key.startswith("_") and (value is None or issubclass(_type(value), (bool, int, float, str)))
    }
    return {"kind": "callback", "class": keras_class, "id": _id(callback), "settings": settings}


def _probe_builder(builder) -> dict:
    """Call a model builder twice: what it returns, not how it is written, is the evidence."""
    try:
        first, second = builder(), builder()
    except Exception as error:
        return {"error": _type(error).__name__}
    models = [model for model in (first, second) if issubclass(_type(model), _Model)]
    parts = [{_id(part) for part in [*fit_log.flat_layers(model), *model.weights]} for model in models]
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
    if _isinstance(value, (_floating, _integer, _bool)):
        return value.item()
    raise TypeError(_type(value).__name__)
