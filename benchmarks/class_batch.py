"""A class of 20 on 2 workers, quick profile: the kit against plain nbgrader and against the physical limit.

The class (p1_normalizacion, built from the committed scenario notebooks, students alumno01... in arrival order):
mostly complete submissions (the reference solution, and several of the seed's mistakes), a few half-done ones
(the normalization cells only, or the release untouched) and one broken file, spread through the list.

Measured in this one run, each on a fresh scratch course:

1. the kit, ``grade(..., workers=2)``, handing the submissions out in arrival order (``order.longest_first``
   replaced by the identity: the order of the class list), then the same class handed out longest first (the
   kit as it is);
2. plain nbgrader: ``nbgrader autograde`` (one submission after another), then ``generate_feedback`` and ``export``
   (``benchmarks/class_grading_baselines.py``);
3. the physical limit of each kit run: the CPU-seconds its grading tasks used (each kernel computes with one
   thread; ``GradedSubmission.cpu_seconds``: the worker and the kernel it waited for), summed and divided by the
   2 workers. No schedule on 2 cores can finish the same work sooner.

and prints each wall time, kit / limit before and after, nbgrader / kit, and how well the estimates ordered the
submissions (Spearman's rank correlation between estimate and measured CPU-seconds).

    python benchmarks/class_batch.py [--completas 15] [--medias 4] [--medidas llegada primero_las_largas nbgrader]

About 15 minutes per kit run and half an hour for plain nbgrader on a quiet 2-core machine. On a machine shared
with other jobs every wall time grows; compare the ratios of one run, never runs of different days.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # loading nbgrader_config.py imports TensorFlow here

from class_grading_baselines import measure_plain  # noqa: E402
from class_grading_courses import (  # noqa: E402  (first: it puts the repository on sys.path)
    ASSIGNMENT,
    BROKEN,
    HALF_DONE,
    PROFILE,
    Submission,
    half_done_notebook,
    kit_course,
    warm_up,
)
from class_grading_processes import CLOCK  # noqa: E402

from autograder.pipeline.run import batch  # noqa: E402
from autograder.pipeline.run.cost import makespan  # noqa: E402
from tests.p1_normalizacion.scenarios import TABLE  # noqa: E402

WORKERS = 2
CORRECT = "solucion"
MISTAKES = ["estadisticas_de_test", "bajo_umbral", "modelo_reutilizado", "solo_centrado", "reduce_lr_factor_incorrecto",
            "sin_callbacks", "celda_bloqueada_editada"]
UNTOUCHED = "sin_cambios"
MEASURES = ("llegada", "primero_las_largas", "nbgrader")


def class_list(complete: int, half_done: int) -> list[Submission]:
    """``complete`` complete submissions (correct ones, one with a mistake every third), ``half_done`` partial ones (one
    of them the untouched release) and one broken file, spread evenly through the list."""
    kinds = []
    for i in range(complete):
        scenario = MISTAKES[(i // 3) % len(MISTAKES)] if i % 3 == 2 else CORRECT
        kinds.append(((i + 0.5) / complete, "completa", scenario))
    for i in range(half_done):
        kinds.append(((i + 0.5) / half_done, "parcial", UNTOUCHED if i == half_done - 1 else HALF_DONE))
    kinds.append((0.5, "rota", BROKEN))
    kinds.sort(key=lambda item: item[0])
    texts = {HALF_DONE: half_done_notebook()}
    return [Submission(f"alumno{i:02d}", kind, scenario,
                       texts.get(scenario) or TABLE.notebook(scenario).read_text(encoding="utf-8"))
            for i, (_, kind, scenario) in enumerate(kinds, start=1)]


@dataclass
class KitBatch:
    label: str
    seconds: float
    order: list[str]  # students in the order they were handed out
    estimates: dict[str, float]
    cpu: dict[str, float]  # each task's CPU-seconds
    wall: dict[str, float]  # each task's own seconds
    scores: dict[str, float]

    @property
    def limit(self) -> float:
        return sum(self.cpu.values()) / WORKERS


def measure_kit(scratch: Path, submissions: list[Submission], label: str, arrival: bool) -> KitBatch:
    course = kit_course(scratch / label, submissions)
    handed, tasks, saved = {}, {}, (batch.longest_first, batch._estimates, batch.record_outcome)

    def estimates(root, jobs, profile):
        handed.update(saved[1](root, jobs, profile))
        return handed

    def record(root, config, context, graded):
        tasks[graded.student] = graded
        return saved[2](root, config, context, graded)

    order = []
    batch._estimates, batch.record_outcome = estimates, record
    if arrival:
        batch.longest_first = lambda found: list(found)
    original_order = batch.longest_first
    batch.longest_first = lambda found: order.extend(original_order(found)) or order
    CLOCK.say(f"kit, {label}: corrigiendo {len(submissions)} entregas con {WORKERS} trabajadores")
    try:
        started = time.monotonic()
        results = batch.grade(root=course, assignment=ASSIGNMENT, profile=PROFILE, workers=WORKERS,
                              progress=lambda line: CLOCK.say(f"kit, {label}: {line}"),
                              announce=lambda line: CLOCK.say(f"kit, {label}: {line}"))
        seconds = time.monotonic() - started
    finally:
        batch.longest_first, batch._estimates, batch.record_outcome = saved
    shutil.rmtree(course)
    return KitBatch(label, seconds, [student for _, student in order],
                    {student: value for (_, student), value in handed.items()},
                    {student: graded.cpu_seconds for student, graded in tasks.items()},
                    {student: graded.seconds for student, graded in tasks.items()},
                    {result.student: result.auto_score for result in results})


def spearman(first: dict[str, float], second: dict[str, float]) -> float:
    keys = sorted(first)
    ranks = [_ranks([values[key] for key in keys]) for values in (first, second)]
    n = len(keys)
    mean = (n + 1) / 2
    cov = sum((a - mean) * (b - mean) for a, b in zip(*ranks))
    spread = [sum((r - mean) ** 2 for r in rank) ** 0.5 for rank in ranks]
    return cov / (spread[0] * spread[1]) if all(spread) else float("nan")


def _ranks(values: list[float]) -> list[float]:
    """Average ranks (1-based), ties sharing theirs."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def report(submissions: list[Submission], kits: list[KitBatch], plain) -> None:
    print("\n=== Por entrega (s de CPU de su tarea en cada corrección del kit; estimación de order.py) ===")
    header = f"{'alumno':<10}{'tipo':<10}{'escenario':<30}{'estimación s':>13}" + "".join(
        f"{'CPU s ' + kit.label:>28}" for kit in kits)
    if plain:
        header += f"{'nbgrader s':>12}"
    print(header)
    for submission in submissions:
        student = submission.student
        row = f"{student:<10}{submission.kind:<10}{submission.scenario:<30}"
        row += f"{kits[0].estimates.get(student, float('nan')):>13.0f}" if kits else ""
        row += "".join(f"{kit.cpu.get(student, float('nan')):>28.1f}" for kit in kits)
        if plain:
            row += f"{plain.per_student.get(student, float('nan')):>12.1f}"
        print(row)
    for kit in kits:
        print(f"orden de reparto, {kit.label}: {' '.join(kit.order)}")
        print(f"  Spearman estimación ~ s de CPU medidos: {spearman(kit.estimates, kit.cpu):.2f}")
    print("\n=== Resumen ===")
    print(f"{'corrección':<42}{'s reales':>10}{'límite s':>10}{'kit/límite':>12}")
    for kit in kits:
        print(f"{'kit, 2 trabajadores, ' + kit.label:<42}{kit.seconds:>10.0f}{kit.limit:>10.0f}"
              f"{kit.seconds / kit.limit:>11.2f}×")
    if plain:
        total = sum(plain.seconds.values())
        print(f"{'nbgrader solo (autograde, en serie)':<42}{plain.seconds['autograde']:>10.0f}")
        print(f"{'nbgrader solo (+ generate_feedback, export)':<42}{total:>10.0f}")
        for kit in kits:
            print(f"nbgrader (autograde + feedback + export) / kit {kit.label}: {total / kit.seconds:.2f}×")
    if kits:
        cpu = kits[-1].cpu
        arrival = makespan(seconds=[cpu[s.student] for s in submissions], workers=WORKERS)
        longest = makespan(seconds=[cpu[s] for s in kits[-1].order], workers=WORKERS)
        print(f"\nCon los s de CPU medidos de cada entrega («{kits[-1].label}»), sin otra carga en la máquina, "
              f"2 trabajadores tardarían: en orden de llegada {arrival:.0f} s,"
              f" primero las largas (según la estimación) {longest:.0f} s;"
              f" límite {sum(cpu.values()) / WORKERS:.0f} s.")
    if len(kits) == 2:
        same = kits[0].scores == kits[1].scores
        print(f"mismas notas en los dos órdenes: {'sí' if same else 'NO'}")
    print("límite: suma de los s de CPU de las tareas del kit en esa corrección ÷ 2 trabajadores (el kernel calcula con"
          " un hilo; no cuenta los jueces que bifurca el servidor de veredictos ni el proceso que fusiona).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--completas", type=int, default=15)
    parser.add_argument("--medias", type=int, default=4, help="entregas a medias (una de ellas, sin tocar)")
    parser.add_argument("--medidas", nargs="+", choices=MEASURES, default=list(MEASURES))
    args = parser.parse_args()
    submissions = class_list(args.completas, args.medias)
    print(f"Clase de {len(submissions)} entregas de {ASSIGNMENT}, perfil {PROFILE}, {os.cpu_count()} núcleos,"
          f" carga media al empezar {os.getloadavg()[0]:.1f}")
    print("  " + " ".join(f"{s.student}={s.scenario}" for s in submissions), flush=True)
    kits, plain = [], None
    with tempfile.TemporaryDirectory(prefix="clase-") as folder:
        scratch = Path(folder)
        CLOCK.say(f"calentamiento: datos del perfil {PROFILE} cargados en {warm_up():.0f} s")
        if "llegada" in args.medidas:
            kits.append(measure_kit(scratch, submissions, "orden de llegada", arrival=True))
        if "primero_las_largas" in args.medidas:
            kits.append(measure_kit(scratch, submissions, "primero las largas", arrival=False))
        if "nbgrader" in args.medidas:
            plain = measure_plain(scratch, submissions)
    print(f"carga media al terminar: {os.getloadavg()[0]:.1f}")
    report(submissions, kits, plain)


if __name__ == "__main__":
    main()
