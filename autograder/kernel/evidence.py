"""Hand the hidden checks' evidence over to the grader, from inside the student's kernel.

Nothing is judged here. What is handed over, each piece once, in a folder of its own:

- every ``fit`` call, the moment it returns (or raises): its fit-log record as
  plain data (``fit-<n>-<random>``), before any more student code runs;
- every call of a hidden cell, ``verify.<check>(values...)``: the check's name and
  its values (``<cell key>-<n>-<random>``), with the fit records so far named in
  order; arrays lie beside it, models are saved once per content
  (``obj-<random>``) and named by every call that hands the same model over
  again, and a keras_tuner tuner becomes a plain snapshot of its search.

A separate process, which the student's code never touched, loads it all and
judges after the notebook has run (``autograder.judge.server``).

What the student's code could do against it, and what stops it:

- Patch numpy, Keras, ``json``, ``os`` or builtins before a hidden cell runs:
  this module is imported as the kernel starts (the fit-log extension), before
  any student code, and keeps its own references to everything it calls.
- Rewrite, delete or plant evidence: in the sandbox each folder is written in a
  staging folder the kernel cannot list, under a random name, and then moved into
  a drop box the kernel cannot list, read, write or delete in. A folder planted
  there under a hidden cell's key makes that cell's count of calls wrong, which
  fails it; one planted under any other name is named by no call. Outside the
  sandbox the evidence lies in ``.evidencia/`` beside the notebook, unprotected.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import secrets
import tempfile

import keras
import numpy as np

from autograder.kernel.architecture import flat_layers, keras_layer_class, layer_chain
from autograder.kernel.event_files import copy_event_files, event_files, ignore_existing_event_files, inside_notebook_folder
from autograder.kernel.fit_records import LOG as _LOG
from autograder.kernel.layout import (
    CALL_FILE,
    DROP_BOX_ENV,
    EVIDENCE_DIR,
    FIT_FILE,
    FIT_PREFIX,
    LAYERS_FILE,
    MODEL_FILE,
    OBJECT_PREFIX,
    OUTPUT_FILE,
    SAMPLE_FILE,
    STAGING_ENV,
    cell_key,
)
from autograder.kernel.training_run import ARRAYS, EventLog, LayerSummary, TrainingRun
from autograder.kernel.tuner_snapshot import keras_tuner_classes, tuner_snapshot

# Bound now, before any student code runs: later patches do not reach the recorder.
_open, _type, _id, _vars, _isinstance, _callable, _len, _sorted, _frozenset = (
    builtins.open, builtins.type, builtins.id, builtins.vars, builtins.isinstance, builtins.callable, builtins.len,
    builtins.sorted, builtins.frozenset)
_mkdir, _makedirs, _rename, _join, _token = os.mkdir, os.makedirs, os.rename, os.path.join, secrets.token_hex
_mkdtemp, _dumps, _sha256 = tempfile.mkdtemp, json.dumps, hashlib.sha256
_asarray, _ascontiguous, _floating, _integer, _bool = (
    np.asarray, np.ascontiguousarray, np.floating, np.integer, np.bool_)
_Model, _History, _Callback, _save_model = (
    keras.Model, keras.callbacks.History, keras.callbacks.Callback, keras.saving.save_model)
_GRAPH_MODELS = (keras.Sequential, keras.src.models.functional.Functional)  # saved and loaded as they are
_KERAS_CALLBACKS = {
    _id(cls): name for name, cls in _vars(keras.callbacks).items()
    if _isinstance(cls, _type) and issubclass(cls, _Callback)
}
_NPY_MAGIC = b"\x93NUMPY\x01\x00"


class EventFiles:
    """``verify.check_...(EventFiles(folder))`` hands over the TensorBoard event files under ``folder``."""

    def __init__(self, folder):
        self.folder = str(folder)


class Recorder:
    """``verify.check_name(*values)`` hands a call of the named check on those values over.

    ``drop_box``: where the folders go (the sandbox's drop box, or ``.evidencia/``
    beside the notebook); ``staging``: where they are written first, if anywhere.
    """

    def __init__(self, drop_box: str, staging: str | None = None):
        self._drop_box, self._staging = drop_box, staging
        self._cell = cell_key("")
        self._calls = 0
        self._fits: dict[int, str] = {}  # index in the fit log -> the folder its record was handed over in
        self._models: dict[str, str] = {}  # a saved model's digest -> its object folder

    def running(self, source: str) -> None:
        self._cell = cell_key(source)

    def fit_returned(self, record) -> None:
        """Hand the record of a finished ``fit`` over (the fit log calls this as each one returns)."""
        index = _LOG.records.index(record)
        self._fits[index] = f"{FIT_PREFIX}{index:04d}-{_token(8)}"
        self._hand_over(self._fits[index], lambda folder: _write_fit(folder, record))

    def __getattr__(self, check: str):
        if check.startswith("_"):
            raise AttributeError(check)

        def record(*args, **kwargs) -> None:
            self._calls += 1
            name = f"{self._cell}-{self._calls:04d}-{_token(8)}"
            self._hand_over(name, lambda folder: self._write_call(folder, check, args, kwargs))

        return record

    def _hand_over(self, name: str, write) -> None:
        target = _join(self._drop_box, name)
        if self._staging:
            staged = _mkdtemp(dir=self._staging)
            write(staged)
            try:
                _rename(staged, target)
                return
            except OSError:  # Landlock without cross-folder moves (ABI 1): from now on, write in place
                self._staging = None
        write(target)

    def _write_call(self, folder: str, check: str, args, kwargs) -> None:
        _makedirs(folder, exist_ok=True)
        call = {
            "check": check,
            "args": [self._dump(value, folder, f"arg{i}") for i, value in enumerate(args)],
            "kwargs": {name: self._dump(value, folder, f"kw_{name}") for name, value in kwargs.items()},
            "fits": [self._fits.get(index) for index in range(_len(_LOG.records))],
            "evaluations": list(_LOG.evaluations),
        }
        _write_text(_join(folder, CALL_FILE), _dumps(call, default=_plain))

    def _dump(self, value, folder: str, name: str) -> dict:
        """A JSON reference to ``value``; arrays go to files beside it, models to objects of their own."""
        try:
            return self._reference(value, folder, name)
        except Exception as error:  # an object that cannot be handed over is evidence of nothing
            return {"kind": "unreadable", "type": _type(value).__name__, "error": _type(error).__name__}

    def _reference(self, value, folder: str, name: str) -> dict:
        kind = _type(value)  # the real class: an object cannot pass for another through __class__
        if value is None or issubclass(kind, (bool, int, float, str)):
            return {"kind": "value", "value": value}
        if kind is EventFiles:
            files, inside = event_files(value.folder), inside_notebook_folder(value.folder)
            copied = copy_event_files(value.folder, files, _join(folder, f"{name}_events"))
            return {"kind": "event_files", **_vars(EventLog(value.folder, inside, f"{name}_events", tuple(copied)))}
        if issubclass(kind, _Model):
            return {"kind": "model", "id": _id(value), "object": self._model_object(value)}
        if issubclass(kind, _History):
            record = _LOG.record_for(value)
            index = None if record is None else _LOG.records.index(record)
            return {"kind": "history", "record": index}
        if issubclass(kind, _Callback):
            return _callback(value)
        if "BaseTuner" in keras_tuner_classes(value):
            return tuner_snapshot(value)
        if issubclass(kind, dict):
            return {"kind": "dict", "items": [[str(key), self._dump(item, folder, f"{name}_{i}")]
                                              for i, (key, item) in enumerate(value.items())]}
        if issubclass(kind, (list, tuple)):
            return {"kind": "sequence", "items": [self._dump(item, folder, f"{name}_{i}") for i, item in enumerate(value)]}
        if _callable(value) and not hasattr(value, "__array__"):
            return {"kind": "builder", "probe": _probe_builder(value)}
        _write_npy(_join(folder, f"{name}.npy"), _asarray(value))
        return {"kind": "array", "file": f"{name}.npy"}

    def _model_object(self, model) -> str:
        """The object folder of ``model`` as it is now: saved the first time this content is handed over."""
        digest = _model_digest(model)
        if digest not in self._models:
            name = f"{OBJECT_PREFIX}{_token(12)}"
            self._hand_over(name, lambda folder: _save_in(folder, model))
            if digest is not None:
                self._models[digest] = name
            return name
        return self._models[digest]


verify = Recorder(os.environ.get(DROP_BOX_ENV) or _join(os.getcwd(), EVIDENCE_DIR), os.environ.get(STAGING_ENV))


def start_recording(ipython) -> None:
    """In the student's kernel: hand every fit over as it returns, and keep ``verify`` told which cell runs."""
    ignore_existing_event_files()
    _LOG.on_fit_returned = verify.fit_returned
    ipython.events.register("pre_run_cell", lambda info: verify.running(info.raw_cell or ""))


