"""Hidden checks of a keras_tuner search (p3), on real searches of the quick profile's data.

Each search is a real ``BayesianOptimization`` run of two short trials, its
fits logged as in the grader's kernels, judged on what the kernel hands over.
"""

import keras
import keras_tuner
import numpy as np
import pytest

from autograder.checks import search
from autograder.checks.failure import CheckFailed

from tests.conftest import fashion_mnist_arrays

pytestmark = pytest.mark.usefixtures("logged_fits")  # they train in this process: the checks judge its fit log

LR_SPACE = dict(min_value=0.00006, max_value=0.00026)


@pytest.fixture(scope="module")
def data():
    """The p3 notebook's arrays: flattened, scaled, one-hot, the last images as validation."""
    return fashion_mnist_arrays()


def network(learning_rate):
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate), metrics=["accuracy"])
    return model


class LrSearch(keras_tuner.HyperModel):
    """Exercise 1 as asked; ``shared`` returns one network for every trial, ``fixed_batch`` ignores the drawn size."""

    def __init__(self, shared=None, fixed_batch=None, batch_hp=None):
        super().__init__()
        self.shared, self.fixed_batch = shared, fixed_batch
        self.batch_hp = batch_hp or dict(step=2, sampling="log")

    def build(self, hp):
        learning_rate = hp.Float("lr", **LR_SPACE)
        if self.shared is None:
            return network(learning_rate)
        self.shared.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate))
        return self.shared

    def fit(self, hp, model, x, y, xy_val, **kwargs):
        batch_size = hp.Int("batch_size", 128, 256, **self.batch_hp)
        kwargs["callbacks"].append(keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=10))
        return model.fit(x, y, batch_size=self.fixed_batch or batch_size, epochs=2, validation_data=xy_val, **kwargs)


class PlateauSearch(keras_tuner.HyperModel):
    """Exercise 2 on a frozen network, so that val_accuracy never improves and the rate is reduced."""

    def __init__(self, tuned, monitor="val_accuracy", early_patience=None, meddle=False):
        super().__init__()
        self.tuned, self.monitor, self.early_patience, self.meddle = tuned, monitor, early_patience, meddle
        self.histories = []

    def build(self, hp):
        model = network(self.tuned["lr"])
        model.layers[0].trainable = False
        model.layers[1].trainable = False
        return model

    def fit(self, hp, model, x, y, xy_val, **kwargs):
        factor, patience = hp.Float("factor", 0.1, 0.5), hp.Choice("patience", [2, 5, 10])
        kwargs["callbacks"] += [
            keras.callbacks.ReduceLROnPlateau(monitor=self.monitor, factor=factor, patience=patience, min_lr=1e-6),
            keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=self.early_patience or 2 * patience),
        ]
        if self.meddle:  # something else lowers the rate too
            kwargs["callbacks"].append(keras.callbacks.LearningRateScheduler(lambda epoch, rate: rate * 0.9))
        # 12 epochs: even a patience of 10 runs out once
        self.histories.append(
            model.fit(x, y, batch_size=self.tuned["batch_size"], epochs=12, validation_data=xy_val, **kwargs))
        return self.histories[-1]


def searched(tmp_path_factory, data, hypermodel, name, trials=2):
    keras.utils.set_random_seed(23)
    tuner = keras_tuner.BayesianOptimization(hypermodel, objective="val_accuracy", max_trials=trials, overwrite=True,
                                             directory=tmp_path_factory.mktemp("ajuste"), project_name=name)
    tuner.search(*data["train"], data["val"], verbose=0)
    return tuner


@pytest.fixture(scope="module")
def tuner_lr(tmp_path_factory, data):
    return searched(tmp_path_factory, data, LrSearch(), "lr")


@pytest.fixture(scope="module")
def tuner_plateau(tmp_path_factory, data, tuner_lr):
    tuned = tuner_lr.get_best_hyperparameters()[0]
    return searched(tmp_path_factory, data, PlateauSearch(tuned), "planificador", trials=3)


