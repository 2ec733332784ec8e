"""Grading a whole class of p1_normalizacion on this machine, quick data profile.

For one set of submissions (a class mix of complete and half-done notebooks
built from the committed scenario notebooks) measures, each on a fresh
scratch course:

1. plain nbgrader: ``nbgrader autograde`` (then ``generate_feedback`` and
   ``export``) with a plain ``nbgrader_config.py`` (same per-cell timeout and
   IgnorePattern, none of the kit's steps), one submission after another;
2. the kit's ``grade(...)`` with 1 and with 2 Dask workers, and on an external
   cluster started the way a course would on Slurm or Kubernetes: ``dask
   scheduler`` and ``dask worker --nthreads 1`` as separate processes, the kit
   connecting to the scheduler's address (``--planificador``), with the same
   grades as the local run (``benchmarks/dask_cluster.py``); in each kit run,
   the single writer's cost per merged submission (this process merging each
   task's result into the gradebook), by timing grading's functions in place;
3. the grader's own cost per submission: the kit's seconds for a submission
   (workers=1) minus nbclient's seconds executing the same notebook alone in
   a kernel started with the kit's kernel arguments;
4. ``autograder corregir`` killed with SIGKILL once the first submission is
   graded, then run again: what was skipped, graded, and whether the
   gradebook and CSV are what an uninterrupted run gives.

    python benchmarks/class_grading.py [--completas 8] [--parciales 12] [--trabajadores-cluster 2]

The full default class takes about half an hour on 2 cores, plus about as long
as the local 2-worker run for the external cluster.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import csv
import functools
import inspect
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil

# Loading the course's nbgrader_config.py imports TensorFlow in this process: no log noise on the console.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from grading_time import ROOT, nbclient_alone  # noqa: E402 (also puts the repository on sys.path)

from nbgrader.api import Gradebook, MissingEntry  # noqa: E402

from autograder import course_data  # noqa: E402
from autograder.pipeline import grading  # noqa: E402
from autograder.pipeline.course import KERNEL_ENV, load_config  # noqa: E402
from autograder.pipeline.grading import grade  # noqa: E402
from autograder.pipeline.views import release  # noqa: E402
from tests.adversarial.cases import points as grade_cell_points  # noqa: E402
from tests.p1_normalizacion.scenarios import TABLE  # noqa: E402
from tests.scenarios import SOLUTION_MARKERS  # noqa: E402

from dask_cluster import external_cluster  # noqa: E402

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
STUDENT_LINE = re.compile(r"Creating/updating student with ID '([^']+)'")
NBGRADER_ERROR = re.compile(r"error processing assignment '[^']+' for student '([^']+)'")
PROGRESS_LINE = re.compile(r"· (\S+): (.*)$")
KILL_WAIT = 3600  # seconds the first `corregir` may take before its first submission is graded


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


# --------------------------------------------------------------------------- measuring


class Clock:
    """Spanish progress lines with the time since the benchmark started."""

    def __init__(self):
        self.started = time.monotonic()

    def say(self, text: str) -> None:
        elapsed = int(time.monotonic() - self.started)
        print(f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {text}", flush=True)


CLOCK = Clock()


class TreeMemory:
    """Peak of the summed RSS of a process and all its descendants, sampled every ``interval`` seconds."""

    def __init__(self, pid: int | None = None, interval: float = 0.5):
        self.pid, self.interval, self.peak = pid or os.getpid(), interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                total = 0
                for process in [root, *root.children(recursive=True)]:
                    try:
                        total += process.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self._stop.wait(self.interval)


def run_command(command: list[str], cwd: Path, env: dict, on_line=None, memory: TreeMemory | None = None):
    """Run ``command``, passing each output line to ``on_line``; returns (exit code, seconds, output)."""
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    if memory:
        memory.pid = process.pid
        memory.__enter__()
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if on_line:
                on_line(line.rstrip("\n"))
        process.wait()
    finally:
        if memory:
            memory.__exit__()
    return process.returncode, time.monotonic() - started, "".join(lines)


@dataclass
class PlainRun:
    seconds: dict[str, float]  # autograde, generate_feedback, export
    per_student: dict[str, float]
    scores: dict[str, float | None]
    failed: set[str]
    peak_mb: float


def measure_plain(scratch: Path, submissions: list[Submission]) -> PlainRun:
    CLOCK.say("nbgrader solo: preparando el curso (generate_assignment, sin medir)")
    course = plain_course(scratch / "nbgrader", submissions)
    total = len(submissions)
    starts: dict[str, float] = {}
    per_student: dict[str, float] = {}
    failed: set[str] = set()

    def finish(now: float) -> None:
        if starts:
            last = list(starts)[-1]
            if last not in per_student:
                per_student[last] = now - starts[last]
                CLOCK.say(f"nbgrader autograde: {len(per_student)}/{total} {last} terminada ({per_student[last]:.0f} s)")

    def on_line(line: str) -> None:
        if match := STUDENT_LINE.search(line):
            now = time.monotonic()
            finish(now)
            starts[match.group(1)] = now
        elif match := NBGRADER_ERROR.search(line):
            failed.add(match.group(1))

    seconds, memory = {}, TreeMemory()
    CLOCK.say(f"nbgrader autograde: {total} entregas, una tras otra")
    rc, seconds["autograde"], output = run_command(nbgrader_command("autograde"), course, plain_environment(),
                                                   on_line, memory=memory)
    finish(time.monotonic())
    if rc:
        CLOCK.say(f"nbgrader autograde terminó con código {rc} (entregas que no pudo corregir: "
                  f"{', '.join(sorted(failed)) or 'ninguna reconocida'})")
    for step in ("generate_feedback", "export"):
        CLOCK.say(f"nbgrader {step}")
        rc, seconds[step], output = run_command(nbgrader_command(step), course, plain_environment())
        if rc:
            CLOCK.say(f"nbgrader {step} terminó con código {rc}:\n{output[-2000:]}")
    scores = {}
    with open_gradebook(course) as gradebook:
        for submission in submissions:
            try:
                found = gradebook.find_submission(ASSIGNMENT, submission.student)
                scores[submission.student] = None if submission.student in failed else float(found.code_score)
            except MissingEntry:
                scores[submission.student] = None
    shutil.rmtree(course)
    return PlainRun(seconds, per_student, scores, failed, memory.peak_mb)


# The driver's single writer (autograder/pipeline/grading.py): per merged submission, ``_record`` merges the task's
# result into gradebook.db (``merge_results``, or ``zero_submission`` for a submission nbgrader could not grade),
# writes the failure feedback and the log, then the state file, and reads the grade back; once per run, after the
# last merge, the CSV, moodle.csv and the report. Wrapped here by the names grade() looks up in its module.
MERGE_STEPS = ("merge_results", "zero_submission")
RECORD_STEP = "_record"
BATCH_STEPS = ("write_grades_csv", "write_moodle_csv", "write_class_report", "write_similarity_report")


@dataclass
class WriterTimes:
    """Seconds the single writer took in this process, measured by wrapping grading's functions."""

    merges: list[float] = field(default_factory=list)  # merge_results / zero_submission, one per submission
    records: list[float] = field(default_factory=list)  # the whole _record, one per submission
    batch: dict[str, float] = field(default_factory=dict)  # the steps after the last merge
    missing: list[str] = field(default_factory=list)  # names grading.py no longer has (nothing timed for them)


