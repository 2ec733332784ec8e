"""TensorBoard and HParams logs (p4): real callbacks and summaries on the quick profile's data, read back
with TensorBoard's reader from what the kernel hands over, and matched with the fit log."""

import os

import keras
import pytest
import tensorflow as tf
from tensorboard.plugins.hparams import api as hp

from autograder.checks.failure import CheckFailed
from autograder.checks.tensorboard_logs import check_best_combination, check_hparams_grid, check_tensorboard_run
from autograder.kernel import event_files
from autograder.kernel.evidence import EventFiles
from tests.conftest import fashion_mnist_arrays

pytestmark = pytest.mark.usefixtures("logged_fits")  # they train in this process: the checks judge its fit log

UNITS = hp.HParam("unidades", hp.Discrete([16, 32]))
DROPOUT = hp.HParam("descarte", hp.Discrete([0.2, 0.5]))


@pytest.fixture(scope="module")
def data():
    """The p4 notebook's arrays, with few training images."""
    return fashion_mnist_arrays(training=300)


@pytest.fixture
def notebook_folder(tmp_path, monkeypatch):
    """The kernel's working directory, where the notebook lies."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def network(units=16, dropout=0.2):
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dropout(dropout), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def logged_run(data, callbacks, epochs=3):
    return network().fit(*data["train"], epochs=epochs, batch_size=64, validation_data=data["val"],
                         callbacks=callbacks, verbose=0)


def test_does_a_run_logged_inside_the_notebook_folder_with_histograms_pass(judged, data, notebook_folder):
    judged(check_tensorboard_run, logged_run(data, [keras.callbacks.TensorBoard("registros/tb", histogram_freq=1)]))


def test_does_a_log_folder_named_another_way_pass(judged, data, notebook_folder):
    judged(check_tensorboard_run, logged_run(data, [keras.callbacks.TensorBoard(
        log_dir=os.path.join("logs", "fit", "20261204-101500"), histogram_freq=1)]))


def test_is_a_run_without_histograms_refused(judged, data, notebook_folder):
    with pytest.raises(CheckFailed, match="histogram_freq=1"):
        judged(check_tensorboard_run, logged_run(data, [keras.callbacks.TensorBoard("registros/tb")]))


def test_is_a_log_folder_outside_the_notebook_folder_refused(judged, data, notebook_folder, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("fuera")
    with pytest.raises(CheckFailed, match="dentro de la carpeta del cuaderno"):
        judged(check_tensorboard_run, logged_run(data, [keras.callbacks.TensorBoard(str(elsewhere), histogram_freq=1)]))


def test_is_a_run_without_a_tensorboard_callback_refused(judged, data, notebook_folder):
    with pytest.raises(CheckFailed, match="no usa un callback"):
        judged(check_tensorboard_run, logged_run(data, []))


def test_are_logs_removed_before_the_grader_reads_them_refused(judged, data, notebook_folder):
    history = logged_run(data, [keras.callbacks.TensorBoard("registros/tb", histogram_freq=1)])
    for file in (notebook_folder / "registros" / "tb" / "validation").iterdir():
        file.unlink()
    with pytest.raises(CheckFailed, match="de validación"):
        judged(check_tensorboard_run, history)


def log_grid(root, data, *, split="val", metrics=("val_loss", "val_accuracy"), skip=(), one_run=False, extra=None):
    """The p4 grid logged with the HParams API: {(units, dropout): (validation accuracy, model)}.

    ``one_run``: every combination written with the same writer, in ``root`` (no run of its own); ``extra(model,
    data)``: logs more scalars in each combination's run after its validation figures."""
    with tf.summary.create_file_writer(root).as_default():
        hp.hparams_config(hparams=[UNITS, DROPOUT], metrics=[hp.Metric(metric) for metric in metrics])
    shared = tf.summary.create_file_writer(root) if one_run else None
    grid = {}
    for units in UNITS.domain.values:
        for dropout in DROPOUT.domain.values:
            if (units, dropout) in skip:
                continue
            writer = shared or tf.summary.create_file_writer(os.path.join(root, f"u{units}-d{dropout}"))
            with writer.as_default():
                hp.hparams({UNITS: units, DROPOUT: dropout})
                model = network(units, dropout)
                model.fit(*data["train"], epochs=2, batch_size=64, validation_data=data["val"], verbose=0)
                loss, accuracy = model.evaluate(*data[split], verbose=0)
                for metric, value in zip(("val_loss", "val_accuracy"), (loss, accuracy)):
                    if metric in metrics:
                        tf.summary.scalar(metric, value, step=1)
                if extra:
                    extra(model, data)
            grid[(units, dropout)] = (model.evaluate(*data["val"], verbose=0)[1], model)
    if shared:
        shared.flush()
    return grid


