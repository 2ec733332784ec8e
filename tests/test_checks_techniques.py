"""Variants of the base network (p4): each has its technique where it belongs, and nothing else changed.

Real short trainings on the quick profile's data; the models are judged as the
grader loads them, from what the kernel hands over.
"""

import keras
import pytest
from keras import regularizers

from autograder import course_data
from autograder.checks.failure import CheckFailed
from autograder.checks.techniques import check_variant

pytestmark = pytest.mark.usefixtures("logged_fits")  # they train in this process: the checks judge its fit log


@pytest.fixture(scope="module")
def data():
    (x, y), _ = course_data.load_data("fashion_mnist")
    x = x.reshape(-1, 784).astype("float32") / 255.0
    y = keras.utils.to_categorical(y, 10)
    n = course_data.validation_size()
    return {"train": (x[:300], y[:300]), "val": (x[-n:], y[-n:])}


def sequential(regularizer=None, dropout=None, batch_norm=False, units=64, output_regularizer=None, only_first=False):
    layers = [keras.Input(shape=(784,))]
    for position in range(2):
        use = regularizer if not (only_first and position) else None
        layers.append(keras.layers.Dense(units, activation="relu", kernel_regularizer=use))
        if batch_norm:
            layers.append(keras.layers.BatchNormalization())
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(10, activation="softmax", kernel_regularizer=output_regularizer))
    return keras.Sequential(layers)


def functional_dropout(rate=0.3):
    """The functional API, the activation as a layer of its own after the dropout's Dense."""
    inputs = keras.Input(shape=(784,))
    hidden = keras.layers.Dense(64)(inputs)
    hidden = keras.layers.Activation("relu")(hidden)
    hidden = keras.layers.Dropout(rate)(hidden)
    hidden = keras.layers.Dense(64, activation="relu")(hidden)
    hidden = keras.layers.Dropout(rate)(hidden)
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(hidden))


def trained(model, data, epochs=2, batch_size=64, optimizer="rmsprop"):
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model, model.fit(*data["train"], epochs=epochs, batch_size=batch_size, validation_data=data["val"], verbose=0)


@pytest.fixture(scope="module")
def base(data):
    return trained(sequential(), data)


PASSING = {
    "l2 as the seed writes it": ("l2", lambda: sequential(regularizers.l2(0.001))),
    "l2 as a class": ("l2", lambda: sequential(regularizers.L2(0.001))),
    "l2 through L1L2": ("l2", lambda: sequential(regularizers.L1L2(l1=0.0, l2=0.001))),
    "l1": ("l1", lambda: sequential(regularizers.l1(0.001))),
    "l1 and l2 at once": ("l1", lambda: sequential(regularizers.L1L2(l1=0.001, l2=0.001))),
    "dropout 0.5": ("dropout", lambda: sequential(dropout=0.5)),
    "dropout in the functional API": ("dropout", functional_dropout),
    "batch normalization": ("batchnorm", lambda: sequential(batch_norm=True)),
}


@pytest.mark.parametrize("variant, build", PASSING.values(), ids=PASSING.keys())
def test_does_each_honest_way_of_writing_a_variant_pass(judged, base, data, variant, build):
    judged(check_variant, *base, *trained(build(), data), variant=variant)


FAILING = {
    "l2 on one layer only": ("l2", lambda: sequential(regularizers.l2(0.001), only_first=True), "kernel_regularizer"),
    "l2 with another coefficient": ("l2", lambda: sequential(regularizers.l2(0.01)), "kernel_regularizer"),
    "l2 on the output layer too": ("l2", lambda: sequential(regularizers.l2(0.001),
                                                            output_regularizer=regularizers.l2(0.001)),
                                   "kernel_regularizer"),
    "l1 asked, l2 given": ("l1", lambda: sequential(regularizers.l2(0.001)), "kernel_regularizer"),
    "l2 given as a string": ("l2", lambda: sequential("l2"),
                             'un factor de 0,01: es lo que da kernel_regularizer="l2" .*se pide 0,001'),
    "dropout rate 0.9": ("dropout", lambda: sequential(dropout=0.9), "una tasa entre 0,2 y 0,5"),
    "dropout plus l2": ("dropout", lambda: sequential(regularizers.l2(0.001), dropout=0.5), "Dropout"),
    "batch normalization with other sizes": ("batchnorm", lambda: sequential(batch_norm=True, units=32), "algo más"),
    "no technique at all": ("batchnorm", sequential, "BatchNormalization"),
}


@pytest.mark.parametrize("variant, build, says", FAILING.values(), ids=FAILING.keys())
def test_is_each_wrong_variant_refused_with_its_reason(judged, base, data, variant, build, says):
    with pytest.raises(CheckFailed, match=says):
        judged(check_variant, *base, *trained(build(), data), variant=variant)


