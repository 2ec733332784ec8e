"""The physical limit of grading in parallel on this machine: one training with 1 and with all threads, and
as many concurrent 1-thread trainings as there are cores.

Each training is the course's first network (784-800-10, Adam, batch 128) on the
data profile's training images, timed around ``fit`` alone, in a fresh Python process with the thread
variables the kit gives a kernel (``c.Sandbox.cpu_threads``) set to the count
measured. A class graded on N workers cannot go faster than the concurrent row
allows, and plain nbgrader's kernel trains with TensorFlow's default (all cores).

    python benchmarks/training_threads.py [--epocas 5] [--perfil rapido]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import course_data  # noqa: E402
from autograder.pipeline.run.dask_cluster import machine_cores  # noqa: E402
from autograder.sandbox.settings import thread_environment  # noqa: E402

TRAINING = """
import hashlib, sys, time
import keras
from autograder import course_data
(x, y), _ = course_data.load_data("mnist")
x = x.reshape(len(x), -1).astype("float32") / 255
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(800, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy")
started = time.monotonic()
model.fit(x, y, epochs=int(sys.argv[1]), batch_size=128, verbose=0)
weights = hashlib.sha256(b"".join(w.tobytes() for w in model.get_weights())).hexdigest()[:12]
print(time.monotonic() - started, weights)
"""


def trainings(count: int, threads: int, epochs: int, profile: str) -> list[tuple[float, str]]:
    """Seconds and weights' digest of ``count`` trainings run at once, each with ``threads`` threads."""
    env = {**os.environ, **thread_environment(threads), course_data.PROFILE_ENV: profile, "TF_CPP_MIN_LOG_LEVEL": "3"}
    processes = [subprocess.Popen([sys.executable, "-c", TRAINING, str(epochs)], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, cwd=ROOT) for _ in range(count)]
    results = []
    for process in processes:
        seconds, digest = process.communicate()[0].split()
        results.append((float(seconds), digest))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epocas", type=int, default=5)
    parser.add_argument("--perfil", default="rapido", choices=course_data.PROFILES)
    args = parser.parse_args()
    cores = machine_cores()
    runs = {
        "1 entrenamiento, 1 hilo": (1, 1),
        f"1 entrenamiento, {cores} hilos (lo que usa nbgrader sin el kit)": (1, cores),
        f"{cores} entrenamientos a la vez, 1 hilo cada uno (el kit, {cores} trabajadores)": (cores, 1),
        f"{cores} entrenamientos a la vez, {cores} hilos cada uno": (cores, cores),
    }
    print(f"{cores} núcleos, perfil {args.perfil}, {args.epocas} épocas por entrenamiento.\n")
    print("| ejecución | s por entrenamiento | entrenamientos por minuto | pesos |")
    print("|---|---:|---:|---|")
    rate = {}
    for label, (count, threads) in runs.items():
        results = trainings(count, threads, args.epocas, args.perfil)
        rate[count, threads] = count / max(s for s, _ in results) * 60  # the fits overlap; imports do not count
        seconds = sum(s for s, _ in results) / count
        digests = " ".join(sorted({d for _, d in results}))
        print(f"| {label} | {seconds:.1f} | {rate[count, threads]:.1f} | {digests} |")
    best = rate[cores, 1]
    print(f"\nLímite físico de {cores} trabajadores de 1 hilo: ×{best / rate[1, cores]:.2f} frente a un "
          f"entrenamiento con {cores} hilos y ×{best / rate[1, 1]:.2f} frente a uno con 1 hilo. "
          "Pesos: el mismo resumen con el mismo número de hilos; con otro, TensorFlow suma en otro orden.")


if __name__ == "__main__":
    main()