def best_of(grid):
    (units, dropout), (_, model) = max(grid.items(), key=lambda item: item[1][0])
    return {"unidades": units, "descarte": dropout}, model


def test_does_a_complete_grid_and_its_best_combination_pass(judged, data, notebook_folder):
    grid = log_grid("registros/hparams", data)
    best, model = best_of(grid)
    judged(check_hparams_grid, EventFiles("registros/hparams"))
    judged(check_best_combination, EventFiles("registros/hparams"), best, model,
           model.evaluate(*data["test"], verbose=0)[1])


def test_is_a_grid_missing_a_combination_refused(judged, data, notebook_folder):
    log_grid("registros/hparams", data, skip={(32, 0.5)})
    with pytest.raises(CheckFailed, match="una ejecución por combinación"):
        judged(check_hparams_grid, EventFiles("registros/hparams"))


def test_is_a_grid_that_logs_test_figures_refused(judged, data, notebook_folder):
    log_grid("registros/hparams", data, split="test")
    with pytest.raises(CheckFailed, match="nunca con el test"):
        judged(check_hparams_grid, EventFiles("registros/hparams"))


def test_is_a_grid_without_the_validation_loss_refused(judged, data, notebook_folder):
    log_grid("registros/hparams", data, metrics=("val_accuracy",))
    with pytest.raises(CheckFailed, match="val_loss"):
        judged(check_hparams_grid, EventFiles("registros/hparams"))


def test_is_a_grid_logged_outside_the_notebook_folder_refused(judged, data, notebook_folder, tmp_path_factory):
    elsewhere = str(tmp_path_factory.mktemp("fuera"))
    log_grid(elsewhere, data)
    with pytest.raises(CheckFailed, match="No hay registros"):
        judged(check_hparams_grid, EventFiles(elsewhere))


def test_are_a_worse_combination_another_model_and_another_test_figure_refused(judged, data, notebook_folder):
    grid = log_grid("registros/hparams", data)
    best, model = best_of(grid)
    (units, dropout), (worst_accuracy, worst_model) = min(grid.items(), key=lambda item: item[1][0])
    assert worst_accuracy < grid[(best["unidades"], best["descarte"])][0]
    events, test_accuracy = EventFiles("registros/hparams"), model.evaluate(*data["test"], verbose=0)[1]
    with pytest.raises(CheckFailed, match="mejor_combinacion"):
        judged(check_best_combination, events, {"unidades": units, "descarte": dropout}, model, test_accuracy)
    with pytest.raises(CheckFailed, match="mejor_modelo"):
        judged(check_best_combination, events, best, worst_model, test_accuracy)
    with pytest.raises(CheckFailed, match="test_mejor"):
        judged(check_best_combination, events, best, model, grid[(best["unidades"], best["descarte"])][0] + 0.1)


def test_are_runs_left_from_the_students_earlier_session_ignored(judged, data, notebook_folder, monkeypatch):
    """Does a submission that still holds the event files of an earlier grid pass on what this run writes?"""
    log_grid("registros/hparams/sesion_anterior", data, skip={(16, 0.2), (16, 0.5), (32, 0.2)})
    monkeypatch.setattr(event_files, "_present_at_start", event_files._present_at_start)  # restored afterwards
    event_files.ignore_existing_event_files()  # what the kernel does when it starts, before the notebook runs
    grid = log_grid("registros/hparams", data)
    best, model = best_of(grid)
    judged(check_hparams_grid, EventFiles("registros/hparams"))
    judged(check_best_combination, EventFiles("registros/hparams"), best, model,
           model.evaluate(*data["test"], verbose=0)[1])


