"""Attack code that lies: values equal to anything, numpy, np.testing and Keras patched, fake callbacks,
the hidden checks redefined and the hand-over of evidence to the grader disabled."""

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
