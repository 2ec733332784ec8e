"""How calibration measures each assignment's reference solution: as the hidden checks do."""

from __future__ import annotations

from autograder.checks.accuracy import SPLITS, final_accuracy, final_net_accuracy
from autograder.checks.evaluation import regularized_accuracy
from autograder.checks.loaded_evidence import LoadedEvidence
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
    return lambda namespace, profile, evidence: {split: measure(namespace, split, profile, evidence) for split in SPLITS}


# Each assignment's measure: (namespace, profile, evidence) -> {split: accuracy}.
MEASURES = {
    "p1_normalizacion": _per_split(
        lambda ns, split, profile, evidence: final_accuracy(ns["final_model"], ns["X_valid_final"], ns["X_test_final"],
                                                           split, profile)),
    "p2_aspectos_practicos": _per_split(
        lambda ns, split, profile, evidence: final_net_accuracy(ns["final_model"], ns["final_history"], split, profile,
                                                               evidence=evidence)),
    "p3_ajuste_entrenamiento": lambda ns, profile, evidence: search_accuracies(ns, profile),
    "p4_ajustes_del_modelo": _per_split(
        lambda ns, split, profile, evidence: regularized_accuracy(ns["modelo_final"], ns["historia_final"], split,
                                                                 profile, evidence=evidence)),
}


@hidden_check
def notebook_accuracies(assignment: str, namespace: dict, *, context: GradingContext,
                        evidence: LoadedEvidence) -> dict[str, float]:
    """The accuracy per split (``valid``, ``test``) the thresholds are set from.

    ``namespace`` holds the assignment's ``MEASURED_VARIABLES``.
    """
    return MEASURES[assignment](namespace, context.profile, evidence)
