"""Hidden accuracy checks: the grader's labels, the student's normalization, per-profile minimums."""

import re

import keras
import pytest

from autograder.checks.accuracy import check_accuracy, check_final_net_accuracy, final_accuracy, final_net_accuracy
from autograder.checks.failure import CheckFailed
from autograder.checks.reference import pool, reference
from autograder.checks.thresholds import THRESHOLDS
from autograder.checks.wording import number
from tests.conftest import QUICK

pytestmark = pytest.mark.usefixtures("logged_fits")  # they train in this process: the checks judge its fit log


@pytest.fixture(scope="module")
def trained():
    """A softmax regression trained on the quick profile's scaled training images."""
    ref = reference(QUICK)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(ref.x_train / 255, ref.y_train, epochs=5, batch_size=128, verbose=0)
    return model, ref.x_valid / 255, ref.x_test / 255


def test_accuracy_is_measured_on_the_graders_labels(trained, judged):
    """Does the measured accuracy equal the model's argmax agreement with the real labels?"""
    model, x_valid, x_test = trained
    expected = (model.predict(x_test, verbose=0).argmax(axis=1) == reference(QUICK).y_test).mean()
    assert judged(final_accuracy, model, x_valid, x_test, "test", QUICK) == pytest.approx(expected)
    assert 0.6 < expected < 0.95


def test_a_model_under_the_minimum_fails_and_says_its_own_accuracy(trained, judged):
    """Does an untrained model fail, with its accuracy but not the minimum in the sentence?"""
    _, x_valid, x_test = trained
    untrained = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(CheckFailed, match="no llega al mínimo exigido") as failure:
        judged(check_accuracy, untrained, x_valid, x_test, split="valid", assignment="p1_normalizacion")
    minimum = THRESHOLDS["p1_normalizacion"]["rapido"]["valid"]
    assert f"{minimum}" not in str(failure.value) and number(minimum) not in str(failure.value)
    assert re.search(r"\(0,\d+\) no llega", str(failure.value))  # its own accuracy, with a decimal comma


def test_test_data_with_its_own_statistics_fails_only_the_test_split(trained, judged):
    """Is a test set normalized with its own statistics caught on test, not on validation?"""
    model, x_valid, _ = trained
    raw_test = reference(QUICK).x_test
    own = (raw_test - raw_test.mean()) / raw_test.std()
    judged(final_accuracy, model, x_valid, own, "valid", QUICK)
    with pytest.raises(CheckFailed, match="X_test_final no recibe la misma normalización"):
        judged(final_accuracy, model, x_valid, own, "test", QUICK)


def test_training_images_passed_as_validation_fail(trained, judged):
    """Do training images passed as X_valid_final (same shape) fail?"""
    model, x_valid, x_test = trained
    impostor = reference(QUICK).x_train[: len(x_valid)] / 255
    with pytest.raises(CheckFailed, match="X_valid_final"):
        judged(final_accuracy, model, impostor, x_test, "valid", QUICK)


def test_a_model_that_cannot_predict_fails_with_a_sentence(trained, judged):
    """Does a model with the wrong input size fail with a sentence instead of crashing?"""
    _, x_valid, x_test = trained
    wrong = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(CheckFailed, match="no puede clasificar"):
        judged(final_accuracy, wrong, x_valid, x_test, "valid", QUICK)


def test_every_threshold_is_set():
    """Is every assignment's minimum a real accuracy, for both profiles and splits?"""
    for profiles in THRESHOLDS.values():
        for splits in profiles.values():
            assert all(0.5 < value < 1 for value in splits.values())


@pytest.fixture(scope="module")
def final_net():
    ref = pool(QUICK)
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(64, activation="relu"), keras.layers.Dropout(0.2),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(ref.x_train / 255.0, ref.y_train, validation_split=0.2, epochs=3, verbose=0)
    return model, history


def test_final_net_accuracy_is_measured_on_its_own_validation_rows(final_net, judged):
    """p2: is the validation accuracy the model's accuracy on its run's 20 % of x_train, with the grader's labels?"""
    model, history = final_net
    ref, split_at = pool(QUICK), int(len(pool(QUICK).x_train) * 0.8)
    _, expected = model.evaluate(ref.x_train[split_at:] / 255.0, ref.y_train[split_at:], verbose=0)
    assert judged(final_net_accuracy, model, history, "valid", QUICK) == pytest.approx(expected, abs=1e-6)
    _, expected_test = model.evaluate(ref.x_test / 255.0, ref.y_test, verbose=0)
    assert judged(final_net_accuracy, model, history, "test", QUICK) == pytest.approx(expected_test, abs=1e-6)


def test_final_net_history_of_another_model_fails(final_net, judged):
    """p2: does a final_history that did not train final_model fail?"""
    _, history = final_net
    other = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(CheckFailed, match="final_history debe ser"):
        judged(final_net_accuracy, other, history, "test", QUICK)


def test_an_untrained_final_net_is_under_the_threshold(final_net, judged):
    """p2: does a barely trained network fail the threshold with its accuracy in the sentence?"""
    ref = pool(QUICK)
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-5), loss="sparse_categorical_crossentropy")
    history = model.fit(ref.x_train / 255.0, ref.y_train, validation_split=0.2, epochs=1, verbose=0)
    with pytest.raises(CheckFailed, match="no llega al mínimo exigido"):
        judged(check_final_net_accuracy, model, history, split="valid", assignment="p2_aspectos_practicos")
