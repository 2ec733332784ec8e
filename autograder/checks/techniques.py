"""p4: each variant of the base network has the technique it claims, where it belongs, and nothing else changed.

A variant is judged on its model, loaded outside the kernel (its layers, their
regularizers and rates), and on its run in the fit log (optimizer, learning
rate, batch size, epochs and data), each compared with the base network's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np

from autograder.checks.evaluation import require_holdout_validation, run_of
from autograder.checks.failure import require
from autograder.checks.loaded_evidence import LoadedEvidence, require_model
from autograder.checks.wording import number
from autograder.grading_context import GradingContext
from autograder.judge.registry import hidden_check
from autograder.kernel.architecture import flat_layers, summarize_dense_layers
from autograder.kernel.training_run import TrainingRun

COEFFICIENT = 0.001  # the seed's weight decay
KERAS_DEFAULT_FACTOR = 0.01  # what kernel_regularizer="l2" (or "l1", or regularizers.l2()) gives
DROPOUT_RATES = (0.2, 0.5)  # the seed: "suele estar entre 0,2 y 0,5"
_NEUTRAL = (keras.layers.InputLayer, keras.layers.Activation, keras.layers.ReLU, keras.layers.LeakyReLU,
            keras.layers.ELU, keras.layers.PReLU, keras.layers.Softmax)


@dataclass(frozen=True)
class Variant:
    technique: str  # in Spanish, for the sentences
    requirement: str  # what the model must have, in Spanish
    weights: tuple[float, float] | tuple[tuple[float, float], ...] = (0.0, 0.0)  # (l1, l2) of every hidden Dense
    dropout: bool = False
    batch_norm: bool = False


VARIANTS = {
    "l2": Variant("la regularización L2",
                  f"un regularizador L2 de factor {number(COEFFICIENT)} "
                  f"(kernel_regularizer=regularizers.l2({COEFFICIENT!r})) en cada capa Dense oculta (no en la de salida)",
                  weights=(0.0, COEFFICIENT)),
    "l1": Variant("la regularización L1",
                  f"un regularizador L1 de factor {number(COEFFICIENT)} "
                  f"(kernel_regularizer=regularizers.l1({COEFFICIENT!r}), o L1L2 con l1={COEFFICIENT!r}) en cada capa "
                  "Dense oculta (no en la de salida)",
                  weights=((COEFFICIENT, 0.0), (COEFFICIENT, COEFFICIENT))),
    "dropout": Variant("el descarte",
                       f"una capa Dropout con una tasa entre {number(DROPOUT_RATES[0])} y {number(DROPOUT_RATES[1])} "
                       "después de cada capa Dense oculta (ninguna antes de la primera ni tras la de salida)", dropout=True),
    "batchnorm": Variant("la normalización por lotes",
                         "una capa BatchNormalization después de cada capa Dense oculta (ninguna antes de la primera "
                         "ni tras la de salida)", batch_norm=True),
}


def _penalties(regularizer) -> tuple[float, float] | None:
    """(l1, l2) of a Keras L1, L2 or L1L2 regularizer; None for no regularizer or another kind."""
    if regularizer is None:
        return (0.0, 0.0)
    config = regularizer.get_config() if hasattr(regularizer, "get_config") else {}
    if not isinstance(regularizer, (keras.regularizers.L1, keras.regularizers.L2, keras.regularizers.L1L2)):
        return None
    return float(config.get("l1", 0.0)), float(config.get("l2", 0.0))


def _same_penalties(got, want) -> bool:
    return got is not None and all(math.isclose(g, w, rel_tol=1e-6, abs_tol=1e-12) for g, w in zip(got, want))


def _gaps(model) -> list[list]:
    """The layers before the first Dense layer, then after each Dense layer (activation layers left out)."""
    gaps = [[]]
    for layer in flat_layers(model):
        if isinstance(layer, keras.layers.Dense):
            gaps.append([])
        elif not isinstance(layer, _NEUTRAL):
            gaps[-1].append(layer)
    return gaps


def _dense_layers(model) -> list:
    return [layer for layer in flat_layers(model) if isinstance(layer, keras.layers.Dense)]


def _extra_layers(model) -> list[str]:
    """Layer classes other than Dense, Dropout, BatchNormalization and activations, in order."""
    return [type(layer).__name__ for gap in _gaps(model) for layer in gap
            if not isinstance(layer, (keras.layers.Dropout, keras.layers.BatchNormalization))]


def _has_technique(model, variant: Variant) -> bool:
    dense, gaps = _dense_layers(model), _gaps(model)
    hidden, output = dense[:-1], dense[-1:]
    weights = variant.weights if isinstance(variant.weights[0], tuple) else (variant.weights,)
    if not hidden or not all(any(_same_penalties(_penalties(layer.kernel_regularizer), w) for w in weights)
                             for layer in hidden):
        return False
    if not all(_same_penalties(_penalties(layer.kernel_regularizer), (0.0, 0.0)) for layer in output):
        return False
    if any(layer.bias_regularizer is not None or layer.activity_regularizer is not None for layer in dense):
        return False
    for kind, wanted in ((keras.layers.Dropout, variant.dropout), (keras.layers.BatchNormalization, variant.batch_norm)):
        found = [[layer for layer in gap if isinstance(layer, kind)] for gap in gaps]
        expected = [0] + [1 if wanted else 0] * len(hidden) + [0]
        if [len(layers) for layers in found] != expected:
            return False
        if kind is keras.layers.Dropout and wanted and not all(
                DROPOUT_RATES[0] <= float(layer.rate) <= DROPOUT_RATES[1] for gap in found for layer in gap):
            return False
    return True


def _default_factor_hint(model) -> str:
    """When the hidden layers' factor is Keras' default (a regularizer given as a string), a sentence that says so."""
    hidden = _dense_layers(model)[:-1]
    found = {_penalties(layer.kernel_regularizer) for layer in hidden}
    defaults = {(KERAS_DEFAULT_FACTOR, 0.0): "l1", (0.0, KERAS_DEFAULT_FACTOR): "l2"}
    if not hidden or len(found) != 1 or not any(_same_penalties(next(iter(found)), key) for key in defaults):
        return ""
    kind = next(name for key, name in defaults.items() if _same_penalties(next(iter(found)), key))
    return (f' Sus capas ocultas tienen un factor de {number(KERAS_DEFAULT_FACTOR)}: es lo que da '
            f'kernel_regularizer="{kind}" (o regularizers.{kind}() sin factor), el valor por defecto de Keras; '
            f"se pide {number(COEFFICIENT)}.")


def _differences(base_model, base: TrainingRun, model, record: TrainingRun) -> str | None:
    """What else differs from the base network and its training, in Spanish; None when nothing does."""
    layers = lambda m: [(layer.units, layer.activation) for layer in summarize_dense_layers(m)]  # noqa: E731
    rates = lambda run: run.learning_rates[:1]  # noqa: E731
    checks = (
        (layers(model) == layers(base_model), "las capas Dense (unidades o activaciones)"),
        (_extra_layers(model) == _extra_layers(base_model), "otras capas"),
        (record.optimizer == base.optimizer and len(rates(record)) == len(rates(base))
         and all(math.isclose(a, b, rel_tol=1e-6) for a, b in zip(rates(record), rates(base))),
         "el optimizador o su learning rate"),
        (record.batch_size == base.batch_size, "el batch size"),
        (len(record.history.get("loss", ())) == len(base.history.get("loss", ())), "el número de épocas"),
        (np.array_equal(record.train_rows, base.train_rows)
         and np.array_equal(record.validation_rows, base.validation_rows), "los datos de entrenamiento o de validación"),
    )
    return next((what for same, what in checks if not same), None)


@hidden_check
def check_variant(base_model, base_history, model, history, *, variant: str, context: GradingContext,
                  evidence: LoadedEvidence) -> None:
    """``modelo_<variant>`` is the base network plus the variant's technique, trained like the base one."""
    spec, model_name, history_name = VARIANTS[variant], f"modelo_{variant}", f"historia_{variant}"
    base = run_of(base_model, base_history, "modelo_base", "historia_base", evidence)
    record = run_of(model, history, model_name, history_name, evidence)
    model = require_model(model, model_name)
    require_holdout_validation(record, history_name, context.profile)
    require(record.previous_fits == 0 and record.optimizer_steps_at_start == 0 and not record.shared_variables_with,
            f"{model_name} debe ser un modelo nuevo, sin entrenar antes.")
    require(_has_technique(model, spec), f"{model_name} debe tener {spec.requirement}.{_default_factor_hint(model)}")
    base_model = require_model(base_model, "modelo_base", compared=model_name)
    different = _differences(base_model, base, model, record)
    require(different is None,
            f"{model_name} cambia algo más que {spec.technique} respecto al modelo base ({different}): "
            "para comparar las curvas, lo demás debe ser igual.")
