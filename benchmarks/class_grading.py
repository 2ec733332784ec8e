"""Grading a whole class of p1_normalizacion on this machine, quick data profile.

For one set of submissions (a class mix of complete and half-done notebooks
built from the committed scenario notebooks) measures, each on a fresh
scratch course:

1. plain nbgrader: ``nbgrader autograde`` (then ``generate_feedback`` and
   ``export``) with a plain ``nbgrader_config.py`` (same per-cell timeout and
   IgnorePattern, none of the kit's steps), one submission after another;
2. the kit's ``grade(...)`` with 1 and with 2 Dask workers, and on an external
   cluster started the way a course would on Slurm or Kubernetes: ``dask
   scheduler`` and ``dask worker --nthreads 1`` as separate processes, the kit
   connecting to the scheduler's address (``--planificador``), with the same
   grades as the local run (``benchmarks/dask_cluster.py``); in each kit run,
   the single writer's cost per merged submission (this process merging each
   task's result into the gradebook), by timing grading's functions in place;
3. the grader's own cost per submission: the kit's seconds for a submission
   (workers=1) minus nbclient's seconds executing the same notebook alone in
   a kernel started with the kit's kernel arguments;
4. ``autograder corregir`` killed with SIGKILL once the first submission is
   graded, then run again: what was skipped, graded, and whether the
   gradebook and CSV are what an uninterrupted run gives.

    python benchmarks/class_grading.py [--completas 8] [--parciales 12] [--trabajadores-cluster 2]

The full default class takes about half an hour on 2 cores, plus about as long
as the local 2-worker run for the external cluster.
"""

from __future__ import annotations

import argparse
import inspect
import os
import tempfile
from collections import Counter
from pathlib import Path

import psutil

# The class and its scratch courses: class_grading_courses.py; the measurements: class_grading_baselines.py (plain
# nbgrader, nbclient alone), class_grading_kit.py, class_grading_resume.py; the tables: class_grading_report_*.py.

# Loading the course's nbgrader_config.py imports TensorFlow in this process: no log noise on the console.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from class_grading_baselines import measure_nbclient, measure_plain, nbclient_subset  # noqa: E402
from class_grading_courses import ASSIGNMENT, KIT_CONFIG, PROFILE, Submission, class_mix, warm_up  # noqa: E402
from class_grading_kit import measure_cluster, measure_kit  # noqa: E402
from class_grading_processes import CLOCK  # noqa: E402
from class_grading_report_grades import Runs, checks_report, per_submission_report  # noqa: E402
from class_grading_report_times import overhead_report, resume_report, summary_report, writer_report  # noqa: E402
from class_grading_resume import measure_resume  # noqa: E402

from autograder import course_data  # noqa: E402
from autograder.pipeline.course import KERNEL_ENV  # noqa: E402
from autograder.pipeline.run.batch import grade  # noqa: E402

MEASURES = ("nbgrader", "kit", "cluster", "nbclient", "reanudacion")


def describe(args) -> None:
    """What exactly each measurement runs."""
    if "nbgrader" in args.medidas:
        print("nbgrader solo: nbgrader_config.py propio con el mismo c.Execute.timeout, startup_timeout e IgnorePattern;"
              " sin ClearEvidence/ExecuteWithDeadline/ApplyVerdicts, sin el gestor de kernel aislado ni los argumentos"
              " de kernel del kit (extensión fit_log); el mismo entorno de kernel que el kit"
              f" ({' '.join(f'{k}={v}' for k, v in {**KERNEL_ENV, course_data.PROFILE_ENV: PROFILE}.items())})."
              " Las celdas ocultas siguen llamando a verify.* (solo guardan pruebas).")
    if "nbclient" in args.medidas:
        manager = KIT_CONFIG.NotebookClient.get("kernel_manager_class")
        how = ("con el gestor de kernel de jupyter_client" if not manager else f"con su gestor de kernel {manager}"
               if args.nbclient_aislado else
               f"con el gestor de kernel de jupyter_client (sin {manager}: su coste cuenta como propio del corrector)")
        print(f"nbclient solo: kernel con los argumentos del kit ({' '.join(KIT_CONFIG.NotebookClient.extra_arguments)})"
              f" y su entorno (perfil {PROFILE}, los hilos de c.Sandbox.cpu_threads), {how}; el cuaderno entregado,"
              " sin las celdas ocultas que el corrector"
              " añade.")
    if "cluster" in args.medidas:
        print("clúster externo: dask scheduler --host 127.0.0.1 --port 0 --no-dashboard y, por cada trabajador,"
              " dask worker <dirección> --nthreads 1 --nworkers 1 --no-dashboard (el límite de memoria de"
              " LocalCluster), procesos aparte arrancados y parados por esta prueba; el kit se conecta con"
              " grade(scheduler=<dirección>), como autograder corregir --planificador. El arranque no se cuenta;"
              " la corrección local sí incluye arrancar su LocalCluster."
              f" Trabajadores: {' y '.join(map(str, args.trabajadores_cluster))}.")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--completas", type=int, default=8, help="entregas completas (escenarios que entrenan)")
    parser.add_argument("--parciales", type=int, default=12,
                        help="entregas a medias (solo la normalización), con una sin cambios y una rota")
    parser.add_argument("--trabajadores", type=int, nargs="+", default=[1, 2], help="trabajadores de cada corrección del kit")
    parser.add_argument("--trabajadores-cluster", type=int, nargs="+", default=[2],
                        help="trabajadores (procesos dask worker) de cada corrección en un clúster externo (medida cluster)")
    parser.add_argument("--nbclient", type=int, default=4, help="entregas que se ejecutan también con nbclient solo")
    parser.add_argument("--nbclient-aislado", action="store_true",
                        help="nbclient solo usa también el gestor de kernel aislado del kit (por defecto, no: "
                        "el aislamiento cuenta como coste propio del corrector)")
    parser.add_argument("--reanudacion", type=int, default=4, help="entregas de la prueba de kill -9")
    parser.add_argument("--medidas", nargs="+", choices=MEASURES, default=list(MEASURES), help="qué medir")
    args = parser.parse_args()
    if args.completas < 0 or args.parciales < 0 or args.completas + args.parciales == 0:
        parser.error("hace falta al menos una entrega")
    if "cluster" in args.medidas and min(args.trabajadores_cluster) < 1:
        parser.error("el clúster externo necesita al menos un trabajador")
    return args


