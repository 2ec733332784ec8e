"""Student release and reference solution: two views of one source notebook, both made by nbgrader."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from nbgrader.converters import GenerateAssignment, GenerateSolution

from autograder.pipeline.course import (
    CourseError,
    assignments,
    grading_context,
    kernel_environment,
    load_config,
    require_success,
    run_nbgrader,
)


def release(*, root: Path, assignment_ids: list[str] | None = None) -> list[Path]:
    """Generate ``release/<assignment>/`` from ``source/<assignment>/`` and record it in the gradebook."""
    config = load_config(root)
    done = []
    for assignment in assignment_ids or assignments(root):
        if not (Path(root) / "source" / assignment).is_dir():
            raise CourseError(f"No existe la práctica {assignment} en source/.")
        result = run_nbgrader(config, GenerateAssignment, assignment=assignment, force=True, create_assignment=True)
        require_success(result, f"generar la versión de alumno de {assignment}")
        done.append(Path(root) / "release" / assignment)
    return done


def build_solution(*, root: Path, assignment: str, profile: str = "completo") -> Path:
    """Execute the source notebook as nbgrader's solution view into ``solutions/<assignment>.ipynb``.

    nbgrader writes the solution into a scratch folder, where the notebook runs
    next to the data module it imports; only the executed notebook is kept.
    """
    root = Path(root).resolve()
    context = grading_context(assignment, profile)
    release(root=root, assignment_ids=[assignment])  # the solution view needs the gradebook entry
    with tempfile.TemporaryDirectory() as scratch, kernel_environment(context.profile):
        config = load_config(root)
        config.CourseDirectory.solution_directory = str(Path(scratch) / "solutions")
        config.Judging.context = context  # the judging steps'; the kernel gets the profile from kernel_environment
        result = run_nbgrader(config, GenerateSolution, assignment=assignment, force=True)
        require_success(result, f"ejecutar la solución de {assignment}")
        target = root / "solutions" / f"{assignment}.ipynb"
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(Path(scratch) / "solutions" / assignment / f"{assignment}.ipynb", target)
    return target
