"""The evidence a kernel handed over, loaded back in the grader's own process.

Loading never runs student code: arrays are read without pickle, models with
Keras' safe mode (no Lambda layers or custom objects) or, for a model written
as a ``keras.Model`` subclass, rebuilt as a Sequential model from the Keras
layers its ``call`` ran in the kernel (their settings and weights); callbacks
are rebuilt from their plain settings, and training runs are the fit log's
plain records.
A call names the fit records and model objects it refers to, which lie beside
it in the evidence folder; each is read once per judging process.
:func:`load_call` gives the call's arguments and its :class:`LoadedEvidence`:
the fit log and ``evaluate`` calls of the run up to the hidden cell, and the
identity each loaded object had in the kernel (``evidence.kernel_id``), so a
check can still tell whether two runs trained the same model, or whether a
callback was used to train a given model. The judge hands that evidence to
every check that declares an ``evidence`` parameter; nothing is kept between
calls.
"""

from __future__ import annotations

import functools
import inspect
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import keras
import numpy as np
from keras.src.saving.serialization_lib import SafeModeScope

from autograder.checks.failure import CheckFailed
from autograder.kernel.layout import CALL_FILE, FIT_FILE, LAYERS_FILE, MODEL_FILE, OUTPUT_FILE, SAMPLE_FILE
from autograder.kernel.training_run import ARRAYS, Evaluation, EventLog, TrainingRun


@dataclass(frozen=True)
class HandedHistory:
    """A ``History`` handed over: the run that returned it (None if it did not come from ``fit``)."""

    run: TrainingRun | None


@dataclass(frozen=True)
class BuilderProbe:
    """What a model builder returned when the kernel called it twice."""

    error: str | None
    models: int = 0
    distinct: bool = False
    steps: tuple[int, ...] = ()


@dataclass(frozen=True)
class HandedTuner:
    """A keras_tuner tuner as the kernel saw it when the hidden cell ran (``tuner_snapshot``)."""

    objective: dict
    space: tuple[dict, ...]  # one hyperparameter each: its class and settings
    reported: dict = field(default_factory=dict)  # what else it reported: "get_space", "trials", "best" (or None)
    # The fit log's runs of this tuner's trials, in the kernel's order (found by the tuner's kernel identity).
    trial_runs: tuple[TrainingRun, ...] = field(default=(), compare=False, repr=False)

    def runs(self) -> list[TrainingRun]:
        """The training runs of this tuner's trials, in the kernel's order."""
        return list(self.trial_runs)


@dataclass(frozen=True)
class Unreadable:
    """A value the kernel could not hand over (not an array, a model or a callback)."""

    type: str


class LoadedEvidence:
    """What one hidden call handed over besides its arguments: the run's fit log and ``evaluate`` calls up to the
    hidden cell, and the identity each loaded object had in the kernel."""

    def __init__(self, runs: list[TrainingRun | None] = (), evaluations: list[Evaluation] = ()):
        self.runs = list(runs)  # in the fit log's order; None where a record never arrived
        self.evaluations = list(evaluations)  # every evaluate call on an array before the hidden cell, in order
        self._ids: dict[int, tuple[object, int]] = {}  # id in this process -> (object kept alive, kernel id)

    def remember(self, value, identity: int):
        self._ids[id(value)] = (value, identity)
        return value

    def kernel_id(self, value) -> int | None:
        """The identity ``value`` had in the student's kernel (None for values that had none)."""
        entry = self._ids.get(id(value))
        return None if entry is None else entry[1]

    def recorded_runs(self) -> list[TrainingRun]:
        """Every training run the kernel had handed over when the hidden cell ran, in order."""
        return [run for run in self.runs if run is not None]

    def recorded_evaluations(self) -> list[Evaluation]:
        """Every ``evaluate`` call on an array the kernel had made when the hidden cell ran, in order."""
        return list(self.evaluations)

    def runs_of(self, model) -> list[TrainingRun]:
        """Every training run of ``model`` in the kernel, in order."""
        identity = self.kernel_id(model)
        return [run for run in self.runs if run is not None and identity is not None and run.model_id == identity]

    def trained(self, model, record: TrainingRun) -> bool:
        """Whether the run ``record`` trained ``model`` (the model's identity in the kernel is the run's)."""
        identity = self.kernel_id(model)
        return identity is not None and record.model_id == identity


