"""The kit grading the class: ``grade(...)`` on a local Dask cluster of 1, 2... workers or on an external
cluster, timing the single writer (this process merging each result into the gradebook) in place."""

from __future__ import annotations

import contextlib
import functools
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from class_grading_courses import ASSIGNMENT, PROFILE, Submission, kit_course
from class_grading_processes import CLOCK, TreeMemory
from dask_cluster import external_cluster

from autograder.pipeline.run import batch as grading
from autograder.pipeline.run.batch import grade

# The driver's single writer (autograder/pipeline/run/batch.py): per merged submission, ``record_outcome`` merges the task's
# result into gradebook.db (``merge_results``, or ``zero_submission`` for a submission nbgrader could not grade),
# writes the failure feedback and the log, then the state file, and reads the grade back; once per run, after the
# last merge, the class files (the CSV, moodle.csv, the class report and the similarity hint). Wrapped here by the
# names grade() looks up in its module.
MERGE_STEPS = ("merge_results", "zero_submission")
RECORD_STEP = "record_outcome"
BATCH_STEPS = ("write_class_files",)


@dataclass
class WriterTimes:
    """Seconds the single writer took in this process, measured by wrapping grading's functions."""

    merges: list[float] = field(default_factory=list)  # merge_results / zero_submission, one per submission
    records: list[float] = field(default_factory=list)  # the whole record_outcome, one per submission
    batch: dict[str, float] = field(default_factory=dict)  # the steps after the last merge
    missing: list[str] = field(default_factory=list)  # names run/batch.py no longer has (nothing timed for them)


@contextlib.contextmanager
def timed_writer():
    """Wrap the single writer's functions in autograder.pipeline.run.batch with timers; restored on leaving."""
    times, saved = WriterTimes(), {}

    def timed(function, sink):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                sink(time.perf_counter() - started)
        return wrapper

    sinks = {name: times.merges.append for name in MERGE_STEPS}
    sinks[RECORD_STEP] = times.records.append
    sinks.update({name: functools.partial(times.batch.__setitem__, name) for name in BATCH_STEPS})
    for name, sink in sinks.items():
        if not callable(getattr(grading, name, None)):
            times.missing.append(name)
            continue
        saved[name] = getattr(grading, name)
        setattr(grading, name, timed(saved[name], sink))
    try:
        yield times
    finally:
        for name, function in saved.items():
            setattr(grading, name, function)


@dataclass
class KitRun:
    workers: int | None
    seconds: float
    results: dict  # student -> StudentGrade
    csv_text: str
    peak_mb: float
    writer: WriterTimes
    external: bool = False  # on a cluster of separate `dask scheduler` / `dask worker` processes
    startup_seconds: float | None = None  # starting that cluster (not in ``seconds``)

    @property
    def label(self) -> str:
        if self.external:
            return f"kit, clúster externo ({self.workers} trabajador{'es' if self.workers > 1 else ''})"
        if self.workers is None:
            return "kit grade() (sin parámetro workers)"
        return f"kit grade(), {self.workers} trabajador{'es' if self.workers > 1 else ''}"

    @property
    def column(self) -> str:
        """The label's short form, for the headers of the per-submission table."""
        return f"externo {self.workers}" if self.external else self.label.removeprefix("kit grade(), ")


def measure_kit(scratch: Path, submissions: list[Submission], workers: int | None,
                scheduler: str | None = None) -> KitRun:
    """grade() on a fresh course: on a local cluster of ``workers``, or on the cluster at ``scheduler`` (its size)."""
    if scheduler:
        label, options = f"clúster externo de {workers}", {"scheduler": scheduler}
        folder = f"kit-externo{workers}"
    else:
        label = "sin workers" if workers is None else f"workers={workers}"
        options = {} if workers is None else {"workers": workers}
        folder = f"kit-{label.replace('=', '')}"
    CLOCK.say(f"kit ({label}): preparando un curso nuevo (publicar, sin medir)")
    course = kit_course(scratch / folder, submissions)
    CLOCK.say(f"kit ({label}): corrigiendo {len(submissions)} entregas")
    with TreeMemory() as memory, timed_writer() as writer:
        started = time.monotonic()
        results = grade(root=course, assignment=ASSIGNMENT, profile=PROFILE,
                        progress=lambda line: CLOCK.say(f"kit ({label}) {line}"), **options)
        seconds = time.monotonic() - started
    csv_text = (course / "calificaciones" / f"{ASSIGNMENT}.csv").read_text(encoding="utf-8")
    shutil.rmtree(course)
    return KitRun(workers, seconds, {result.student: result for result in results}, csv_text, memory.peak_mb,
                  writer, external=bool(scheduler))


def measure_cluster(scratch: Path, submissions: list[Submission], workers: int) -> KitRun:
    """measure_kit against `dask scheduler` + ``workers`` × `dask worker --nthreads 1`, started and stopped here."""
    CLOCK.say(f"clúster externo: arrancando dask scheduler y {workers} × dask worker --nthreads 1 (sin medir)")
    with external_cluster(workers, scratch / f"cluster-{workers}", say=CLOCK.say) as cluster:
        run = measure_kit(scratch, submissions, workers, scheduler=cluster.address)
    run.startup_seconds = cluster.startup_seconds
    return run