@pytest.mark.parametrize("training, says", [
    (dict(epochs=3), "número de épocas"),
    (dict(batch_size=32), "batch size"),
    (dict(optimizer="adam"), "optimizador"),
])
def test_is_a_variant_trained_otherwise_than_the_base_refused(judged, base, data, training, says):
    with pytest.raises(CheckFailed, match=says):
        judged(check_variant, *base, *trained(sequential(dropout=0.5), data, **training), variant="dropout")


def test_is_the_base_model_trained_on_refused_as_a_variant(judged, base, data):
    model = base[0]
    with pytest.raises(CheckFailed, match="modelo nuevo"):
        judged(check_variant, *base, model, model.fit(*data["train"], epochs=2, batch_size=64,
                                                       validation_data=data["val"], verbose=0), variant="l2")


class Subclassed(keras.Model):
    """The base network written as a keras.Model subclass: layers made in __init__, chained in call."""

    def __init__(self, regularizer=None, dropout=None, batch_norm=False, units=64):
        super().__init__()
        self.hidden = [keras.layers.Dense(units, activation="relu", kernel_regularizer=regularizer) for _ in range(2)]
        self.norms = [keras.layers.BatchNormalization() for _ in range(2)] if batch_norm else []
        self.drops = [keras.layers.Dropout(dropout) for _ in range(2)] if dropout else []
        self.out = keras.layers.Dense(10, activation="softmax")

    def call(self, inputs, training=False):
        x = inputs
        for i, dense in enumerate(self.hidden):
            x = dense(x)
            if self.norms:
                x = self.norms[i](x, training=training)
            if self.drops:
                x = self.drops[i](x, training=training)
        return self.out(x)


class CalledInAnotherOrder(keras.Model):
    """A subclass whose layers are made in one order and called in another (the dropout made first)."""

    def __init__(self, rate=0.3):
        super().__init__()
        self.drop_a, self.drop_b = keras.layers.Dropout(rate), keras.layers.Dropout(rate)
        self.dense_b = keras.layers.Dense(64, activation="relu")
        self.dense_a = keras.layers.Dense(64, activation="relu")
        self.head = keras.Sequential([keras.layers.Dense(10, activation="softmax")])  # a nested model opened up

    def call(self, inputs, training=False):
        return self.head(self.drop_b(self.dense_b(self.drop_a(self.dense_a(inputs), training=training)),
                                     training=training))


class Residual(keras.Model):
    """A subclass that adds a layer's input to its output: no stack of layers, so it cannot be rebuilt."""

    def __init__(self):
        super().__init__()
        self.first, self.second = keras.layers.Dense(64, activation="relu"), keras.layers.Dense(64, activation="relu")
        self.drop = keras.layers.Dropout(0.3)
        self.out = keras.layers.Dense(10, activation="softmax")

    def call(self, inputs, training=False):
        x = self.first(inputs)
        return self.out(self.drop(x + self.second(x), training=training))


@pytest.fixture(scope="module")
def subclassed_base(data):
    return trained(Subclassed(), data)


SUBCLASSED = {
    "a subclass variant of a Sequential base": ("sequential", "l2", lambda: Subclassed(regularizers.l2(0.001))),
    "a subclass base and a subclass variant": ("subclassed", "dropout", lambda: Subclassed(dropout=0.5)),
    "a subclass base and a functional variant": ("subclassed", "dropout", functional_dropout),
    "a subclass base and a batch normalization variant": ("subclassed", "batchnorm",
                                                          lambda: Subclassed(batch_norm=True)),
    "layers called in another order than made": ("sequential", "dropout", CalledInAnotherOrder),
}


@pytest.mark.parametrize("base_kind, variant, build", SUBCLASSED.values(), ids=SUBCLASSED.keys())
def test_are_models_written_as_keras_model_subclasses_judged_like_the_others(judged, base, subclassed_base, data,
                                                                            base_kind, variant, build):
    """A subclass that chains Keras layers is rebuilt from the layers its call ran, and judged as any model."""
    judged(check_variant, *(base if base_kind == "sequential" else subclassed_base), *trained(build(), data),
           variant=variant)


def test_is_a_wrong_subclass_variant_refused_for_its_technique(judged, subclassed_base, data):
    """A subclass with another factor is judged for its technique, in prose with a decimal comma, in code with a point."""
    says = r"modelo_l2 debe tener un regularizador L2 de factor 0,001 \(kernel_regularizer=regularizers.l2\(0.001\)\)"
    with pytest.raises(CheckFailed, match=says):
        judged(check_variant, *subclassed_base, *trained(Subclassed(regularizers.l2(0.01)), data), variant="l2")


def test_does_an_unjudgeable_subclass_name_the_right_model(judged, base, data):
    """A residual subclass cannot be rebuilt: the variant's cell names the variant, not modelo_base."""
    residual = trained(Residual(), data)
    with pytest.raises(CheckFailed, match="^modelo_dropout no se puede rehacer fuera del cuaderno"):
        judged(check_variant, *base, *residual, variant="dropout")
    with pytest.raises(CheckFailed, match="^modelo_dropout se compara con modelo_base, y modelo_base no se puede"):
        judged(check_variant, *residual, *trained(sequential(dropout=0.5), data), variant="dropout")