class LoadedCall(NamedTuple):
    """A hidden call loaded back: the check it asked for, its arguments, and the evidence around them."""

    check: str
    args: list
    kwargs: dict
    evidence: LoadedEvidence


def training_record(history, name: str) -> TrainingRun:
    """The run that returned ``history``, or a check failure that says so."""
    if not isinstance(history, HandedHistory) or history.run is None:
        raise CheckFailed(f"El entrenamiento '{name}' debe ser el objeto History que devuelve model.fit.")
    return history.run


def load_call(folder: Path) -> LoadedCall:
    """The check a hidden cell asked for, its arguments and the evidence around them, from ``folder``."""
    call = json.loads((folder / CALL_FILE).read_text(encoding="utf-8"))
    evidence = LoadedEvidence()
    evidence.runs = [None if name is None else _load_run(_beside(folder, name), evidence) for name in call["fits"]]
    evidence.evaluations = [Evaluation.from_plain(plain) for plain in call.get("evaluations", ())]
    args = [_load(reference, folder, evidence) for reference in call["args"]]
    kwargs = {name: _load(reference, folder, evidence) for name, reference in call["kwargs"].items()}
    return LoadedCall(call["check"], args, kwargs, evidence)


def _beside(folder: Path, name: str) -> Path:
    """A folder the call names, which must lie in the same evidence folder as the call."""
    if Path(name).name != name or name in (".", ".."):
        raise ValueError(f"not an evidence folder: {name!r}")
    return folder.parent / name


def _load(reference: dict, folder: Path, evidence: LoadedEvidence):
    kind = reference["kind"]
    if kind == "value":
        return reference["value"]
    if kind == "array":
        array = np.load(folder / reference["file"], allow_pickle=False)
        return array[()] if array.ndim == 0 else array  # a NumPy scalar (np.int64, np.bool_) as the student had it
    if kind == "model":
        return evidence.remember(_load_model(_beside(folder, reference["object"]) / MODEL_FILE), reference["id"])
    if kind == "history":
        index = reference["record"]
        run = evidence.runs[index] if index is not None and index < len(evidence.runs) else None
        return HandedHistory(run)
    if kind == "callback":
        return rebuild_callback(reference, evidence)
    if kind == "dict":
        return {key: _load(item, folder, evidence) for key, item in reference["items"]}
    if kind == "sequence":
        return [_load(item, folder, evidence) for item in reference["items"]]
    if kind == "event_files":
        return _event_log(EventLog.from_plain(reference), folder)
    if kind == "tuner":
        trial_runs = tuple(run for run in evidence.recorded_runs()
                           if run.trial is not None and run.trial["tuner_id"] == reference["id"])
        tuner = HandedTuner(reference["objective"], tuple(reference["space"]), reference.get("reported") or {}, trial_runs)
        return evidence.remember(tuner, reference["id"])
    if kind == "builder":
        probe = reference["probe"]
        return BuilderProbe(probe["error"], probe.get("models", 0), probe.get("distinct", False), tuple(probe.get("steps", ())))
    return Unreadable(reference.get("type", "?"))


# Layers a model written as a keras.Model subclass may be rebuilt from: Keras' own, with weights set from the
# kernel's (any other layer, or a layer of a student's class, leaves the model unjudgeable).
REBUILDABLE_LAYERS = frozenset({
    "Dense", "Dropout", "BatchNormalization", "LayerNormalization", "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU",
    "Softmax", "Flatten", "Reshape", "GaussianNoise", "GaussianDropout", "AlphaDropout", "Rescaling",
})


@functools.cache
def _load_model(path: Path):
    """A handed-over model, loaded once however many calls name it (the checks only read it).

    A Sequential or functional model is loaded from its file in Keras' safe
    mode. Any other model (a ``keras.Model`` subclass, which safe mode cannot
    load) is rebuilt as a Sequential model from the layers its ``call`` ran in
    the kernel, with their weights, when that gives its output on the sample
    the kernel ran it on.
    """
    if (path.parent / LAYERS_FILE).exists():
        return _rebuild_model(path.parent)
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception:
        return Unreadable("Model")


