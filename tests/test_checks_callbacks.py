"""Hidden callback checks: configuration, behaviour on a plateau, and each run judged on its own recorded numbers."""

import keras
import pytest

from autograder.checks.callbacks import (
    check_early_stopping,
    check_final_reduce_lr,
    check_reduce_lr_behaviour,
    check_reduce_lr_config,
    plateau_learning_rates,
    replayed_learning_rates,
)
from autograder.checks.failure import CheckFailed
from autograder.checks.reference import reference
from tests.conftest import QUICK

pytestmark = pytest.mark.usefixtures("logged_fits")  # they train in this process: the checks judge its fit log

RLROP = keras.callbacks.ReduceLROnPlateau


@pytest.fixture(scope="module")
def plateau_history():
    """A real run whose validation loss never improves, with the course's callback."""
    ref = reference(QUICK)
    x, y = ref.x_train[:256] / 255, ref.y_train[:256]
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    model.trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model.fit(x, y, validation_data=(x, y), epochs=6, verbose=0,
                     callbacks=[RLROP(monitor="val_loss", factor=0.5, patience=2)])


@pytest.mark.parametrize("callback", [
    RLROP(monitor="val_loss", factor=0.5, patience=2),
    RLROP(monitor="val_accuracy", factor=0.5, patience=2, min_lr=1e-6),
    [RLROP(factor=0.5, patience=2), keras.callbacks.EarlyStopping()],
])
def test_the_requested_configuration_passes(callback, judged):
    """Do patience 2 and factor 0.5 on a validation metric pass, alone or in a list?"""
    judged(check_reduce_lr_config, callback)


@pytest.mark.parametrize("callback, message", [
    (RLROP(monitor="val_loss", factor=0.1, patience=2), r"por 0,1: para reducirla un 50 % usa factor=0\.5"),
    (RLROP(monitor="val_loss", factor=0.5, patience=4), "La paciencia de reduce_lr es de 4 épocas; se piden 2"),
    (RLROP(monitor="loss", factor=0.5, patience=2), "validación"),
    (RLROP(monitor="val_acc", factor=0.5, patience=2), "validación"),
    (keras.callbacks.EarlyStopping(), "ReduceLROnPlateau"),
    (None, "ReduceLROnPlateau"),
])
def test_a_wrong_configuration_fails(callback, message, judged):
    """Do a wrong factor, patience, monitor (Keras 2's val_acc too) or type fail?"""
    with pytest.raises(CheckFailed, match=message):
        judged(check_reduce_lr_config, callback)


def test_on_a_plateau_the_rate_halves_every_two_epochs():
    """Driven through a plateau, is the rate halved after epochs 1-3, then every two epochs?"""
    rates = plateau_learning_rates(RLROP(monitor="val_loss", factor=0.5, patience=2))
    assert rates == pytest.approx([0.01, 0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025, 0.00125])


@pytest.mark.parametrize("monitor, values", [("val_accuracy", [0.5, 0.6, 0.7, 0.8, 0.9]),
                                             ("val_loss", [0.9, 0.8, 0.7, 0.6, 0.5])])
def test_a_metric_that_improves_in_its_own_direction_is_never_reduced(monitor, values):
    """Does the replay read val_accuracy as rising-is-better and val_loss as falling-is-better (mode "auto")?"""
    assert replayed_learning_rates(RLROP(monitor=monitor, factor=0.5, patience=2), values, 0.01) == pytest.approx([0.01] * 5)
    assert replayed_learning_rates(RLROP(monitor=monitor, factor=0.5, patience=2), values[::-1], 0.01)[-1] < 0.01


def test_a_minimum_rate_that_stops_the_halving_is_accepted(judged):
    """Is a history that halves until the callback's min_lr, then stays there, accepted?"""
    ref = reference(QUICK)
    x, y = ref.x_train[:256] / 255, ref.y_train[:256]
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    model.trainable = False
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy")
    callback = RLROP(monitor="val_loss", factor=0.5, patience=2, min_lr=3e-4)
    history = model.fit(x, y, validation_data=(x, y), epochs=9, verbose=0, callbacks=[callback])
    assert history.history["learning_rate"][-1] == pytest.approx(3e-4)
    judged(check_reduce_lr_behaviour, callback, history)


def test_the_correct_callback_and_history_pass(plateau_history, judged):
    """Do the requested callback and a history with halvings pass the behaviour check?"""
    judged(check_reduce_lr_behaviour, RLROP(monitor="val_loss", factor=0.5, patience=2), plateau_history)


@pytest.mark.parametrize("callback", [RLROP(factor=0.5, patience=3), RLROP(factor=0.2, patience=2)])
def test_a_callback_that_does_not_halve_after_two_epochs_fails(callback, plateau_history, judged):
    """Does a callback that waits 3 epochs, or cuts by 80 %, fail the behaviour check?"""
    with pytest.raises(CheckFailed, match="meseta"):
        judged(check_reduce_lr_behaviour, callback, plateau_history)


