"""Grade the submissions of one assignment on Dask: nbgrader autograde, Spanish feedback, CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import nbformat
from nbgrader.api import MissingEntry

from autograder.grading_context import GradingContext
from autograder.pipeline.assign.views import release
from autograder.pipeline.course import CourseError, grading_context, kernel_environment, load_config, open_gradebook
from autograder.pipeline.export.class_files import write_class_files
from autograder.pipeline.grades.records import StudentGrade, recorded_grade, submitted_students
from autograder.pipeline.grades.resume_state import graded_state, save_state
from autograder.pipeline.run.cost import COST, estimate_line, expected_wall
from autograder.pipeline.run.dask_cluster import check_cluster_options, dask_client, run_each
from autograder.pipeline.run.failed_submissions import write_failure_feedback, zero_submission
from autograder.pipeline.run.gpu_workers import task_resources
from autograder.pipeline.run.order import estimated_seconds, longest_first
from autograder.pipeline.run.private_gradebook import assignment_gradebook, merge_results, quiet_gradebook, student_record
from autograder.pipeline.run.progress import Progress
from autograder.pipeline.run.submission_task import GradedSubmission, crashed_task, grade_submission, sees_course
from autograder.sandbox import probe

__all__ = ["WORKER_OUTPUT_LOG", "grade", "grade_assignments"]

# What the workers and the students' kernels print outside the kit's own messages
# (TensorFlow's start-up notices among them): logs/<assignment>/<this path> (logs/<this path>
# for a batch of several assignments), in a folder of its own so that no student id names it.
WORKER_OUTPUT_LOG = "trabajadores/salida.log"


def grade(
    *,
    root: Path,
    assignment: str,
    students: list[str] | None = None,
    profile: str = "completo",
    force: bool = False,
    progress: Callable[[str], None] = print,
    workers: int | None = None,
    scheduler: str | None = None,
    slurm: int | None = None,
    graded: Callable[[StudentGrade], None] | None = None,
    announce: Callable[[str], None] | None = None,
) -> list[StudentGrade]:
    """Autograde every submission of ``assignment`` in parallel on Dask.

    Each submission is a Dask task that grades it against a private gradebook
    (``submission_task``), on a local cluster of ``workers`` processes, on
    ``slurm`` Slurm jobs, or on the cluster whose scheduler is at ``scheduler``; this process alone writes the
    course gradebook, merging each result as it arrives. A submission nbgrader
    cannot grade (broken notebook, dead kernel, crashed task) scores 0 with a
    Spanish reason in its feedback; the batch goes on. Writes
    ``feedback/<student>/<assignment>/`` and, in ``calificaciones/``, the
    assignment's CSV, its class report, its similarity hint and ``moodle.csv`` (every
    assignment of the gradebook, for Moodle's grade import).

    Resumable: a submission graded before with the same notebook and profile
    is not graded again unless ``force``. The submissions expected to take
    longest are handed out first (``order.py``).

    ``graded(result)``: called for each submission as soon as it is in the
    gradebook with its feedback written (at once for one graded before),
    before the rest of the batch ends.

    ``announce(line)``: called once, before the first submission is graded, with
    the Spanish line that says how many will be graded, on how many workers, and
    how long that is expected to take (``cost.py``).
    """
    return grade_assignments(
        root=root, students={assignment: students}, profile=profile, force=force, progress=progress, workers=workers,
        scheduler=scheduler, slurm=slurm, graded=graded, announce=announce,
    )[assignment]


def grade_assignments(
    *,
    root: Path,
    students: dict[str, list[str] | None],
    profile: str = "completo",
    force: bool = False,
    progress: Callable[[str], None] = print,
    workers: int | None = None,
    scheduler: str | None = None,
    slurm: int | None = None,
    graded: Callable[[StudentGrade], None] | None = None,
    announce: Callable[[str], None] | None = None,
) -> dict[str, list[StudentGrade]]:
    """``grade`` for several assignments in one batch: one cluster, every submission of them handed out longest first.

    ``students``: {assignment: its students, or None for every submission}. Each
    submission is graded into its own assignment's gradebook entries and class
    files, exactly as ``grade`` of that assignment alone would; the progress lines
    name the assignment when there is more than one.

    Each assignment's grading context (``GradingContext``: the assignment and
    ``profile``) is made here, once, and handed to every submission's task,
    which hands it to the judge.
    """
    check_cluster_options(workers=workers, scheduler=scheduler, slurm=slurm)
    root = Path(root).resolve()
    students = {assignment: chosen or submitted_students(root, assignment) for assignment, chosen in students.items()}
    for assignment, chosen in students.items():
        if not chosen:
            raise CourseError(f"No hay entregas de {assignment} en {root / 'submitted'}.")
    contexts = {assignment: grading_context(assignment, profile) for assignment in students}
    config = load_config(root)
    if missing := [assignment for assignment in students if not in_gradebook(config, assignment)]:
        release(root=root, assignment_ids=missing)
    states = {assignment: {student: None if force else graded_state(root, assignment, student, contexts[assignment].profile)
                           for student in chosen}
              for assignment, chosen in students.items()}
    pending = {assignment: [student for student, state in found.items() if state is None]
               for assignment, found in states.items()}
    tracker = Progress(total=sum(map(len, students.values())), to_grade=sum(map(len, pending.values())), emit=progress)
    results, named = {assignment: {} for assignment in students}, len(students) > 1
    for assignment, found in states.items():
        for student, state in found.items():
            if state is not None:
                seconds, failure = state["seconds"], state["failure"]
                results[assignment][student] = recorded_grade(config, assignment, student, seconds, failure=failure)
                tracker.report(results[assignment][student], graded_now=False, label=_label(assignment, student, named))
                if graded:
                    graded(results[assignment][student])
    batch = _graded_on_dask(root, config, pending, contexts, workers, scheduler, slurm, announce, progress,
                            tracker.expect)
    for (assignment, student), result in batch:
        results[assignment][student] = result
        tracker.report(result, graded_now=True, label=_label(assignment, student, named), key=(assignment, student))
        if graded:
            graded(result)
    by_assignment = {assignment: [results[assignment][student] for student in chosen]
                     for assignment, chosen in students.items()}
    for assignment, assignment_results in by_assignment.items():
        write_class_files(root=root, config=config, assignment=assignment, results=assignment_results)
    return by_assignment


def _label(assignment: str, student: str, named: bool) -> str | None:
    return f"{student} ({assignment})" if named else None


def _graded_on_dask(root: Path, config, students: dict[str, list[str]], contexts: dict[str, GradingContext], workers,
                    scheduler, slurm, announce, progress: Callable[[str], None], expect: Callable[..., None]):
    """Grade ``students`` ({assignment: students}) on Dask, longest first, each in its assignment's grading
    context; yield ``((assignment, student), grade)``, merged into the course gradebook, as each arrives.

    Before the first, ``progress`` says which protections of the course's sandbox the workers cannot apply, and
    ``expect(estimates=, seconds=)`` learns each job's estimate and the batch's expected wall time.
    """
    if not any(students.values()):
        return
    jobs = {}
    for assignment, chosen in students.items():
        if chosen:
            jobs.update(grading_jobs(root, config, contexts[assignment], chosen))
    assignments = [assignment for assignment, chosen in students.items() if chosen]
    profile = contexts[assignments[0]].profile  # one batch, one profile (grade_assignments')
    estimates = _estimates(root, jobs, profile)
    jobs = {key: jobs[key] for key in longest_first(estimates)}
    # The workers this process starts inherit its environment; each task sets the profile for its own kernels.
    output_log = root / "logs" / (assignments[0] if len(assignments) == 1 else "") / WORKER_OUTPUT_LOG
    with (kernel_environment(profile), quiet_gradebook(),
          dask_client(workers=workers, scheduler=scheduler, slurm=slurm, config=config, output_log=output_log) as client):
        check_workers(client, root)
        for notice in sandbox_notices(client, dict(config.Sandbox)):
            progress(notice)
        line, seconds = _expectation(students, profile, [estimates[key] for key in jobs], client)
        if announce:
            announce(line)
        expect(estimates=estimates, seconds=seconds)
        resources = task_resources(config)
        for (assignment, student), outcome in run_each(client=client, function=grade_submission, jobs=jobs,
                                                       resources=resources):
            graded = outcome if isinstance(outcome, GradedSubmission) else crashed_task(student=student, error=outcome)
            yield (assignment, student), record_outcome(root, config, contexts[assignment], graded)


def _estimates(root: Path, jobs: dict[tuple[str, str], dict], profile: str) -> dict[tuple[str, str], float]:
    """Each job's expected seconds on one worker, from its submitted notebook (``order.py``)."""
    releases = {}
    for assignment in {assignment for assignment, _ in jobs}:
        try:
            releases[assignment] = nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", as_version=4)
        except (OSError, ValueError):
            releases[assignment] = None
    return {
        (assignment, student): estimated_seconds(
            notebook=root / "submitted" / student / assignment / f"{assignment}.ipynb", release=releases[assignment],
            assignment=assignment, profile=profile)
        for assignment, student in jobs
    }


