"""Hidden checks of a keras_tuner search (p3), on real searches of the quick profile's data.

Each search is a real keras_tuner search of a few short trials, its fits logged
as in the grader's kernels, judged on what the kernel hands over. What the tuner
reports afterwards (files reloaded, attributes replaced) is compared with what
the fits recorded, never believed.
"""

import json
import re
from pathlib import Path

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

    def __init__(self, shared=None, fixed_batch=None, batch_hp=None, batch_choice=None, lr_space=None):
        super().__init__()
        self.shared, self.fixed_batch, self.batch_choice = shared, fixed_batch, batch_choice
        self.batch_hp = batch_hp or dict(step=2, sampling="log")
        self.lr_space = lr_space or LR_SPACE

    def build(self, hp):
        learning_rate = hp.Float("lr", **self.lr_space)
        if self.shared is None:
            return network(learning_rate)
        self.shared.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate))
        return self.shared

    def batch_size(self, hp):
        if self.batch_choice is not None:
            return hp.Choice("batch_size", self.batch_choice)
        return hp.Int("batch_size", 128, 256, **self.batch_hp)

    def fit(self, hp, model, x, y, xy_val, **kwargs):
        batch_size = self.batch_size(hp)
        kwargs["callbacks"].append(keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=10))
        kwargs.setdefault("epochs", 2)
        return model.fit(x, y, batch_size=self.fixed_batch or batch_size, validation_data=xy_val, **kwargs)


class PlateauSearch(keras_tuner.HyperModel):
    """Exercise 2 on a frozen network, so that val_accuracy never improves and the rate is reduced."""

    def __init__(self, tuned, monitor="val_accuracy", early_patience=None, meddle=False, factors=(0.1, 0.5)):
        super().__init__()
        self.tuned, self.monitor, self.early_patience, self.meddle = tuned, monitor, early_patience, meddle
        self.factors = factors
        self.histories = []

    def build(self, hp):
        model = network(self.tuned["lr"])
        model.layers[0].trainable = False
        model.layers[1].trainable = False
        return model

    def fit(self, hp, model, x, y, xy_val, **kwargs):
        factor, patience = hp.Float("factor", *self.factors), hp.Choice("patience", [2, 5, 10])
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


def searched(tmp_path_factory, data, hypermodel, name, trials=2, train="train", **options):
    keras.utils.set_random_seed(23)
    tuner = keras_tuner.BayesianOptimization(hypermodel, objective="val_accuracy", max_trials=trials, overwrite=True,
                                             directory=tmp_path_factory.mktemp("ajuste"), project_name=name, **options)
    tuner.search(*data[train], data["val"], verbose=0)
    return tuner


@pytest.fixture(scope="module")
def tuner_lr(tmp_path_factory, data):
    return searched(tmp_path_factory, data, LrSearch(), "lr")


@pytest.fixture(scope="module")
def tuner_plateau(tmp_path_factory, data, tuner_lr):
    tuned = tuner_lr.get_best_hyperparameters()[0]
    return searched(tmp_path_factory, data, PlateauSearch(tuned), "planificador", trials=3)


def test_the_asked_searches_pass_every_check(judged, tuner_lr, tuner_plateau):
    """Do two searches done as the task asks pass the checks of both exercises?"""
    judged(search.check_fresh_trials, tuner_lr, search="lr")
    judged(search.check_search_space, tuner_lr, search="lr")
    judged(search.check_trial_training, tuner_lr, search="lr")
    judged(search.check_fresh_trials, tuner_plateau, search="planificador")
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
    with pytest.raises(CheckFailed, match="El trial 1 de tuner_lr empieza con los pesos que el trial 0 ya había entrenado"):
        judged(search.check_fresh_trials, tuner, search="lr")


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


# What the tuner reports is not evidence: each report rewritten after the search, judged against the fit log.

def asked_plateau_space():
    hp = keras_tuner.HyperParameters()
    hp.Float("factor", 0.1, 0.5)
    hp.Choice("patience", [2, 5, 10])
    return hp


def rewrite_files(tuner):
    """Edit oracle.json and every trial.json to show the asked lr space and values inside it, and reload them."""
    project = tuner.project_dir
    paths = [Path(project) / "oracle.json", *sorted(Path(project).glob("trial_*/trial.json"))]

    def forge(node, index):
        if isinstance(node, dict):
            if node.get("class_name") == "Float" and node.get("config", {}).get("name") == "lr":
                node["config"].update(min_value=LR_SPACE["min_value"], max_value=LR_SPACE["max_value"])
            if isinstance(node.get("values"), dict) and "lr" in node["values"]:
                node["values"]["lr"] = 0.0001 + 0.00005 * index
            for value in node.values():
                forge(value, index)
        elif isinstance(node, list):
            for value in node:
                forge(value, index)

    for index, path in enumerate(paths):
        with open(path) as file:
            content = json.load(file)
        forge(content, index)
        with open(path, "w") as file:
            json.dump(content, file)
    tuner.reload()


