"""Fingerprints: how a fit record names the images it trained on (and the grader finds them again), and the
weights a model held at a given moment.

Only NumPy and hashlib: the kernel's fit log and the grader's reference data both import it.
"""

from __future__ import annotations

import hashlib

import numpy as np

# Two random weightings of the 784 pixels; each weighted sum stays below 2**30,
# so the pair packs exactly into one int64 and float64 arithmetic is exact.
_FINGERPRINT_WEIGHTS = np.random.default_rng(20190508).integers(1, 2**12, size=(28 * 28, 2)).astype(np.float64)
_CHUNK = 4096  # rows converted at a time, to keep the kernel's memory flat
# Bound when the kernel starts, before student code: patching numpy later does not change the evidence.
_asarray, _full, _rint, _where, _int64, _float64 = np.asarray, np.full, np.rint, np.where, np.int64, np.float64
_ascontiguous, _sha256, _blake2b = np.ascontiguousarray, hashlib.sha256, hashlib.blake2b


def fingerprints(images) -> np.ndarray:
    """One integer per image, the same for an image as uint8 pixels (0-255) or scaled to (0, 1).

    Images that are neither (standardized, shifted) get -1, which matches no image.
    """
    array = _asarray(images)
    flat = array.reshape(len(array), -1)
    result = _full(len(flat), -1, dtype=_int64)
    if not len(flat) or flat.shape[1] != len(_FINGERPRINT_WEIGHTS):
        return result
    scale = 1.0 if flat.max() > 1.5 else 255.0
    for start in range(0, len(flat), _CHUNK):
        pixels = _rint(flat[start:start + _CHUNK].astype(_float64) * scale)
        sums = (pixels @ _FINGERPRINT_WEIGHTS).astype(_int64)
        valid = (pixels.min(axis=1) >= 0) & (pixels.max(axis=1) <= 255)
        result[start:start + len(pixels)] = _where(valid, (sums[:, 0] << 31) | sums[:, 1], -1)
    return result


def rows_digest(rows) -> str:
    """The digest of a set of images in order, from their fingerprints: the same in the kernel and in the grader."""
    return _sha256(_ascontiguous(rows, dtype=_int64).tobytes()).hexdigest()


def weights_fingerprint(arrays) -> str:
    """A digest of a model's weight values, in order (shapes and dtypes included): equal only for the same weights.

    A fit record takes one as training begins and one as every epoch ends, so a
    run that starts from weights another run had trained can be told apart from
    one that starts from new, untrained weights, whatever object holds them.
    """
    digest = _blake2b(digest_size=16)
    for array in arrays:
        array = _ascontiguous(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.data)
    return digest.hexdigest()
