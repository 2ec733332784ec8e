"""Wall time and memory of the kit's jobs on this machine.

Measures, for one assignment: the release (`autograder publicar`), grading one
submission (the reference solution) with `autograder corregir` in each profile,
and executing the same submission with nbclient alone, so the difference is the
grader's own cost (nbgrader's pipeline, the hidden checks, the feedback).

    python benchmarks/grading_time.py [--practica p3_ajuste_entrenamiento] [--perfiles rapido completo]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.pipeline.assign.views import release  # noqa: E402
from autograder.pipeline.course import kernel_environment, load_config  # noqa: E402
from autograder.pipeline.run.batch import grade  # noqa: E402
from autograder.sandbox.settings import Sandbox, thread_environment  # noqa: E402

ASSIGNMENT = "p1_normalizacion"


def solution_submission(assignment: str) -> Path:
    """The reference solution as a student submits it (the scenario notebook)."""
    return ROOT / "tests" / assignment / "escenarios" / "solucion.ipynb"


def course_copy(scratch: Path) -> Path:
    course = scratch / "curso"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source", course / "source")
    return course


def timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def children_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def nbclient_alone(course: Path, profile: str, submission: Path | None = None, config=None,
                   assignment: str = ASSIGNMENT) -> float:
    """Seconds nbclient alone takes to execute ``submission`` (default: the solution), its kernel computing
    with the kit's thread count; ``config``: the kernel's (default: the course's)."""
    workdir = course / "release" / assignment
    notebook = nbformat.read(submission or solution_submission(assignment), as_version=4)
    config = config or load_config(course)
    threads = thread_environment(Sandbox(config=config).cpu_threads)
    with kernel_environment(profile):
        client = NotebookClient(notebook, config=config, timeout=3600, allow_errors=True,
                                resources={"metadata": {"path": str(workdir)}})
        return timed(lambda: client.execute(env={**os.environ, **threads}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--practica", default=ASSIGNMENT, help="práctica cuya solución se corrige")
    parser.add_argument("--perfiles", nargs="+", default=["rapido", "completo"])
    args = parser.parse_args()
    assignment, rows = args.practica, []
    with tempfile.TemporaryDirectory() as scratch:
        course = course_copy(Path(scratch))
        rows.append(("publicar (generate_assignment)", "-", timed(lambda: release(root=course, assignment_ids=[assignment]))))
        for profile in args.perfiles:
            target = course / "submitted" / f"alumno_{profile}" / assignment / f"{assignment}.ipynb"
            target.parent.mkdir(parents=True)
            shutil.copy(solution_submission(assignment), target)
            alone = nbclient_alone(course, profile, assignment=assignment)
            graded = timed(lambda: grade(root=course, assignment=assignment, students=[f"alumno_{profile}"],
                                         profile=profile, progress=lambda line: None))
            rows += [
                ("ejecutar con nbclient solo", profile, alone),
                ("corregir 1 entrega (autograde + retroalimentación + CSV)", profile, graded),
                ("coste propio del corrector", profile, graded - alone),
            ]
    print(f"{'medida':<58}{'perfil':<10}{'segundos':>9}")
    for what, profile, seconds in rows:
        print(f"{what:<58}{profile:<10}{seconds:>9.1f}")
    print(f"memoria máxima de un proceso hijo (kernel): {children_peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
