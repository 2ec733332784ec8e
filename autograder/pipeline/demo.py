"""The kit's main job on its embedded defaults: release every assignment and grade the bundled examples."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

from autograder.pipeline.run.batch import grade
from autograder.pipeline.assign.views import release
from autograder.pipeline.grades.records import StudentGrade

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


def demo(*, root: Path, profile: str = "rapido", progress: Callable[[str], None] = print) -> dict[str, list[StudentGrade]]:
    root = Path(root).resolve()
    for folder in release(root=root):
        progress(f"Versión de alumno generada en {folder.relative_to(root)}/")
    results = {}
    for assignment, students in submit_examples(root=root).items():
        progress(f"Corrigiendo {len(students)} entregas de ejemplo de {assignment} (perfil {profile})...")
        results[assignment] = grade(root=root, assignment=assignment, students=students, profile=profile, progress=progress)
    return results
