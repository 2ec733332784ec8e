"""A log of every ``keras.Model.fit`` call in the student's kernel: the evidence of the training runs.

The grader loads this module as an IPython extension in every kernel it starts
(``nbgrader_config.py``), so the log exists before the student's first cell.
Each call leaves a :class:`FitRecord` with what the hidden checks judge later:
whether the model had been trained before, its layers and initial weights as
they were when training began, the optimizer, its learning rate at the start of
every epoch, the batch size, which images it trained and validated on (as
fingerprints, not copies of the arrays) and, inside a keras_tuner search, the
trial it trained for.
"""

from __future__ import annotations

import functools
import inspect
import math
from dataclasses import dataclass, field

import keras
import numpy as np

from autograder.kernel.architecture import LayerSummary, flat_layers, summarize_dense_layers
from autograder.kernel.event_files import event_files
from autograder.kernel.tuner_snapshot import trial_of

# Two random weightings of the 784 pixels; each weighted sum stays below 2**30,
# so the pair packs exactly into one int64 and float64 arithmetic is exact.
_FINGERPRINT_WEIGHTS = np.random.default_rng(20190508).integers(1, 2**12, size=(28 * 28, 2)).astype(np.float64)
_CHUNK = 4096  # rows converted at a time, to keep the kernel's memory flat
# Bound when the kernel starts, before student code: patching numpy later does not change the evidence.
_asarray, _full, _rint, _where, _int64, _float64 = np.asarray, np.full, np.rint, np.where, np.int64, np.float64


def fingerprints(images) -> np.ndarray:
    """One integer per image, the same for an image as uint8 pixels (0-255) or scaled to (0, 1).

    Images that are neither (standardized, shifted) get -1, which matches no image.
    """
    array = _asarray(images)
    flat = array.reshape(len(array), -1)
    result = _full(len(flat), -1, dtype=_int64)
    if not len(flat) or flat.shape[1] != len(_FINGERPRINT_WEIGHTS):
        return result
    scale = 1.0 if flat.max() > 1.5 else 255.0
    for start in range(0, len(flat), _CHUNK):
        pixels = _rint(flat[start:start + _CHUNK].astype(_float64) * scale)
        sums = (pixels @ _FINGERPRINT_WEIGHTS).astype(_int64)
        valid = (pixels.min(axis=1) >= 0) & (pixels.max(axis=1) <= 255)
        result[start:start + len(pixels)] = _where(valid, (sums[:, 0] << 31) | sums[:, 1], -1)
    return result


@dataclass
class FitRecord:
    """What one ``fit`` call trained, on which data, starting from which state."""

    model: keras.Model
    previous_fits: int  # earlier fit calls on this same model object
    train_rows: np.ndarray | None  # image fingerprints; None when x was not an array
    validation_rows: np.ndarray | None
    validation_source: str | None  # "validation_split", "validation_data" or None
    callbacks: tuple
    history: keras.callbacks.History | None = None
    history_values: dict = field(default_factory=dict)  # copied when fit returned
    optimizer: str | None = None
    optimizer_steps_at_start: int = 0
    variables: frozenset[int] = frozenset()
    dense_layers: tuple[LayerSummary, ...] = ()
    shared_variables_with: list[int] = field(default_factory=list)  # indexes of earlier records
    batch_size: int | None = None  # as passed to fit (None: Keras' default of 32, or a dataset's own)
    epochs: int | None = None
    learning_rates: list[float] = field(default_factory=list)  # the optimizer's, as each epoch began
    trial: dict | None = None  # the keras_tuner trial the run trained for (tuner_snapshot.trial_of)
    tensorboard_logs: dict = field(default_factory=dict)  # a TensorBoard callback's log_dir -> its event files before


