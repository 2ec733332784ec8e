"""Submissions graded one by one as they arrive, on a Dask cluster that stays up: the course server's grading.

``autograder corregir`` grades a batch that is known at the start (``batch.py``).
A course server does not know its batch: students submit while others are being
graded. ``grading_stream`` keeps one cluster running and hands each submission
to it as soon as the caller submits it, with the same task, the same sandbox
and the same single writer of the gradebook as the batch (this process merges
every result, ``record_outcome``); ``finished`` returns the grades done so far
without waiting for the rest.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable, Iterator

from distributed import wait

from autograder.pipeline.assign.views import release
from autograder.pipeline.course import grading_context, kernel_environment, load_config
from autograder.pipeline.grades.records import StudentGrade, recorded_grade
from autograder.pipeline.grades.resume_state import graded_state
from autograder.pipeline.run.batch import (
    WORKER_OUTPUT_LOG,
    check_workers,
    grading_jobs,
    in_gradebook,
    record_outcome,
    sandbox_notices,
)
from autograder.pipeline.run.dask_cluster import dask_client
from autograder.pipeline.run.gpu_workers import task_resources
from autograder.pipeline.run.private_gradebook import quiet_gradebook
from autograder.pipeline.run.submission_task import GradedSubmission, crashed_task, grade_submission

Key = tuple[str, str]  # (assignment, student)


class GradingStream:
    """One course's submissions handed to a running cluster as they come; their grades as each one ends."""

    def __init__(self, *, root: Path, profile: str, client, config):
        self.root, self.profile, self.client, self.config = Path(root).resolve(), profile, client, config
        self._running: dict[object, Key] = {}  # Dask future -> the submission it grades
        self._ready: list[tuple[Key, StudentGrade]] = []  # graded before with the same notebook and profile

    @property
    def in_flight(self) -> set[Key]:
        """The submissions handed out and not yet returned by ``finished``."""
        return set(self._running.values()) | {key for key, _ in self._ready}

    def capacity(self) -> int:
        """How many submissions the cluster grades at once (one per worker thread)."""
        return max(1, sum(self.client.nthreads().values()))

    def idle_workers(self) -> int:
        return max(0, self.capacity() - len(self._running))

    def submit(self, *, assignment: str, student: str) -> None:
        """Grade ``submitted/<student>/<assignment>/``; a submission graded before, unchanged, is not graded again."""
        key = (assignment, student)
        if state := graded_state(self.root, assignment, student, self.profile):
            grade = recorded_grade(self.config, assignment, student, state["seconds"], failure=state["failure"])
            self._ready.append((key, grade))
            return
        if not in_gradebook(self.config, assignment):
            release(root=self.root, assignment_ids=[assignment])
        job = grading_jobs(self.root, self.config, grading_context(assignment, self.profile), [student])[key]
        future = self.client.submit(grade_submission, pure=False, resources=task_resources(self.config), **job)
        self._running[future] = key

    def finished(self, *, timeout: float = 0.0) -> list[tuple[Key, StudentGrade]]:
        """The submissions whose grading ended, each merged into the gradebook with its feedback written; waits up
        to ``timeout`` seconds for the first one when none has ended yet."""
        done, self._ready = list(self._ready), []
        if self._running and not done and timeout > 0:
            with contextlib.suppress(TimeoutError):
                wait(list(self._running), timeout=timeout, return_when="FIRST_COMPLETED")
        for future in [future for future in self._running if future.done()]:
            assignment, student = key = self._running.pop(future)
            try:
                outcome = future.result()
            except Exception as error:  # the task's own exception, or Dask's when its worker died
                outcome = error
            graded = outcome if isinstance(outcome, GradedSubmission) else crashed_task(student=student, error=outcome)
            done.append((key, record_outcome(self.root, self.config, grading_context(assignment, self.profile), graded)))
        return done


@contextlib.contextmanager
def grading_stream(*, root: Path, profile: str, workers: int | None = None, scheduler: str | None = None,
                   progress: Callable[[str], None] = print) -> Iterator[GradingStream]:
    """A ``GradingStream`` on a local cluster of ``workers`` processes (or the one at ``scheduler``), up while the
    ``with`` block lasts. ``progress`` first hears which sandbox protections the workers cannot apply."""
    root = Path(root).resolve()
    config = load_config(root)
    with (kernel_environment(profile), quiet_gradebook(),
          dask_client(workers=workers, scheduler=scheduler, config=config, output_log=root / "logs" / WORKER_OUTPUT_LOG)
          as client):
        check_workers(client, root)
        for notice in sandbox_notices(client, dict(config.Sandbox)):
            progress(notice)
        yield GradingStream(root=root, profile=profile, client=client, config=config)
