"""The grading service: every submission in the exchange graded as it arrives, its feedback released back.

JupyterHub starts it as a managed service (``hub_config``) and starts it again
if it dies. It keeps one Dask cluster up (``run/stream.py``) and, every couple
of seconds, looks at the exchange's ``inbound/``: the submissions it has not
delivered yet go to the cluster as ``submission_queue`` decides (one per
student at a time, the newest replacing older ones, the day's limit kept), each
collected alone (nbgrader's collect) into the course's *submission-time* copy
and graded there with the same task as ``autograder corregir`` (sandbox,
verdicts outside the kernel, no hidden tests in the page) on the instructor's
profile for it. As each one ends, its page gets the notice (``notice``) and is
released through the exchange, where "Fetch Feedback" brings it to the
student. The copy (``servidor/al_entregar/``) has a gradebook of its own, which
this service alone writes: the course's gradebook, and the grade that counts,
are the instructor's ``autograder corregir`` after the deadline.

What became of each submission is written down as soon as it is delivered
(``entregadas.json``): a service killed halfway grades and delivers the rest
when it starts again, and a submission whose grading had finished is delivered
without grading it again (its resume state).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from nbgrader.api import MissingEntry
from nbgrader.utils import parse_utc

from autograder.pipeline.course import CONFIG_FILE, CourseError, assignments, load_config, open_gradebook, tensorflow_environment
from autograder.pipeline.grades.lateness import written_delay
from autograder.pipeline.run.stream import GradingStream, grading_stream
from autograder.pipeline.server.exchange import (
    Submission,
    collect_from_exchange,
    inbound_folder,
    release_feedback,
    submissions,
)
from autograder.pipeline.server.notice import SubmissionFacts, add_submission_notice, daily_limit_page
from autograder.pipeline.server.policy import SubmissionPolicy
from autograder.pipeline.server.submission_queue import GRADED, OVER_LIMIT, REPLACED, UNKNOWN, graded_on, next_steps

SUBMISSION_COURSE = Path("servidor") / "al_entregar"
DELIVERED = "entregadas.json"
POLL_SECONDS = 2.0
# Added to the copy's nbgrader_config.py: its feedback steps and time limit follow the course's policy.
POLICY_BLOCK = ("\n# Añadido por el servicio de corrección al entregar (c.SubmissionPolicy):\n"
                "c.PointsOnly.enabled = {points_only}\nc.ExecuteWithDeadline.submission_timeout = {time_limit}\n")

log = logging.getLogger("autograder.corrector")


def submission_course(root: Path) -> Path:
    """The course's submission-time copy: its configuration (with the policy's feedback steps), sources and release,
    and a gradebook of its own. Files are replaced only when they changed, each at once (a worker may be reading)."""
    root, copy = Path(root).resolve(), Path(root).resolve() / SUBMISSION_COURSE
    copy.mkdir(parents=True, exist_ok=True)
    policy = SubmissionPolicy(config=load_config(root))
    config = (root / CONFIG_FILE).read_text(encoding="utf-8") + POLICY_BLOCK.format(
        points_only=not policy.sentences, time_limit=policy.time_limit)
    _replace_if_changed(copy / CONFIG_FILE, config.encode("utf-8"))
    for folder in ("source", "release"):
        for path in sorted((root / folder).rglob("*")):
            target = copy / path.relative_to(root)
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                _replace_if_changed(target, path.read_bytes())
    return copy


def _replace_if_changed(target: Path, content: bytes) -> None:
    if target.is_file() and target.read_bytes() == content:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(f".{target.name}.tmp")
    scratch.write_bytes(content)
    os.replace(scratch, target)


def _delivered(course: Path) -> dict[str, str]:
    try:
        return json.loads((course / DELIVERED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_delivered(course: Path, delivered: dict[str, str]) -> None:
    scratch = course / f".{DELIVERED}.tmp"
    scratch.write_text(json.dumps(delivered, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(scratch, course / DELIVERED)


class GradingService:
    """Rounds of: deliver what the cluster finished, then hand out what the exchange holds (``round``)."""

    def __init__(self, *, root: Path, profile: str, stream: GradingStream):
        self.root, self.profile, self.stream = Path(root).resolve(), profile, stream
        self.course = self.root / SUBMISSION_COURSE
        self.config = load_config(self.root)
        self.policy = SubmissionPolicy(config=self.config)
        self.grading: dict[tuple[str, str], Submission] = {}  # (assignment, student) -> the submission being graded
        self.delivered = _delivered(self.course)

    def round(self, *, wait: float = 0.0) -> list[Submission]:
        """One round: the submissions delivered in it (graded, replaced, over the limit or unknown)."""
        handled = [self._deliver_graded(key, grade) for key, grade in self.stream.finished(timeout=wait)]
        for lost in [key for key in self.grading if key not in self.stream.in_flight]:  # its result was not recorded
            self.grading.pop(lost)  # still undelivered: handed out again below
        waiting = [s for s in submissions(self.config)
                   if s.name not in self.delivered and s not in self.grading.values()]
        if not waiting:
            return handled
        submission_course(self.root)
        known = set(assignments(self.course))
        for submission in [s for s in waiting if s.assignment not in known]:
            log.warning("Entrega de una práctica que no existe en el curso (%s) de %s: se ignora.",
                        submission.assignment, submission.student)
            handled.append(self._record(submission, UNKNOWN))
        steps = next_steps(waiting=[s for s in waiting if s.assignment in known], delivered=self.delivered,
                           busy={student for _, student in self.grading}, free_workers=self.stream.idle_workers(),
                           policy=self.policy)
        for submission in steps.replaced:
            handled.append(self._record(submission, REPLACED))
        for submission in steps.over_limit:
            handled.append(self._deliver_over_limit(submission))
        for submission in steps.grade:
            if (outcome := self._hand_out(submission)) is not None:
                handled.append(self._record(submission, outcome))
        return handled

    def _record(self, submission: Submission, outcome: str) -> Submission:
        self.delivered[submission.name] = outcome
        _write_delivered(self.course, self.delivered)
        return submission

    def _hand_out(self, submission: Submission) -> str | None:
        """Collect the submission alone and give it to the cluster; the outcome if it cannot be graded."""
        try:
            collect_from_exchange(root=self.course, assignment=submission.assignment, student=submission.student)
            self._copy_due_date(submission.assignment)
            self.stream.submit(assignment=submission.assignment, student=submission.student)
        except CourseError as error:
            log.error("No se pudo corregir %s de %s: %s", submission.assignment, submission.student, error)
            return f"error: {error}"
        log.info("Corrigiendo %s de %s (perfil %s).", submission.assignment, submission.student, self.profile)
        self.grading[(submission.assignment, submission.student)] = submission
        return None

    def _copy_due_date(self, assignment: str) -> None:
        """nbgrader's due date of the course's gradebook, in the copy's, before the stream hands the submission out
        (and releases the assignment there, which keeps it): the copy's nbgrader marks late submissions."""
        with open_gradebook(self.config) as course:
            try:
                due = course.find_assignment(assignment).duedate
            except MissingEntry:  # never released in the course's gradebook: no due date set
                due = None
        with open_gradebook(load_config(self.course)) as copy:
            copy.update_or_create_assignment(assignment, duedate=due)

    def _deliver_graded(self, key: tuple[str, str], grade) -> Submission:
        assignment, student = key
        submission = self.grading.pop(key)
        try:
            self._prepare_feedback(submission)
            release_feedback(root=self.course, assignment=assignment, student=student)
        except (CourseError, OSError) as error:  # costs this student's delivery only
            log.error("No se pudo devolver la retroalimentación de %s en %s: %s", student, assignment, error)
            return self._record(submission, f"error: {error}")
        log.info("Retroalimentación de %s en %s devuelta (%s).", student, assignment,
                 grade.failure or f"{grade.auto_score:g} de {grade.max_auto_score:g} puntos automáticos")
        return self._record(submission, GRADED)

    def facts(self, submission: Submission, *, graded_now: bool) -> SubmissionFacts:
        """What the page says of the due date, the delay and the day's graded submissions left."""
        with open_gradebook(load_config(self.course)) as copy:
            due = copy.find_assignment(submission.assignment).duedate
        late = None
        if due is not None and (delay := (parse_utc(submission.timestamp) - due).total_seconds()) > 0:
            late = written_delay(delay)
        used = graded_on(self.delivered, student=submission.student, assignment=submission.assignment,
                         day=self.policy.day_of(submission.timestamp), policy=self.policy) + graded_now
        return SubmissionFacts(due=self.policy.written(due) if due else None, late=late, limit=self.policy.daily_limit,
                               remaining=max(0, self.policy.daily_limit - used), points_only=not self.policy.sentences)

    def _prepare_feedback(self, submission: Submission) -> None:
        """The page says how it was graded, and lies beside the submission's timestamp and secret, as release_feedback
        needs them (a submission that could not be graded has only its page)."""
        submitted, feedback = (self.course / folder / submission.student / submission.assignment
                               for folder in ("submitted", "feedback"))
        for name in ("timestamp.txt", "submission_secret.txt"):
            if (submitted / name).is_file():
                shutil.copyfile(submitted / name, feedback / name)
        facts = self.facts(submission, graded_now=True)
        for page in feedback.glob("*.html"):
            add_submission_notice(page, profile=self.profile, facts=facts)

    def _deliver_over_limit(self, submission: Submission) -> Submission:
        """The day's graded submissions are used up: a page that says so, released as this submission's feedback."""
        feedback = self.course / "feedback" / submission.student / submission.assignment
        try:
            if feedback.exists():
                shutil.rmtree(feedback)
            feedback.mkdir(parents=True)
            inbound = inbound_folder(self.config, submission)
            for name in ("timestamp.txt", "submission_secret.txt"):
                shutil.copyfile(inbound / name, feedback / name)
            page = daily_limit_page(assignment=submission.assignment, submitted=self.policy.written(submission.timestamp),
                                    facts=self.facts(submission, graded_now=False))
            for notebook in sorted(inbound.glob("*.ipynb")):
                (feedback / f"{notebook.stem}.html").write_text(page, encoding="utf-8")
            release_feedback(root=self.course, assignment=submission.assignment, student=submission.student)
        except (CourseError, OSError) as error:
            log.error("No se pudo devolver el aviso de límite diario a %s en %s: %s", submission.student,
                      submission.assignment, error)
            return self._record(submission, f"error: {error}")
        log.info("%s ya ha usado hoy sus %d correcciones de %s: entrega guardada sin corregir.", submission.student,
                 self.policy.daily_limit, submission.assignment)
        return self._record(submission, OVER_LIMIT)


@contextlib.contextmanager
def grading_service(*, root: Path, profile: str, workers: int | None = None):
    """A ``GradingService`` with its cluster up while the ``with`` block lasts."""
    course = submission_course(root)
    with grading_stream(root=course, profile=profile, workers=workers, progress=log.warning) as stream:
        yield GradingService(root=root, profile=profile, stream=stream)


def serve(*, root: Path, profile: str, poll_seconds: float = POLL_SECONDS, workers: int | None = None,
          until: datetime.datetime | None = None) -> None:
    """Deliver rounds until stopped (or until ``until``, for benchmarks)."""
    with grading_service(root=root, profile=profile, workers=workers) as service:
        log.info("Servicio de corrección en marcha: %s, perfil %s.", service.course, profile)
        while until is None or datetime.datetime.now() < until:
            try:
                service.round(wait=poll_seconds)
            except Exception:  # one bad round must not stop the service; the next round tries again
                log.exception("Error inesperado en el servicio de corrección; sigue en marcha.")
                time.sleep(poll_seconds)
            if not service.grading:
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