def fresh_builder(tuner):
    return lambda: tuner.hypermodel.build(keras_tuner.HyperParameters())


def test_the_asked_searches_pass_every_check(judged, tuner_lr, tuner_plateau):
    """Do two searches done as the task asks pass the checks of both exercises?"""
    judged(search.check_fresh_trials, fresh_builder(tuner_lr), tuner_lr, search="lr")
    judged(search.check_search_space, tuner_lr, search="lr")
    judged(search.check_trial_training, tuner_lr, search="lr")
    judged(search.check_fresh_trials, fresh_builder(tuner_plateau), tuner_plateau, search="planificador")
    judged(search.check_search_space, tuner_plateau, search="planificador")
    judged(search.check_trial_training, tuner_plateau, tuner_lr, search="planificador")
    judged(search.check_lr_reductions, tuner_plateau)


def test_the_frozen_trials_really_had_their_rate_reduced(tuner_plateau):
    """Is the reduction check judged on runs where the rate did change (not a vacuous pass)?"""
    histories = tuner_plateau.hypermodel.histories
    assert len(histories) == 3
    assert all(history.history["learning_rate"][-1] < history.history["learning_rate"][0] for history in histories)


def test_one_network_for_every_trial_fails(judged, tmp_path_factory, data):
    """Does a build(hp) that returns the same network every time lose the fresh-model check?"""
    tuner = searched(tmp_path_factory, data, LrSearch(shared=network(1e-4)), "compartido")
    with pytest.raises(CheckFailed, match="devuelve el mismo modelo"):
        judged(search.check_fresh_trials, fresh_builder(tuner), tuner, search="lr")
    with pytest.raises(CheckFailed, match="ya entrenado"):
        judged(search.check_fresh_trials, fresh_builder(searched(tmp_path_factory, data, LrSearch(), "x")), tuner,
               search="lr")


@pytest.mark.parametrize("batch_hp", [dict(step=2), dict(step=64, sampling="linear")])
def test_a_batch_size_drawn_without_log_sampling_fails(judged, tmp_path_factory, data, batch_hp):
    """Is a batch size drawn linearly (step 2 or 64) another search space than the one asked?"""
    tuner = searched(tmp_path_factory, data, LrSearch(batch_hp=batch_hp), "lineal", trials=1)
    with pytest.raises(CheckFailed, match="'batch_size'"):
        judged(search.check_search_space, tuner, search="lr")


def test_a_fit_that_ignores_the_drawn_batch_size_fails(judged, tmp_path_factory, data):
    """Does a trial that trains with a fixed batch size, not the one its hyperparameters drew, fail?"""
    tuner = searched(tmp_path_factory, data, LrSearch(fixed_batch=100), "fijo", trials=1)
    with pytest.raises(CheckFailed, match="batch_size que ha elegido el tuner"):
        judged(search.check_trial_training, tuner, search="lr")


@pytest.mark.parametrize("options, message", [
    (dict(monitor="loss"), "debe vigilar 'val_accuracy'"),
    (dict(early_patience=10), "el doble"),
])
def test_scheduler_settings_not_asked_fail(judged, tmp_path_factory, data, tuner_lr, options, message):
    """Do a scheduler on the training loss, or an early stopping patience not tied to it, fail?"""
    tuned = tuner_lr.get_best_hyperparameters()[0]
    tuner = searched(tmp_path_factory, data, PlateauSearch(tuned, **options), "mal", trials=1)
    with pytest.raises(CheckFailed, match=message):
        judged(search.check_trial_training, tuner, tuner_lr, search="planificador")
    judged(search.check_lr_reductions, tuner)  # what its own scheduler did is still right


def test_a_rate_changed_by_something_else_fails(judged, tmp_path_factory, data, tuner_lr):
    """Does a trial whose learning rate also falls when ReduceLROnPlateau did not ask for it fail?"""
    tuned = tuner_lr.get_best_hyperparameters()[0]
    tuner = searched(tmp_path_factory, data, PlateauSearch(tuned, meddle=True), "otro", trials=1)
    with pytest.raises(CheckFailed, match="solo él debe cambiarla"):
        judged(search.check_lr_reductions, tuner)


