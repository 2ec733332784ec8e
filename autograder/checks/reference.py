"""The grader's own copy of the data, on the profile the grading context names (``context.profile``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from autograder import course_data
from autograder.kernel.fingerprints import fingerprints


@dataclass(frozen=True)
class Reference:
    """Flattened raw pixels (float64) and class labels of the fixed split."""

    x_train: np.ndarray
    x_valid: np.ndarray
    x_test: np.ndarray
    y_train: np.ndarray
    y_valid: np.ndarray
    y_test: np.ndarray


def reference(profile: str, name: str = "fashion_mnist") -> Reference:
    return _reference(name, profile)


@lru_cache(maxsize=4)
def _reference(name: str, profile: str) -> Reference:
    whole, n_valid = _pool(name, profile), course_data.validation_size(profile)
    flat = lambda x: x.reshape(len(x), -1).astype(np.float64)  # noqa: E731
    return Reference(
        x_train=flat(whole.x_train[n_valid:]),
        x_valid=flat(whole.x_train[:n_valid]),
        x_test=flat(whole.x_test),
        y_train=whole.y_train[n_valid:],
        y_valid=whole.y_train[:n_valid],
        y_test=whole.y_test,
    )


@dataclass(frozen=True)
class Pool:
    """The whole training set (no validation kept aside) and the test set, with image fingerprints."""

    x_train: np.ndarray  # uint8, (n, 28, 28)
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    train_fingerprints: np.ndarray
    test_fingerprints: np.ndarray


def pool(profile: str, name: str = "fashion_mnist") -> Pool:
    return _pool(name, profile)


@lru_cache(maxsize=4)
def _pool(name: str, profile: str) -> Pool:
    (x_train, y_train), (x_test, y_test) = course_data.load_data(name, profile)
    return Pool(x_train, y_train.astype(int), x_test, y_test.astype(int), fingerprints(x_train), fingerprints(x_test))


def training_images(rows: np.ndarray, profile: str) -> tuple[np.ndarray, np.ndarray]:
    """The pool's training images (uint8) and labels with these fingerprints, in their order.

    Every fingerprint must be one of the pool's training images (a run's
    validation images that did not come from x_train raise KeyError).
    """
    whole = pool(profile)
    position = _positions(whole.train_fingerprints.tobytes())
    index = np.array([position[fingerprint] for fingerprint in rows.tolist()], dtype=int)
    return whole.x_train[index], whole.y_train[index]


@lru_cache(maxsize=4)
def _positions(fingerprints: bytes) -> dict[int, int]:
    return dict(zip(np.frombuffer(fingerprints, dtype=np.int64).tolist(), range(len(fingerprints) // 8)))
