"""Minimum accuracies of the final models, per assignment and data profile.

Each minimum is the lowest accuracy the reference solution reached over its
calibration runs (`autograder calibrar <práctica> --perfil P --semillas ...`,
one run of the solution notebook per seed) minus MARGIN, rounded down to the
hundredth. MARGIN covers a correct variant of the task (another normalization,
other callback settings) and the sampling noise of the quick profile's
1,000-image validation and test sets (standard error about 0.012).
"""

MARGIN = 0.03

THRESHOLDS = {
    "p1_normalizacion": {
        # 3 seeds (1, 2, 3) on 2026-11-22: valid 0.8934 0.8869 0.8842,
        # test 0.8954 0.8853 0.8863
        "completo": {"valid": 0.85, "test": 0.85},
        # 5 seeds (1-5) on 2026-11-22: valid 0.838 0.856 0.855 0.835 0.847,
        # test 0.829 0.848 0.847 0.838 0.846
        "rapido": {"valid": 0.80, "test": 0.79},
    },
    "p2_aspectos_practicos": {
        # seeds 1, 2 (calibrar, 727 s and 603 s per run) and 9090 (the committed
        # solution) on 2026-11-22: valid 0.9086 0.9060 0.9072, test 0.9083 0.9057 0.9051
        "completo": {"valid": 0.87, "test": 0.87},
        # 5 seeds (1-5) on 2026-11-22: valid 0.8433 0.8492 0.8508 0.8542 0.8550,
        # test 0.8370 0.8540 0.8520 0.8550 0.8470
        "rapido": {"valid": 0.81, "test": 0.80},
    },
    # "valid" is the worse of the two searches' best trials (tuner_lr, tuner_planificador).
    "p3_ajuste_entrenamiento": {
        # seed 1 (calibrar, 1023 s) and 23 (the committed solution) on 2026-12-03:
        # valid 0.8968 0.8959, test 0.8977 0.8992
        "completo": {"valid": 0.86, "test": 0.86},
        # 5 seeds (1-5) on 2026-12-03: valid 0.808 0.823 0.821 0.810 0.824,
        # test 0.827 0.842 0.836 0.836 0.846
        "rapido": {"valid": 0.77, "test": 0.79},
    },
    "p4_ajustes_del_modelo": {
        # seed 1 (calibrar, 356 s) and 23 (the committed solution) on 2026-12-04:
        # valid 0.8260 0.8374, test 0.8253 0.8384
        "completo": {"valid": 0.79, "test": 0.79},
        # 5 seeds (1-5) on 2026-12-04: valid 0.747 0.750 0.751 0.738 0.742,
        # test 0.768 0.755 0.753 0.745 0.774
        "rapido": {"valid": 0.70, "test": 0.71},
    },
}
