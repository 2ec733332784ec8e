"""The class the benchmark grades (complete and half-done p1_normalizacion submissions built from the
committed scenario notebooks) and the scratch courses it grades them in: the kit's, and plain nbgrader's."""

from __future__ import annotations

import copy
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from class_grading_processes import run_command
from grading_time import ROOT  # first: it also puts the repository on sys.path, for tests.*
from nbgrader.api import Gradebook

from autograder import course_data
from autograder.pipeline.assign.views import release
from autograder.pipeline.course import KERNEL_ENV, load_config
from tests.p1_normalizacion.scenarios import TABLE
from tests.scenarios import SOLUTION_MARKERS

ASSIGNMENT = TABLE.assignment
PROFILE = "rapido"
KIT_CONFIG = load_config(ROOT)  # the kit's nbgrader_config.py
COURSE_ID = KIT_CONFIG.CourseDirectory.course_id
# Scenario notebooks that train the networks, cycled through for the complete submissions.
COMPLETE = [
    "solucion", "estadisticas_de_test", "bajo_umbral", "modelo_reutilizado",
    "solo_centrado", "reduce_lr_factor_incorrecto", "sin_callbacks", "celda_bloqueada_editada",
]
HALF_DONE = "parcial"  # the release with only the three normalization cells answered
HALF_DONE_CELLS = ("normalizacion_1", "normalizacion_2", "normalizacion_3")
BROKEN = "cuaderno_roto"


# --------------------------------------------------------------------------- the class


@dataclass(frozen=True)
class Submission:
    student: str
    kind: str  # "completa" or "parcial"
    scenario: str
    text: str = field(repr=False)


def half_done_notebook() -> str:
    """The student release with only the normalization cells answered (the reference answers)."""
    answers = {
        cell.metadata["nbgrader"]["grade_id"]: "\n".join(
            line for line in cell.source.splitlines() if line.strip() not in SOLUTION_MARKERS)
        for cell in nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4).cells
        if cell.metadata.get("nbgrader", {}).get("grade_id") in HALF_DONE_CELLS
    }
    notebook = copy.deepcopy(nbformat.read(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4))
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nbformat.writes(notebook) + "\n"


def partial_scenarios(count: int) -> list[str]:
    """Mostly half-done notebooks, plus one untouched release and one broken file once there are 2 and 3."""
    return [[HALF_DONE, "sin_cambios", BROKEN][i] if i < 3 else HALF_DONE for i in range(count)]


def class_mix(complete: int, partial: int) -> list[Submission]:
    """Students alumno01... with the two kinds spread evenly through the class list."""
    texts = {HALF_DONE: half_done_notebook()}
    kinds = [((i + 0.5) / complete, "completa", COMPLETE[i % len(COMPLETE)]) for i in range(complete)]
    kinds += [((i + 0.5) / partial, "parcial", name) for i, name in enumerate(partial_scenarios(partial))]
    kinds.sort(key=lambda item: (item[0], item[1]))
    width = max(2, len(str(len(kinds))))
    return [
        Submission(f"alumno{i:0{width}d}", kind, scenario,
                   texts.get(scenario) or TABLE.notebook(scenario).read_text(encoding="utf-8"))
        for i, (_, kind, scenario) in enumerate(kinds, start=1)
    ]


def expected_score(scenario: str, points: dict[str, float]) -> float:
    """The automatic points the scenario table says the kit must give."""
    if scenario == HALF_DONE:
        lost = set(points) - {f"test_{name}" for name in HALF_DONE_CELLS}
    else:
        lost = TABLE.scenarios[scenario].lost
    return sum(points.values()) - sum(points[name] for name in lost)


# --------------------------------------------------------------------------- scratch courses


def make_course(root: Path) -> Path:
    """A course like tests/conftest.make_course's; leftovers of earlier runs in source/ (.evidencia) are not copied."""
    root.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    leftovers = shutil.ignore_patterns(".evidencia", ".ipynb_checkpoints", "__pycache__")
    for folder in ("source", "release"):
        shutil.copytree(ROOT / folder, root / folder, symlinks=False, ignore=leftovers)
    return root


def submit(course: Path, submissions: list[Submission]) -> None:
    for submission in submissions:
        target = course / "submitted" / submission.student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(submission.text, encoding="utf-8")


def kit_course(root: Path, submissions: list[Submission]) -> Path:
    """A fresh course with the assignment already released (not timed), and the submissions in place."""
    course = make_course(root)
    release(root=course, assignment_ids=[ASSIGNMENT])
    submit(course, submissions)
    return course


PLAIN_CONFIG = '''\
# Plain nbgrader for the benchmark: the kit's course settings that plain nbgrader
# understands, without the kit's preprocessors or kernel extension.
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = {course_id!r}
c.ClearSolutions.code_stub = {code_stub!r}
c.ClearSolutions.text_stub = {text_stub!r}
c.Execute.timeout = {timeout!r}
c.Execute.startup_timeout = {startup_timeout!r}
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = {pattern!r}
'''


def plain_course(root: Path, submissions: list[Submission]) -> Path:
    """A course whose nbgrader_config.py is plain nbgrader's, released with `nbgrader generate_assignment`."""
    course = make_course(root)
    kit = load_config(course)
    (course / "nbgrader_config.py").write_text(PLAIN_CONFIG.format(
        root=str(course), course_id=kit.CourseDirectory.course_id,
        code_stub=dict(kit.ClearSolutions.code_stub), text_stub=kit.ClearSolutions.text_stub,
        timeout=kit.Execute.timeout, startup_timeout=kit.Execute.startup_timeout, pattern=kit.IgnorePattern.pattern,
    ), encoding="utf-8")
    rc, _, output = run_command(nbgrader_command("generate_assignment", "--force"), course, plain_environment())
    if rc:
        raise RuntimeError(f"nbgrader generate_assignment falló:\n{output}")
    submit(course, submissions)
    return course


def nbgrader_command(step: str, *options: str) -> list[str]:
    """``nbgrader <step>`` for the assignment (export takes it as an option)."""
    target = [f"--assignment=[{ASSIGNMENT}]"] if step == "export" else [ASSIGNMENT]
    return [sys.executable, "-m", "nbgrader", step, *target, *options]


def plain_environment() -> dict[str, str]:
    """The environment the kit gives its kernels (profile, quiet TensorFlow), and this venv's tools on PATH."""
    env = {**os.environ, **KERNEL_ENV, course_data.PROFILE_ENV: PROFILE}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def open_gradebook(course: Path) -> Gradebook:
    return Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID)


def warm_up() -> float:
    """Load the quick data once in a throw-away process: the cache exists and sits in the page cache for every run."""
    command = [sys.executable, "-c", "from autograder import course_data; course_data.load_data('fashion_mnist')"]
    return run_command(command, ROOT, plain_environment())[1]
