"""Attack code that fakes what the notebook hands over to the grader: histories nobody trained, rewritten
evidence files and fit logs."""

FAKE_HISTORY_TRAIN_MODEL = """

class HistorialFalso:
    '''Parece el History de Keras (epoch, params, history con la tasa reducida a la mitad), pero nadie ha entrenado.'''

    def __init__(self, model, epochs):
        self.model, self.epoch = model, list(range(epochs))
        self.params = {"epochs": epochs, "steps": 40, "verbose": 0}
        rates = [1e-3 * 0.5 ** max(0, (epoch - 1) // 3) for epoch in range(epochs)]
        losses = [0.5 / (1 + epoch) for epoch in range(epochs)]
        self.history = {"loss": losses, "accuracy": [0.95] * epochs, "val_loss": losses,
                        "val_accuracy": [0.91] * epochs, "learning_rate": rates}


def train_model(x_train, y_train, x_valid, y_valid, epochs=10, optimizer="adam", callbacks=None):
    '''Entrena un modelo nuevo y devuelve (modelo, history).'''
    # ESCRIBE AQUÍ TU CÓDIGO
    model = build_model(optimizer)
    return model, HistorialFalso(model, epochs)
"""

EMPTY_HISTORY_TRAIN_MODEL = """

def train_model(x_train, y_train, x_valid, y_valid, epochs=10, optimizer="adam", callbacks=None):
    '''Entrena un modelo nuevo y devuelve (modelo, history).'''
    # ESCRIBE AQUÍ TU CÓDIGO
    # Sin entrenar: un History que la falsificación de .evidencia/ convierte en un entrenamiento.
    history = keras.callbacks.History()
    history.history = {name: [value] * epochs for name, value in (
        ("loss", 0.05), ("accuracy", 0.99), ("val_loss", 0.05), ("val_accuracy", 0.99))}
    return build_model(optimizer), history
"""

CORRECT_REDUCE_LR = """
# ESCRIBE AQUÍ TU CÓDIGO
reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, verbose=0)
"""

FINAL_WITH_BOTH_CALLBACKS = """
# ESCRIBE AQUÍ TU CÓDIGO
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
X_valid_final, X_test_final = X_valid_standardized, X_test_standardized
final_model, final_history = train_model(X_train_standardized, y_train, X_valid_final, y_valid,
                                         epochs=60, callbacks=[reduce_lr, early_stopping])
"""

FAKE_EVIDENCE = """
# Falsifica lo que el cuaderno entrega al corrector (en las carpetas que dicen las variables de entorno
# del corrector, o en .evidencia/): un hilo reescribe cada fichero en cuanto aparece (el
# X_test_standardized equivocado pasa a ser el correcto, y cada historial sin entrenamiento apunta a un
# entrenamiento inventado del registro de fit), y la última celda otra vez.
import json
import os
import threading
import time
from pathlib import Path

import numpy as np

_vistos = {}


def _registro_inventado(numero):
    return {
        "model_id": 10**12 + numero, "previous_fits": 0, "validation_source": "validation_data", "callbacks": [],
        "history": {"loss": [0.05], "accuracy": [0.99], "val_loss": [0.05], "val_accuracy": [0.99]},
        "optimizer": "Adam", "optimizer_steps_at_start": 0,
        "variables": [10**12 + 100 * numero + k for k in range(6)], "dense_layers": [], "shared_variables_with": [],
    }


def _enlaza_historiales(valor, carpeta):
    '''Cada historial que no viene de fit pasa a apuntar a un registro inventado.'''
    cambiado = False
    if isinstance(valor, dict):
        if valor.get("kind") == "history" and valor.get("record") is None:
            registros = carpeta / "fit_log"
            numero = len(list(registros.glob("*/record.json")))
            destino = registros / f"{9000 + numero:04d}"
            destino.mkdir(parents=True, exist_ok=True)
            (destino / "record.json").write_text(json.dumps(_registro_inventado(numero)), encoding="utf-8")
            valor["record"], cambiado = numero, True
        for item in valor.values():
            cambiado = _enlaza_historiales(item, carpeta) or cambiado
    elif isinstance(valor, list):
        for item in valor:
            cambiado = _enlaza_historiales(item, carpeta) or cambiado
    return cambiado


def falsifica_evidencia():
    for carpeta in (os.environ.get("AUTOGRADER_DROP_BOX"), os.environ.get("AUTOGRADER_STAGING"),
                    ".evidencia"):
        try:
            _falsifica_en(Path(carpeta))
        except Exception:
            pass


def _falsifica_en(carpeta):
    incorrecto = globals().get("X_test_standardized")
    for path in sorted(carpeta.rglob("*")):
        try:
            firma = (path.stat().st_mtime_ns, path.stat().st_size)
            if not path.is_file() or _vistos.get(path) == firma or "fit_log" in path.parts:
                continue
            if path.suffix == ".npy" and incorrecto is not None:
                array = np.load(path, allow_pickle=False)
                if array.shape == incorrecto.shape and np.array_equal(array, incorrecto):
                    correcto = (X_test - X_train.mean()) / X_train.std()
                    np.save(path, correcto.astype(array.dtype))
            elif path.suffix == ".json":
                llamada = json.loads(path.read_text(encoding="utf-8"))
                if _enlaza_historiales(llamada, path.parent):  # each call carries its own fit log
                    path.write_text(json.dumps(llamada), encoding="utf-8")
            _vistos[path] = (path.stat().st_mtime_ns, path.stat().st_size)
        except Exception:
            pass


def _vigila():
    while True:
        falsifica_evidencia()
        time.sleep(0.01)


threading.Thread(target=_vigila, daemon=True).start()
"""

FAKE_EVIDENCE_AGAIN = """
# Última pasada de la falsificación, con todas las pruebas ya entregadas.
falsifica_evidencia()
time.sleep(0.2)
falsifica_evidencia()
"""