def test_is_a_grid_logged_as_one_run_refused_while_its_best_combination_is_judged_on_its_own(judged, data,
                                                                                            notebook_folder):
    """Every combination written in HPARAMS_DIR itself: the grid item fails for that, with its own sentence; the best
    combination, chosen on validation and evaluated on test once, passes."""
    grid = log_grid("registros/hparams", data, one_run=True)
    best, model = best_of(grid)
    with pytest.raises(CheckFailed, match="^La rejilla registra 4 combinaciones en una sola ejecución de HParams"):
        judged(check_hparams_grid, EventFiles("registros/hparams"))
    judged(check_best_combination, EventFiles("registros/hparams"), best, model,
           model.evaluate(*data["test"], verbose=0)[1])
    worst = min(grid.items(), key=lambda item: item[1][0])[0]
    winner = r"es \(descarte = 0,[25]; unidades = \d+\), con 0,\d+\.$"  # the winner and its accuracy, decimal commas
    with pytest.raises(CheckFailed, match=f"^mejor_combinacion no es la combinación .*: {winner}"):
        judged(check_best_combination, EventFiles("registros/hparams"), {"unidades": worst[0], "descarte": worst[1]},
               model, model.evaluate(*data["test"], verbose=0)[1])


def tutorial_test_accuracy(model, data):
    """The TensorFlow HParams tutorial's way: the test accuracy of each combination, as 'accuracy'."""
    _, accuracy = model.evaluate(*data["test"], verbose=0)
    tf.summary.scalar("accuracy", accuracy, step=1)


def accuracy_from_evaluates_dict(model, data):
    """The same mistake spelled otherwise: evaluate's dict, another tag and step."""
    tf.summary.scalar("test_accuracy", model.evaluate(*data["test"], verbose=0, return_dict=True)["accuracy"], step=0)


def accuracy_from_predict(model, data):
    """The same mistake without evaluate: the share of right classes that predict gives on the test images."""
    x_test, y_test = data["test"]
    right = model.predict(x_test, verbose=0).argmax(axis=1) == y_test.argmax(axis=1)
    tf.summary.scalar("exactitud_test", float(right.mean()), step=1)


@pytest.mark.parametrize("extra", [tutorial_test_accuracy, accuracy_from_evaluates_dict, accuracy_from_predict])
def test_is_a_grid_that_logs_each_combinations_test_accuracy_refused(judged, data, notebook_folder, extra):
    """Beside honest validation figures, each combination's test accuracy: the grid item fails (the exercise's
    "Ojo"); the best combination, chosen on validation, passes."""
    grid = log_grid("registros/hparams", data, extra=extra)
    best, model = best_of(grid)
    tag = {tutorial_test_accuracy: "accuracy", accuracy_from_evaluates_dict: "test_accuracy"}.get(extra, "exactitud_test")
    with pytest.raises(CheckFailed, match=f"'{tag}', una cifra de su modelo en el conjunto de test.*«Ojo»"):
        judged(check_hparams_grid, EventFiles("registros/hparams"))
    judged(check_best_combination, EventFiles("registros/hparams"), best, model,
           model.evaluate(*data["test"], verbose=0)[1])


def test_does_a_grid_that_logs_a_training_figure_too_pass(judged, data, notebook_folder):
    """Another scalar that is no test figure (the training accuracy) is no mistake."""
    def training_accuracy(model, data):
        tf.summary.scalar("train_accuracy", model.evaluate(*data["train"], verbose=0)[1], step=1)

    grid = log_grid("registros/hparams", data, extra=training_accuracy)
    best, model = best_of(grid)
    judged(check_hparams_grid, EventFiles("registros/hparams"))
    judged(check_best_combination, EventFiles("registros/hparams"), best, model,
           model.evaluate(*data["test"], verbose=0)[1])


def test_does_a_grid_scored_on_test_fail_the_best_combination_with_its_own_sentence(judged, data, notebook_folder):
    grid = log_grid("registros/hparams", data, split="test")
    best, model = best_of(grid)
    with pytest.raises(CheckFailed, match="^No se puede comprobar mejor_combinacion sin una rejilla con cifras de "
                                          "validación: .*nunca con el test"):
        judged(check_best_combination, EventFiles("registros/hparams"), best, model,
               model.evaluate(*data["test"], verbose=0)[1])