def test_a_history_no_fit_returned_fails(judged):
    """Does a History that no fit call returned fail?"""
    history = keras.callbacks.History()
    history.history = {"loss": [1.0, 0.9], "learning_rate": [0.01, 0.01]}
    with pytest.raises(CheckFailed, match="history_rlr"):
        judged(check_reduce_lr_behaviour, RLROP(factor=0.5, patience=2), history)


def _fit(callbacks, *, trainable: bool, epochs: int):
    """A real run on 256 images validated on themselves, with the given callbacks."""
    keras.utils.set_random_seed(7)
    ref = reference(QUICK)
    x, y = ref.x_train[:256] / 255, ref.y_train[:256]
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    model.trainable = trainable
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy")
    return model.fit(x, y, validation_data=(x, y), epochs=epochs, verbose=0, callbacks=callbacks)


def test_a_run_that_kept_improving_and_was_never_reduced_passes(judged):
    """Does a correct callback pass on a run with no plateau, where it rightly never reduced the rate?"""
    callback = RLROP(monitor="val_loss", factor=0.5, patience=2)
    history = _fit([callback], trainable=True, epochs=6)
    losses = history.history["val_loss"]
    assert all(later < earlier for earlier, later in zip(losses, losses[1:])), "the run must keep improving"
    assert len(set(history.history["learning_rate"])) == 1
    judged(check_reduce_lr_behaviour, callback, history)


def test_a_run_not_reduced_when_the_callback_should_have_fails(judged):
    """Does a plateau run whose rate was not halved after 2 epochs (trained with another callback) fail?"""
    history = _fit([RLROP(monitor="val_loss", factor=0.5, patience=4)], trainable=False, epochs=6)
    with pytest.raises(CheckFailed, match="época 4"):
        judged(check_reduce_lr_behaviour, RLROP(monitor="val_loss", factor=0.5, patience=2), history)


def test_a_rate_changed_by_something_else_fails(judged):
    """Does a run whose rate another callback also lowers, with no plateau, fail?"""
    callback = RLROP(monitor="val_loss", factor=0.5, patience=2)
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, rate: rate * 0.9)
    history = _fit([callback, schedule], trainable=True, epochs=4)
    with pytest.raises(CheckFailed, match="época 2"):
        judged(check_reduce_lr_behaviour, callback, history)


def test_early_stopping_used_on_the_final_model_passes(plateau_history, judged):
    """Does an EarlyStopping on val_loss that trained the final model pass?"""
    ref = reference(QUICK)
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1)
    model.fit(ref.x_train[:128] / 255, ref.y_train[:128], validation_split=0.5, epochs=2, verbose=0, callbacks=[stop])
    judged(check_early_stopping, stop, model)
    with pytest.raises(CheckFailed, match="no se usó para entrenar final_model"):
        judged(check_early_stopping, keras.callbacks.EarlyStopping(monitor="val_loss", patience=1), model)
    with pytest.raises(CheckFailed, match="validación"):
        judged(check_early_stopping, keras.callbacks.EarlyStopping(monitor="loss", patience=1), model)


def _final_model(callbacks):
    """A small model trained with ``callbacks``, as the final training is."""
    ref = reference(QUICK)
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(ref.x_train[:128] / 255, ref.y_train[:128], validation_split=0.5, epochs=2, verbose=0, callbacks=callbacks)
    return model


@pytest.mark.parametrize("callbacks", [
    [RLROP(monitor="val_loss", factor=0.5, patience=2), keras.callbacks.EarlyStopping(monitor="val_loss")],
    [keras.callbacks.EarlyStopping(monitor="val_accuracy"), RLROP(monitor="val_accuracy", factor=0.5, patience=2)],
], ids=["reduce_lr_first", "another_reduce_lr_on_val_accuracy"])
def test_a_final_model_trained_with_a_reduce_lr_on_validation_passes(callbacks, judged):
    """Does a final model trained with a ReduceLROnPlateau on a validation metric pass, whichever object it is?"""
    judged(check_final_reduce_lr, _final_model(callbacks))


@pytest.mark.parametrize("callbacks, message", [
    ([keras.callbacks.EarlyStopping(monitor="val_loss")], "no se entrenó con reduce_lr"),
    ([], "no se entrenó con reduce_lr"),
    ([RLROP(monitor="loss", factor=0.5, patience=2)], "métrica del conjunto de validación"),
], ids=["early_stopping_only", "no_callbacks", "reduce_lr_on_training_loss"])
def test_a_final_model_trained_without_the_asked_reduce_lr_fails(callbacks, message, judged):
    """Does a final model trained without a ReduceLROnPlateau on validation lose the item?"""
    with pytest.raises(CheckFailed, match=message):
        judged(check_final_reduce_lr, _final_model(callbacks))


def test_a_reduce_lr_used_only_on_another_model_fails(judged):
    """Does a ReduceLROnPlateau that trained another model, not the final one, fail?"""
    _final_model([RLROP(monitor="val_loss", factor=0.5, patience=2)])
    with pytest.raises(CheckFailed, match="no se entrenó con reduce_lr"):
        judged(check_final_reduce_lr, _final_model([keras.callbacks.EarlyStopping(monitor="val_loss")]))
