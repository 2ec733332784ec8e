"""The IPython extension that logs every ``keras.Model.fit`` call in the student's kernel and hands it over.

The grader loads this module as an IPython extension in every kernel it starts
(``nbgrader_config.py``), so the log exists before the student's first cell:
it wraps ``fit`` to fill the fit log (``fit_records``), and starts the recorder
(``evidence``), which hands each record over as its fit returns.
"""

from __future__ import annotations

import functools
import inspect

import keras

from autograder.kernel.architecture import flat_layers
from autograder.kernel.evidence import start_recording
from autograder.kernel.fit_records import LOG, FitRecord, is_array


class _Observer(keras.callbacks.Callback):
    """Appended after the student's callbacks: sees the model as training and each epoch begin."""

    def __init__(self, record: FitRecord):
        super().__init__()
        self._record = record

    def on_train_begin(self, logs=None):
        LOG.training_began(self._record)

    def on_epoch_begin(self, epoch, logs=None):
        LOG.epoch_began(self._record)

    def on_epoch_end(self, epoch, logs=None):
        LOG.epoch_ended(self._record)

    def on_train_end(self, logs=None):
        LOG.training_ended(self._record)


def _build_before_training(model, x) -> None:
    """Build a model without ``keras.Input`` from its data, as fit would, so its first weights can be seen."""
    if is_array(x) and not all(layer.built for layer in flat_layers(model)):
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
    _install_evaluate()


def _install_evaluate() -> None:
    """Wrap ``keras.Model.evaluate`` and ``predict`` so that every call on an array is logged with what it
    returned."""
    for name, log in (("evaluate", LOG.evaluated), ("predict", LOG.predicted)):
        original = getattr(keras.Model, name)
        if getattr(original, "_logged_by_autograder", False):
            continue
        setattr(keras.Model, name, _logging(original, log))


def _logging(original, log):
    @functools.wraps(original)
    def logged(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        try:
            log(self, args[0] if args else kwargs.get("x"), result)
        except Exception:
            pass  # the call is not logged; the student's call is unaffected
        return result

    logged._logged_by_autograder = True
    return logged


def uninstall() -> None:
    """Undo ``install``: Keras' own ``fit`` again, and an empty log."""
    if getattr(keras.Model.fit, "_logged_by_autograder", False):
        keras.Model.fit = keras.Model.fit.__wrapped__
    for name in ("evaluate", "predict"):
        if getattr(getattr(keras.Model, name), "_logged_by_autograder", False):
            setattr(keras.Model, name, getattr(keras.Model, name).__wrapped__)
    LOG.__init__()


def load_ipython_extension(ipython) -> None:
    """IPython's extension hook: log every fit, and hand the evidence over as it comes."""
    install()
    start_recording(ipython)
