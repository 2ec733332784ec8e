"""Recovering the preprocessing a student applied, to check it was applied consistently.

A normalization is a per-pixel affine map ``x' = a_j * x + b_j`` (the usual
global statistics give the same ``a`` and ``b`` for every pixel). The map is
fitted on one set (the student's training array against the raw training
pixels) and must reproduce the student's other sets: statistics taken from
another set change ``a`` or ``b`` and are caught.
"""

from __future__ import annotations

import numpy as np

from autograder.checks.failure import CheckFailed, require

# Largest deviation allowed, relative to the std of the transformed array.
# float32 rounding gives about 1e-7; test-set statistics give 3.8e-3 on the
# full data (8.6e-3 in the quick profile), so the margin is wide on both sides.
CONSISTENCY_TOL = 1e-4


def as_matrix(value, name: str, shape: tuple[int, int]) -> np.ndarray:
    """The student's array as float64, with the shape of the raw split."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name} debe ser un array numérico de numpy.") from None
    require(array.shape == shape, f"{name} debe tener forma {shape} (una fila de 784 píxeles por imagen).")
    require(np.isfinite(array).all(), f"{name} contiene valores no finitos (nan o inf).")
    return array


def fit_affine(raw: np.ndarray, transformed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares ``a_j, b_j`` per pixel; pixels constant in ``raw`` take the median slope."""
    raw_mean, out_mean = raw.mean(axis=0), transformed.mean(axis=0)
    centred = raw - raw_mean
    variance = (centred**2).mean(axis=0)
    covariance = (centred * (transformed - out_mean)).mean(axis=0)
    varying = variance > 0
    slope = np.empty_like(variance)
    slope[varying] = covariance[varying] / variance[varying]
    slope[~varying] = np.median(slope[varying]) if varying.any() else 0.0
    return slope, out_mean - slope * raw_mean


def deviation(raw: np.ndarray, transformed: np.ndarray, slope, intercept, scale: float) -> float:
    return float(np.abs(raw * slope + intercept - transformed).max() / scale)


def require_same_transform(raw: dict, arrays: dict, fitted_on: str, message: str) -> None:
    """Fit on ``fitted_on`` and require every array in ``arrays`` to follow the same map.

    ``raw`` and ``arrays`` map variable names to raw and transformed matrices.
    ``message`` is formatted with ``name`` (the failing array) and ``base``.
    """
    base = arrays[fitted_on]
    scale = float(base.std())
    require(scale > 0, f"{fitted_on} es constante: la transformación ha borrado las imágenes.")
    slope, intercept = fit_affine(raw[fitted_on], base)
    require(
        deviation(raw[fitted_on], base, slope, intercept, scale) <= CONSISTENCY_TOL,
        f"{fitted_on} no sale de las imágenes originales con una transformación lineal "
        "(¿has reordenado, recortado o mezclado imágenes?).",
    )
    for name, array in arrays.items():
        if name != fitted_on and deviation(raw[name], array, slope, intercept, scale) > CONSISTENCY_TOL:
            raise CheckFailed(message.format(name=name, base=fitted_on))
