"""Hidden checks that each comparison run applies its variant: activation, initialization, optimizer."""

import keras
import pytest

from autograder.checks.failure import CheckFailed
from autograder.checks.reference import pool
from autograder.checks.regularization import regularization_techniques
from autograder.checks.variants import (
    ACTIVATIONS,
    INITIALIZERS,
    OPTIMIZERS,
    check_activations,
    check_initializers,
    check_optimizers,
)
from autograder.kernel.architecture import activation_name
from tests.conftest import QUICK

pytestmark = pytest.mark.usefixtures("logged_fits")  # they train in this process: the checks judge its fit log


def build(activation="relu", initializer="glorot_uniform", optimizer="sgd", hidden=(64, 32, 16)):
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten()])
    for units in hidden:
        model.add(keras.layers.Dense(units, activation=activation, kernel_initializer=initializer))
    model.add(keras.layers.Dense(10, activation="softmax", kernel_initializer=initializer))
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return model


@pytest.fixture(scope="module")
def data():
    ref = pool(QUICK)
    return ref.x_train[:256] / 255.0, ref.y_train[:256]


def run(model, data):
    return model.fit(*data, epochs=1, batch_size=256, verbose=0)


def test_each_activation_in_its_run_passes(data, judged):
    """Does the same network with sigmoid, relu, selu and leaky_relu pass?"""
    judged(check_activations, {name: run(build(activation=name), data) for name in ACTIVATIONS})


def test_activation_layers_after_linear_dense_layers_count(data, judged):
    """Do Dense layers followed by Activation / LeakyReLU layers count as using that activation?"""
    def layered(name):
        model = keras.Sequential([keras.Input(shape=(784,))])
        for units in (64, 32, 16):
            model.add(keras.layers.Dense(units))
            model.add(keras.layers.BatchNormalization())
            model.add(keras.layers.LeakyReLU(negative_slope=0.1) if name == "leaky_relu" else keras.layers.Activation(name))
        model.add(keras.layers.Dense(10, activation="softmax"))
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        return model

    x, y = data
    judged(check_activations, {name: run(layered(name), (x.reshape(-1, 784), y)) for name in ACTIVATIONS})


def test_an_ignored_activation_fails(data, judged):
    """Does a builder that always uses relu fail, naming the run and the activation found?"""
    histories = {name: run(build(activation="relu"), data) for name in ACTIVATIONS}
    with pytest.raises(CheckFailed, match="'relu' en lugar de 'sigmoid'"):
        judged(check_activations, histories)


def test_a_shallow_network_fails(data, judged):
    """Does a network with fewer than 4 Dense layers fail?"""
    histories = {name: run(build(activation=name, hidden=(32,)), data) for name in ACTIVATIONS}
    with pytest.raises(CheckFailed, match="al menos 4"):
        judged(check_activations, histories)


def test_different_networks_per_activation_fail(data, judged):
    """Does a comparison whose runs change the network, not only the activation, fail?"""
    histories = {name: run(build(activation=name, hidden=(64, 32, 16 + i)), data) for i, name in enumerate(ACTIVATIONS)}
    with pytest.raises(CheckFailed, match="misma red"):
        judged(check_activations, histories)


def test_a_missing_run_fails(data, judged):
    """Does a comparison without one of its runs fail, naming it?"""
    with pytest.raises(CheckFailed, match="Falta el entrenamiento 'selu'"):
        judged(check_activations, {name: run(build(activation=name), data) for name in ("sigmoid", "relu", "leaky_relu")})


def test_each_initializer_passes_whatever_its_spelling(data, judged):
    """Do zeros, a normal of any spread and glorot uniform pass, as strings or objects?"""
    judged(check_initializers, {name: run(build(initializer=name), data) for name in INITIALIZERS})
    judged(check_initializers, {
        "zeros": run(build(initializer=keras.initializers.Constant(0.0)), data),
        "random_normal": run(build(initializer=keras.initializers.RandomNormal(stddev=0.2)), data),
        "glorot_uniform": run(build(initializer=keras.initializers.GlorotUniform()), data),
    })


@pytest.mark.parametrize("name, wrong", [
    ("zeros", "glorot_uniform"), ("random_normal", "random_uniform"), ("glorot_uniform", "he_uniform"),
])
def test_the_wrong_initializer_fails(data, name, wrong, judged):
    """Does a run that starts from another initialization than its own fail?"""
    histories = {key: run(build(initializer=key), data) for key in INITIALIZERS}
    histories[name] = run(build(initializer=wrong), data)
    with pytest.raises(CheckFailed, match=f"'{name}'"):
        judged(check_initializers, histories)


def test_each_optimizer_passes_by_name_or_object(data, judged):
    """Do SGD, RMSprop, Adagrad and Adam pass, given by name or as objects?"""
    judged(check_optimizers, {name: run(build(optimizer=name), data) for name in OPTIMIZERS})
    judged(check_optimizers, {name: run(build(optimizer=keras.optimizers.get(name).__class__()), data) for name in OPTIMIZERS})


def test_the_wrong_optimizer_fails(data, judged):
    """Does a run trained with another optimizer than its name fail?"""
    histories = {name: run(build(optimizer=name), data) for name in OPTIMIZERS}
    histories["adagrad"] = run(build(optimizer="adam"), data)
    with pytest.raises(CheckFailed, match="'adagrad' se entrena con Adam"):
        judged(check_optimizers, histories)


@pytest.mark.parametrize("activation, name", [
    ("relu", "relu"), (keras.layers.LeakyReLU(), "leaky_relu"), (keras.layers.ReLU(negative_slope=0.1), "leaky_relu"),
    (keras.activations.selu, "selu"), (keras.layers.Activation("sigmoid"), "sigmoid"),
])
def test_activation_names(activation, name):
    """Does every way of writing an activation get its canonical name?"""
    resolved = keras.activations.get(activation) if isinstance(activation, str) else activation
    assert activation_name(resolved) == name


def test_regularization_techniques_are_found():
    """Are dropout, L1/L2, batch normalization and early stopping recognized, and their absence too?"""
    plain = build()
    assert regularization_techniques(plain) == []
    regularized = keras.Sequential([
        keras.Input(shape=(784,)), keras.layers.Dense(8, kernel_regularizer="l2"), keras.layers.Dropout(0.2),
        keras.layers.BatchNormalization(), keras.layers.Dense(10),
    ])
    found = regularization_techniques(regularized, [keras.callbacks.EarlyStopping()])
    assert found == ["dropout", "regularización L1/L2", "batch normalization", "early stopping"]
