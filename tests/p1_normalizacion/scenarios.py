"""Scenario submissions of p1_normalizacion, each named for the case it covers.

Every scenario is the committed student release with the reference answers
filled in, plus the mistake of its case; ``lost`` lists the autograded test
cells it must fail, so its exact score is 5 minus their points.

    python -m tests.p1_normalizacion.scenarios --update   # rewrite escenarios/*.ipynb
"""

from __future__ import annotations

import argparse
import copy
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "p1_normalizacion"
SOURCE = ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
FOLDER = Path(__file__).parent / "escenarios"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class Scenario:
    lost: frozenset[str]
    patches: dict[str, str] = field(default_factory=dict)  # grade_id -> the student's cell source
    answered: bool = True  # False: the release exactly as students receive it
    truncated: bool = False  # True: the file is cut in half (not valid JSON)


FINAL_WITH_SCALED_DATA = """
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
X_valid_final, X_test_final = X_valid_scaled, X_test_scaled
final_model, final_history = train_model(X_train_scaled, y_train, X_valid_final, y_valid,
                                         epochs=60, callbacks=[reduce_lr, early_stopping])
"""

ALL_TESTS = frozenset({
    "test_normalizacion_1", "test_normalizacion_2", "test_normalizacion_3", "test_modelo_nuevo",
    "test_reduce_lr_configuracion", "test_reduce_lr_comportamiento", "test_early_stopping",
    "test_exactitud_validacion", "test_exactitud_test",
})

SCENARIOS = {
    "solucion": Scenario(lost=frozenset()),
    "sin_cambios": Scenario(lost=ALL_TESTS, answered=False),
    "cuaderno_roto": Scenario(lost=ALL_TESTS, truncated=True),
    # Seed 000's mistake: the test set standardized with its own statistics.
    "estadisticas_de_test": Scenario(
        lost=frozenset({"test_normalizacion_3", "test_exactitud_test"}),
        patches={"normalizacion_3": """
train_mean, train_std = X_train.mean(), X_train.std()
X_train_standardized = (X_train - train_mean) / train_std
X_valid_standardized = (X_valid - train_mean) / train_std
X_test_standardized = (X_test - X_test.mean()) / X_test.std()
"""},
    ),
    "sin_escalar": Scenario(
        lost=frozenset({"test_normalizacion_1"}),
        patches={"normalizacion_1": """
X_train_scaled = X_train.copy()
X_valid_scaled = X_valid.copy()
X_test_scaled = X_test.copy()
"""},
    ),
    "solo_centrado": Scenario(
        lost=frozenset({"test_normalizacion_3"}),
        patches={
            "normalizacion_3": """
train_mean = X_train.mean()
X_train_standardized = X_train - train_mean
X_valid_standardized = X_valid - train_mean
X_test_standardized = X_test - train_mean
""",
            "modelo_final": FINAL_WITH_SCALED_DATA,
        },
    ),
    # The common Keras error: one model, fit again and again.
    "modelo_reutilizado": Scenario(
        lost=frozenset({"test_modelo_nuevo"}),
        patches={"modelo": """
def build_model(optimizer="adam"):
    model = keras.Sequential([
        keras.Input(shape=(28 * 28,)),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model


model = build_model()


def train_model(x_train, y_train, x_valid, y_valid, epochs=10, optimizer="adam", callbacks=None):
    history = model.fit(x_train, y_train, batch_size=128, epochs=epochs, verbose=0,
                        validation_data=(x_valid, y_valid), callbacks=callbacks)
    return model, history
"""},
    ),
    "reduce_lr_factor_incorrecto": Scenario(
        lost=frozenset({"test_reduce_lr_configuracion", "test_reduce_lr_comportamiento"}),
        patches={"reduce_lr": 'reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=2)'},
    ),
    "reduce_lr_paciencia_incorrecta": Scenario(
        lost=frozenset({"test_reduce_lr_configuracion", "test_reduce_lr_comportamiento"}),
        patches={"reduce_lr": 'reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=4)'},
    ),
    # No ReduceLROnPlateau and no EarlyStopping: a fixed number of epochs.
    "sin_callbacks": Scenario(
        lost=frozenset({"test_reduce_lr_configuracion", "test_reduce_lr_comportamiento", "test_early_stopping"}),
        patches={
            "reduce_lr": "reduce_lr = keras.callbacks.Callback()",
            "modelo_final": """
early_stopping = None
X_valid_final, X_test_final = X_valid_scaled, X_test_scaled
final_model, final_history = train_model(X_train_scaled, y_train, X_valid_final, y_valid, epochs=10)
""",
        },
    ),
    "bajo_umbral": Scenario(
        lost=frozenset({"test_exactitud_validacion", "test_exactitud_test"}),
        patches={"modelo_final": """
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
X_valid_final, X_test_final = X_valid_standardized, X_test_standardized
final_model, final_history = train_model(X_train_standardized, y_train, X_valid_final, y_valid, epochs=1,
                                         optimizer=keras.optimizers.SGD(learning_rate=1e-4),
                                         callbacks=[reduce_lr, early_stopping])
"""},
    ),
    # Locked cells are restored from the gradebook: editing them changes nothing.
    "celda_bloqueada_editada": Scenario(
        lost=frozenset(),
        patches={
            "configuracion": "import numpy as np\nimport keras\nraise RuntimeError('he borrado la configuración')",
            "preparacion": "X_train = X_valid = X_test = None",
        },
    ),
    "celda_con_error": Scenario(
        lost=frozenset({"test_normalizacion_2", "test_modelo_nuevo"}),
        patches={"normalizacion_2": """
train_mean = X_train_scaled.means()
X_train_centered = X_train_scaled - train_mean
X_valid_centered = X_valid_scaled - train_mean
X_test_centered = X_test_scaled - train_mean
"""},
    ),
}


def _without_solution_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if line.strip() not in SOLUTION_MARKERS)


def build(name: str) -> str:
    """The scenario's notebook file, as text."""
    scenario = SCENARIOS[name]
    notebook = copy.deepcopy(nbformat.read(RELEASE, as_version=4))
    if scenario.answered:
        answers = {
            cell.metadata["nbgrader"]["grade_id"]: _without_solution_markers(cell.source)
            for cell in nbformat.read(SOURCE, as_version=4).cells
            if cell.metadata.get("nbgrader", {}).get("solution")
        }
        patches = answers | {grade_id: source.strip("\n") for grade_id, source in scenario.patches.items()}
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in patches:
                cell.source = patches[grade_id]
    text = nbformat.writes(notebook) + "\n"
    return text[: len(text) // 2] if scenario.truncated else text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="rewrite the committed scenario notebooks")
    args = parser.parse_args(argv)
    stale = [name for name in SCENARIOS if not (FOLDER / f"{name}.ipynb").exists()
             or (FOLDER / f"{name}.ipynb").read_text(encoding="utf-8") != build(name)]
    if args.update:
        FOLDER.mkdir(exist_ok=True)
        for name in stale:
            (FOLDER / f"{name}.ipynb").write_text(build(name), encoding="utf-8")
    print(("reescritos: " if args.update else "desactualizados: ") + (", ".join(stale) or "ninguno"))
    return 0 if args.update or not stale else 1


if __name__ == "__main__":
    sys.exit(main())
