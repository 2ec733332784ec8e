"""The course directory and the nbgrader API configured for it."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import capture_log, temp_attrs
from traitlets.config import Config, PyFileConfigLoader

from autograder import course_data
from autograder.grading_context import GradingContext

CONFIG_FILE = "nbgrader_config.py"

# Environment of every kernel the kit starts: the data profile and no
# TensorFlow log noise on stderr.
KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
# TensorFlow turns oneDNN on by default only on some CPUs (AVX-512 ones), and oneDNN
# sums in another order: the same submission would train to other last digits on
# another machine. Off unless the grader's own environment asks for it.
ONEDNN_ENV = "TF_ENABLE_ONEDNN_OPTS"


def same_numbers_on_any_cpu() -> dict[str, str]:
    """The setting that makes TensorFlow compute the same on every x86-64 CPU (oneDNN off), unless overridden."""
    return {ONEDNN_ENV: os.environ.get(ONEDNN_ENV, "0")}


def tensorflow_environment() -> dict[str, str]:
    """For a process of the kit's that imports TensorFlow itself (the CLI, the grading service, a student's server):
    no start-up notices at its default level, and the same numbers on any CPU."""
    return {"TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"), **same_numbers_on_any_cpu()}


class CourseError(RuntimeError):
    """An instructor-facing error, worded in Spanish."""


def load_config(root: Path) -> Config:
    """The course's ``nbgrader_config.py`` with the root pinned to ``root``."""
    _put_environment_tools_on_path()
    root = Path(root).resolve()
    if not (root / CONFIG_FILE).exists():
        raise CourseError(f"No hay {CONFIG_FILE} en {root}: no parece la raíz de un curso.")
    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.solution_directory = "solutions"
    return config


def open_gradebook(config: Config) -> Gradebook:
    coursedir = CourseDirectory(config=config)
    return Gradebook(coursedir.db_url, coursedir.course_id)


def run_nbgrader(config: Config, converter, *, assignment: str, student: str | None = None, **options) -> dict:
    """Run one nbgrader converter in-process, as nbgrader's own API does.

    Returns nbgrader's result: ``success``, and the captured ``log`` and ``error``.
    """
    coursedir = CourseDirectory(config=config)
    ids = {"assignment_id": assignment} | ({"student_id": student} if student else {})
    with temp_attrs(coursedir, **ids):
        app = converter(coursedir=coursedir, config=config)
        for name, value in options.items():
            setattr(app, name, value)
        return capture_log(app)


def _put_environment_tools_on_path() -> None:
    """nbgrader runs ``alembic`` (gradebook migrations) from PATH: use this environment's."""
    tools = str(Path(sys.executable).parent)
    if tools not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([tools, os.environ.get("PATH", "")])


def require_success(result: dict, what: str) -> None:
    if not result["success"]:
        raise CourseError(f"nbgrader no pudo {what}:\n{result.get('error') or result.get('log', '')}")


def assignments(root: Path) -> list[str]:
    """Assignment ids: the folders of ``source/``."""
    source = Path(root) / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))


def grading_context(assignment: str, profile: str) -> GradingContext:
    """What grading ``assignment`` on ``profile`` is about: made once, by the function a command calls, and passed
    down to every step that judges. An unknown profile is an instructor-facing error."""
    try:
        return GradingContext(assignment, profile)
    except ValueError as error:
        raise CourseError(str(error)) from None


@contextlib.contextmanager
def kernel_environment(profile: str):
    """Set the data profile and quiet TensorFlow for the kernels started inside.

    The environment is how a process the kit starts (the student's kernel, a local Dask worker) is told the
    profile; the kit's own steps get it from the grading context they are handed.
    """
    if profile not in course_data.PROFILES:
        raise CourseError(f"Perfil desconocido {profile!r}: usa {' o '.join(course_data.PROFILES)}.")
    values = {**KERNEL_ENV, **same_numbers_on_any_cpu(), course_data.PROFILE_ENV: profile}
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
