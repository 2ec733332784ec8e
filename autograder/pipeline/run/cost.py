"""What grading costs: one submission per assignment and profile, measured, and the times that follow from it.

``COST[assignment][profile]`` is what one worker (one core: the kernel computes with
``c.Sandbox.cpu_threads`` = 1 thread) spends grading one submission:

- ``complete``: the reference solution as a student submits it;
- ``untouched``: the student release with nothing answered (kernel start, data, nbgrader,
  feedback): what any submission costs, whatever it answers.

Quick profile ("rapido"): CPU-seconds of the grading task (the Dask worker, the student's kernel
and the judges; ``GradedSubmission.cpu_seconds``), measured on 2026-12-05 at 06:31-06:35 UTC on the
project's 2-core machine with nothing else running (load average 0.5), the four assignments one after
another on one worker::

    .venv/bin/python benchmarks/grading_cost.py --perfiles rapido

    práctica                  perfil    entrega     s de CPU  s reales
    p1_normalizacion          rapido    arranque        10.8       6.8
    p1_normalizacion          rapido    completa        34.0      35.5
    p1_normalizacion          rapido    sin_tocar        4.2       4.5
    p2_aspectos_practicos     rapido    arranque         8.0       5.4
    p2_aspectos_practicos     rapido    completa        26.2      26.9
    p2_aspectos_practicos     rapido    sin_tocar        4.1       4.6
    p3_ajuste_entrenamiento   rapido    arranque         8.1       5.3
    p3_ajuste_entrenamiento   rapido    completa        26.1      28.3
    p3_ajuste_entrenamiento   rapido    sin_tocar        3.7       4.5
    p4_ajustes_del_modelo     rapido    arranque         8.7       5.8
    p4_ajustes_del_modelo     rapido    completa        60.6      64.3
    p4_ajustes_del_modelo     rapido    sin_tocar        4.2       4.8

CPU-seconds hardly change when every core grades at once (two of these commands side by side, one
per core: p4 59.8 and 58.5 CPU-s, p1 33.4, p3 28.9), but each task's wall time grows by a quarter
(p4 76-81 s, p1 41 s, p3 36 s): see ``BATCH_WALL``. Under other load the CPU-seconds grow too: the
figures this table replaced, measured at load average 9 falling to 4, were 60, 44, 47 and 89.

Full profile ("completo"): the same CPU-seconds, measured on 2026-12-05 at 07:09-07:40 UTC on the
same quiet machine, two commands side by side (one per core, as in a batch)::

    .venv/bin/python benchmarks/grading_cost.py --perfiles completo --practicas p2_aspectos_practicos p4_ajustes_del_modelo
    .venv/bin/python benchmarks/grading_cost.py --perfiles completo --practicas p3_ajuste_entrenamiento p1_normalizacion

    práctica                  perfil    entrega     s de CPU  s reales
    p1_normalizacion          completo  arranque        11.3      10.2
    p1_normalizacion          completo  completa       415.4     414.4   (alone on the machine by then)
    p1_normalizacion          completo  sin_tocar        5.5       8.3
    p2_aspectos_practicos     completo  arranque        11.4      11.7
    p2_aspectos_practicos     completo  completa       753.2     908.1
    p2_aspectos_practicos     completo  sin_tocar        5.5       7.1
    p3_ajuste_entrenamiento   completo  arranque        11.6      12.2
    p3_ajuste_entrenamiento   completo  completa      1204.6    1387.0
    p3_ajuste_entrenamiento   completo  sin_tocar        5.7       6.9
    p4_ajustes_del_modelo     completo  arranque        12.0      10.1
    p4_ajustes_del_modelo     completo  completa       351.4     469.1
    p4_ajustes_del_modelo     completo  sin_tocar        6.9       9.9

They replace the wall times issue 27 reported for the reference solutions (p1 6.5 min, p2 20-27 min,
p3 17 min, p4 6-8 min), which were not the kit's one-thread grading: p2 costs about half of that,
p3 a fifth more.

``CELL_SECONDS[assignment][grade_id]``: seconds of the reference solution's run that each answer
cell accounts for (its own execution and that of the locked cells after it, which run what it
defined), from the execution times ``solutions/<práctica>.ipynb`` records (full data)::

    .venv/bin/python benchmarks/grading_cost.py --celdas

They tell how much of a complete submission's cost a half-done one carries (``order.py``).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from datetime import datetime

ASSIGNMENTS = ("p1_normalizacion", "p2_aspectos_practicos", "p3_ajuste_entrenamiento", "p4_ajustes_del_modelo")
PROFILE_NAMES = {"rapido": "rápido", "completo": "completo"}
README_STUDENTS, README_CORES = 100, (2, 16, 64)
# CPU-seconds a worker spends once, on its first submission, more than on the next ones: its verdict server's
# start-up and the imports of its first grading (``benchmarks/grading_cost.py``, the same run as COST's quick figures).
WORKER_START = 5  # arranque minus sin_tocar above: 7, 4, 4, 5
# A batch's wall time over the best schedule of its tasks' CPU-seconds (``makespan``), one worker per core: with
# every core grading, each task also waits without computing (two kernels at once keep the 2 cores about 85 % busy,
# one alone keeps its core 96 % busy). Measured on a quiet 2-core machine, 2026-12-05 06:44 UTC, 20 p1 submissions
# handed out longest first: 325 s real against a makespan of 267 s of their own CPU-seconds
# (``.venv/bin/python benchmarks/class_batch.py --medidas llegada primero_las_largas``).
BATCH_WALL = 1.22


@dataclass(frozen=True)
class Cost:
    complete: float  # seconds of one worker for the reference solution
    untouched: float  # seconds of one worker for the untouched release


COST = {
    "p1_normalizacion": {
        "rapido": Cost(complete=34, untouched=4),
        "completo": Cost(complete=415, untouched=6),
    },
    "p2_aspectos_practicos": {
        "rapido": Cost(complete=26, untouched=4),
        "completo": Cost(complete=753, untouched=6),
    },
    "p3_ajuste_entrenamiento": {
        "rapido": Cost(complete=26, untouched=4),
        "completo": Cost(complete=1205, untouched=6),
    },
    "p4_ajustes_del_modelo": {
        "rapido": Cost(complete=61, untouched=4),
        "completo": Cost(complete=351, untouched=7),
    },
}

CELL_SECONDS = {
    "p1_normalizacion": {"normalizacion_1": 1.1, "normalizacion_2": 1.1, "normalizacion_3": 1.4, "modelo": 465.7,
                         "reduce_lr": 253.6, "modelo_final": 262.3},
    "p2_aspectos_practicos": {"modelo": 0.0, "activaciones": 427.7, "inicializacion": 337.1, "optimizadores": 530.1,
                              "modelo_final": 281.0, "evaluacion_test": 1.1},
    "p3_ajuste_entrenamiento": {"busqueda_lr": 354.7, "busqueda_planificador": 609.7, "modelo_final": 65.6,
                                "resultados": 0.0},
    "p4_ajustes_del_modelo": {"ejercicio_1": 34.5, "autoevaluacion_1": 0.0, "ejercicio_2": 20.8, "autoevaluacion_2": 0.0,
                              "ejercicio_3": 100.8, "ejercicio_4": 39.6, "autoevaluacion_3": 0.0, "ejercicio_5": 57.3,
                              "ejercicio_6": 48.6, "autoevaluacion_4": 0.0, "ejercicio_7": 137.8, "ejercicio_8": 0.0},
}


def cell_seconds(notebook) -> dict[str, float]:
    """Seconds of an executed notebook (``execution`` metadata of its cells) that each answer cell accounts for.

    An answer cell (nbgrader ``solution``) takes its own time and that of the cells after it up to
    the next answer cell; the cells before the first one run in any submission and count for none.
    """
    seconds, current = {}, None
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        nbgrader = cell.metadata.get("nbgrader", {})
        if nbgrader.get("solution"):
            current = nbgrader["grade_id"]
            seconds[current] = 0.0
        if current is not None:
            seconds[current] += _executed_seconds(cell.metadata.get("execution", {}))
    return {grade_id: round(value, 1) for grade_id, value in seconds.items()}


def _executed_seconds(execution: dict) -> float:
    started = execution.get("iopub.execute_input") or execution.get("shell.execute_reply.started")
    ended = execution.get("shell.execute_reply")
    if not (started and ended):
        return 0.0
    return max(0.0, (_timestamp(ended) - _timestamp(started)).total_seconds())


def _timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def makespan(*, seconds: list[float], workers: int, start: float = 0.0) -> float:
    """Wall seconds for ``workers`` to grade jobs of ``seconds``, handed out in this order to whichever is free.

    ``start``: what each worker spends once before its first job (``WORKER_START``).
    """
    if not seconds:
        return 0.0
    free = [start] * max(1, min(workers, len(seconds)))
    for job in seconds:
        heapq.heapreplace(free, free[0] + job)
    return max(free)


def expected_wall(*, seconds: list[float], workers: int) -> float:
    """Wall seconds a batch of jobs of ``seconds`` (CPU-seconds of one worker) is expected to take on ``workers``
    workers, one per core: their best schedule, each worker's start-up included, times ``BATCH_WALL``."""
    return makespan(seconds=seconds, workers=workers, start=WORKER_START) * BATCH_WALL


