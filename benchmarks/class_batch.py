"""A class of 20 on 2 cores, quick profile: the kit against plain nbgrader and against the physical limit.

The class (p1_normalizacion, built from the committed scenario notebooks, students alumno01... in arrival order):
mostly complete submissions (the reference solution, and several of the seed's mistakes), a few half-done ones
(the normalization cells only, or the release untouched) and one broken file, spread through the list.

Measured in this one run, each on a fresh scratch course:

1. the kit, ``grade(..., workers=2)``, handing the submissions out in arrival order (``order.longest_first``
   replaced by the identity: the order of the class list), then the same class handed out longest first (the
   kit as it is), once per number of workers given with ``--trabajadores`` (more workers than cores fill the
   seconds a task waits without computing: kernel start-up, files, the judges' answers);
2. plain nbgrader: ``nbgrader autograde`` (one submission after another), then ``generate_feedback`` and ``export``
   (``benchmarks/class_grading_baselines.py``);
3. the physical limit of each kit run: the CPU-seconds its grading tasks used (each kernel computes with one
   thread; ``GradedSubmission.cpu_seconds``: the worker and the kernel it waited for), summed and divided by the
   2 cores. No schedule on 2 cores can finish the same work sooner.

and prints each wall time, kit / limit before and after, how busy the 2 cores were during each kit run (the whole
machine's CPU-seconds, judges and merging included, ÷ 2 × wall: what is missing to 100 % is time with nothing to
compute, the part more workers than cores can fill), nbgrader / kit, and how well the estimates ordered the
submissions (Spearman's rank correlation between estimate and measured CPU-seconds).

    python benchmarks/class_batch.py [--completas 15] [--medias 4] [--medidas llegada primero_las_largas nbgrader]
                                     [--trabajadores 2 3]

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

import psutil

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

CORES = 2  # the physical limit's divisor: the 2 cores the issue measures on, whatever the number of workers
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
    workers: int
    busy: float  # CPU-seconds the whole machine computed during the run (every process: judges, merging included)

    @property
    def limit(self) -> float:
        return sum(self.cpu.values()) / CORES


def measure_kit(scratch: Path, submissions: list[Submission], label: str, arrival: bool, workers: int) -> KitBatch:
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
    CLOCK.say(f"kit, {label}: corrigiendo {len(submissions)} entregas con {workers} trabajadores")
    try:
        started, machine = time.monotonic(), _busy_seconds()
        results = batch.grade(root=course, assignment=ASSIGNMENT, profile=PROFILE, workers=workers,
                              progress=lambda line: CLOCK.say(f"kit, {label}: {line}"),
                              announce=lambda line: CLOCK.say(f"kit, {label}: {line}"))
        seconds, busy = time.monotonic() - started, _busy_seconds() - machine
    finally:
        batch.longest_first, batch._estimates, batch.record_outcome = saved
    shutil.rmtree(course)
    return KitBatch(label, seconds, [student for _, student in order],
                    {student: value for (_, student), value in handed.items()},
                    {student: graded.cpu_seconds for student, graded in tasks.items()},
                    {student: graded.seconds for student, graded in tasks.items()},
                    {result.student: result.auto_score for result in results}, workers, busy)


def _busy_seconds() -> float:
    """CPU-seconds every core of the machine has spent computing since boot (not idle, not waiting for disk)."""
    times = psutil.cpu_times()
    return times.user + times.nice + times.system + getattr(times, "irq", 0) + getattr(times, "softirq", 0)


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
    print(f"{'corrección':<52}{'s reales':>10}{'límite s':>10}{'kit/límite':>12}{'núcleos ocupados':>18}")
    for kit in kits:
        print(f"{f'kit, {kit.workers} trabajadores, ' + kit.label:<52}{kit.seconds:>10.0f}{kit.limit:>10.0f}"
              f"{kit.seconds / kit.limit:>11.2f}×{kit.busy / (CORES * kit.seconds):>17.0%}")
    if plain:
        total = sum(plain.seconds.values())
        print(f"{'nbgrader solo (autograde, en serie)':<42}{plain.seconds['autograde']:>10.0f}")
        print(f"{'nbgrader solo (+ generate_feedback, export)':<42}{total:>10.0f}")
        for kit in kits:
            print(f"nbgrader (autograde + feedback + export) / kit {kit.label}: {total / kit.seconds:.2f}×")
    if kits:
        cpu = kits[-1].cpu
        arrival = makespan(seconds=[cpu[s.student] for s in submissions], workers=CORES)
        longest = makespan(seconds=[cpu[s] for s in kits[-1].order], workers=CORES)
        print(f"\nCon los s de CPU medidos de cada entrega («{kits[-1].label}»), sin otra carga en la máquina, "
              f"2 trabajadores tardarían: en orden de llegada {arrival:.0f} s,"
              f" primero las largas (según la estimación) {longest:.0f} s;"
              f" límite {sum(cpu.values()) / CORES:.0f} s.")
    if len(kits) > 1:
        same = all(kit.scores == kits[0].scores for kit in kits)
        print(f"mismas notas en todas las correcciones del kit: {'sí' if same else 'NO'}")
    print("núcleos ocupados: s de CPU de toda la máquina durante la corrección ÷ (2 núcleos × s reales); lo que falta"
          " hasta el 100 % es tiempo en que un núcleo no tenía nada que calcular.")
    print(f"límite: suma de los s de CPU de las tareas del kit en esa corrección ÷ {CORES} núcleos (el kernel calcula con"
          " un hilo; no cuenta los jueces que bifurca el servidor de veredictos ni el proceso que fusiona).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--completas", type=int, default=15)
    parser.add_argument("--medias", type=int, default=4, help="entregas a medias (una de ellas, sin tocar)")
    parser.add_argument("--medidas", nargs="+", choices=MEASURES, default=list(MEASURES))
    parser.add_argument("--trabajadores", nargs="+", type=int, default=[CORES],
                        help="trabajadores del kit; «primero_las_largas» se mide con cada número (p. ej. 2 3), "
                             "«llegada» con el primero")
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
            kits.append(measure_kit(scratch, submissions, "orden de llegada", arrival=True,
                                    workers=args.trabajadores[0]))
        if "primero_las_largas" in args.medidas:
            for workers in args.trabajadores:
                label = "primero las largas" + (f" ({workers} trab.)" if len(args.trabajadores) > 1 else "")
                kits.append(measure_kit(scratch, submissions, label, arrival=False, workers=workers))
        if "nbgrader" in args.medidas:
            plain = measure_plain(scratch, submissions)
    print(f"carga media al terminar: {os.getloadavg()[0]:.1f}")
    report(submissions, kits, plain)


if __name__ == "__main__":
    main()
