"""Check that each run of a comparison really applies its variant: activation, initialization, optimizer.

The evidence is the model as it was when its training began (the kernel's fit
log), so any way of writing the network that gives that model passes.
"""

from __future__ import annotations

from autograder.checks.failure import require
from autograder.checks.loaded_evidence import training_record
from autograder.judge.registry import hidden_check
from autograder.kernel.training_run import TrainingRun

ACTIVATIONS = ("sigmoid", "relu", "selu", "leaky_relu")
INITIALIZERS = ("zeros", "random_normal", "glorot_uniform")
OPTIMIZERS = {"sgd": "SGD", "rmsprop": "RMSprop", "adagrad": "Adagrad", "adam": "Adam"}
MIN_DENSE_LAYERS = 4  # three hidden layers and the output layer

# Kurtosis splits normal-shaped values (3, or 2.4 when truncated at 2 sigma as
# in glorot_normal) from uniform ones (1.8); it is judged only on layers with
# enough weights for a stable estimate.
KURTOSIS_SPLIT = 2.1
KURTOSIS_MIN_WEIGHTS = 1000
GLOROT_STD_TOLERANCE = 0.1


def _records(histories, expected_keys, dict_name: str) -> dict[str, TrainingRun]:
    require(isinstance(histories, dict), f"{dict_name} debe ser un diccionario nombre -> History.")
    missing = [key for key in expected_keys if key not in histories]
    require(not missing, f"Falta el entrenamiento '{missing[0] if missing else ''}' en {dict_name}.")
    return {key: training_record(histories[key], key) for key in expected_keys}


@hidden_check
def check_activations(histories) -> None:
    """The same deep network (≥ 4 Dense layers) with each activation on all its hidden layers."""
    records = _records(histories, ACTIVATIONS, "histories_activation")
    for name, record in records.items():
        layers = record.dense_layers
        require(
            len(layers) >= MIN_DENSE_LAYERS,
            f"La red del entrenamiento '{name}' tiene {len(layers)} capas densas; "
            "se piden al menos 4 (3 ocultas y la de salida).",
        )
        wrong = next((layer.activation for layer in layers[:-1] if layer.activation != name), None)
        require(wrong is None,
                f"En el entrenamiento '{name}' hay capas ocultas con la activación '{wrong}' en lugar de '{name}'.")
    architectures = {tuple(layer.units for layer in record.dense_layers) for record in records.values()}
    require(len(architectures) == 1,
            "Los cuatro entrenamientos deben usar la misma red (mismas capas y neuronas); solo cambia la activación.")


def _initialized_as(record: TrainingRun, initializer: str) -> bool:
    layers = record.dense_layers
    sized = [layer for layer in layers if layer.kernel_size >= KURTOSIS_MIN_WEIGHTS]
    if initializer == "zeros":
        return all(layer.kernel_all_zero for layer in layers)
    if initializer == "random_normal":
        return all(not layer.kernel_all_zero for layer in layers) and all(
            layer.kernel_kurtosis > KURTOSIS_SPLIT for layer in sized
        )
    uniform_std = [layer.glorot_limit / 3**0.5 for layer in layers]
    return all(
        abs(layer.kernel_std - std) <= GLOROT_STD_TOLERANCE * std for layer, std in zip(layers, uniform_std)
    ) and all(layer.kernel_kurtosis < KURTOSIS_SPLIT for layer in sized)


INITIALIZER_NAMES = {
    "zeros": "ceros",
    "random_normal": "una normal aleatoria",
    "glorot_uniform": "glorot uniform (la inicialización por defecto de Keras)",
}


@hidden_check
def check_initializers(histories) -> None:
    """Every Dense kernel starts as its run asks: all zeros, normal random values, glorot uniform."""
    records = _records(histories, INITIALIZERS, "histories_init")
    for name, record in records.items():
        require(record.dense_layers, f"El entrenamiento '{name}' no tiene capas densas.")
        require(
            _initialized_as(record, name),
            f"En el entrenamiento '{name}' los pesos de las capas densas no empiezan con {INITIALIZER_NAMES[name]}: "
            "pasa el inicializador a todas las capas (kernel_initializer).",
        )


@hidden_check
def check_optimizers(histories) -> None:
    """Each run trains with its optimizer: SGD, RMSprop, Adagrad and Adam."""
    records = _records(histories, OPTIMIZERS, "histories_optimizer")
    for name, record in records.items():
        require(
            record.optimizer == OPTIMIZERS[name],
            f"El entrenamiento '{name}' se entrena con {record.optimizer or 'ningún optimizador'}, no con {OPTIMIZERS[name]}.",
        )
