"""The kernel's log of keras fit calls: the evidence the hidden checks judge training runs by."""

import keras
import numpy as np
import pytest

from autograder.checks.failure import CheckFailed
from autograder.checks.loaded_evidence import training_record
from autograder.checks.reference import pool
from autograder.kernel.fingerprints import fingerprints
from autograder.kernel.fit_records import LOG
from tests.conftest import QUICK

pytestmark = pytest.mark.usefixtures("logged_fits")  # they train in this process: the checks judge its fit log


def tiny_model(**dense):
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, **dense)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def data():
    ref = pool(QUICK)
    return ref.x_train / 255.0, ref.y_train


def test_fingerprints_ignore_scale_dtype_and_shape():
    """Is an image's fingerprint the same as uint8 pixels, as floats in (0, 1) and flattened to 784?"""
    images = pool(QUICK).x_train[:50]
    same = fingerprints(images)
    assert np.array_equal(same, fingerprints(images / 255.0))
    assert np.array_equal(same, fingerprints((images / 255.0).astype("float32").reshape(50, 784)))
    assert len(set(same.tolist())) == 50


def test_standardized_images_match_no_image():
    """Do standardized images (negative values) get fingerprints that match no real image?"""
    images = pool(QUICK).x_train[:20] / 255.0
    assert not np.isin(fingerprints((images - 0.5) / 0.3), fingerprints(images)).any()


def test_a_fit_records_its_split_and_its_starting_state(data, judged):
    """Does a record keep the 80/20 split keras makes, the optimizer and an untouched start?"""
    x, y = data
    model = tiny_model()
    history = model.fit(x, y, validation_split=0.2, epochs=1, batch_size=512, verbose=0)
    record = judged(training_record, history, "prueba")
    assert record.model_id == id(model) and record.previous_fits == 0 and record.optimizer_steps_at_start == 0
    assert record.optimizer == "Adam" and record.validation_source == "validation_split"
    split_at = int(len(x) * 0.8)
    assert np.array_equal(record.validation_rows, fingerprints(x[split_at:]))
    assert np.array_equal(record.train_rows, fingerprints(x[:split_at]))


def test_a_second_fit_of_the_same_model_is_not_fresh(data, judged):
    """Does a model fit twice (even after compiling again) show it was trained before?"""
    x, y = data
    model = tiny_model()
    model.fit(x[:512], y[:512], epochs=1, verbose=0)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    record = judged(training_record, model.fit(x[:512], y[:512], epochs=1, verbose=0), "segundo")
    assert record.previous_fits == 1 and record.optimizer == "SGD"


def test_layers_taken_from_a_trained_model_are_noticed(data, judged):
    """Does a new model built from another model's trained layers show that it shares their weights?"""
    x, y = data
    first = tiny_model()
    first.fit(x[:512], y[:512], epochs=1, verbose=0)
    second = keras.Sequential(first.layers)
    second.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    record = judged(training_record, second.fit(x[:512], y[:512], epochs=1, verbose=0), "capas")
    assert record.previous_fits == 0 and record.shared_variables_with


def test_a_model_built_by_fit_is_summarized_once_built(data, judged):
    """Is a model without keras.Input (built inside fit) still summarized as it starts training?"""
    x, y = data
    model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(32, activation="selu"), keras.layers.Dense(10)])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    record = judged(training_record, model.fit(x[:512], y[:512], epochs=1, verbose=0), "sin_input")
    assert [layer.units for layer in record.dense_layers] == [32, 10]
    assert record.dense_layers[0].activation == "selu"


def test_something_that_is_not_a_history_fails_with_a_sentence(judged):
    """Does a run stored as something else than fit's History fail with a Spanish sentence?"""
    with pytest.raises(CheckFailed, match="History que devuelve model.fit"):
        judged(training_record, {"loss": [1.0]}, "relu")


def test_every_fit_is_logged_in_order(data):
    """Does every fit call add one record, the latest last?"""
    x, y = data
    before = len(LOG.records)
    history = tiny_model().fit(x[:256], y[:256], epochs=1, verbose=0)
    assert len(LOG.records) == before + 1 and LOG.records[-1].history is history


def test_a_fit_records_its_batch_size_and_the_rate_each_epoch_began_with(data, judged):
    """Are the batch size and, per epoch, the learning rate after the previous epoch's callbacks recorded?"""
    x, y = data
    halve = keras.callbacks.LearningRateScheduler(lambda epoch, rate: rate / 2 if epoch else rate)
    history = tiny_model().fit(x[:256], y[:256], batch_size=64, epochs=3, callbacks=[halve], verbose=0)
    run = judged(training_record, history, "h")
    assert run.batch_size == 64 and run.epochs == 3 and run.trial is None
    assert run.learning_rates == pytest.approx((0.001, 0.0005, 0.00025))


def test_a_fit_fingerprints_its_weights_as_it_begins_and_as_each_epoch_ends(data, judged):
    """Does a new model holding another one's trained weights start with the fingerprint that run ended an epoch
    with, while a new untrained model and the run's own start do not match it?"""
    x, y = data
    trained = tiny_model()
    first = judged(training_record, trained.fit(x[:256], y[:256], epochs=2, verbose=0), "a")
    twin = tiny_model()
    twin.set_weights(trained.get_weights())
    copied = judged(training_record, twin.fit(x[:256], y[:256], epochs=1, initial_epoch=0, verbose=0), "b")
    fresh = judged(training_record, tiny_model().fit(x[:256], y[:256], epochs=2, initial_epoch=1, verbose=0), "c")
    assert len(first.weights_after_epochs) == 2 and first.weights_at_end == first.weights_after_epochs[-1]
    assert first.weights_at_start not in first.weights_after_epochs
    assert copied.weights_at_start == first.weights_at_end and copied.initial_epoch == 0
    assert fresh.weights_at_start not in (first.weights_at_start, *first.weights_after_epochs)
    assert fresh.initial_epoch == 1 and len(fresh.weights_after_epochs) == 1