def print_class(args: argparse.Namespace, submissions: list[Submission]) -> None:
    mix = Counter((s.kind, s.scenario) for s in submissions)
    print(f"Corrección de una clase de {ASSIGNMENT}, perfil {PROFILE}, {psutil.cpu_count()} núcleos,"
          f" {psutil.virtual_memory().total / 2**30:.0f} GiB")
    print(f"{len(submissions)} entregas: {args.completas} completas y {args.parciales} a medias")
    for (kind, scenario), count in sorted(mix.items()):
        print(f"  {count:>3} × {kind:<9} {scenario}")
    print("  orden: " + " ".join(f"{s.student}={s.scenario}" for s in submissions))


def kit_worker_counts(args: argparse.Namespace) -> list[int | None]:
    """Workers of each local kit run ([None]: grade() without workers, as it is called today)."""
    if "workers" in inspect.signature(grade).parameters:
        return args.trabajadores
    print("grade() aún no acepta workers: se mide una sola corrección del kit, con su firma actual")
    return [None]


def measure(args: argparse.Namespace, submissions: list[Submission], worker_counts: list[int | None]) -> Runs:
    """Every measurement in ``args.medidas``, each on a fresh scratch course."""
    runs = Runs(submissions, None, [], {}, None)
    with tempfile.TemporaryDirectory(prefix="class-grading-") as folder:
        scratch = Path(folder)
        CLOCK.say(f"calentamiento: datos del perfil {PROFILE} cargados en {warm_up():.0f} s")
        if "nbgrader" in args.medidas:
            runs.plain = measure_plain(scratch, submissions)
        counts = worker_counts if "kit" in args.medidas else []
        if {"nbclient", "reanudacion"} & set(args.medidas) and not {1, None} & set(counts):
            counts = [worker_counts[0] if None in worker_counts else 1, *counts]  # they compare with one worker
        runs.kits = [measure_kit(scratch, submissions, workers) for workers in counts]
        if "cluster" in args.medidas:
            runs.kits += [measure_cluster(scratch, submissions, workers) for workers in args.trabajadores_cluster]
        if "nbclient" in args.medidas:
            subset = nbclient_subset(submissions, args.nbclient)
            CLOCK.say(f"nbclient solo: {', '.join(f'{s.student} ({s.scenario})' for s in subset)}")
            runs.nbclient = measure_nbclient(scratch, subset, args.nbclient_aislado)
        if "reanudacion" in args.medidas:
            runs.resume = measure_resume(scratch, submissions[: args.reanudacion])
    return runs


def report(runs: Runs) -> None:
    per_submission_report(runs)
    checks_report(runs)
    if runs.kits:
        writer_report(runs.kits)
    if runs.nbclient and runs.one:
        overhead_report(runs)
    if runs.resume:
        resume_report(runs)
    summary_report(runs)


def main() -> None:
    args = parse_args()
    submissions = class_mix(args.completas, args.parciales)
    print_class(args, submissions)
    worker_counts = kit_worker_counts(args)
    describe(args)
    print("Publicar (generate_assignment) se hace antes de cada medida y no se cuenta.", flush=True)
    report(measure(args, submissions, worker_counts))


if __name__ == "__main__":
    main()