@pytest.fixture(scope="module")
def tuner_fast_rates(tmp_path_factory, data):
    """A search over learning rates 0.001-0.01, not the asked 0.00006-0.00026."""
    return searched(tmp_path_factory, data, LrSearch(lr_space=dict(min_value=0.001, max_value=0.01)), "rapidas")


def test_a_wrong_space_reported_honestly_fails_as_a_wrong_space(judged, tuner_fast_rates):
    """Is a search over another interval told which interval it draws from, and which the task asks for?"""
    with pytest.raises(CheckFailed, match="'lr' de tuner_lr se elige entre 0,001 y 0,01, y el enunciado pide el "
                                          "intervalo de 0,00006 a 0,00026"):
        judged(search.check_search_space, tuner_fast_rates, search="lr")


def test_trial_files_rewritten_and_reloaded_do_not_pass(judged, tuner_fast_rates):
    """Do oracle.json and trial.json rewritten to show the asked space, and reloaded, fail the space and training items,
    saying the reports do not match the training that ran?"""
    rewrite_files(tuner_fast_rates)
    assert tuner_fast_rates.oracle.get_space().get_config()["space"][0]["config"]["max_value"] == 0.00026
    with pytest.raises(CheckFailed, match=r"oracle.hyperparameters\) no es el que declararon sus trials al entrenar: "
                                          "lo que informa el tuner no coincide con el entrenamiento que se ejecutó"):
        judged(search.check_search_space, tuner_fast_rates, search="lr")
    with pytest.raises(CheckFailed, match=r"tuner_lr dice que el trial 0 usó lr = 0,000\d+, pero entrenó con 0,00\d+: "
                                          "lo que informa el tuner no coincide"):
        judged(search.check_trial_training, tuner_fast_rates, search="lr")


@pytest.fixture(scope="module")
def tuned(tuner_lr):
    return tuner_lr.get_best_hyperparameters()[0]


@pytest.mark.parametrize("swap, source", [
    (lambda oracle: setattr(oracle, "hyperparameters", asked_plateau_space()), "oracle.hyperparameters"),
    (lambda oracle: setattr(oracle, "get_space", asked_plateau_space), "get_space()"),
])
def test_a_swapped_scheduler_space_fails(judged, tmp_path_factory, data, tuned, swap, source):
    """Does a search over factors 0.5-0.9 whose oracle then shows the asked space (its attribute or its get_space
    replaced on the instance) lose the space item, with the sentence that names the report?"""
    tuner = searched(tmp_path_factory, data, PlateauSearch(tuned, factors=(0.5, 0.9)), "factores", trials=1)
    swap(tuner.oracle)
    with pytest.raises(CheckFailed, match=re.escape(f"({source}) no es el que declararon sus trials al entrenar")):
        judged(search.check_search_space, tuner, search="planificador")


def test_values_declared_as_asked_but_trained_otherwise_fail(judged, tmp_path_factory, data, tuned):
    """Does a search that declares the asked space but trains with other values (a factor of 0.5 + the drawn one)
    lose the space item on the values its trials really used?"""

    class Shifted(PlateauSearch):
        def fit(self, hp, model, x, y, xy_val, **kwargs):
            factor, patience = 0.5 + hp.Float("factor", 0.1, 0.5) / 2, hp.Choice("patience", [2, 5, 10])
            kwargs["callbacks"] += [
                keras.callbacks.ReduceLROnPlateau(monitor="val_accuracy", factor=factor, patience=patience, min_lr=1e-6),
                keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=2 * patience)]
            return model.fit(x, y, batch_size=self.tuned["batch_size"], epochs=2, validation_data=xy_val, **kwargs)

    tuner = searched(tmp_path_factory, data, Shifted(tuned), "desplazado", trials=1)
    with pytest.raises(CheckFailed, match="El trial 0 de tuner_planificador entrenó con factor = 0,\\d+, fuera del "
                                          "espacio que pide el enunciado"):
        judged(search.check_search_space, tuner, search="planificador")