def test_space_objective_and_extra_hyperparameters(judged, tmp_path_factory, data):
    """Do a wrong objective and an extra searched hyperparameter fail, while hp.Fixed ones are allowed?"""

    class Extra(LrSearch):
        def build(self, hp):
            hp.Fixed("units", 800)
            if self.shared == "extra":
                hp.Choice("dropout", [0.0, 0.2])
            return super(Extra, self).build(hp) if self.shared != "extra" else network(hp.Float("lr", **LR_SPACE))

    fixed = searched(tmp_path_factory, data, Extra(), "fijo", trials=1)
    judged(search.check_search_space, fixed, search="lr")
    extra = Extra()
    extra.shared = "extra"
    with pytest.raises(CheckFailed, match="no pide: dropout"):
        judged(search.check_search_space, searched(tmp_path_factory, data, extra, "extra", trials=1), search="lr")
    keras.utils.set_random_seed(1)
    loss = keras_tuner.RandomSearch(LrSearch(), objective="val_loss", max_trials=1, overwrite=True,
                                    directory=tmp_path_factory.mktemp("ajuste"), project_name="loss")
    loss.search(*data["train"], data["val"], verbose=0)
    with pytest.raises(CheckFailed, match="objective"):
        judged(search.check_search_space, loss, search="lr")


@pytest.fixture(scope="module")
def final(data, tuner_lr):
    """The final model as the task asks: the tuned settings, train + validation, no validation data."""
    tuned = tuner_lr.get_best_hyperparameters()[0]
    model = network(tuned["lr"])
    return model, model.fit(*data["train_val"], batch_size=tuned["batch_size"], epochs=1, verbose=0)


def test_the_final_training_as_asked_passes(judged, final, tuner_lr, tuner_plateau, data):
    """Do the final training and a results table computed by the notebook pass?"""
    model, history = final
    judged(search.check_final_training, model, history, tuner_lr)
    results = {
        "lr_batch_size": {"val": tuner_lr.oracle.get_best_trials(1)[0].score, "modelo_val": 0.8},
        "planificador": {"val": tuner_plateau.oracle.get_best_trials(1)[0].score, "modelo_val": 0.8},
        "final": {"test": model.evaluate(*data["test"], verbose=0)[1]},
    }
    judged(search.check_results_table, results, tuner_lr, tuner_plateau, model)
    results["planificador"]["val"] += 0.01
    with pytest.raises(CheckFailed, match="resultados\\['planificador'\\]\\['val'\\]"):
        judged(search.check_results_table, results, tuner_lr, tuner_plateau, model)


@pytest.mark.parametrize("mistake, message", [
    ("test_as_validation", "imágenes de test"),
    ("train_only", "x_train_val completo"),
    ("other_batch_size", "batch_size ajustado"),
])
def test_final_training_mistakes_fail(judged, data, tuner_lr, mistake, message):
    """Do the seed's test-as-validation, training without the validation images, or another batch size fail?"""
    tuned = tuner_lr.get_best_hyperparameters()[0]
    model = network(tuned["lr"])
    x, y = data["train"] if mistake == "train_only" else data["train_val"]
    history = model.fit(x, y, batch_size=tuned["batch_size"] + (1 if mistake == "other_batch_size" else 0), epochs=1,
                        validation_data=data["test"] if mistake == "test_as_validation" else None, verbose=0)
    with pytest.raises(CheckFailed, match=message):
        judged(search.check_final_training, model, history, tuner_lr)


def test_two_significant_figures_of_the_tuned_rate_are_accepted():
    """Is the tuned rate accepted as it is or rounded to two significant figures, and nothing further off?"""
    tuned = 0.00014936675501468113
    assert search._close_to_tuned(0.00015, tuned) and search._close_to_tuned(np.float32(tuned), tuned)
    assert not search._close_to_tuned(0.0001, tuned) and not search._close_to_tuned(0.00016, tuned)
