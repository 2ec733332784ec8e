"""How calibration measures each assignment's reference solution: as the hidden checks do."""

from __future__ import annotations

from autograder.checks.accuracy import SPLITS, final_accuracy, final_net_accuracy
from autograder.checks.evaluation import regularized_accuracy
from autograder.checks.search import search_accuracies
from autograder.grading_context import GradingContext
from autograder.judge.registry import hidden_check

# The notebook variables each assignment's measure reads.
MEASURED_VARIABLES = {
    "p1_normalizacion": ("final_model", "X_valid_final", "X_test_final"),
    "p2_aspectos_practicos": ("final_model", "final_history"),
    "p3_ajuste_entrenamiento": ("tuner_lr", "tuner_planificador", "final_model"),
    "p4_ajustes_del_modelo": ("modelo_final", "historia_final"),
}


def _per_split(measure):
    return lambda namespace, profile: {split: measure(namespace, split, profile) for split in SPLITS}


MEASURES = {
    "p1_normalizacion": _per_split(
        lambda ns, split, profile: final_accuracy(ns["final_model"], ns["X_valid_final"], ns["X_test_final"], split,
                                                 profile)),
    "p2_aspectos_practicos": _per_split(
        lambda ns, split, profile: final_net_accuracy(ns["final_model"], ns["final_history"], split, profile)),
    "p3_ajuste_entrenamiento": search_accuracies,
    "p4_ajustes_del_modelo": _per_split(
        lambda ns, split, profile: regularized_accuracy(ns["modelo_final"], ns["historia_final"], split, profile)),
}


@hidden_check
def notebook_accuracies(assignment: str, namespace: dict, *, context: GradingContext) -> dict[str, float]:
    """The accuracy per split (``valid``, ``test``) the thresholds are set from.

    ``namespace`` holds the assignment's ``MEASURED_VARIABLES``.
    """
    return MEASURES[assignment](namespace, context.profile)