def test_a_forged_best_trial_or_score_fails(judged, tmp_path_factory, data, tuner_plateau, final):
    """Do another trial reported as the best (get_best_trials replaced on the oracle), other best values
    (get_best_hyperparameters replaced on the tuner), or a trial's score rewritten, fail the training item and the
    table that copies the reported score?"""
    tuner = searched(tmp_path_factory, data, LrSearch(), "forjado")
    worst = min(tuner.oracle.trials.values(), key=lambda trial: trial.score)
    model, _ = final

    def table():
        return {
            "lr_batch_size": {"val": tuner.oracle.get_best_trials(1)[0].score, "modelo_val": 0.8},
            "planificador": {"val": tuner_plateau.oracle.get_best_trials(1)[0].score, "modelo_val": 0.8},
            "final": {"test": model.evaluate(*data["test"], verbose=0)[1]},
        }

    tuner.oracle.get_best_trials = lambda num_trials=1: [worst]
    with pytest.raises(CheckFailed, match=r"El mejor trial que informa tuner_lr \(el \d\) no es el de mejor val_accuracy"):
        judged(search.check_trial_training, tuner, search="lr")
    with pytest.raises(CheckFailed, match="es la puntuación que informa tuner_lr de su mejor trial"):
        judged(search.check_results_table, table(), tuner, tuner_plateau, model)
    del tuner.oracle.get_best_trials  # keras_tuner's own again
    forged = tuner.get_best_hyperparameters()[0].copy()
    forged.values["batch_size"] = 512
    tuner.get_best_hyperparameters = lambda num_trials=1: [forged]
    with pytest.raises(CheckFailed, match=r"tuner_lr.get_best_hyperparameters\(\) da batch_size = 512, pero su mejor "
                                          r"trial entrenó con (128|256)"):
        judged(search.check_trial_training, tuner, search="lr")
    del tuner.get_best_hyperparameters
    worst.score = 0.99
    with pytest.raises(CheckFailed, match=r"tuner_lr da al trial \d una puntuación \(0,99\) que no es la val_accuracy"):
        judged(search.check_trial_training, tuner, search="lr")
    with pytest.raises(CheckFailed, match="es la puntuación que informa tuner_lr de su mejor trial"):
        judged(search.check_results_table, table(), tuner, tuner_plateau, model)


# A new model in every trial means new weights.

class Reused(LrSearch):
    """build(hp) returns a new network, with the weights the previous trial's network ended with."""

    def build(self, hp):
        model = super().build(hp)
        if getattr(self, "last", None) is not None:
            model.set_weights(self.last.get_weights())
        self.last = model
        return model


def test_a_hyperband_round_that_continues_a_trial_fails(judged, tmp_path_factory, data):
    """Does Hyperband, whose later rounds load an earlier trial's checkpoint and continue it, lose the new-model item,
    though every trial's build returned a new object?"""
    keras.utils.set_random_seed(23)
    tuner = keras_tuner.Hyperband(LrSearch(), objective="val_accuracy", max_epochs=3, factor=3, hyperband_iterations=1,
                                  overwrite=True, directory=tmp_path_factory.mktemp("ajuste"), project_name="hyperband")
    tuner.search(*data["train"], data["val"], verbose=0)
    with pytest.raises(CheckFailed, match=r"El trial \d+ de tuner_lr empieza con los pesos que el trial \d+ ya había "
                                          r"entrenado y sigue desde la época \d+, como en las rondas de Hyperband"):
        judged(search.check_fresh_trials, tuner, search="lr")


def test_new_networks_with_trained_weights_fail(judged, tmp_path_factory, data):
    """Does a build(hp) that returns a new object holding the previous trial's trained weights lose the item?"""
    tuner = searched(tmp_path_factory, data, Reused(), "reutilizado")
    with pytest.raises(CheckFailed, match="El trial 1 de tuner_lr empieza con los pesos que el trial 0 ya había "
                                          "entrenado: cada trial debe entrenar un modelo nuevo"):
        judged(search.check_fresh_trials, tuner, search="lr")


# Honest answers.

