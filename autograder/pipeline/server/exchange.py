"""nbgrader's exchange (``c.Exchange.root``), through nbgrader's own exchange apps."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default.exchange import Exchange
from traitlets.config import Config

from autograder.pipeline.course import CourseError, load_config

# nbgrader names each submission ``<student>+<assignment>+<timestamp>[+<random>]`` in ``inbound/``.
INBOUND_NAME = re.compile(r"^(?P<student>[^+]+)\+(?P<assignment>[^+]+)\+(?P<timestamp>[^+]+)(?:\+[^+]*)?$")


@dataclass(frozen=True, order=True)
class Submission:
    """One student's press of Submit, as it lies in the exchange."""

    name: str  # the folder's name in inbound/
    student: str
    assignment: str
    timestamp: str  # nbgrader's, in UTC: when Submit was pressed

    @classmethod
    def from_name(cls, name: str) -> "Submission | None":
        """The submission an inbound/ folder's name stands for (None for anything else)."""
        match = INBOUND_NAME.match(name)
        return cls(name, match["student"], match["assignment"], match["timestamp"]) if match else None


def exchange_root(config: Config) -> Path:
    return Path(Exchange(config=config).root)


def course_id(config: Config) -> str:
    return CourseDirectory(config=config).course_id


def prepare_exchange(config: Config) -> Path:
    """The exchange folders nbgrader expects, with its permissions: anyone writes to inbound/, only the owner lists it."""
    course = exchange_root(config) / course_id(config)
    # nbgrader checks that everyone may write in the root (its docs: ugo+rw); the sticky bit keeps what each wrote its own.
    modes = {exchange_root(config): 0o777 | stat.S_ISVTX, course: 0o755, course / "outbound": 0o755,
             course / "inbound": 0o733 | stat.S_ISVTX, course / "feedback": 0o711}
    for folder, mode in modes.items():
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, mode)
    return course


def submissions(config: Config) -> list[Submission]:
    """Every submission in the exchange's inbound/, oldest first within each student."""
    inbound = exchange_root(config) / course_id(config) / "inbound"
    found = []
    for entry in sorted(inbound.iterdir()) if inbound.is_dir() else []:
        if entry.is_dir() and (submission := Submission.from_name(entry.name)):
            found.append(submission)
    return found


def _api(root: Path) -> NbGraderAPI:
    config = load_config(root)
    return NbGraderAPI(CourseDirectory(config=config), config=config)


def release_to_exchange(*, root: Path, assignment: str) -> None:
    """nbgrader's release_assignment: ``release/<assignment>/`` becomes fetchable in the Assignments tab."""
    result = _api(root).release_assignment(assignment)
    if not result["success"]:
        raise CourseError(f"No se pudo repartir {assignment} por el intercambio:\n{result['error'] or result['log']}")


def inbound_folder(config: Config, submission: Submission) -> Path:
    return exchange_root(config) / course_id(config) / "inbound" / submission.name


def collect_from_exchange(*, root: Path, assignment: str, student: str | None = None) -> None:
    """nbgrader's collect: the latest submission of ``assignment`` of ``student`` (of each student by default) into
    ``submitted/``."""
    api = _api(root)
    api.coursedir.student_id = student or "*"  # what nbgrader's collect reads to choose whose submissions
    result = api.collect(assignment)
    if not result["success"]:
        raise CourseError(f"No se pudieron recoger las entregas de {assignment} del intercambio:\n"
                          f"{result['error'] or result['log']}")


def release_feedback(*, root: Path, assignment: str, student: str) -> None:
    """nbgrader's release_feedback for one student: the page "Fetch Feedback" brings to the Assignments tab."""
    result = _api(root).release_feedback(assignment, student)
    if not result["success"]:
        raise CourseError(f"No se pudo devolver la retroalimentación de {student} en {assignment}:\n"
                          f"{result['error'] or result['log']}")