@contextlib.contextmanager
def timed_writer():
    """Wrap the single writer's functions in autograder.pipeline.grading with timers; restored on leaving."""
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


def nbclient_subset(submissions: list[Submission], count: int) -> list[Submission]:
    """``count`` submissions, half complete and half partial (a broken file cannot be executed), distinct scenarios."""
    runnable = [s for s in submissions if s.scenario != BROKEN]
    chosen = []
    for kind, share in (("completa", (count + 1) // 2), ("parcial", count // 2)):
        firsts = {}
        for submission in runnable:
            if submission.kind == kind:
                firsts.setdefault(submission.scenario, submission)
        chosen += list(firsts.values())[:share]
    for submission in runnable:  # too few of one kind: fill with the rest
        if len(chosen) >= count:
            break
        if submission not in chosen:
            chosen.append(submission)
    return sorted(chosen, key=submissions.index)


def measure_nbclient(scratch: Path, subset: list[Submission], sandboxed: bool) -> dict[str, float]:
    """nbclient alone, its kernel started with the kit's arguments (and, if ``sandboxed``, its kernel manager)."""
    course = kit_course(scratch / "nbclient", [])
    config = load_config(course)
    if not sandboxed:
        config.NotebookClient.pop("kernel_manager_class", None)
    seconds = {}
    for i, submission in enumerate(subset, start=1):
        path = scratch / f"{submission.student}.ipynb"
        path.write_text(submission.text, encoding="utf-8")
        seconds[submission.student] = nbclient_alone(course, PROFILE, submission=path, config=config)
        CLOCK.say(f"nbclient solo: {i}/{len(subset)} {submission.student} ({submission.scenario}): "
                  f"{seconds[submission.student]:.0f} s")
    shutil.rmtree(course)
    return seconds


@dataclass
class ResumeRun:
    students: list[str]
    killed: bool
    first_seconds: float
    state_files_at_kill: int
    gradebook_at_kill: int
    processes_killed: int
    survivors: int
    second_seconds: float
    second_rc: int
    skipped: list[str]
    graded: list[str]
    per_student: dict[str, int]
    csv_rows: list[dict]
    peak_mb: float


def open_gradebook(course: Path) -> Gradebook:
    return Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID)


def state_files(course: Path) -> list[Path]:
    return sorted((course / "logs" / ASSIGNMENT).glob("*.estado.json"))


def gradebook_count(course: Path) -> Counter:
    with open_gradebook(course) as gradebook:
        return Counter(s.student.id for s in gradebook.assignment_submissions(ASSIGNMENT))


def kill_tree(process: subprocess.Popen) -> tuple[int, int]:
    """SIGKILL the grader, its process group and every descendant (the kernels run in sessions of their own).

    Returns how many processes were killed and how many of them are still alive 10 s later.
    """
    group = os.getpgid(process.pid)
    os.killpg(group, signal.SIGSTOP)  # nothing in the group starts a new process while the tree is listed
    descendants = psutil.Process(process.pid).children(recursive=True)
    os.killpg(group, signal.SIGKILL)
    for child in descendants:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    process.wait()
    _, alive = psutil.wait_procs(descendants, timeout=10)
    return 1 + len(descendants), len(alive)


def measure_resume(scratch: Path, submissions: list[Submission]) -> ResumeRun:
    course = kit_course(scratch / "reanudacion", submissions)
    command = [sys.executable, "-m", "autograder.cli", "--curso", str(course), "corregir", ASSIGNMENT, "--perfil", PROFILE]
    CLOCK.say(f"kill -9: autograder {' '.join(command[3:])} con {len(submissions)} entregas; se mata al"
              " escribirse el primer fichero de estado (logs/<práctica>/<alumno>.estado.json)")
    started = time.monotonic()
    grader = subprocess.Popen(command, cwd=course, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    reader = threading.Thread(target=lambda: [CLOCK.say(f"  (1.ª) {line.rstrip()}") for line in grader.stdout],
                              daemon=True)
    with TreeMemory(grader.pid) as memory:
        reader.start()
        while not state_files(course) and grader.poll() is None and time.monotonic() - started < KILL_WAIT:
            time.sleep(0.1)
        killed = grader.poll() is None
        processes, survivors = kill_tree(grader) if killed else (0, 0)
        first_seconds = time.monotonic() - started
    reader.join(timeout=10)
    at_kill = [path.name.removesuffix(".estado.json") for path in state_files(course)]
    in_gradebook = sum(gradebook_count(course).values()) if (course / "gradebook.db").exists() else 0
    CLOCK.say(f"kill -9 {'enviado' if killed else 'NO enviado (la orden ya había terminado)'} a los {first_seconds:.0f} s"
              f" ({processes} procesos); corregidas antes: {', '.join(at_kill) or 'ninguna'}; segunda ejecución")
    skipped, graded = [], []

    def on_line(line: str) -> None:
        CLOCK.say(f"  (2.ª) {line}")
        if match := PROGRESS_LINE.search(line):
            (skipped if "ya corregida, sin cambios" in match.group(2) else graded).append(match.group(1))

    second_memory = TreeMemory()
    rc, second_seconds, _ = run_command(command, course, dict(os.environ), on_line, memory=second_memory)
    per_student = gradebook_count(course)
    with (course / "calificaciones" / f"{ASSIGNMENT}.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    shutil.rmtree(course)
    return ResumeRun(
        students=[s.student for s in submissions], killed=killed, first_seconds=first_seconds,
        state_files_at_kill=len(at_kill), gradebook_at_kill=in_gradebook, processes_killed=processes, survivors=survivors,
        second_seconds=second_seconds, second_rc=rc, skipped=skipped, graded=graded,
        per_student={s.student: per_student.get(s.student, 0) for s in submissions}, csv_rows=rows,
        peak_mb=max(memory.peak_mb, second_memory.peak_mb),
    )


def warm_up() -> float:
    """Load the quick data once in a throw-away process: the cache exists and sits in the page cache for every run."""
    command = [sys.executable, "-c", "from autograder import course_data; course_data.load_data('fashion_mnist')"]
    return run_command(command, ROOT, plain_environment())[1]


# --------------------------------------------------------------------------- report


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def table(headers: list[str], rows: list[list], align: str) -> str:
    cells = [headers] + [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        return "  ".join(f"{cell:<{w}}" if a == "<" else f"{cell:>{w}}" for cell, w, a in zip(row, widths, align))

    return "\n".join([line(headers), "  ".join("-" * w for w in widths)] + [line(row) for row in cells[1:]])


def number(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def compare_kits(first: KitRun, other: KitRun, submissions: list[Submission]) -> None:
    """Whether two kit runs gave every student the same points, and the same CSV."""
    same_points = [s for s in submissions if (first.results[s.student].auto_score, first.results[s.student].manual_score)
                   == (other.results[s.student].auto_score, other.results[s.student].manual_score)]
    same = other.csv_text == first.csv_text
    print(f"«{first.label}» y «{other.label}»: puntos por alumno iguales en {len(same_points)}/{len(submissions)}"
          f" entregas; CSV {'idénticos' if same else 'DISTINTOS'}")
    for s in submissions:
        if s not in same_points:
            print(f"  {s.student} ({s.scenario}): {first.results[s.student].auto_score:g} frente a "
                  f"{other.results[s.student].auto_score:g} puntos automáticos")
    if not same:
        a, b = csv_rows(first.csv_text), csv_rows(other.csv_text)
        for ra, rb in zip(a, b):
            if ra != rb:
                print(f"  {ra['alumno']}: {ra} != {rb}")


def writer_report(kits: list[KitRun]) -> None:
    """The single writer's seconds per merged submission, and the submissions per hour it allows at most."""
    print("\n=== Escritor único (este proceso, el que fusiona cada resultado en gradebook.db) ===")
    rows = []
    for kit in kits:
        w = kit.writer
        mean = sum(w.records) / len(w.records) if w.records else None
        rows.append([
            kit.label, len(w.records),
            number(sum(w.merges) / len(w.merges) if w.merges else None, 3), number(max(w.merges, default=None), 3),
            number(mean, 3), number(max(w.records, default=None), 3),
            f"{3600 / mean:.0f}" if mean else "-",
            number(sum(w.batch.values()) if w.batch else None, 2),
        ])
    print(table(["corrección", "fusionadas", "fusión media s", "fusión máx. s", "escritor media s",
                 "escritor máx. s", "entregas/hora máx.", "pasos finales s"], rows, "<>>>>>>>"))
    print("fusión: merge_results (zero_submission si nbgrader no pudo corregirla), la escritura en gradebook.db."
          " escritor: todo grading._record por entrega (la fusión, la retroalimentación de un fallo, el registro, el"
          " fichero de estado y la nota leída de nuevo), en el bucle que recibe los resultados de Dask."
          " entregas/hora máx.: 3600 / escritor media, la cota que el escritor único impone a la corrección, con"
          " cualquier número de trabajadores. pasos finales: CSV de la práctica, moodle.csv e informe, una vez por"
          " corrección tras la última fusión"
          + (": " + "; ".join(f"{name} {seconds:.2f} s" for name, seconds in kits[0].writer.batch.items())
             + f" en «{kits[0].label}»." if kits and kits[0].writer.batch else "."))
    missing = sorted({name for kit in kits for name in kit.writer.missing})
    if missing:
        print(f"AVISO: autograder/pipeline/grading.py ya no tiene {', '.join(missing)}: sin medir.")


def report(submissions, plain: PlainRun | None, kits: list[KitRun], nbclient: dict, resume: ResumeRun | None) -> None:
    n = len(submissions)
    points = grade_cell_points()
    local = [kit for kit in kits if not kit.external]
    external = [kit for kit in kits if kit.external]
    by_workers = {kit.workers: kit for kit in local}
    one = by_workers.get(1) or by_workers.get(None)  # the reference run: one worker
    print("\n=== Por entrega ===")
    headers = ["alumno", "tipo", "escenario", "esperado"]
    headers += ["nbgrader s"] if plain else []
    headers += [f"{kit.column} s" for kit in kits]
    headers += ["nbgrader pts"] if plain else []
    headers += [f"{kit.column} pts" for kit in kits]
    rows = []
    for s in submissions:
        row = [s.student, s.kind, s.scenario, f"{expected_score(s.scenario, points):g}"]
        row += [number(plain.per_student.get(s.student), 0)] if plain else []
        row += [number(kit.results[s.student].seconds, 0) for kit in kits]
        row += [("no corregida" if plain.scores[s.student] is None else f"{plain.scores[s.student]:g}")] if plain else []
        row += [("0 (no corregida)" if kit.results[s.student].failure else f"{kit.results[s.student].auto_score:g}")
                for kit in kits]
        rows.append(row)
    print(table(headers, rows, "<<<>" + ">" * (len(headers) - 4)))
    print("esperado: puntos automáticos según la tabla de escenarios (tests/p1_normalizacion/scenarios.py)."
          + (" nbgrader s: entre líneas consecutivas de su registro (sin el arranque de la aplicación;"
             " la última incluye su cierre)." if plain else "")
          + " kit s: StudentGrade.seconds (la tarea de Dask: autograde y retroalimentación)."
          + (" externo N: el kit con --planificador en un clúster de procesos dask scheduler y N × dask worker."
             if external else ""))

    print("\n=== Comprobaciones ===")
    if len(local) >= 2:
        first, *others = local
        for other in others:
            compare_kits(first, other, submissions)
    for kit in external:  # the same grades as the local run: of as many workers if there is one
        reference = by_workers.get(kit.workers) or (local[0] if local else None)
        if reference:
            compare_kits(reference, kit, submissions)
        else:
            print(f"«{kit.label}»: sin corrección local del kit con la que comparar (añade kit a --medidas)")
    for kit in kits:
        wrong = [s for s in submissions if abs(kit.results[s.student].auto_score - expected_score(s.scenario, points)) > 1e-9]
        print(f"{kit.label}: {n - len(wrong)}/{n} entregas con los puntos que fija la tabla de escenarios"
              + "".join(f"\n  {s.student} ({s.scenario}): {kit.results[s.student].auto_score:g}, "
                        f"esperado {expected_score(s.scenario, points):g}" for s in wrong))
    if plain and one:
        differences = [s for s in submissions if plain.scores[s.student] is None
                       or abs(plain.scores[s.student] - one.results[s.student].auto_score) > 1e-9]
        print(f"Puntos automáticos, nbgrader solo frente a «{one.label}»: "
              f"iguales en {n - len(differences)}/{n} entregas")
        for s in differences:
            kit_score = one.results[s.student].auto_score
            theirs = plain.scores[s.student]
            why = ("nbgrader no pudo corregirla (sin nota en su gradebook); el kit la puntúa con 0 y el motivo"
                   if theirs is None else
                   "el kit da lo esperado y nbgrader solo no (sin los pasos del kit, las comprobaciones ocultas solo entregan "
                   "pruebas con verify.* y nadie las juzga)" if abs(kit_score - expected_score(s.scenario, points)) < 1e-9 else
                   "el kit NO da lo esperado")
            print(f"  {s.student} ({s.scenario}): nbgrader {number(theirs, 2)}, kit {kit_score:g}: {why}")

    if kits:
        writer_report(kits)

    if nbclient and one:
        print(f"\n=== Coste propio del corrector (segundos de «{one.label}» menos nbclient solo) ===")
        overheads = {student: one.results[student].seconds - seconds for student, seconds in nbclient.items()}
        by_student = {s.student: s for s in submissions}
        print(table(["alumno", "escenario", "kit s", "nbclient s", "coste propio s"], [
            [student, by_student[student].scenario, number(one.results[student].seconds), number(nbclient[student]),
             number(overheads[student])] for student in nbclient
        ], "<<>>>"))
        print(f"media: {sum(overheads.values()) / len(overheads):.1f} s por entrega")

    if resume:
        print("\n=== kill -9 y reanudación (autograder corregir) ===")
        print(f"entregas: {len(resume.students)} ({', '.join(resume.students)})")
        print(f"kill -9 enviado: {'sí' if resume.killed else 'no (terminó antes)'}, a los {resume.first_seconds:.0f} s,"
              f" a {resume.processes_killed} procesos (la orden, sus trabajadores y sus kernels);"
              f" siguen vivos 10 s después: {resume.survivors}")
        print(f"corregidas antes del kill -9 (ficheros de estado): {resume.state_files_at_kill}"
              f" · entregas en el gradebook en ese momento: {resume.gradebook_at_kill}")
        print(f"segunda ejecución: {resume.second_seconds:.0f} s, código de salida {resume.second_rc}")
        print(f"saltadas (ya corregidas): {len(resume.skipped)} ({', '.join(resume.skipped) or '-'})")
        print(f"corregidas en la segunda: {len(resume.graded)} ({', '.join(resume.graded) or '-'})")
        counts = resume.per_student
        exact = all(count == 1 for count in counts.values())
        print(f"entregas en el gradebook por alumno: {dict(counts)} -> {'exactamente 1 cada uno' if exact else 'ERROR'}")
        if one:
            reference = [row for row in csv_rows(one.csv_text) if row["alumno"] in resume.students]
            same = reference == resume.csv_rows
            print(f"CSV igual al de una corrección sin interrumpir («{one.label}», mismos alumnos): "
                  f"{'sí' if same else 'NO'}")
            if not same:
                for a, b in zip(reference, resume.csv_rows):
                    if a != b:
                        print(f"  sin interrumpir {a}\n  reanudada      {b}")
        else:
            print("CSV: sin corrección de referencia con 1 trabajador; filas:", resume.csv_rows)

    print("\n=== Resumen ===")
    rows = []
    if plain:
        rows.append([f"nbgrader autograde solo ({n} entregas, una tras otra)", plain.seconds["autograde"], n, plain.peak_mb])
        rows.append(["nbgrader generate_feedback", plain.seconds["generate_feedback"], n, None])
        rows.append(["nbgrader export", plain.seconds["export"], n, None])
        rows.append(["nbgrader: autograde + generate_feedback + export", sum(plain.seconds.values()), n, None])
    for kit in kits:
        rows.append([f"{kit.label} (retroalimentación, CSV e informe incluidos)", kit.seconds, n, kit.peak_mb])
        if kit.startup_seconds is not None:
            rows.append(["  arranque de ese clúster (dask scheduler y worker, no incluido arriba)", kit.startup_seconds,
                         None, None])
    if nbclient and one:
        rows.append([f"nbclient solo ({len(nbclient)} entregas)", sum(nbclient.values()), len(nbclient), None])
        rows.append([f"{one.label}, esas {len(nbclient)} entregas (StudentGrade.seconds)",
                     sum(one.results[s].seconds for s in nbclient), len(nbclient), None])
        rows.append(["coste propio del corrector (diferencia)",
                     sum(one.results[s].seconds - nbclient[s] for s in nbclient), len(nbclient), None])
    if resume:
        rows.append(["kill -9: primera ejecución hasta el kill", resume.first_seconds, None, None])
        rows.append(["kill -9: segunda ejecución (reanudación)", resume.second_seconds, len(resume.graded) or None,
                     resume.peak_mb])
    print(table(["medida", "segundos", "segundos por entrega", "RSS máx. MB"], [
        [what, f"{seconds:.1f}", number(seconds / count if count else None), number(peak, 0)]
        for what, seconds, count, peak in rows
    ], "<>>>"))
    if len(by_workers) >= 2 and 1 in by_workers:
        for workers, kit in sorted((w, k) for w, k in by_workers.items() if w and w > 1):
            print(f"aceleración con {workers} trabajadores frente a 1: x{by_workers[1].seconds / kit.seconds:.2f}")
    for kit in external:
        if kit.workers in by_workers:
            print(f"«{kit.label}» frente a «{by_workers[kit.workers].label}»: "
                  f"x{kit.seconds / by_workers[kit.workers].seconds:.2f} del tiempo (el local incluye arrancar su clúster)")
    if plain and one:
        print(f"«{one.label}» frente a nbgrader (autograde + generate_feedback + export): "
              f"x{one.seconds / sum(plain.seconds.values()):.2f} del tiempo")
    print("RSS máx.: suma de la memoria residente del proceso que corrige y todos sus descendientes (kernels, "
          "trabajadores de Dask), muestreada cada 0,5 s; para el kit incluye este proceso (y, con el clúster externo,"
          " sus procesos dask scheduler y dask worker, que este proceso arranca).")


# --------------------------------------------------------------------------- main

MEASURES = ("nbgrader", "kit", "cluster", "nbclient", "reanudacion")


def describe(args) -> None:
    """What exactly each measurement runs."""
    if "nbgrader" in args.medidas:
        print("nbgrader solo: nbgrader_config.py propio con el mismo c.Execute.timeout, startup_timeout e IgnorePattern;"
              " sin ClearEvidence/ExecuteWithDeadline/ApplyVerdicts, sin el gestor de kernel aislado ni los argumentos"
              " de kernel del kit (extensión fit_log); el mismo entorno de kernel que el kit"
              f" ({' '.join(f'{k}={v}' for k, v in {**KERNEL_ENV, course_data.PROFILE_ENV: PROFILE}.items())})."
              " Las celdas ocultas siguen llamando a verify.* (solo guardan pruebas).")
    if "nbclient" in args.medidas:
        manager = KIT_CONFIG.NotebookClient.get("kernel_manager_class")
        how = ("con el gestor de kernel de jupyter_client" if not manager else f"con su gestor de kernel {manager}"
               if args.nbclient_aislado else
               f"con el gestor de kernel de jupyter_client (sin {manager}: su coste cuenta como propio del corrector)")
        print(f"nbclient solo: kernel con los argumentos del kit ({' '.join(KIT_CONFIG.NotebookClient.extra_arguments)})"
              f" y su entorno (perfil {PROFILE}, los hilos de c.Sandbox.cpu_threads), {how}; el cuaderno entregado,"
              " sin las celdas ocultas que el corrector"
              " añade.")
    if "cluster" in args.medidas:
        print("clúster externo: dask scheduler --host 127.0.0.1 --port 0 --no-dashboard y, por cada trabajador,"
              " dask worker <dirección> --nthreads 1 --nworkers 1 --no-dashboard (el límite de memoria de"
              " LocalCluster), procesos aparte arrancados y parados por esta prueba; el kit se conecta con"
              " grade(scheduler=<dirección>), como autograder corregir --planificador. El arranque no se cuenta;"
              " la corrección local sí incluye arrancar su LocalCluster."
              f" Trabajadores: {' y '.join(map(str, args.trabajadores_cluster))}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--completas", type=int, default=8, help="entregas completas (escenarios que entrenan)")
    parser.add_argument("--parciales", type=int, default=12,
                        help="entregas a medias (solo la normalización), con una sin cambios y una rota")
    parser.add_argument("--trabajadores", type=int, nargs="+", default=[1, 2], help="trabajadores de cada corrección del kit")
    parser.add_argument("--trabajadores-cluster", type=int, nargs="+", default=[2],
                        help="trabajadores (procesos dask worker) de cada corrección en un clúster externo (medida cluster)")
    parser.add_argument("--nbclient", type=int, default=4, help="entregas que se ejecutan también con nbclient solo")
    parser.add_argument("--nbclient-aislado", action="store_true",
                        help="nbclient solo usa también el gestor de kernel aislado del kit (por defecto, no: "
                        "el aislamiento cuenta como coste propio del corrector)")
    parser.add_argument("--reanudacion", type=int, default=4, help="entregas de la prueba de kill -9")
    parser.add_argument("--medidas", nargs="+", choices=MEASURES, default=list(MEASURES), help="qué medir")
    args = parser.parse_args()
    if args.completas < 0 or args.parciales < 0 or args.completas + args.parciales == 0:
        parser.error("hace falta al menos una entrega")
    if "cluster" in args.medidas and min(args.trabajadores_cluster) < 1:
        parser.error("el clúster externo necesita al menos un trabajador")

    submissions = class_mix(args.completas, args.parciales)
    mix = Counter((s.kind, s.scenario) for s in submissions)
    print(f"Corrección de una clase de {ASSIGNMENT}, perfil {PROFILE}, {psutil.cpu_count()} núcleos,"
          f" {psutil.virtual_memory().total / 2**30:.0f} GiB")
    print(f"{len(submissions)} entregas: {args.completas} completas y {args.parciales} a medias")
    for (kind, scenario), count in sorted(mix.items()):
        print(f"  {count:>3} × {kind:<9} {scenario}")
    print("  orden: " + " ".join(f"{s.student}={s.scenario}" for s in submissions))
    has_workers = "workers" in inspect.signature(grade).parameters
    worker_counts = args.trabajadores if has_workers else [None]
    if not has_workers:
        print("grade() aún no acepta workers: se mide una sola corrección del kit, con su firma actual")
    describe(args)
    print("Publicar (generate_assignment) se hace antes de cada medida y no se cuenta.", flush=True)

    plain, kits, nbclient, resume = None, [], {}, None
    with tempfile.TemporaryDirectory(prefix="class-grading-") as folder:
        scratch = Path(folder)
        CLOCK.say(f"calentamiento: datos del perfil {PROFILE} cargados en {warm_up():.0f} s")
        if "nbgrader" in args.medidas:
            plain = measure_plain(scratch, submissions)
        counts = worker_counts if "kit" in args.medidas else []
        if {"nbclient", "reanudacion"} & set(args.medidas) and not {1, None} & set(counts):
            counts = [worker_counts[0] if None in worker_counts else 1, *counts]  # they compare with one worker
        kits = [measure_kit(scratch, submissions, workers) for workers in counts]
        if "cluster" in args.medidas:
            kits += [measure_cluster(scratch, submissions, workers) for workers in args.trabajadores_cluster]
        if "nbclient" in args.medidas:
            subset = nbclient_subset(submissions, args.nbclient)
            CLOCK.say(f"nbclient solo: {', '.join(f'{s.student} ({s.scenario})' for s in subset)}")
            nbclient = measure_nbclient(scratch, subset, args.nbclient_aislado)
        if "reanudacion" in args.medidas:
            resume = measure_resume(scratch, submissions[: args.reanudacion])
    report(submissions, plain, kits, nbclient, resume)


if __name__ == "__main__":
    main()
