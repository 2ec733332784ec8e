"""Hidden callback checks: configuration, and behaviour driven through a real plateau."""

import keras
import pytest

from autograder.checks.callbacks import (
    check_early_stopping, check_reduce_lr_behaviour, check_reduce_lr_config, plateau_learning_rates,
)
from autograder.checks.failure import CheckFailed
from autograder.checks.reference import reference

RLROP = keras.callbacks.ReduceLROnPlateau


@pytest.fixture(scope="module")
def plateau_history():
    """A real run whose validation loss never improves, with the course's callback."""
    ref = reference()
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
    (RLROP(monitor="val_loss", factor=0.1, patience=2), "50 %"),
    (RLROP(monitor="val_loss", factor=0.5, patience=4), "paciencia"),
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


def test_a_minimum_rate_that_stops_the_halving_is_accepted(judged):
    """Is a history that halves until the callback's min_lr, then stays there, accepted?"""
    ref = reference()
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


def test_a_history_without_reductions_fails(judged):
    """Does a history with no logged learning rate fail?"""
    history = keras.callbacks.History()
    history.history = {"loss": [1.0, 0.9]}
    with pytest.raises(CheckFailed, match="history_rlr"):
        judged(check_reduce_lr_behaviour, RLROP(factor=0.5, patience=2), history)


def test_early_stopping_used_on_the_final_model_passes(plateau_history, judged):
    """Does an EarlyStopping on val_loss that trained the final model pass?"""
    ref = reference()
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1)
    model.fit(ref.x_train[:128] / 255, ref.y_train[:128], validation_split=0.5, epochs=2, verbose=0, callbacks=[stop])
    judged(check_early_stopping, stop, model)
    with pytest.raises(CheckFailed, match="no se usó para entrenar final_model"):
        judged(check_early_stopping, keras.callbacks.EarlyStopping(monitor="val_loss", patience=1), model)
    with pytest.raises(CheckFailed, match="validación"):
        judged(check_early_stopping, keras.callbacks.EarlyStopping(monitor="loss", patience=1), model)
