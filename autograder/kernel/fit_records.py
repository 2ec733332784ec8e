"""The kernel's log of every ``keras.Model.fit`` call: what each call trained, on which data, from which state.

The fit wrapper (``fit_log``) fills it; the recorder (``evidence``) hands each
record over as its fit returns. Each :class:`FitRecord` holds what the hidden
checks judge later: whether the model had been trained before, its layers and
initial weights as they were when training began, the optimizer, its learning
rate at the start of every epoch, the batch size, which images it trained and
validated on (as fingerprints, not copies of the arrays), a fingerprint of
its weights as training began and as every epoch ended (so that a run that
starts from weights another run trained is seen as such, whatever object holds
them) and, inside a keras_tuner search, the trial it trained for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import keras
import numpy as np

from autograder.kernel.architecture import summarize_dense_layers
from autograder.kernel.event_files import event_files
from autograder.kernel.fingerprints import fingerprints, rows_digest, weights_fingerprint
from autograder.kernel.training_run import LayerSummary
from autograder.kernel.tuner_snapshot import trial_of


@dataclass
class FitRecord:
    """What one ``fit`` call trained, on which data, starting from which state (live objects included)."""

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
    sample: np.ndarray | None = None  # the first few training inputs (a copy): to run the model on when handed over
    initial_epoch: int = 0
    weights_at_start: str | None = None  # weights_fingerprint as training began
    weights_after_epochs: list[str] = field(default_factory=list)  # ... as each epoch ended
    weights_at_end: str | None = None  # ... as training ended


class FitLog:
    """Every fit call of the kernel, in order."""

    def __init__(self):
        self.records: list[FitRecord] = []
        self._fits_per_model: dict[int, int] = {}
        self.on_fit_returned = None  # in the student's kernel: hands each finished record over
        self.evaluations: list[dict] = []  # every evaluate call on an array, as plain ``training_run.Evaluation``s

    def finished(self, record: FitRecord) -> None:
        """``fit`` returned or raised: hand its record over; a failed hand-over never fails the student's fit."""
        if self.on_fit_returned is not None:
            try:
                self.on_fit_returned(record)
            except Exception:
                pass  # the evidence is missing, and the checks that need it say so

    def evaluated(self, model, x, result) -> None:
        """An ``evaluate`` call returned ``result``: keep which model it scored, on which images, and its figures."""
        if len(self.evaluations) >= MAX_EVALUATIONS or not is_array(x):
            return
        values = list(result.values()) if isinstance(result, dict) else result
        values = values if isinstance(values, (list, tuple)) else [values]
        rows = fingerprints(x)
        self.evaluations.append({"model_id": id(model), "rows": len(rows), "rows_digest": rows_digest(rows),
                                 "results": [float(value) for value in values]})

    def predicted(self, model, x, result) -> None:
        """A ``predict`` call on an array of at most ``MAX_PREDICTED_ROWS`` images returned class scores: keep the
        class it scored highest for each (the grader scores them with its own labels)."""
        if len(self.evaluations) >= MAX_EVALUATIONS or not is_array(x) or len(x) > MAX_PREDICTED_ROWS:
            return
        scores = np.asarray(result)
        if scores.ndim != 2 or len(scores) != len(x):
            return
        rows = fingerprints(x)
        self.evaluations.append({"model_id": id(model), "rows": len(rows), "rows_digest": rows_digest(rows),
                                 "classes": [int(value) for value in scores.argmax(axis=1)]})

    def sample_of(self, model) -> np.ndarray | None:
        """A few inputs the model last trained on (None if it never trained on an array)."""
        return next((record.sample for record in reversed(self.records)
                     if record.model is model and record.sample is not None), None)

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
            sample=np.array(arguments["x"][:SAMPLE_ROWS]) if is_array(arguments.get("x")) else None,
            initial_epoch=_plain_int(arguments.get("initial_epoch")) or 0,
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
        record.weights_at_start = _weights_fingerprint(model)
        record.shared_variables_with = [
            index for index, earlier in enumerate(self.records)
            if earlier is not record and earlier.model is not model and earlier.variables & record.variables
        ]

    def epoch_began(self, record: FitRecord) -> None:
        """Called as each epoch begins, after every callback that changed the learning rate before it."""
        rate = _learning_rate(getattr(record.model, "optimizer", None))
        if rate is not None:
            record.learning_rates.append(rate)

    def epoch_ended(self, record: FitRecord) -> None:
        """Called as each epoch ends: the weights it left."""
        fingerprint = _weights_fingerprint(record.model)
        if fingerprint is not None:
            record.weights_after_epochs.append(fingerprint)

    def training_ended(self, record: FitRecord) -> None:
        """Called as training ends, after every other callback (restore_best_weights included)."""
        record.weights_at_end = _weights_fingerprint(record.model)


LOG = FitLog()
SAMPLE_ROWS = 8
MAX_EVALUATIONS = 500  # a loop that evaluates without end does not fill the evidence
MAX_PREDICTED_ROWS = 20000  # predictions on more images (none of the notebooks' test sets) are not kept


def is_array(value) -> bool:
    """Whether a fit argument is an array of samples (which the log fingerprints), not a dataset or None."""
    return value is not None and hasattr(value, "shape") and hasattr(value, "__len__") and len(value.shape) >= 2


def _tensorboard_logs(callbacks) -> dict:
    """The log folder of each TensorBoard callback, with the event files already there before this fit."""
    logs = {}
    for callback in callbacks if isinstance(callbacks, (list, tuple)) else ():
        if isinstance(callback, keras.callbacks.TensorBoard):
            log_dir = str(getattr(callback, "log_dir", ""))
            logs[log_dir] = event_files(log_dir)
    return logs


def _weights_fingerprint(model) -> str | None:
    try:
        return weights_fingerprint([keras.ops.convert_to_numpy(variable) for variable in model.weights])
    except Exception:
        return None  # the runs of this model are judged without it


def _learning_rate(optimizer) -> float | None:
    try:
        return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    except Exception:
        return None  # no optimizer, or one without a single learning rate


def _plain_int(value) -> int | None:
    return int(value) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else None


def _split_fingerprints(arguments: dict):
    x = arguments.get("x")
    if not is_array(x):
        return None, None, None
    rows = fingerprints(x)
    validation_data = arguments.get("validation_data")
    split = arguments.get("validation_split") or 0.0
    if validation_data is not None:
        validation_x = validation_data[0] if isinstance(validation_data, (tuple, list)) else None
        return rows, (fingerprints(validation_x) if is_array(validation_x) else None), "validation_data"
    if split:
        split_at = int(math.floor(len(rows) * (1.0 - split)))  # keras keeps the last rows for validation
        return rows[:split_at], rows[split_at:], "validation_split"
    return rows, None, None