def _rebuild_model(folder: Path):
    """The Sequential model of the layers a subclass model ran, or Unreadable when that is not the same model."""
    try:
        entries = json.loads((folder / LAYERS_FILE).read_text(encoding="utf-8"))["layers"]
        sample = np.load(folder / f"{SAMPLE_FILE}.npy", allow_pickle=False)
        output = np.load(folder / f"{OUTPUT_FILE}.npy", allow_pickle=False)
        if not entries or any(entry.get("class") not in REBUILDABLE_LAYERS for entry in entries):
            return Unreadable("Model")
        layers = []
        with SafeModeScope(True):  # no lambdas, and only Keras' own modules, in the layers' settings
            for entry in entries:
                config = {key: value for key, value in entry["config"].items() if key != "name"}
                layers.append(getattr(keras.layers, entry["class"]).from_config(config))
        model = keras.Sequential([keras.Input(shape=sample.shape[1:]), *layers])
        for layer, entry in zip(layers, entries):
            files = [_beside(folder / LAYERS_FILE, file) for file in entry["weights"]]  # plain names in its folder
            layer.set_weights([np.load(file, allow_pickle=False) for file in files])
        rebuilt = np.asarray(keras.ops.convert_to_numpy(model(sample, training=False)))
        if rebuilt.shape != output.shape or not np.allclose(rebuilt, output, rtol=1e-4, atol=1e-5):
            return Unreadable("Model")
        return model
    except Exception:
        return Unreadable("Model")


def require_model(model, name: str, *, compared: str | None = None) -> keras.Model:
    """A model that was handed over and loaded, or a check failure that says why it could not be; ``compared``
    names the model being judged when ``model`` is the one it is compared with."""
    if not isinstance(model, keras.Model):
        why = f"{compared} se compara con {name}, y {name}" if compared else name
        raise CheckFailed(
            f"{why} no se puede rehacer fuera del cuaderno para juzgarlo: debe ser un modelo Sequential o funcional, "
            "o una subclase de keras.Model que solo encadene capas de Keras (Dense, Dropout, BatchNormalization, "
            "activaciones...) una tras otra, sin capas Lambda, capas propias ni operaciones fuera de las capas."
        )
    return model


def rebuild_callback(reference: dict, evidence: LoadedEvidence):
    """A fresh Keras callback of the student's callback class, with the same settings, its kernel identity kept in
    ``evidence``."""
    cls = getattr(keras.callbacks, reference["class"], keras.callbacks.Callback)
    accepted = inspect.signature(cls.__init__).parameters
    settings = {key: value for key, value in reference["settings"].items() if key in accepted}
    try:
        callback = cls(**settings)
    except Exception:
        callback = keras.callbacks.Callback()
    return evidence.remember(callback, reference["id"])


def _load_run(folder: Path, evidence: LoadedEvidence) -> TrainingRun | None:
    """A fit record, its callbacks rebuilt for this call (their kernel identities belong to its ``evidence``)."""
    read = _read_run(folder)
    if read is None:
        return None
    run, arrays = read
    return replace(run, **arrays, callbacks=tuple(rebuild_callback(reference, evidence) for reference in run.callbacks),
                   tensorboard=tuple(_event_log(log, folder) for log in run.tensorboard))


def _event_log(log: EventLog, folder: Path) -> EventLog:
    """Event files copied into a sub-folder of ``folder`` (a plain name: nothing outside it is read)."""
    name = log.root
    root = folder / name if name and Path(name).name == name and name not in (".", "..") else None
    files = tuple(file for file in log.files if ".." not in Path(file).parts and not Path(file).is_absolute())
    return replace(log, root=root, files=files)


@functools.cache
def _read_run(folder: Path) -> tuple[TrainingRun, dict] | None:
    """A fit record as the kernel wrote it and its arrays (image fingerprints), read once however many calls
    name it."""
    try:
        plain = json.loads((folder / FIT_FILE).read_text(encoding="utf-8"))
    except OSError:
        return None
    paths = {name: folder / f"{name}.npy" for name in ARRAYS}
    return TrainingRun.from_plain(plain), {name: np.load(path, allow_pickle=False) if path.exists() else None
                                           for name, path in paths.items()}
