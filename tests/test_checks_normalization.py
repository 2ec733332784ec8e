"""Hidden normalization checks: training statistics only, one transformation for every set."""

import numpy as np
import pytest

from autograder.checks.failure import CheckFailed
from autograder.checks.normalization import check_centered, check_scaled, check_standardized
from autograder.checks.reference import reference
from tests.conftest import QUICK


@pytest.fixture(scope="module")
def raw():
    ref = reference(QUICK)
    return ref.x_train.astype(np.float32), ref.x_valid.astype(np.float32), ref.x_test.astype(np.float32)


def test_dividing_by_255_is_accepted(raw, judged):
    """Is the usual x / 255 accepted?"""
    judged(check_scaled, *(x / 255 for x in raw))


def test_min_max_with_training_statistics_is_accepted(raw, judged):
    """Is a min-max scaling with the training minimum and maximum accepted?"""
    low, high = raw[0].min(), raw[0].max()
    judged(check_scaled, *((x - low) / (high - low) for x in raw))


def test_unscaled_pixels_fail(raw, judged):
    """Do raw pixels fail the (0, 1) check with a Spanish sentence?"""
    with pytest.raises(CheckFailed, match=r"van de 0 a 255: deben estar en el rango \(0, 1\)"):
        judged(check_scaled, *raw)


@pytest.mark.parametrize("scaled_first", [False, True])
def test_centering_with_the_training_mean_is_accepted(raw, scaled_first, judged):
    """Is centering accepted both on raw pixels and on pixels scaled to (0, 1)?"""
    data = [x / 255 for x in raw] if scaled_first else list(raw)
    mean = data[0].mean()
    judged(check_centered, *(x - mean for x in data))


def test_per_pixel_centering_is_accepted(raw, judged):
    """Is centering each pixel on its own training mean (a correct variant) accepted?"""
    means = raw[0].mean(axis=0)
    judged(check_centered, *(x - means for x in raw))


def test_centering_the_test_set_with_its_own_mean_fails(raw, judged):
    """Does the test set centred with its own mean fail, naming X_test_centered?"""
    train, valid, test = raw
    with pytest.raises(CheckFailed, match="X_test_centered no recibe la misma transformación"):
        judged(check_centered, train - train.mean(), valid - train.mean(), test - test.mean())


def test_standardizing_with_training_statistics_is_accepted(raw, judged):
    """Is (x - mean) / std with the training statistics accepted?"""
    mean, std = raw[0].mean(), raw[0].std()
    judged(check_standardized, *((x - mean) / std for x in raw))


def test_standardizing_the_test_set_with_its_own_statistics_fails(raw, judged):
    """Does seed 000's mistake (test standardized with its own statistics) fail?"""
    train, valid, test = raw
    mean, std = train.mean(), train.std()
    with pytest.raises(CheckFailed, match="X_test_standardized"):
        judged(check_standardized, (train - mean) / std, (valid - mean) / std, (test - test.mean()) / test.std())


def test_statistics_including_validation_fail(raw, judged):
    """Do statistics of training plus validation (not training only) fail?"""
    both = np.concatenate(raw[:2])
    mean, std = both.mean(), both.std()
    with pytest.raises(CheckFailed, match="X_train"):
        judged(check_standardized, *((x - mean) / std for x in raw))


def test_centering_only_fails_standardization(raw, judged):
    """Does centering without dividing by the std fail the N(0, 1) check?"""
    mean = raw[0].mean()
    with pytest.raises(CheckFailed, match=r"desviación típica de X_train_standardized no es 1 \(es \d+,\d+\)"):
        judged(check_standardized, *(x - mean for x in raw))


def test_shuffled_rows_fail(raw, judged):
    """Does a training array whose images were reordered fail?"""
    train, valid, test = (x / 255 for x in raw)
    with pytest.raises(CheckFailed, match="reordenado"):
        judged(check_scaled, train[::-1], valid, test)


@pytest.mark.parametrize("broken", ["shape", "nan", "text"])
def test_malformed_arrays_fail_with_a_sentence(raw, broken, judged):
    """Do a wrong shape, NaN values or a non-array fail with one Spanish sentence?"""
    train, valid, test = (x / 255 for x in raw)
    if broken == "shape":
        train = train.reshape(-1, 28, 28)
    elif broken == "nan":
        train = train.copy()
        train[0, 0] = np.nan
    else:
        train = "no es un array"
    with pytest.raises(CheckFailed) as failure:
        judged(check_scaled, train, valid, test)
    assert "X_train_scaled" in str(failure.value) and "\n" not in str(failure.value)
