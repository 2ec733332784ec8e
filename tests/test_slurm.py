"""Grading through a real single-node Slurm (`corregir --slurm N`): the same grades as on this machine, the jobs
really ran and were released, the sandbox held inside them."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder import cli
from autograder.pipeline.course import CourseError, load_config
from autograder.pipeline.run.batch import WORKER_OUTPUT_LOG, grade
from autograder.pipeline.run.dask_cluster import check_cluster_options, dask_client
from tests.conftest import cell_scores, make_course, submit
from tests.scenarios import Scenario, Table, build, tables
from tests.slurm_node import PARTITION, slurm_node  # noqa: F401 (fixture)

P1 = tables()[0]
ASSIGNMENT = P1.assignment
PARTLY = P1.scenarios["solo_normalizacion"]
# Two submissions done in part, cheap to grade (no network trains): the three normalizations (1.5 points), and the
# same with the test set standardized with its own statistics (1 point).
SUBMISSIONS = {
    "ana": build(P1, "solo_normalizacion"),
    "bea": build(Table(ASSIGNMENT, P1.max_auto_score, {"x": Scenario(
        lost=PARTLY.lost | {"test_normalizacion_3"}, unanswered=PARTLY.unanswered,
        patches=P1.scenarios["estadisticas_de_test"].patches)}), "x"),
}
# What a course on this test's cluster sets: the partition by name, the loopback interface (the scheduler runs
# in the grading process, the workers in jobs on this machine), and short jobs.
SLURM_SETTINGS = f"""
c.Slurm.partition = "{PARTITION}"
c.Slurm.interface = "lo"
c.Slurm.memory = "3GB"
c.Slurm.walltime = "00:30:00"
c.Slurm.start_timeout = 60
"""
ISOLATED = re.compile(r"Núcleo del alumno aislado con: (.*)\.$", re.MULTILINE)
WITHOUT = re.compile(r"El núcleo del alumno se ejecuta sin: (.*)\. El sistema", re.MULTILINE)


@dataclass(frozen=True)
class TwoRuns:
    local: Path
    slurm: Path
    queue_while_grading: list[list[tuple[str, str, str]]]  # squeue as each Slurm-graded result arrived
    queue_after: list[tuple[str, str, str]]
    seconds: dict[str, float]


def slurm_course(root: Path) -> Path:
    course = make_course(root)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(SLURM_SETTINGS)
    return course


@pytest.fixture(scope="module")
def graded_twice(slurm_node, tmp_path_factory) -> TwoRuns:  # noqa: F811 (fixture)
    """The same class graded on 2 local workers, then through 2 Slurm jobs."""
    courses = {way: slurm_course(tmp_path_factory.mktemp(way) / "curso") for way in ("local", "slurm")}
    for course in courses.values():
        for student, notebook in SUBMISSIONS.items():
            submit(course, ASSIGNMENT, student, notebook)
    seconds, queues = {}, []
    started = time.monotonic()
    grade(root=courses["local"], assignment=ASSIGNMENT, profile="rapido", workers=2, progress=lambda line: None)
    seconds["local"] = time.monotonic() - started
    started = time.monotonic()
    grade(root=courses["slurm"], assignment=ASSIGNMENT, profile="rapido", slurm=2, progress=lambda line: None,
          graded=lambda result: queues.append(slurm_node.jobs()))
    seconds["slurm"] = time.monotonic() - started
    return TwoRuns(courses["local"], courses["slurm"], queues, slurm_node.wait_for_empty_queue(), seconds)


def test_slurm_jobs_give_every_cell_the_local_score(graded_twice):
    """Does grading through Slurm jobs give every test cell of every submission the score the local run gives,
    and do both submissions score points?"""
    runs = graded_twice
    print(f"local: {runs.seconds['local']:.0f} s; Slurm: {runs.seconds['slurm']:.0f} s")
    for student in SUBMISSIONS:
        local, slurm = cell_scores(runs.local, ASSIGNMENT, student), cell_scores(runs.slurm, ASSIGNMENT, student)
        assert slurm == local, student
        assert sum(score for score, _ in slurm.values()) > 0, student
    assert sum(s for s, _ in cell_scores(runs.slurm, ASSIGNMENT, "ana").values()) == 1.5
    assert sum(s for s, _ in cell_scores(runs.slurm, ASSIGNMENT, "bea").values()) == 1.0


def test_the_workers_were_slurm_jobs_released_at_the_end(graded_twice, slurm_node):  # noqa: F811 (fixture)
    """Were the workers two running Slurm jobs (squeue during the run, each worker's own SLURM_JOB_ID, slurmd's
    log), and is the queue empty once grading is over?"""
    runs = graded_twice
    assert runs.queue_while_grading, "no result arrived"
    running = {job for job, name, state in runs.queue_while_grading[0] if name == "autograder" and state == "RUNNING"}
    assert len(running) == 2, runs.queue_while_grading
    log = (runs.slurm / "logs" / ASSIGNMENT / WORKER_OUTPUT_LOG).read_text(encoding="utf-8", errors="replace")
    assert set(re.findall(r"^--- trabajador \S+ en \S+, trabajo de Slurm (\d+) ---$", log, re.MULTILINE)) == running
    launched = set(re.findall(r"Launching batch job (\d+)", slurm_node.slurmd_log()))
    assert running <= launched
    assert {path.name for path in (runs.slurm / "logs" / ASSIGNMENT / "trabajadores" / "slurm").iterdir()} >= {
        f"autograder-{job}.err" for job in running}
    assert runs.queue_after == []


def test_the_sandbox_holds_inside_a_slurm_job(graded_twice):
    """Inside a Slurm job, is every student's kernel isolated with the same protections as on this machine?"""
    reports = {}
    for way, course in (("local", graded_twice.local), ("slurm", graded_twice.slurm)):
        log = (course / "logs" / ASSIGNMENT / WORKER_OUTPUT_LOG).read_text(encoding="utf-8", errors="replace")
        reports[way] = (set(ISOLATED.findall(log)), set(WITHOUT.findall(log)))
    print(f"En los trabajos de Slurm, núcleo del alumno aislado con: {' | '.join(sorted(reports['slurm'][0]))}")
    print(f"En los trabajos de Slurm, sin: {' | '.join(sorted(reports['slurm'][1])) or 'nada'}")
    assert len(reports["slurm"][0]) == 1, reports  # each worker reports once, and both alike
    assert reports["slurm"] == reports["local"]