def _model_digest(model) -> str | None:
    """The model object and what its saved file would hold (architecture, weights, optimizer state); None if unknown."""
    try:
        digest = _sha256(_dumps([_id(model), model.get_config()], default=repr, sort_keys=True).encode())
        optimizer = getattr(model, "optimizer", None)
        for variable in [*model.weights, *(getattr(optimizer, "variables", None) or [])]:
            digest.update(_ascontiguous(variable.numpy()).data)
    except Exception:
        return None
    return digest.hexdigest()


def _save_in(folder: str, model) -> None:
    """The model's file; for any other model than a Sequential or functional one (a ``keras.Model`` subclass, which
    Keras' safe mode cannot load), also the layers it runs, from which the grader can rebuild it."""
    _makedirs(folder, exist_ok=True)
    if _type(model) in _GRAPH_MODELS:
        _save_model(model, _join(folder, MODEL_FILE))
        return
    try:
        _write_layer_chain(folder, model)
    except Exception:
        pass  # the grader cannot rebuild it, and the checks that need the model say so
    try:
        _save_model(model, _join(folder, MODEL_FILE))
    except Exception:
        pass  # a subclass without get_config: its layers are the evidence


def _write_layer_chain(folder: str, model) -> None:
    """The layers a forward pass of ``model`` runs, with their settings and weights, its input and its output."""
    sample = _LOG.sample_of(model)
    if sample is None:
        return
    layers, output = layer_chain(model, sample)
    entries = []
    for i, layer in enumerate(layers):
        files = []
        for j, weight in enumerate(layer.get_weights()):
            files.append(f"layer{i}-{j}.npy")
            _write_npy(_join(folder, files[-1]), weight)
        entries.append({"class": keras_layer_class(layer), "type": _type(layer).__name__,
                        "config": layer.get_config(), "weights": files})
    _write_npy(_join(folder, f"{SAMPLE_FILE}.npy"), sample)
    _write_npy(_join(folder, f"{OUTPUT_FILE}.npy"), output)
    _write_text(_join(folder, LAYERS_FILE), _dumps({"layers": entries}, default=repr))


