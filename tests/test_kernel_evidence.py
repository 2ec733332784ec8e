"""What the kernel hands over: each fit once, as it returns; each model's content once; calls that name them."""

import json

import keras
import numpy as np
import pytest

from autograder.checks.loaded_evidence import load_call, training_record
from autograder.kernel.evidence import Recorder
from autograder.kernel.fit_records import LOG
from autograder.kernel.layout import CALL_FILE, EVIDENCE_DIR, FIT_FILE, FIT_PREFIX, OBJECT_PREFIX

pytestmark = pytest.mark.usefixtures("logged_fits")  # they train in this process: the checks judge its fit log

X = np.random.default_rng(0).random((64, 784)).astype("float32")
Y = np.arange(64) % 10


@pytest.fixture
def recorder(tmp_path, monkeypatch):
    """A recorder handing over into ``tmp_path``, told of each fit as it returns, as in the student's kernel."""
    recorder = Recorder(str(tmp_path))
    monkeypatch.setattr(LOG, "on_fit_returned", recorder.fit_returned)
    return recorder


def tiny_model():
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def folders(drop_box, prefix: str) -> list:
    return sorted(path for path in drop_box.iterdir() if path.name.startswith(prefix))


def calls(drop_box) -> list:
    return sorted(path for path in drop_box.iterdir() if (path / CALL_FILE).exists())


def named_fits(call_folder) -> list[str]:
    """The fit records a call names (the fits of earlier tests in this process were never handed over)."""
    return [name for name in json.loads((call_folder / CALL_FILE).read_text())["fits"] if name]


def test_each_fit_is_handed_over_once_as_it_returns_and_every_later_call_names_it(recorder, tmp_path):
    """Is a fit's record in the drop box as soon as fit returns, written once, and named by every later call?"""
    model = tiny_model()
    first = model.fit(X, Y, epochs=1, verbose=0)
    assert len(folders(tmp_path, FIT_PREFIX)) == 1, "handed over before any hidden cell ran"
    recorder.check_first(first)
    second = model.fit(X, Y, epochs=2, verbose=0)
    recorder.check_both(first, second)
    fits = [path.name for path in folders(tmp_path, FIT_PREFIX)]
    assert len(fits) == 2
    assert [named_fits(call) for call in calls(tmp_path)] == [fits[:1], fits]
    _, (old, new), _, _ = load_call(calls(tmp_path)[1])
    assert (training_record(old, "old").previous_fits, training_record(new, "new").previous_fits) == (0, 1)
    assert len(training_record(new, "new").history["loss"]) == 2


def test_a_fit_that_raises_still_hands_its_record_over(recorder, tmp_path):
    """Does a fit that fails (wrong input shape) leave its record, with no history?"""
    with pytest.raises(ValueError):
        tiny_model().fit(np.zeros((4, 5)), Y[:4], verbose=0)
    (record,) = folders(tmp_path, FIT_PREFIX)
    assert json.loads((record / FIT_FILE).read_text())["history"] == {}


def test_a_model_handed_over_again_unchanged_is_saved_once(recorder, tmp_path):
    """Is a model saved once while it stays the same, again once it trains, and apart from an identical copy?"""
    model = tiny_model()
    model.fit(X, Y, epochs=1, verbose=0)
    recorder.check_a(model)
    recorder.check_b(model)
    assert len(folders(tmp_path, OBJECT_PREFIX)) == 1
    model.fit(X, Y, epochs=1, verbose=0)
    recorder.check_c(model)
    twin = keras.models.clone_model(model)
    twin.set_weights(model.get_weights())
    recorder.check_d(twin)
    assert len(folders(tmp_path, OBJECT_PREFIX)) == 3
    loaded, identities = [], []
    for call in calls(tmp_path):  # each call's evidence knows the kernel identity of the models it loaded
        _, (model_loaded,), _, evidence = load_call(call)
        loaded.append(model_loaded)
        identities.append(evidence.kernel_id(model_loaded))
    assert identities == [id(model)] * 3 + [id(twin)]
    assert np.array_equal(loaded[2].predict(X, verbose=0), model.predict(X, verbose=0))


def test_a_call_that_names_a_folder_outside_the_evidence_is_refused(tmp_path):
    """Is a reference that leaves the evidence folder (``../``) refused instead of followed?"""
    call = tmp_path / EVIDENCE_DIR / "call"
    call.mkdir(parents=True)
    (call / CALL_FILE).write_text(json.dumps({"check": "check_x", "args": [], "kwargs": {}, "fits": ["../fuera"]}))
    with pytest.raises(ValueError):
        load_call(call)
