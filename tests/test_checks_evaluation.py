"""Evaluation and overfitting checks (p4), on real trainings with the quick profile's data.

The base network is trained on 500 images, long enough for its validation loss
to reach a minimum and rise again, as in the p4 notebook.
"""

import re

import keras
import numpy as np
import pytest

from autograder.checks import evaluation
from autograder.checks.failure import CheckFailed
from autograder.checks.wording import number
from tests.conftest import fashion_mnist_arrays

pytestmark = pytest.mark.usefixtures("logged_fits")  # they train in this process: the checks judge its fit log

EPOCHS = 12


@pytest.fixture(scope="module")
def data():
    """The p4 notebook's arrays: few training images, the last pool images as validation."""
    return fashion_mnist_arrays(training=500)


def network():
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(256, activation="relu"), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def train(model, data, epochs=EPOCHS, validation="val"):
    return model.fit(*data["train"], epochs=epochs, batch_size=32, validation_data=data[validation], verbose=0)


@pytest.fixture(scope="module")
def base(data):
    keras.utils.set_random_seed(4)
    model = network()
    return model, train(model, data)


def figures(model, history, data, split="test"):
    loss, accuracy = model.evaluate(*data[split], verbose=0)
    return {"train_accuracy": history.history["accuracy"][-1], "test_loss": loss, "test_accuracy": accuracy}


def test_does_the_base_run_overfit_so_that_the_epoch_checks_can_fail(base):
    """The tests below mean something only if the lowest validation loss is not at the last epoch."""
    losses = base[1].history["val_loss"]
    assert 1 <= int(np.argmin(losses)) < EPOCHS - 2
    assert int(np.argmin(base[1].history["loss"])) != int(np.argmin(losses))


def test_do_the_test_figures_from_evaluate_pass(judged, base, data):
    model, history = base
    judged(evaluation.check_evaluation, model, history, figures(model, history, data),
           model.predict(data["test"][0][:5], verbose=0))


def test_does_a_training_accuracy_measured_with_evaluate_pass_too(judged, base, data):
    model, history = base
    given = figures(model, history, data) | {"train_accuracy": model.evaluate(*data["train"], verbose=0)[1]}
    judged(evaluation.check_evaluation, model, history, given, model.predict(data["test"][0][:5], verbose=0))


def test_are_validation_figures_reported_as_test_refused(judged, base, data):
    model, history = base
    with pytest.raises(CheckFailed, match="conjunto de test"):
        judged(evaluation.check_evaluation, model, history, figures(model, history, data, split="val"),
               model.predict(data["test"][0][:5], verbose=0))


def test_are_swapped_loss_and_accuracy_told_they_are_swapped(judged, base, data):
    """evaluacion = {'test_loss': acc, 'test_accuracy': loss}: the sentence names the fault, with decimal commas."""
    model, history = base
    honest = figures(model, history, data)
    swapped = honest | {"test_loss": honest["test_accuracy"], "test_accuracy": honest["test_loss"]}
    with pytest.raises(CheckFailed, match="cambiadas la pérdida y la exactitud") as failure:
        judged(evaluation.check_evaluation, model, history, swapped, model.predict(data["test"][0][:5], verbose=0))
    assert number(honest["test_accuracy"]) in str(failure.value) and not re.search(r"\d\.\d", str(failure.value))


def test_is_a_wrong_test_accuracy_told_apart_from_a_wrong_loss(judged, base, data):
    """A right loss with another accuracy: the sentence names the accuracy alone, both numbers with commas."""
    model, history = base
    given = figures(model, history, data) | {"test_accuracy": 0.5}
    with pytest.raises(CheckFailed, match=r"^evaluacion\['test_accuracy'\] \(0,5\) no es la exactitud"):
        judged(evaluation.check_evaluation, model, history, given, model.predict(data["test"][0][:5], verbose=0))


def test_are_predictions_of_other_images_refused(judged, base, data):
    model, history = base
    with pytest.raises(CheckFailed, match="predicciones"):
        judged(evaluation.check_evaluation, model, history, figures(model, history, data),
               model.predict(data["test"][0][5:10], verbose=0))


