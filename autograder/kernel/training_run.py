"""One training run as plain data: the schema of what the kernel hands over for each ``fit`` call.

The kernel builds a :class:`TrainingRun` when a fit returns and writes its
fields as JSON (nested records as their fields, frozensets as sorted lists),
except the ``ARRAYS``, written beside it as ``<field>.npy``. The grader reads
it back with :meth:`TrainingRun.from_plain`, then puts back what the kernel
could only describe: the callbacks rebuilt, the arrays, the copies' folders.
Nothing here imports Keras or NumPy: both sides use these same definitions.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields

ARRAYS = ("train_rows", "validation_rows")  # fields written beside the record as .npy files, not in its JSON


@dataclass(frozen=True)
class LayerSummary:
    """One Dense layer: its size, the activation applied to its output and its kernel's values."""

    units: int
    activation: str
    kernel_size: int
    kernel_all_zero: bool
    kernel_kurtosis: float  # 3 for normal values, 1.8 for uniform ones; nan when constant
    kernel_std: float
    glorot_limit: float  # sqrt(6 / (fan_in + fan_out)): the bound of glorot_uniform


@dataclass(frozen=True)
class EventLog:
    """TensorBoard event files the kernel handed over: the folder the student named, and the copies."""

    log_dir: str = ""  # as the student's code gave it
    inside: bool = False  # within the notebook's folder (only then were its files copied)
    root: object = None  # where the copies lie: written as a folder name beside the record, loaded as its Path
    files: tuple[str, ...] = ()  # relative to root and to log_dir

    @classmethod
    def from_plain(cls, plain: dict) -> EventLog:
        return cls(str(plain.get("log_dir", "")), bool(plain.get("inside")), plain.get("root"),
                   tuple(plain.get("files", ())))


@dataclass(frozen=True)
class Evaluation:
    """One ``keras.Model.evaluate`` (or ``predict``) call on an array: which model, on which images (their
    fingerprints' digest) and the figures it returned, in order (or the classes it predicted)."""

    model_id: int
    rows: int = 0
    rows_digest: str = ""  # sha256 of the images' fingerprints (``fingerprints``), as int64 bytes in their order
    results: tuple[float, ...] = ()
    classes: tuple[int, ...] = ()  # for a ``predict`` call: the class it scored highest for each image, in order

    @classmethod
    def from_plain(cls, plain: dict) -> Evaluation:
        return cls(int(plain["model_id"]), int(plain.get("rows", 0)), str(plain.get("rows_digest", "")),
                   tuple(float(value) for value in plain.get("results", ())),
                   tuple(int(value) for value in plain.get("classes", ())))


@dataclass(frozen=True)
class TrainingRun:
    """One ``fit`` call as the kernel's fit log recorded it."""

    model_id: int
    previous_fits: int  # earlier fit calls on this same model object
    validation_source: str | None  # "validation_split", "validation_data" or None
    callbacks: tuple  # written as each callback's class and plain settings, loaded as Keras callbacks rebuilt
    history: dict  # the History's values, copied when fit returned
    optimizer: str | None
    optimizer_steps_at_start: int
    variables: frozenset[int]
    dense_layers: tuple[LayerSummary, ...]  # with their weights as training began
    shared_variables_with: tuple[int, ...]  # indexes of earlier runs of other models holding the same variables
    batch_size: int | None  # as passed to fit (None: Keras' default of 32, or a dataset's own)
    epochs: int | None
    learning_rates: tuple[float, ...]  # the optimizer's, as each epoch began
    trial: dict | None  # inside a keras_tuner search: {"tuner_id", "trial_id", "values"}
    tensorboard: tuple[EventLog, ...] = ()  # one per TensorBoard callback: the event files written during this run
    train_rows: object = None  # image fingerprints (an array); None when x was not an array
    validation_rows: object = None
    initial_epoch: int = 0  # as passed to fit (keras_tuner's Hyperband continues earlier trials from later epochs)
    weights_at_start: str | None = None  # fingerprints.weights_fingerprint of the weights as training began
    weights_after_epochs: tuple[str, ...] = ()  # ... of the weights as each epoch ended
    weights_at_end: str | None = None  # ... as training ended (after callbacks such as restore_best_weights)

    @classmethod
    def from_plain(cls, plain: dict) -> TrainingRun:
        """A run as the kernel wrote it (its arrays left None); a field without a default must be there."""
        values = {field.name: plain[field.name] if field.default is MISSING else plain.get(field.name, field.default)
                  for field in fields(cls) if field.name not in ARRAYS}
        return cls(**{
            **values,
            "callbacks": tuple(values["callbacks"]),
            "variables": frozenset(values["variables"]),
            "dense_layers": tuple(LayerSummary(**layer) for layer in values["dense_layers"]),
            "shared_variables_with": tuple(values["shared_variables_with"]),
            "learning_rates": tuple(values["learning_rates"]),
            "tensorboard": tuple(EventLog.from_plain(entry) for entry in values["tensorboard"]),
            "weights_after_epochs": tuple(values["weights_after_epochs"]),
        })
