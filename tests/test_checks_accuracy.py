"""Hidden accuracy checks: the grader's labels, the student's normalization, per-profile minimums."""

import keras
import numpy as np
import pytest

from autograder.checks.accuracy import check_accuracy, final_accuracy
from autograder.checks.failure import CheckFailed
from autograder.checks.reference import reference
from autograder.checks.thresholds import THRESHOLDS


@pytest.fixture(scope="module")
def trained():
    """A softmax regression trained on the quick profile's scaled training images."""
    ref = reference()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(ref.x_train / 255, ref.y_train, epochs=5, batch_size=128, verbose=0)
    return model, ref.x_valid / 255, ref.x_test / 255


def test_accuracy_is_measured_on_the_graders_labels(trained):
    """Does the measured accuracy equal the model's argmax agreement with the real labels?"""
    model, x_valid, x_test = trained
    expected = (model.predict(x_test, verbose=0).argmax(axis=1) == reference().y_test).mean()
    assert final_accuracy(model, x_valid, x_test, "test") == pytest.approx(expected)
    assert 0.6 < expected < 0.95


def test_a_model_under_the_minimum_fails_and_says_its_own_accuracy(trained):
    """Does an untrained model fail, with its accuracy but not the minimum in the sentence?"""
    _, x_valid, x_test = trained
    untrained = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(CheckFailed, match="no llega al mínimo exigido") as failure:
        check_accuracy(untrained, x_valid, x_test, split="valid", assignment="p1_normalizacion")
    minimum = THRESHOLDS["p1_normalizacion"]["rapido"]["valid"]
    assert f"{minimum}" not in str(failure.value)


def test_test_data_with_its_own_statistics_fails_only_the_test_split(trained):
    """Is a test set normalized with its own statistics caught on test, not on validation?"""
    model, x_valid, _ = trained
    raw_test = reference().x_test
    own = (raw_test - raw_test.mean()) / raw_test.std()
    final_accuracy(model, x_valid, own, "valid")
    with pytest.raises(CheckFailed, match="X_test_final no recibe la misma normalización"):
        final_accuracy(model, x_valid, own, "test")


def test_training_images_passed_as_validation_fail(trained):
    """Do training images passed as X_valid_final (same shape) fail?"""
    model, x_valid, x_test = trained
    impostor = reference().x_train[: len(x_valid)] / 255
    with pytest.raises(CheckFailed, match="X_valid_final"):
        final_accuracy(model, impostor, x_test, "valid")


def test_a_model_that_cannot_predict_fails_with_a_sentence(trained):
    """Does a model with the wrong input size fail with a sentence instead of crashing?"""
    _, x_valid, x_test = trained
    wrong = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(CheckFailed, match="no puede clasificar"):
        final_accuracy(wrong, x_valid, x_test, "valid")


def test_every_threshold_is_set():
    """Is every assignment's minimum a real accuracy, for both profiles and splits?"""
    for profiles in THRESHOLDS.values():
        for splits in profiles.values():
            assert all(0.5 < value < 1 for value in splits.values())