def test_two_executions_per_trial_are_judged_by_their_mean(judged, tmp_path_factory, data, tuner_plateau, final):
    """With executions_per_trial=2, is the tuner's score (the mean over a trial's two fits) accepted as 'val', and
    are the trials judged fresh and trained as asked?"""
    tuner = searched(tmp_path_factory, data, LrSearch(), "dos", executions_per_trial=2)
    runs = tuner_records(tuner)
    assert len(runs) == 4 and len({record.trial["trial_id"] for record in runs}) == 2
    judged(search.check_fresh_trials, tuner, search="lr")
    judged(search.check_search_space, tuner, search="lr")
    judged(search.check_trial_training, tuner, search="lr")
    model, _ = final
    best = tuner.oracle.get_best_trials(1)[0]
    maxima = [max(record.history_values["val_accuracy"]) for record in runs if record.trial["trial_id"] == best.trial_id]
    assert best.score == pytest.approx(np.mean(maxima)) and best.score < max(maxima)
    results = {
        "lr_batch_size": {"val": best.score, "modelo_val": 0.8},
        "planificador": {"val": tuner_plateau.oracle.get_best_trials(1)[0].score, "modelo_val": 0.8},
        "final": {"test": model.evaluate(*data["test"], verbose=0)[1]},
    }
    judged(search.check_results_table, results, tuner, tuner_plateau, model)
    results["lr_batch_size"]["val"] = max(maxima)  # the best single fit is not the trial's score
    with pytest.raises(CheckFailed, match=r"resultados\['lr_batch_size'\]\['val'\] \(0,\d+\) no es la exactitud"):
        judged(search.check_results_table, results, tuner, tuner_plateau, model)


def tuner_records(tuner):
    from autograder.kernel.fit_records import LOG

    return [record for record in LOG.records if record.trial is not None and record.trial["tuner_id"] == id(tuner)]


def test_the_batch_size_as_a_choice_of_the_same_values_passes(judged, tmp_path_factory, data):
    """Is hp.Choice("batch_size", [128, 256]), the value set of the asked log-sampled hp.Int, accepted?"""
    tuner = searched(tmp_path_factory, data, LrSearch(batch_choice=[128, 256]), "eleccion")
    judged(search.check_search_space, tuner, search="lr")
    judged(search.check_trial_training, tuner, search="lr")


def test_a_choice_of_other_batch_sizes_names_what_is_missing_and_extra(judged, tmp_path_factory, data):
    """Does hp.Choice("batch_size", [128, 192]) fail, naming the missing 256 and the extra 192?"""
    tuner = searched(tmp_path_factory, data, LrSearch(batch_choice=[128, 192]), "otra_eleccion", trials=1)
    with pytest.raises(CheckFailed, match="'batch_size' de tuner_lr no puede tomar el valor 256, que pide el enunciado "
                                          "y puede tomar el valor 192, que el enunciado no pide"):
        judged(search.check_search_space, tuner, search="lr")


def test_a_search_that_trains_on_the_validation_images_is_told_so(judged, tmp_path_factory, data):
    """Is a search fed x_train_val (validation images included) told that it trains with x_val?"""
    tuner = searched(tmp_path_factory, data, LrSearch(), "con_val", trials=1, train="train_val")
    with pytest.raises(CheckFailed, match="El trial 0 de tuner_lr entrena con x_val"):
        judged(search.check_trial_training, tuner, search="lr")


@pytest.mark.parametrize("hp, want, fault", [
    (dict(step=2, sampling="log"), search.SPACES["lr"]["batch_size"], None),
    (dict(step=2), search.SPACES["lr"]["batch_size"], "puede tomar los valores 130; 132; 134; 136; 138 y 58 más, que el"),
    (dict(step=64), search.SPACES["lr"]["batch_size"], "puede tomar el valor 192, que el enunciado no pide"),
])
def test_the_values_of_an_int_are_enumerated_as_keras_tuner_does(hp, want, fault):
    """Is hp.Int(128, 256, ...) judged by the values keras_tuner can draw from it?"""
    config = {"class": "Int", "name": "batch_size", "min_value": 128, "max_value": 256, "sampling": "linear", **hp}
    got = search._space_fault(search.possible_values(config), want)
    assert got == fault if fault is None else fault in got
    drawn = keras_tuner.HyperParameters()
    drawn.Int("batch_size", 128, 256, **hp)
    space = drawn.space[0]
    assert {space.prob_to_value(p / 1000) for p in range(1000)} <= search.possible_values(config)


def test_a_learning_rate_is_judged_by_the_interval_it_is_drawn_from():
    """Is a log-sampled lr over the asked interval accepted, and a choice of rates or another interval told apart?"""
    lr = search.SPACES["lr"]["lr"]
    assert search._space_fault(search.possible_values({"class": "Float", "min_value": 0.00006, "max_value": 0.00026,
                                                       "step": None, "sampling": "log"}), lr) is None
    fault = search._space_fault(search.possible_values({"class": "Choice", "values": [0.0001, 0.0002]}), lr)
    assert fault == ("puede tomar solo los valores 0,0001 y 0,0002, y el enunciado pide cualquier valor entre 0,00006 y "
                     "0,00026 (hp.Float sin step)")