def _write_fit(folder: str, record) -> None:
    """One fit record as plain data (``training_run.TrainingRun``): the run's evidence."""
    _makedirs(folder, exist_ok=True)
    run = TrainingRun(
        model_id=_id(record.model), previous_fits=record.previous_fits, validation_source=record.validation_source,
        callbacks=tuple(_callback(callback) for callback in record.callbacks), history=record.history_values,
        optimizer=record.optimizer, optimizer_steps_at_start=record.optimizer_steps_at_start,
        variables=record.variables, dense_layers=record.dense_layers,
        shared_variables_with=tuple(record.shared_variables_with), batch_size=record.batch_size,
        epochs=record.epochs, learning_rates=tuple(record.learning_rates), trial=record.trial,
        tensorboard=tuple(_tensorboard_log(folder, f"tensorboard-{i}", log_dir, before)
                          for i, (log_dir, before) in enumerate(record.tensorboard_logs.items())),
        train_rows=record.train_rows, validation_rows=record.validation_rows, initial_epoch=record.initial_epoch,
        weights_at_start=record.weights_at_start, weights_after_epochs=tuple(record.weights_after_epochs),
        weights_at_end=record.weights_at_end,
    )
    fields = _vars(run)
    for name in ARRAYS:
        if fields[name] is not None:
            _write_npy(_join(folder, f"{name}.npy"), fields[name])
    plain = {name: value for name, value in fields.items() if name not in ARRAYS}
    _write_text(_join(folder, FIT_FILE), _dumps(plain, default=_plain))


def _tensorboard_log(folder: str, name: str, log_dir: str, before: frozenset) -> EventLog:
    """The event files a TensorBoard callback wrote during this fit, copied into ``folder/name``."""
    inside = inside_notebook_folder(log_dir)
    new = event_files(log_dir) - before if inside else ()
    return EventLog(log_dir, inside, name, tuple(copy_event_files(log_dir, new, _join(folder, name))))


def _write_npy(path: str, array) -> None:
    """An array in NumPy's .npy format (version 1.0), written by this module alone."""
    array = _asarray(array, order="C")  # a NumPy scalar stays 0-d (ascontiguousarray would make it 1-d)
    if array.dtype.hasobject:
        raise TypeError("object arrays are not evidence")
    header = repr({"descr": array.dtype.str, "fortran_order": False, "shape": array.shape})
    header = header + " " * (63 - (len(_NPY_MAGIC) + 2 + len(header)) % 64) + "\n"
    with _open(path, "wb") as file:
        file.write(_NPY_MAGIC + len(header).to_bytes(2, "little") + header.encode("latin1"))
        file.write(array.data)


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
    parts = [{_id(part) for part in [*flat_layers(model), *model.weights]} for model in models]
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
    """For JSON (which here keeps nan and inf): NumPy scalars as Python numbers, frozensets as sorted lists,
    a run's parts as their fields."""
    if _isinstance(value, (_floating, _integer, _bool)):
        return value.item()
    if _isinstance(value, _frozenset):
        return _sorted(value)
    if _isinstance(value, (LayerSummary, EventLog)):
        return _vars(value)
    raise TypeError(_type(value).__name__)