def _expectation(students: dict[str, list[str]], profile: str, estimates: list[float], client) -> tuple[str, float | None]:
    """The announcement and the wall time it announces (None if some assignment has no cost): the workers the cluster
    has now, the estimates handed out in this order on them (cost.py)."""
    counts = {assignment: len(chosen) for assignment, chosen in students.items() if chosen}
    workers = max(1, sum(client.nthreads().values()))
    known = all(profile in COST.get(assignment, {}) for assignment in counts)
    seconds = expected_wall(seconds=estimates, workers=workers) if known else None
    return estimate_line(counts=counts, profile=profile, workers=workers, seconds=seconds), seconds


def grading_jobs(root: Path, config, context: GradingContext, students: list[str]) -> dict[tuple[str, str], dict]:
    """The arguments of each student's grading task, by (assignment, student): the grading ``context`` among them."""
    assignment = context.assignment
    with open_gradebook(config) as gradebook:
        private = assignment_gradebook(gradebook=gradebook, assignment=assignment)
        return {
            (assignment, student): {
                "root": str(root), "student": student, "context": context, "gradebook": private,
                "record": student_record(gradebook=gradebook, assignment=assignment, student=student),
            }
            for student in students
        }


def sandbox_notices(client, settings: dict) -> list[str]:
    """The workers' notices about the protections they cannot apply (``probe.notice``), each different one once."""
    return sorted({notice for notice in client.run(probe.notice, settings).values() if notice})


