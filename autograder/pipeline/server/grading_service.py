"""The grading service: every submission in the exchange graded as it arrives, its feedback released back.

JupyterHub starts it as a managed service (``hub_config``) and starts it again
if it dies. Each round it lists the exchange's ``inbound/``; the submissions it
has not delivered yet are collected (nbgrader's collect: each student's latest)
into the course's *submission-time* copy, graded there with the same pipeline as
``autograder corregir`` (Dask, sandbox, verdicts outside the kernel, no hidden
tests in the page) on the instructor's profile for it, and their feedback pages
released through the exchange, where "Fetch Feedback" brings them to the
student. The copy (``servidor/al_entregar/``) has a gradebook of its own, which
this service alone writes: the course's gradebook, and the grade that counts,
are the instructor's ``autograder corregir`` after the deadline.

What it has delivered is written down after each delivery (``entregadas.json``):
a service killed halfway grades and delivers the rest when it starts again.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from autograder.pipeline.course import CONFIG_FILE, CourseError, assignments, load_config, tensorflow_environment
from autograder.pipeline.run.batch import grade
from autograder.pipeline.server.exchange import Submission, collect_from_exchange, release_feedback, submissions
from autograder.pipeline.server.notice import add_submission_notice

SUBMISSION_COURSE = Path("servidor") / "al_entregar"
DELIVERED = "entregadas.json"
POLL_SECONDS = 2.0

log = logging.getLogger("autograder.corrector")


def submission_course(root: Path) -> Path:
    """The course's submission-time copy: its configuration, sources and release, and a gradebook of its own."""
    root, copy = Path(root).resolve(), Path(root).resolve() / SUBMISSION_COURSE
    copy.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / CONFIG_FILE, copy / CONFIG_FILE)
    for folder in ("source", "release"):
        shutil.copytree(root / folder, copy / folder, dirs_exist_ok=True)
    return copy


def _delivered(course: Path) -> dict[str, str]:
    try:
        return json.loads((course / DELIVERED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_delivered(course: Path, delivered: dict[str, str]) -> None:
    scratch = course / f".{DELIVERED}.tmp"
    scratch.write_text(json.dumps(delivered, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(scratch, course / DELIVERED)


def deliver_round(*, root: Path, profile: str, workers: int | None = None) -> list[Submission]:
    """Grade and deliver every submission of the exchange not delivered yet; the ones handled this round.

    The submission-time copy is brought up to date with the course first, so an
    assignment handed out while the service runs is known to it.
    """
    course = Path(root).resolve() / SUBMISSION_COURSE
    delivered = _delivered(course)
    waiting = [s for s in submissions(load_config(root)) if s.name not in delivered]
    if not waiting:
        return []
    course = submission_course(root)
    known = set(assignments(course))
    by_assignment: dict[str, list[Submission]] = {}
    for submission in waiting:
        by_assignment.setdefault(submission.assignment, []).append(submission)
    for assignment, arrived in sorted(by_assignment.items()):
        outcome = _grade_and_release(course, assignment, sorted({s.student for s in arrived}), profile, known, workers)
        delivered.update({s.name: outcome for s in arrived})
        _write_delivered(course, delivered)
    return waiting


def _grade_and_release(course: Path, assignment: str, students: list[str], profile: str, known: set[str],
                       workers: int | None) -> str:
    if assignment not in known:
        log.warning("Entrega de una práctica que no existe en el curso (%s) de %s: se ignora.", assignment,
                    ", ".join(students))
        return "práctica desconocida"
    try:
        collect_from_exchange(root=course, assignment=assignment)
        log.info("Corrigiendo %s de %s (perfil %s).", assignment, ", ".join(students), profile)

        def deliver(result) -> None:  # each student's feedback as soon as theirs is graded; a failure costs only theirs
            try:
                _prepare_feedback(course, assignment, result.student, profile)
                release_feedback(root=course, assignment=assignment, student=result.student)
            except (CourseError, OSError) as error:
                log.error("No se pudo devolver la retroalimentación de %s en %s: %s", result.student, assignment, error)
            else:
                log.info("Retroalimentación de %s en %s devuelta.", result.student, assignment)

        grade(root=course, assignment=assignment, students=students, profile=profile, progress=log.info,
              workers=workers, graded=deliver)
    except CourseError as error:
        log.error("No se pudo corregir %s de %s: %s", assignment, ", ".join(students), error)
        return f"error: {error}"
    return "devuelta"


def _prepare_feedback(course: Path, assignment: str, student: str, profile: str) -> None:
    """The page says how it was graded, and lies beside the submission's timestamp and secret, as release_feedback
    needs them (a submission that could not be graded has only its page)."""
    submitted, feedback = (course / folder / student / assignment for folder in ("submitted", "feedback"))
    for name in ("timestamp.txt", "submission_secret.txt"):
        if (submitted / name).is_file():
            shutil.copyfile(submitted / name, feedback / name)
    for page in feedback.glob("*.html"):
        add_submission_notice(page, profile=profile)


def serve(*, root: Path, profile: str, poll_seconds: float = POLL_SECONDS, workers: int | None = None,
          rounds: int | None = None) -> None:
    """Deliver rounds until stopped (``rounds``: how many, for tests and benchmarks)."""
    log.info("Servicio de corrección en marcha: %s, perfil %s.", submission_course(root), profile)
    done = 0
    while rounds is None or done < rounds:
        try:
            deliver_round(root=root, profile=profile, workers=workers)
        except Exception:  # one bad round must not stop the service; the next round tries again
            log.exception("Error inesperado en el servicio de corrección; sigue en marcha.")
        done += 1
        time.sleep(poll_seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Servicio de corrección al entregar (lo arranca JupyterHub).")
    parser.add_argument("--curso", required=True, type=Path)
    parser.add_argument("--perfil", default="rapido")
    parser.add_argument("--trabajadores", type=int, default=None)
    args = parser.parse_args(argv)
    os.environ.update(tensorflow_environment())
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("[corrector %(asctime)s] %(message)s", datefmt="%H:%M:%S"))
    # The service's own lines; nbgrader's and Dask's only when something goes wrong.
    handler.addFilter(lambda record: record.name == log.name or record.levelno >= logging.WARNING)
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    serve(root=args.curso, profile=args.perfil, workers=args.trabajadores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
