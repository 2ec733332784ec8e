"""Minimum accuracies of the final models, per assignment and data profile.

Each minimum is the lowest accuracy the reference solution reached over the
calibration runs (`autograder calibrar`, one run per seed) minus MARGIN,
rounded down to the hundredth. The runs are quoted next to each entry.
"""

MARGIN = 0.02

THRESHOLDS = {
    "p1_normalizacion": {
        # filled in from calibration runs
        "completo": {"valid": 0.0, "test": 0.0},
        "rapido": {"valid": 0.0, "test": 0.0},
    },
}