def test_is_the_epoch_of_lowest_validation_loss_counted_from_one(judged, base):
    model, history = base
    best = int(np.argmin(history.history["val_loss"]))
    judged(evaluation.check_best_epoch, model, history, best + 1)
    with pytest.raises(CheckFailed, match="mejor_epoca"):
        judged(evaluation.check_best_epoch, model, history, best)


def test_is_the_epoch_of_lowest_training_loss_refused(judged, base):
    model, history = base
    with pytest.raises(CheckFailed, match="mejor_epoca"):
        judged(evaluation.check_best_epoch, model, history, int(np.argmin(history.history["loss"])) + 1)


def test_is_the_epoch_judged_on_the_recorded_run_not_on_the_history_object(judged, base):
    """A History edited in the kernel after training does not move the epoch: the fit log's copy decides."""
    model, history = base
    recorded = list(history.history["val_loss"])
    best = int(np.argmin(recorded)) + 1
    history.history["val_loss"] = [0.0] + [1.0] * (len(recorded) - 1)  # says epoch 1
    try:
        judged(evaluation.check_best_epoch, model, history, best)
        with pytest.raises(CheckFailed, match="mejor_epoca"):
            judged(evaluation.check_best_epoch, model, history, 1)
    finally:
        history.history["val_loss"] = recorded


def test_does_a_new_model_trained_up_to_the_best_epoch_pass(judged, base, data):
    best = int(np.argmin(base[1].history["val_loss"])) + 1
    model = network()
    judged(evaluation.check_retrained, base[1], model, train(model, data, epochs=best), best)


def test_is_continuing_the_overfit_model_refused(judged, base, data):
    best = int(np.argmin(base[1].history["val_loss"])) + 1
    with pytest.raises(CheckFailed, match="modelo nuevo"):
        judged(evaluation.check_retrained, base[1], base[0], train(base[0], data, epochs=best), best)


def test_is_a_retrain_for_another_number_of_epochs_refused(judged, base, data):
    best = int(np.argmin(base[1].history["val_loss"])) + 1
    model = network()
    with pytest.raises(CheckFailed, match="épocas"):
        judged(evaluation.check_retrained, base[1], model, train(model, data, epochs=best + 1), best)


def test_is_the_test_loss_the_one_keras_evaluate_reports_even_for_confident_mistakes(base, data):
    """Keras takes the log-softmax of the logits; clipped probabilities would give another loss here."""
    model = keras.models.clone_model(base[0])
    model.set_weights([weight * 6 for weight in base[0].get_weights()])  # probabilities of 0 for many classes
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    images, labels = data["test"][0], data["test"][1].argmax(axis=1)
    reported = model.evaluate(*data["test"], verbose=0)[0]
    probabilities = model.predict(images, verbose=0)[np.arange(len(labels)), labels]
    clipped = float(-np.log(np.clip(probabilities, 1e-7, 1 - 1e-7).astype(np.float64)).mean())
    assert abs(clipped - reported) > 1e-3 * reported
    assert abs(evaluation.keras_loss(model, images, labels, "modelo") - reported) <= 1e-5 * reported


class Subclassed(keras.Model):
    """The base network written as a keras.Model subclass, which Keras' safe mode cannot load."""

    def __init__(self):
        super().__init__()
        self.first, self.second = keras.layers.Dense(256, activation="relu"), keras.layers.Dense(256, activation="relu")
        self.out = keras.layers.Dense(10, activation="softmax")

    def call(self, inputs):
        return self.out(self.second(self.first(inputs)))


def test_is_a_subclass_model_evaluated_outside_the_kernel_like_any_other(judged, data):
    """The grader rebuilds it from the layers its call ran and recomputes its test loss and accuracy."""
    model = Subclassed()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    history = train(model, data, epochs=2)
    judged(evaluation.check_evaluation, model, history, figures(model, history, data, split="test"),
           model.predict(data["test"][0][:5], verbose=0), model_name="modelo_base")
    with pytest.raises(CheckFailed, match="conjunto de test"):
        judged(evaluation.check_evaluation, model, history, figures(model, history, data, split="val"),
               model.predict(data["test"][0][:5], verbose=0))
