"""Hidden check that the final network uses at least one regularization technique."""

import keras
import pytest

from autograder.checks.failure import CheckFailed
from autograder.checks.reference import pool
from autograder.checks.regularization import check_regularized
from tests.conftest import QUICK

pytestmark = pytest.mark.usefixtures("logged_fits")  # they train in this process: the checks judge its fit log


def train(*layers, callbacks=None):
    ref = pool(QUICK)
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(), *layers, keras.layers.Dense(10)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model, model.fit(ref.x_train[:512] / 255.0, ref.y_train[:512], validation_split=0.2, epochs=2,
                            verbose=0, callbacks=callbacks)


@pytest.mark.parametrize("layers, callbacks", [
    ([keras.layers.Dense(32), keras.layers.Dropout(0.3)], None),
    ([keras.layers.Dense(32, kernel_regularizer=keras.regularizers.l1(1e-4))], None),
    ([keras.layers.Dense(32), keras.layers.BatchNormalization()], None),
    ([keras.layers.Dense(32)], [keras.callbacks.EarlyStopping(patience=1)]),
])
def test_any_one_technique_passes(layers, callbacks, judged):
    """Does dropout, L1/L2, batch normalization or early stopping alone pass?"""
    judged(check_regularized, *train(*layers, callbacks=callbacks))


def test_a_plain_network_fails(judged):
    """Does a network with no regularization at all fail with a sentence that lists the options?"""
    with pytest.raises(CheckFailed, match="dropout, regularización L1/L2, batch normalization o early stopping"):
        judged(check_regularized, *train(keras.layers.Dense(32)))


def test_early_stopping_used_on_another_run_does_not_count(judged):
    """Does early stopping count only when it is in the final network's own fit?"""
    model, _ = train(keras.layers.Dense(32), callbacks=[keras.callbacks.EarlyStopping()])
    _, plain_history = train(keras.layers.Dense(32))
    with pytest.raises(CheckFailed, match="final_history debe ser"):
        judged(check_regularized, model, plain_history)
