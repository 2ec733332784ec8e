"""What grading one submission costs: the numbers behind ``COST`` in ``autograder/pipeline/run/cost.py``.

For each assignment and profile, grades on one Dask worker (``grade(..., workers=1)``, the kit's own
kernel thread settings, ``c.Sandbox.cpu_threads``) two submissions in a fresh scratch course:

- ``completa``: the reference solution as a student submits it (``tests/<práctica>/escenarios/solucion.ipynb``);
- ``sin_tocar``: the student release untouched (``sin_cambios.ipynb``): what every submission costs
  whatever it answers (kernel start, data, nbgrader, feedback);

after a first, untouched one (``arranque``) that pays the worker's own start-up (its verdict server, the imports
of its first grading): ``WORKER_START`` is what it costs more than ``sin_tocar``.

and prints, for each, the CPU-seconds of its grading task (the worker process and the kernel it
waited for: ``GradedSubmission.cpu_seconds``) next to its wall time, then the ``COST`` entries to
paste into ``cost.py``. On a machine shared with other jobs the wall times grow; the CPU-seconds
much less.

    python benchmarks/grading_cost.py [--practicas p1_normalizacion ...] [--perfiles rapido]
    python benchmarks/grading_cost.py --celdas    # CELL_SECONDS, from solutions/<práctica>.ipynb

The quick profile takes a few minutes per assignment on 2 cores; the full one, about as long as
its reference solution (6.5 to 27 minutes per assignment).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # loading nbgrader_config.py imports TensorFlow here

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.pipeline.assign.views import release  # noqa: E402
from autograder.pipeline.run import batch  # noqa: E402
from autograder.pipeline.run.cost import ASSIGNMENTS, cell_seconds  # noqa: E402

# Graded in this order on one worker: the first task on a worker also pays its start-up (the verdict server, the
# imports of the first grading), measured apart as ``arranque`` minus ``sin_tocar``.
SUBMISSIONS = {"arranque": "sin_cambios", "completa": "solucion", "sin_tocar": "sin_cambios"}


def scratch_course(folder: Path, assignment: str) -> Path:
    course = folder / "curso"
    course.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    leftovers = shutil.ignore_patterns(".evidencia", ".ipynb_checkpoints", "__pycache__")
    shutil.copytree(ROOT / "source", course / "source", ignore=leftovers)
    release(root=course, assignment_ids=[assignment])
    for student, scenario in SUBMISSIONS.items():
        target = course / "submitted" / student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        shutil.copy(ROOT / "tests" / assignment / "escenarios" / f"{scenario}.ipynb", target)
    return course


def measure(assignment: str, profile: str) -> dict[str, tuple[float, float]]:
    """{submission: (CPU-seconds, wall seconds)} of its grading task."""
    tasks, record, longest_first = {}, batch.record_outcome, batch.longest_first

    def recording(root, config, context, graded):
        tasks[graded.student] = graded
        return record(root, config, context, graded)

    with tempfile.TemporaryDirectory(prefix="coste-") as folder:
        course = scratch_course(Path(folder), assignment)
        batch.record_outcome, batch.longest_first = recording, list  # this order, not longest first
        try:
            started = time.monotonic()
            batch.grade(root=course, assignment=assignment, students=list(SUBMISSIONS), profile=profile, workers=1,
                        progress=lambda line: print(f"  {line}", flush=True))
            print(f"  lote de {len(SUBMISSIONS)} en un trabajador: {time.monotonic() - started:.0f} s", flush=True)
        finally:
            batch.record_outcome, batch.longest_first = record, longest_first
    failed = [student for student, graded in tasks.items() if graded.failure and student == "completa"]
    if failed:
        raise SystemExit(f"{assignment}: la solución no se pudo corregir: {tasks['completa'].failure}")
    return {student: (graded.cpu_seconds, graded.seconds) for student, graded in tasks.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--practicas", nargs="+", default=list(ASSIGNMENTS))
    parser.add_argument("--perfiles", nargs="+", default=["rapido"], choices=["rapido", "completo"])
    parser.add_argument("--celdas", action="store_true",
                        help="solo CELL_SECONDS, de los tiempos que guardan las soluciones (no corrige nada)")
    args = parser.parse_args()
    if args.celdas:
        print_cell_seconds()
        return
    print(f"{os.cpu_count()} núcleos; carga media al empezar: {os.getloadavg()[0]:.1f}", flush=True)
    measured = {}
    for assignment in args.practicas:
        for profile in args.perfiles:
            print(f"{assignment} ({profile})", flush=True)
            measured[assignment, profile] = measure(assignment, profile)
    print(f"\ncarga media al terminar: {os.getloadavg()[0]:.1f}")
    print(f"\n{'práctica':<26}{'perfil':<10}{'entrega':<11}{'s de CPU':>9}{'s reales':>10}")
    for (assignment, profile), rows in measured.items():
        for student, (cpu, wall) in rows.items():
            print(f"{assignment:<26}{profile:<10}{student:<11}{cpu:>9.1f}{wall:>10.1f}")
    print("\nPara COST en autograder/pipeline/run/cost.py:")
    for (assignment, profile), rows in measured.items():
        print(f'    "{assignment}": {{"{profile}": Cost(complete={rows["completa"][0]:.0f}, '
              f'untouched={rows["sin_tocar"][0]:.0f})}},')
    starts = [rows["arranque"][0] - rows["sin_tocar"][0] for rows in measured.values()]
    print(f"WORKER_START: {sum(starts) / len(starts):.0f} (media de {', '.join(f'{value:.0f}' for value in starts)})")


def print_cell_seconds() -> None:
    """CELL_SECONDS from the execution times recorded in solutions/<práctica>.ipynb (nothing is run)."""
    print("CELL_SECONDS = {")
    for assignment in ASSIGNMENTS:
        notebook = nbformat.read(ROOT / "solutions" / f"{assignment}.ipynb", as_version=4)
        print(f"    {assignment!r}: {cell_seconds(notebook)!r},")
    print("}")


if __name__ == "__main__":
    main()
