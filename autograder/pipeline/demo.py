"""The kit's main job on its embedded defaults: release every assignment and grade the bundled examples."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

from autograder.pipeline.assign.views import release
from autograder.pipeline.grades.records import StudentGrade
from autograder.pipeline.run.batch import grade_assignments

EXAMPLES = "examples"


def submit_examples(*, root: Path) -> dict[str, list[str]]:
    """Copy ``examples/<assignment>/<student>.ipynb`` into nbgrader's ``submitted/`` tree."""
    submitted: dict[str, list[str]] = {}
    for notebook in sorted((Path(root) / EXAMPLES).glob("*/*.ipynb")):
        assignment, student = notebook.parent.name, notebook.stem
        target = Path(root) / "submitted" / student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
        submitted.setdefault(assignment, []).append(student)
    return submitted


def demo(*, root: Path, profile: str = "rapido", progress: Callable[[str], None] = print,
         workers: int | None = None) -> dict[str, list[StudentGrade]]:
    """Release every assignment, then grade every example of every assignment in one batch (one cluster, longest
    first), each into its own assignment's gradebook entries, feedback and class files."""
    root = Path(root).resolve()
    for folder in release(root=root):
        progress(f"Versión de alumno generada en {folder.relative_to(root)}/")
    return grade_assignments(root=root, students=submit_examples(root=root), profile=profile, progress=progress,
                             announce=progress, workers=workers)