def test_a_failure_cancels_the_jobs(slurm_node, tmp_path):  # noqa: F811 (fixture)
    """When grading stops with an error while the Slurm workers run, are their jobs cancelled?"""
    config = load_config(slurm_course(tmp_path / "curso"))
    with pytest.raises(RuntimeError), dask_client(slurm=1, config=config, output_log=tmp_path / "salida.log") as client:
        assert len(client.nthreads()) == 1
        assert [state for _, _, state in slurm_node.jobs()] == ["RUNNING"]
        raise RuntimeError("fallo a mitad de la tanda")
    assert slurm_node.wait_for_empty_queue() == []


def test_ctrl_c_on_the_command_cancels_the_jobs(slurm_node, tmp_path):  # noqa: F811 (fixture)
    """Does Ctrl+C on `autograder corregir --slurm 1` while its Slurm worker grades end the command with its
    Spanish message and status 130, leaving no job in the queue? (dask-jobqueue, once imported, would make Ctrl+C
    exit with status 0.)"""
    course = slurm_course(tmp_path / "curso")
    # The complete solution: it trains for a minute, so the Ctrl+C surely comes while the Slurm worker grades it.
    submit(course, ASSIGNMENT, "ana", P1.notebook("solucion").read_text(encoding="utf-8"))
    command = [sys.executable, "-m", "autograder.cli", "--curso", str(course), "corregir", ASSIGNMENT,
               "--perfil", "rapido", "--slurm", "1"]
    # Ctrl+C's default disposition, as a terminal gives it: a process that ignores SIGINT (a test run under nohup,
    # or after a library set SIG_IGN) passes that on to its children, and the grader would never see the Ctrl+C.
    grader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    output_log, deadline = course / "logs" / ASSIGNMENT / WORKER_OUTPUT_LOG, time.monotonic() + 180
    while not (output_log.exists() and "trabajo de Slurm" in output_log.read_text(errors="replace")):
        assert grader.poll() is None and time.monotonic() < deadline, grader.communicate()
        time.sleep(0.5)  # until the worker, a Slurm job, has joined and grading starts
    assert [state for _, _, state in slurm_node.jobs()] == ["RUNNING"]
    grader.send_signal(signal.SIGINT)
    _, errors = grader.communicate(timeout=120)
    assert grader.returncode == 130, errors
    assert "Interrumpido: lo ya corregido queda guardado en el gradebook." in errors
    assert slurm_node.wait_for_empty_queue() == []


KILLED_GRADER = """
import os, signal, sys
from autograder.pipeline.course import load_config
from autograder.pipeline.run.dask_cluster import dask_client

with dask_client(slurm=2, config=load_config(sys.argv[1]), output_log=sys.argv[2]) as client:
    print(len(client.nthreads()), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_the_jobs_end_by_themselves_when_the_grader_is_killed(slurm_node, tmp_path):  # noqa: F811 (fixture)
    """After kill -9 of the grader while its two Slurm workers run, do their jobs leave the queue by themselves?"""
    course = slurm_course(tmp_path / "curso")
    killed = subprocess.run([sys.executable, "-c", KILLED_GRADER, str(course), str(tmp_path / "salida.log")],
                            capture_output=True, text=True, timeout=300)
    assert (killed.returncode, killed.stdout.strip()) == (-signal.SIGKILL, "2"), killed.stderr
    assert slurm_node.wait_for_empty_queue(timeout=90) == []


def test_a_job_slurm_refuses_stops_the_run_before_queueing(slurm_node, tmp_path):  # noqa: F811 (fixture)
    """Does a partition Slurm does not have stop the run with Slurm's own reason, in Spanish, with nothing queued?"""
    config = load_config(slurm_course(tmp_path / "curso"))
    config.Slurm.partition = "no_existe"
    with pytest.raises(CourseError, match=r"Slurm no acepta los trabajos .*invalid partition"):
        with dask_client(slurm=1, config=config, output_log=tmp_path / "salida.log"):
            pass
    assert slurm_node.jobs() == []


@pytest.mark.parametrize("options, words", [
    ({"slurm": 2, "scheduler": "tcp://127.0.0.1:8786"}, "usa solo una de las dos"),
    ({"slurm": 2, "workers": 2}, "no uses --trabajadores"),
    ({"slurm": 0}, "al menos un trabajo"),
])
def test_contradictory_slurm_options_are_spanish_errors(options, words):
    """Are --slurm with --planificador or --trabajadores, and --slurm 0, refused in Spanish?"""
    with pytest.raises(CourseError, match=words):
        check_cluster_options(**options)


def test_the_command_refuses_slurm_with_local_workers_at_once(tmp_path, capsys):
    """Does `corregir --slurm 2 --trabajadores 2` stop with a Spanish error before doing anything?"""
    code = cli.main(["--curso", str(tmp_path), "corregir", ASSIGNMENT, "--slurm", "2", "--trabajadores", "2"])
    assert code == 2
    assert "no uses --trabajadores" in capsys.readouterr().err
