"""Checks of the three normalizations: statistics from training data only, same map for every set."""

from __future__ import annotations

from autograder.checks.failure import require
from autograder.checks.reference import reference
from autograder.checks.transform import as_matrix, require_same_transform
from autograder.checks.wording import number
from autograder.grading_context import GradingContext
from autograder.judge.registry import hidden_check

# Tolerances relative to the std of the transformed training array. float32
# rounding gives about 1e-7. Statistics of all 60,000 training images (so
# including validation) give a mean of 1.7e-4 and a std off by 4.4e-5 on the
# full data, so 2e-5 rejects them: the statistics must come from X_train only.
MEAN_TOL = 2e-5
STD_TOL = 2e-5

SAME_TRANSFORM = (
    "{name} no recibe la misma transformación que {base}: aplica a validación y test "
    "las estadísticas de entrenamiento, sin recalcularlas."
)


def _arrays(prefix: str, train, valid, test, profile: str) -> tuple[dict, dict]:
    ref = reference(profile)
    raw = {f"X_{split}_{prefix}": getattr(ref, f"x_{split}") for split in ("train", "valid", "test")}
    given = dict(zip(raw, (train, valid, test)))
    arrays = {name: as_matrix(given[name], name, raw[name].shape) for name in raw}
    return raw, arrays


def _require_zero_mean(x, name: str) -> None:
    require(
        abs(x.mean()) <= MEAN_TOL * x.std(),
        f"La media de {name} no es 0 (es {number(float(x.mean()), 3)}): resta la media calculada solo con X_train.",
    )


@hidden_check
def check_scaled(train, valid, test, *, context: GradingContext) -> None:
    """Values of X_train_scaled in (0, 1), the same scaling for validation and test."""
    raw, arrays = _arrays("scaled", train, valid, test, context.profile)
    x = arrays["X_train_scaled"]
    require(
        x.min() >= -1e-6 and x.max() <= 1 + 1e-6,
        f"Los valores de X_train_scaled van de {number(float(x.min()), 3)} a {number(float(x.max()), 3)}: deben "
        "estar en el rango (0, 1).",
    )
    require(x.max() - x.min() >= 0.5, "X_train_scaled no aprovecha el rango (0, 1): divide por el máximo de los píxeles.")
    require_same_transform(raw, arrays, "X_train_scaled", SAME_TRANSFORM)


@hidden_check
def check_centered(train, valid, test, *, context: GradingContext) -> None:
    """Mean of X_train_centered is 0 (training mean only), same shift for validation and test."""
    raw, arrays = _arrays("centered", train, valid, test, context.profile)
    _require_zero_mean(arrays["X_train_centered"], "X_train_centered")
    require_same_transform(raw, arrays, "X_train_centered", SAME_TRANSFORM)


@hidden_check
def check_standardized(train, valid, test, *, context: GradingContext) -> None:
    """X_train_standardized has mean 0 and std 1 (training statistics), same map elsewhere."""
    raw, arrays = _arrays("standardized", train, valid, test, context.profile)
    x = arrays["X_train_standardized"]
    _require_zero_mean(x, "X_train_standardized")
    require(
        abs(x.std() - 1) <= STD_TOL,
        f"La desviación típica de X_train_standardized no es 1 (es {number(float(x.std()), 3)}): divide por la "
        "desviación calculada solo con X_train.",
    )
    require_same_transform(raw, arrays, "X_train_standardized", SAME_TRANSFORM)
