"""Grading on Dask: one code path for any number of workers, quiet, and a crash costs one submission only.

That 1 and 2 workers give the same grades is tested on a regrade (tests/test_resume.py)."""

import os
import subprocess
import sys
import textwrap

import dask
import pytest
from distributed import KilledWorker, LocalCluster

from autograder.pipeline.course import CourseError
from autograder.pipeline.grades.records import StudentGrade
from autograder.pipeline.run import batch as grading
from autograder.pipeline.run import dask_cluster as parallel
from autograder.pipeline.run import progress as progress_module
from autograder.pipeline.run.cost import BATCH_WALL
from autograder.pipeline.run.dask_cluster import dask_client, run_each
from autograder.pipeline.run.failed_submissions import UNKNOWN
from autograder.pipeline.run.progress import Progress
from autograder.pipeline.run.submission_task import crashed_task

LOGGING_JOB = textwrap.dedent("""
    import logging
    from autograder.pipeline.run.dask_cluster import dask_client, run_each

    def log_like_dask_at_shutdown():
        for name in ("distributed.worker", "distributed.nanny", "distributed.core"):
            logging.getLogger(name).error("Failed to communicate with scheduler during heartbeat.")
        return "hecho"

    with dask_client(workers=1) as client:
        logging.getLogger("distributed.scheduler").error("Failed to communicate with scheduler during heartbeat.")
        print(dict(run_each(client=client, function=log_like_dask_at_shutdown, jobs={"a": {}})))
""")


def test_each_local_worker_runs_one_job_at_a_time_quietly(capfd):
    """Does each local worker run one submission at a time, and does Dask keep quiet?"""
    with dask_client(workers=2) as client:
        assert list(client.nthreads().values()) == [1, 1]
        results = dict(run_each(client=client, function=lambda x: x * 2, jobs={"a": {"x": 1}, "b": {"x": 2}}))
    assert results == {"a": 2, "b": 4}
    assert capfd.readouterr() == ("", "")


def test_dask_error_lines_stay_off_the_console():
    """Does an ERROR line Dask logs in a worker or in the grader's own process stay off the console?

    Dask logs its workers' last heartbeat to a closed scheduler at ERROR; CI once failed on that line. Run as a
    command, not beside the capfd test above: pytest's own log capture would hide the grader process's lines.
    """
    run = subprocess.run([sys.executable, "-c", LOGGING_JOB], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "{'a': 'hecho'}"
    assert "heartbeat" not in run.stdout + run.stderr


def test_a_job_that_raises_or_kills_its_worker_costs_only_itself():
    """Does a job whose code raises, or whose worker process dies, yield its error while the others finish?"""

    def job(action):
        if action == "raise":
            raise ValueError("roto")
        if action == "die":
            os._exit(1)
        return action

    jobs = {student: {"action": action}
            for student, action in [("ana", "ok"), ("bea", "raise"), ("carlos", "die"), ("david", "ok")]}
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), dask_client(workers=2) as client:
        results = dict(run_each(client=client, function=job, jobs=jobs))
    assert (results["ana"], results["david"]) == ("ok", "ok")
    assert isinstance(results["bea"], ValueError) and isinstance(results["carlos"], KilledWorker)
    failed = crashed_task(student="carlos", error=results["carlos"])
    assert failed.failure == UNKNOWN and "KilledWorker" in failed.log and failed.crashed


def test_an_existing_cluster_is_used_through_its_scheduler_address():
    """Does --planificador run the jobs on the cluster already running at that address?"""
    with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
        with dask_client(scheduler=cluster.scheduler_address) as client:
            assert dict(run_each(client=client, function=lambda x: x + 1, jobs={"a": {"x": 1}})) == {"a": 2}


def test_workers_that_do_not_see_the_course_folder_stop_the_run(tmp_path):
    """Is a cluster whose workers lack the course folder refused before it zeroes a whole class?"""
    with dask_client(workers=1) as client, pytest.raises(CourseError, match="no ven la carpeta del curso"):
        grading.check_workers(client, tmp_path)


@pytest.mark.parametrize("options, words", [
    ({"workers": 2, "scheduler": "tcp://127.0.0.1:8786"}, "no uses --trabajadores"),
    ({"workers": 0}, "al menos un trabajador"),
    ({"scheduler": "tcp://127.0.0.1:9"}, "No se pudo conectar con el planificador"),
])
def test_wrong_cluster_options_are_spanish_errors(monkeypatch, options, words):
    """Are contradictory options and an unreachable scheduler reported in Spanish?"""
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(CourseError, match=words):
        with dask_client(**options):
            pass


def test_the_progress_line_shows_the_bar_counts_failures_time_left_and_the_result():
    """Does each line give the bar, done/total, failures, time left and the student's result?"""
    lines = []
    progress = Progress(total=3, to_grade=2, emit=lines.append)
    progress.report(StudentGrade("ana", 0.0, 5.0, 0.0, 5.0, False, 0.0), graded_now=False)
    progress.report(StudentGrade("bea", 0.0, 5.0, 0.0, 5.0, False, 31.0, failure="Cuaderno dañado."), graded_now=True)
    progress.report(StudentGrade("carlos", 4.5, 5.0, 0.0, 5.0, True, 52.0), graded_now=True)
    assert lines[0] == ("[████░░░░░░░░] 1/3 · 0 sin corregir · calculando el tiempo que queda · "
                        "ana: 0/5 puntos automáticos (ya corregida, sin cambios)")
    assert lines[1].startswith("[████████░░░░] 2/3 · 1 sin corregir · quedan ~")
    assert lines[1].endswith(" · bea: NO CORREGIDA: Cuaderno dañado. (31 s)")
    assert lines[2] == "[████████████] 3/3 · 1 sin corregir · quedan ~0.0 min · carlos: 4.5/5 puntos automáticos (52 s)"



def test_the_time_left_is_the_expected_wall_time_at_the_pace_the_finished_ones_showed(monkeypatch):
    """After the first long submission of a batch (the longest go first), is the time left the batch's expected wall
    time at the pace that submission showed against its estimate, not the submissions left times its seconds; and,
    once past that time, the count again?"""
    clock = [1000.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: clock[0])
    lines = []
    tracker = Progress(total=4, to_grade=4, emit=lines.append)
    tracker.expect(estimates={"ana": 60.0, "bea": 60.0, "carlos": 5.0, "dora": 5.0}, seconds=100.0)
    slow = 60.0 * BATCH_WALL * 1.5  # one and a half times what its estimate said, busy cores included
    clock[0] += slow
    tracker.report(StudentGrade("ana", 5.0, 5.0, 0.0, 5.0, True, slow), graded_now=True, key="ana")
    assert " · quedan ~0.7 min · " in lines[-1]  # 100 s × 1.5 - 109.8 s gone (counting: 3 × 109.8 s, 5.5 min)
    clock[0] += 100.0
    tracker.report(StudentGrade("bea", 5.0, 5.0, 0.0, 5.0, True, slow), graded_now=True, key="bea")
    assert " · quedan ~3.5 min · " in lines[-1]  # past the expected 150 s: 209.8 s / 2 done × 2 left
