"""Hidden check of the train/validation split: 20 % of x_train, never the test set."""

import dataclasses

import keras
import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from autograder.checks import splits
from autograder.checks.failure import CheckFailed
from autograder.checks.reference import pool
from autograder.checks.splits import check_validation_splits
from autograder.checks.wording import number
from tests.conftest import QUICK

pytestmark = pytest.mark.usefixtures("logged_fits")  # they train in this process: the checks judge its fit log


@pytest.fixture(scope="module")
def data():
    ref = pool(QUICK)
    return ref.x_train / 255.0, ref.y_train, ref.x_test / 255.0, ref.y_test


def fit(x, y, **split):
    model = keras.Sequential([keras.Input(shape=x.shape[1:]), keras.layers.Flatten(), keras.layers.Dense(10)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model.fit(x, y, epochs=1, batch_size=1024, verbose=0, **split)


def test_keras_validation_split_of_20_percent_passes(data, judged):
    """Does validation_split=0.2 on the whole x_train pass?"""
    x, y, _, _ = data
    judged(check_validation_splits, {"relu": fit(x, y, validation_split=0.2)})


def test_a_shuffled_split_of_20_percent_passes(data, judged):
    """Does a train_test_split of 20 % passed as validation_data pass, even flattened to 784 values?"""
    x, y, _, _ = data
    x_tr, x_val, y_tr, y_val = train_test_split(x.reshape(-1, 784), y, test_size=0.2, random_state=0)
    judged(check_validation_splits, {"adam": fit(x_tr, y_tr, validation_data=(x_val, y_val))})


@pytest.mark.parametrize("fraction", [0.1, 0.3])
def test_another_validation_fraction_fails(data, fraction, judged):
    """Does a validation split other than 20 % fail, saying which fraction it was?"""
    x, y, _, _ = data
    with pytest.raises(CheckFailed, match=f"valida con el {number(100 * fraction)} % de x_train"):
        judged(check_validation_splits, {"sgd": fit(x, y, validation_split=fraction)})


def test_the_test_set_as_validation_fails(data, judged):
    """Does validating on x_test fail, whatever the fraction looks like?"""
    x, y, x_test, y_test = data
    with pytest.raises(CheckFailed, match="usa imágenes de test"):
        judged(check_validation_splits, {"zeros": fit(x, y, validation_data=(x_test, y_test))})


def test_images_repeated_in_test_do_not_count_as_test(data, monkeypatch, judged):
    """Does a correct split pass when some x_train images also appear in the test set (as in Fashion-MNIST)?"""
    x, y, _, _ = data
    ref = pool(QUICK)
    repeated = dataclasses.replace(ref, test_fingerprints=np.concatenate([ref.test_fingerprints, ref.train_fingerprints[-5:]]))
    monkeypatch.setattr(splits, "pool", lambda profile: repeated)
    judged(check_validation_splits, {"relu": fit(x, y, validation_split=0.2)})


def test_training_on_part_of_the_rest_fails(data, judged):
    """Does a run that leaves part of x_train unused (validation 20 %, training less than 80 %) fail?"""
    x, y, _, _ = data
    cut = int(len(x) * 0.8)
    with pytest.raises(CheckFailed, match="no reparte x_train"):
        judged(check_validation_splits, {"selu": fit(x[: cut // 2], y[: cut // 2], validation_data=(x[cut:], y[cut:]))})


def test_no_validation_fails(data, judged):
    """Does a run without validation data fail?"""
    x, y, _, _ = data
    with pytest.raises(CheckFailed, match="no usa validación"):
        judged(check_validation_splits, {"adagrad": fit(x, y)})


def test_standardized_images_are_not_recognized(data, judged):
    """Do images changed outside the model (standardized) fail with the instruction to keep x_train as given?"""
    x, y, _, _ = data
    standardized = (x - x.mean()) / x.std()
    with pytest.raises(CheckFailed, match="sin modificar"):
        judged(check_validation_splits, {"relu": fit(standardized, y, validation_split=0.2)})


def test_every_comparison_is_checked(data, judged):
    """Is a wrong run found in any of the comparisons given?"""
    x, y, _, _ = data
    good = {"relu": fit(x, y, validation_split=0.2)}
    with pytest.raises(CheckFailed, match="'rmsprop'"):
        judged(check_validation_splits, good, {"rmsprop": fit(x, y, validation_split=0.25)})
    assert np.isfinite(good["relu"].history["val_loss"][0])
