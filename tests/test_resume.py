"""Grading again after a finished or killed run: only what is missing or changed is graded."""

import contextlib
import csv
import subprocess
import sys
import time

import psutil
from nbgrader.api import Gradebook

from autograder.pipeline.grading import grade
from tests.conftest import submit
from tests.scenarios import tables

P1, P2 = tables()
ASSIGNMENT = P2.assignment
UNANSWERED = P2.notebook("sin_cambios").read_text(encoding="utf-8")  # the cheapest notebook to grade
BROKEN = P1.notebook("cuaderno_roto").read_text(encoding="utf-8")


def rows(course):
    with (course / "calificaciones" / f"{ASSIGNMENT}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_second_run_grades_nothing_again(course):
    """Does a second run skip unchanged submissions, keeping their scores and failure reasons?"""
    submit(course, ASSIGNMENT, "ana", UNANSWERED)
    submit(course, ASSIGNMENT, "bea", BROKEN)
    first = grade(root=course, assignment=ASSIGNMENT, profile="rapido", progress=lambda line: None)
    before = rows(course)
    lines = []
    second = grade(root=course, assignment=ASSIGNMENT, profile="rapido", progress=lines.append)
    assert all("ya corregida, sin cambios" in line for line in lines)
    assert [(r.student, r.auto_score, r.failure) for r in second] == [(r.student, r.auto_score, r.failure) for r in first]
    assert rows(course) == before


def test_a_changed_submission_or_another_profile_is_graded_again(course):
    """Is a re-submitted notebook graded again, and everything graded again with another profile or --forzar?"""
    submit(course, ASSIGNMENT, "ana", UNANSWERED)
    submit(course, ASSIGNMENT, "bea", UNANSWERED)
    grade(root=course, assignment=ASSIGNMENT, profile="rapido", progress=lambda line: None)
    submit(course, ASSIGNMENT, "bea", BROKEN)
    lines = []
    results = grade(root=course, assignment=ASSIGNMENT, profile="rapido", progress=lines.append)
    assert "ya corregida" in lines[0] and "ya corregida" not in lines[1]
    assert results[1].failure and "no es un JSON válido" in rows(course)[1]["observaciones"]
    lines.clear()
    grade(root=course, assignment=ASSIGNMENT, profile="rapido", force=True, progress=lines.append)
    assert not any("ya corregida" in line for line in lines)


def test_a_run_killed_halfway_resumes_without_losing_or_duplicating_grades(course):
    """After kill -9 of the grader in the middle of a class, do its workers and kernels die with it,
    and does the next run grade only the rest, once each?"""
    students = ["ana", "bea", "carlos"]
    for student in students:
        submit(course, ASSIGNMENT, student, UNANSWERED)
    command = [sys.executable, "-m", "autograder.cli", "--curso", str(course), "corregir", ASSIGNMENT, "--perfil", "rapido"]
    grader = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    first_line = grader.stdout.readline()  # one submission graded, the next ones under way
    helpers = psutil.Process(grader.pid).children(recursive=True)  # Dask workers, their kernels
    grader.kill()
    grader.wait()
    assert " 1/3 · " in first_line and "puntos automáticos" in first_line
    assert helpers and not survivors(helpers)
    first = first_line.split(" · ")[-1].split(":")[0]
    resumed = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert f"{first}: 0/5 puntos automáticos (ya corregida, sin cambios)" in resumed
    assert sum("ya corregida" in line for line in resumed.splitlines()) < len(students)
    assert [row["alumno"] for row in rows(course)] == students
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "curso-dl") as gradebook:
        assert sorted(s.student.id for s in gradebook.assignment_submissions(ASSIGNMENT)) == students


def survivors(processes, *, seconds=20.0):
    """The commands of the processes still running after ``seconds``, killed then so that none outlives the test."""
    deadline = time.monotonic() + seconds
    while (alive := [process for process in processes if running(process)]) and time.monotonic() < deadline:
        time.sleep(0.5)
    commands = []
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            commands.append(" ".join(process.cmdline()[:4]))
            process.kill()
    return commands


def running(process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