class FitLog:
    """Every fit call of the kernel, in order."""

    def __init__(self):
        self.records: list[FitRecord] = []
        self._fits_per_model: dict[int, int] = {}
        self.on_fit_returned = None  # in the student's kernel: hands each finished record over

    def finished(self, record: FitRecord) -> None:
        """``fit`` returned or raised: hand its record over; a failed hand-over never fails the student's fit."""
        if self.on_fit_returned is not None:
            try:
                self.on_fit_returned(record)
            except Exception:
                pass  # the evidence is missing, and the checks that need it say so

    def record_for(self, history) -> FitRecord | None:
        return next((record for record in self.records if record.history is history and history is not None), None)

    def start(self, model, arguments: dict) -> FitRecord:
        train_rows, validation_rows, source = _split_fingerprints(arguments)
        record = FitRecord(
            model=model,
            previous_fits=self._fits_per_model.get(id(model), 0),
            train_rows=train_rows,
            validation_rows=validation_rows,
            validation_source=source,
            callbacks=tuple(arguments.get("callbacks") or ()),
            batch_size=_plain_int(arguments.get("batch_size")),
            epochs=_plain_int(arguments.get("epochs")),
            trial=trial_of(arguments.get("callbacks")),
            tensorboard_logs=_tensorboard_logs(arguments.get("callbacks")),
        )
        self._fits_per_model[id(model)] = record.previous_fits + 1
        self.records.append(record)
        return record

    def training_began(self, record: FitRecord) -> None:
        """Called once the model is built, before the first step."""
        model = record.model
        optimizer = getattr(model, "optimizer", None)
        record.optimizer = None if optimizer is None else type(optimizer).__name__
        record.optimizer_steps_at_start = 0 if optimizer is None else int(optimizer.iterations)
        record.variables = frozenset(id(variable) for variable in model.weights)
        record.dense_layers = summarize_dense_layers(model)
        record.shared_variables_with = [
            index for index, earlier in enumerate(self.records)
            if earlier is not record and earlier.model is not model and earlier.variables & record.variables
        ]

    def epoch_began(self, record: FitRecord) -> None:
        """Called as each epoch begins, after every callback that changed the learning rate before it."""
        rate = _learning_rate(getattr(record.model, "optimizer", None))
        if rate is not None:
            record.learning_rates.append(rate)


LOG = FitLog()


class _Observer(keras.callbacks.Callback):
    """Appended after the student's callbacks: sees the model as training and each epoch begin."""

    def __init__(self, record: FitRecord):
        super().__init__()
        self._record = record

    def on_train_begin(self, logs=None):
        LOG.training_began(self._record)

    def on_epoch_begin(self, epoch, logs=None):
        LOG.epoch_began(self._record)


def _tensorboard_logs(callbacks) -> dict:
    """The log folder of each TensorBoard callback, with the event files already there before this fit."""
    logs = {}
    for callback in callbacks if isinstance(callbacks, (list, tuple)) else ():
        if isinstance(callback, keras.callbacks.TensorBoard):
            log_dir = str(getattr(callback, "log_dir", ""))
            logs[log_dir] = event_files(log_dir)
    return logs


def _learning_rate(optimizer) -> float | None:
    try:
        return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    except Exception:
        return None  # no optimizer, or one without a single learning rate


def _plain_int(value) -> int | None:
    return int(value) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else None


def _split_fingerprints(arguments: dict):
    x = arguments.get("x")
    if not _is_array(x):
        return None, None, None
    rows = fingerprints(x)
    validation_data = arguments.get("validation_data")
    split = arguments.get("validation_split") or 0.0
    if validation_data is not None:
        validation_x = validation_data[0] if isinstance(validation_data, (tuple, list)) else None
        return rows, (fingerprints(validation_x) if _is_array(validation_x) else None), "validation_data"
    if split:
        split_at = int(math.floor(len(rows) * (1.0 - split)))  # keras keeps the last rows for validation
        return rows[:split_at], rows[split_at:], "validation_split"
    return rows, None, None


def _is_array(value) -> bool:
    return value is not None and hasattr(value, "shape") and hasattr(value, "__len__") and len(value.shape) >= 2


def _build_before_training(model, x) -> None:
    """Build a model without ``keras.Input`` from its data, as fit would, so its first weights can be seen."""
    if _is_array(x) and not all(layer.built for layer in flat_layers(model)):
        try:
            model.build((None, *x.shape[1:]))
        except Exception:
            pass  # fit builds it, or reports why it cannot


def install() -> None:
    """Wrap ``keras.Model.fit`` so that every call is logged (idempotent)."""
    original = keras.Model.fit
    if getattr(original, "_logged_by_autograder", False):
        return
    signature = inspect.signature(original)

    @functools.wraps(original)
    def fit(self, *args, **kwargs):
        try:
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
        except TypeError:
            return original(self, *args, **kwargs)  # keras reports the wrong call itself
        record = LOG.start(self, arguments)
        _build_before_training(self, arguments.get("x"))
        callbacks = arguments.get("callbacks")
        if callbacks is None or isinstance(callbacks, (list, tuple)):
            arguments["callbacks"] = [*(callbacks or ()), _Observer(record)]
        arguments.pop("self")
        try:
            record.history = original(self, **arguments)
            record.history_values = {
                str(key): [float(value) for value in series]
                for key, series in getattr(record.history, "history", {}).items()
            }
        finally:
            LOG.finished(record)
        return record.history

    fit._logged_by_autograder = True
    keras.Model.fit = fit


def uninstall() -> None:
    """Undo ``install``: Keras' own ``fit`` again, and an empty log."""
    if getattr(keras.Model.fit, "_logged_by_autograder", False):
        keras.Model.fit = keras.Model.fit.__wrapped__
    LOG.__init__()


def load_ipython_extension(ipython) -> None:
    """IPython's extension hook: log every fit, and hand the evidence over as it comes."""
    from autograder.kernel.evidence import start_recording  # evidence imports this module

    install()
    start_recording(ipython)