def duration(seconds: float) -> str:
    """A rounded Spanish duration: «menos de 1 min», «cerca de 1 min», «unos 6 min», «unas 3 h 20 min», «unas 21 h»."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "menos de 1 min"
    if minutes == 1:
        return "cerca de 1 min"
    if minutes < 60:
        return f"unos {minutes} min"
    hours, minutes = divmod(minutes if minutes < 600 else round(minutes / 60) * 60, 60)
    return f"unas {hours} h" + (f" {minutes} min" if minutes else "")


def estimate_line(*, counts: dict[str, int], profile: str, workers: int, seconds: float | None) -> str:
    """The one Spanish line ``autograder corregir`` prints before grading: how many, on how many workers, how long.

    ``counts``: submissions to grade per assignment; ``seconds``: the expected wall time, None if some
    assignment has no measured cost.
    """
    total = sum(counts.values())
    what = next(iter(counts)) if len(counts) == 1 else f"{len(counts)} prácticas"
    line = (f"Se van a corregir {total} entrega{'s' if total != 1 else ''} de {what} "
            f"(perfil {PROFILE_NAMES.get(profile, profile)}) con {workers} trabajador{'es' if workers != 1 else ''}")
    if seconds is None:
        missing = ", ".join(sorted(a for a in counts if profile not in COST.get(a, {})))
        return f"{line} (sin estimación de tiempo: falta el coste de {missing} en autograder/pipeline/run/cost.py)."
    return f"{line}: {duration(seconds)}."


def class_table(*, cost: dict = COST, students: int = README_STUDENTS, cores: tuple[int, ...] = README_CORES,
                profile: str = "completo") -> str:
    """The README's table: ``students`` complete submissions of each assignment, core-hours and wall time per core count.

    One worker per core, one submission each at a time; every submission costs the complete one's; wall times as
    ``expected_wall`` gives them (start-up and ``BATCH_WALL`` included).
    """
    header = ["Práctica", "Una entrega", f"{students} alumnos: horas de núcleo",
              *(f"en {count} núcleos" for count in cores)]
    rows = [header, ["---", *["---:"] * (len(header) - 1)]]
    for assignment, profiles in cost.items():
        one = profiles[profile].complete
        walls = [_wall(expected_wall(seconds=[one] * students, workers=count)) for count in cores]
        rows.append([f"`{assignment}`", _wall(one), f"{math.ceil(one * students / 3600 * 10) / 10:g}".replace(".", ","),
                     *walls])
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def _wall(seconds: float) -> str:
    """``1 h 05 min``, ``27 min``: a table's wall time, to the minute."""
    minutes = max(1, round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
