"""Hidden check that every training run starts from a new, untrained model."""

import keras
import numpy as np
import pytest

from autograder.checks.failure import CheckFailed
from autograder.checks.models import check_fresh_models
from autograder.checks.reference import reference
from tests.conftest import QUICK

pytestmark = pytest.mark.usefixtures("logged_fits")  # they train in this process: the checks judge its fit log


def small_model(optimizer="adam"):
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def data():
    ref = reference(QUICK)
    return ref.x_train[:512] / 255, ref.y_train[:512]


def train(model, data, epochs=2):
    history = model.fit(*data, batch_size=128, epochs=epochs, verbose=0, validation_data=data)
    return model, history


def test_a_new_model_per_run_passes(data, judged):
    """Do separate models, each trained once, pass?"""
    judged(check_fresh_models, small_model, {"a": train(small_model(), data), "b": train(small_model(), data)})


def test_a_builder_returning_one_global_model_fails(data, judged):
    """Does a builder that always returns the same object fail?"""
    shared = small_model()
    with pytest.raises(CheckFailed, match="mismo modelo en cada llamada"):
        judged(check_fresh_models, lambda optimizer="adam": shared, {})


def test_a_builder_returning_a_trained_model_fails(data, judged):
    """Does a builder that returns an already trained model fail?"""
    def trained_builder(optimizer="adam"):
        return train(small_model(), data, epochs=1)[0]

    with pytest.raises(CheckFailed, match="ya entrenado"):
        judged(check_fresh_models, trained_builder, {})


def test_one_model_fit_in_several_runs_fails(data, judged):
    """Does one model shared by two runs (the common Keras error) fail?"""
    model = small_model()
    runs = {"escalado": train(model, data), "centrado": train(model, data)}
    with pytest.raises(CheckFailed, match="'escalado' y 'centrado' usan el mismo modelo"):
        judged(check_fresh_models, small_model, runs)


def test_a_model_trained_before_its_run_fails(data, judged):
    """Does a run whose model had been trained before (more steps than its history) fail?"""
    model, _ = train(small_model(), data)
    with pytest.raises(CheckFailed, match="ya estaba entrenado"):
        judged(check_fresh_models, small_model, {"estandarizado": train(model, data)})


def test_runs_that_are_not_model_history_pairs_fail(judged):
    """Does a run stored as something else than (model, history) fail with a sentence?"""
    with pytest.raises(CheckFailed, match="pareja"):
        judged(check_fresh_models, small_model, {"escalado": np.zeros(3)})


def test_one_run_reported_under_two_names_fails_with_what_happened(data, judged):
    """Does one History stored as two runs of a comparison fail, saying it is one run and not a shared model?"""
    run = train(small_model(), data)
    with pytest.raises(CheckFailed, match="'escalado' y 'centrado' son el mismo entrenamiento") as failure:
        judged(check_fresh_models, small_model, {"escalado": run, "centrado": run})
    assert "usan el mismo modelo" not in str(failure.value)
