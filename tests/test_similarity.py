"""The similarity hint: pairs of students whose own code (template excluded) matches, on real p1 notebooks."""

from __future__ import annotations

import re

import nbformat
import pytest

from autograder.pipeline.class_report.similarity import SIMILARITY_THRESHOLD, write_similarity_report
from tests.conftest import ROOT, submit

ASSIGNMENT = "p1_normalizacion"
RELEASE = ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

# A student who solved p1 on their own: other names, other constructs, the same task.
OWN_ANSWERS = {
    "normalizacion_1": "escala = 255.0\nX_train_scaled, X_valid_scaled, X_test_scaled = (\n"
                       "    np.asarray(a, dtype='float32') / escala for a in (X_train, X_valid, X_test))\n"
                       "for nombre, datos in [('entreno', X_train_scaled)]:\n"
                       "    print(nombre, round(float(datos.min()), 3), round(float(datos.max()), 3))\n",
    "normalizacion_2": "media = np.mean(X_train_scaled)\ndef centrar(datos):\n    return datos - media\n"
                       "X_train_centered = centrar(X_train_scaled)\nX_valid_centered = centrar(X_valid_scaled)\n"
                       "X_test_centered = centrar(X_test_scaled)\n",
    "normalizacion_3": "from sklearn.preprocessing import StandardScaler\n"
                       "escalador = StandardScaler().fit(X_train.reshape(-1, 1))\n"
                       "estandarizar = lambda datos: escalador.transform(datos.reshape(-1, 1)).reshape(datos.shape)\n"
                       "X_train_standardized, X_valid_standardized, X_test_standardized = map(\n"
                       "    estandarizar, (X_train, X_valid, X_test))\n",
    "modelo": "def build_model(optimizer='adam'):\n    capas = [keras.layers.Input((784,))]\n"
              "    for unidades in (256, 128):\n        capas.append(keras.layers.Dense(unidades, activation='relu'))\n"
              "    capas.append(keras.layers.Dense(10, activation='softmax'))\n    red = keras.Sequential(capas)\n"
              "    red.compile(optimizer=optimizer, loss='categorical_crossentropy', metrics=['accuracy'])\n"
              "    return red\n\n\ndef train_model(x_train, y_train, x_valid, y_valid, epochs=10, optimizer='adam', "
              "callbacks=None):\n    red = build_model(optimizer)\n    return red, red.fit(x_train, y_train, "
              "validation_data=(x_valid, y_valid), epochs=epochs, batch_size=64, callbacks=callbacks or [], verbose=0)\n",
    "reduce_lr": "reduce_lr = keras.callbacks.ReduceLROnPlateau(patience=2, factor=0.5)\n",
    "modelo_final": "early_stopping = keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)\n"
                    "X_valid_final = X_valid_scaled\nX_test_final = X_test_scaled\n"
                    "final_model, final_history = train_model(X_train_scaled, y_train, X_valid_final, y_valid, "
                    "epochs=40, callbacks=[early_stopping, reduce_lr])\n"
                    "print(final_model.evaluate(X_test_final, y_test, verbose=0))\n",
}


def _own_notebook() -> str:
    """The released notebook with OWN_ANSWERS in its solution cells."""
    notebook = nbformat.read(RELEASE, as_version=4)
    for cell in notebook.cells:
        marks = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and marks.get("solution"):
            cell.source = OWN_ANSWERS[marks["grade_id"]]
    return nbformat.writes(notebook)


def _pairs(course, students) -> tuple[str, list[tuple[str, str, int, int]]]:
    """The similarity page, and its listed pairs: (first, second, % of the first's code, % of the second's)."""
    page = write_similarity_report(course, ASSIGNMENT, students, course / "calificaciones").read_text("utf-8")
    rows = re.findall(r'<tr><td><a href="#par-\d+">(\w+) y (\w+)</a></td><td>(\d+) %</td><td>(\d+) %</td></tr>', page)
    return page, [(first, second, int(a), int(b)) for first, second, a, b in rows]


@pytest.fixture
def release_course(tmp_path):
    """A course folder with the released p1 notebook (all the similarity report reads besides submissions)."""
    (tmp_path / "release" / ASSIGNMENT).mkdir(parents=True)
    (tmp_path / "release" / ASSIGNMENT / RELEASE.name).write_bytes(RELEASE.read_bytes())
    return tmp_path


def test_copied_answers_are_listed_and_an_own_solution_is_not(release_course):
    """Are ana and a notebook with her answers copied listed side by side, and the student who wrote their own not?"""
    ana = (ROOT / "examples" / ASSIGNMENT / "ana.ipynb").read_text(encoding="utf-8")
    submit(release_course, ASSIGNMENT, "ana", ana)
    submit(release_course, ASSIGNMENT, "copia", ana)
    submit(release_course, ASSIGNMENT, "propia", _own_notebook())
    page, pairs = _pairs(release_course, ["ana", "copia", "propia"])
    assert pairs == [("ana", "copia", 100, 100)]
    assert "nunca una nota" in page and f"{100 * SIMILARITY_THRESHOLD:.0f} %" in page
    side_by_side = page.split('id="par-1"')[1]
    assert side_by_side.count("<pre>") == 2 and "<mark>" in side_by_side
    assert "X_train_standardized = (X_train - train_mean) / train_std" in side_by_side  # the copied code itself


def test_the_template_submitted_twice_is_not_flagged(release_course):
    """Are two untouched copies of the released notebook, identical but all template, left out?"""
    for student in ("uno", "dos"):
        submit(release_course, ASSIGNMENT, student, RELEASE.read_text(encoding="utf-8"))
    page, pairs = _pairs(release_course, ["uno", "dos"])
    assert pairs == []
    assert "Entregas comparadas: 2." in page