def check_workers(client, root: Path) -> None:
    """Workers that cannot grade would zero the whole class: they must run this kit and see the course folder."""
    try:
        seen = client.run(sees_course, root=str(root))
    except Exception as error:  # typically, autograder cannot be imported there
        raise CourseError(f"Los trabajadores de Dask no pueden ejecutar el kit ({error}): "
                          "necesitan su mismo entorno de Python.") from error
    if blind := sorted(worker for worker, sees in seen.items() if not sees):
        raise CourseError(
            f"Los trabajadores de Dask {', '.join(blind)} no ven la carpeta del curso {root}: "
            "necesitan un sistema de ficheros compartido, montado en la misma ruta."
        )


def record_outcome(root: Path, config, context: GradingContext, graded: GradedSubmission) -> StudentGrade:
    """Merge one task's outcome into the gradebook, then its failure feedback and log, then (last) its state."""
    assignment = context.assignment
    with open_gradebook(config) as gradebook:
        if graded.failure:
            zero_submission(gradebook, assignment, graded.student)
        else:
            merge_results(gradebook=gradebook, assignment=assignment, student=graded.student, results=graded.results)
    if graded.failure:
        write_failure_feedback(root / "feedback" / graded.student / assignment / f"{assignment}.html", assignment, graded.failure)
    if graded.log:
        log = root / "logs" / assignment / f"{graded.student}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(graded.log, encoding="utf-8")
    if not (graded.feedback_missing or graded.crashed):  # otherwise the next run tries again
        save_state(root, assignment, graded.student, profile=context.profile, digest=graded.digest,
                   failure=graded.failure, seconds=graded.seconds)
    return recorded_grade(config, assignment, graded.student, graded.seconds, graded.failure, graded.feedback_missing)


def in_gradebook(config, assignment: str) -> bool:
    with open_gradebook(config) as gradebook:
        try:
            return bool(gradebook.find_assignment(assignment).notebooks)
        except MissingEntry:
            return False
