"""Grading again after a finished or killed run: only what is missing or changed is graded, and the same
submissions get the same grades on any number of workers."""

import contextlib
import csv
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from nbgrader.api import Gradebook

from autograder.kernel.layout import EVIDENCE_DIR, FIT_FILE
from autograder.pipeline.run.batch import grade
from tests.conftest import cell_scores, make_course, submit
from tests.scenarios import tables

P1, P2, *_ = tables()
ASSIGNMENT = P2.assignment
UNANSWERED = P2.notebook("sin_cambios").read_text(encoding="utf-8")  # the cheapest notebook that runs
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
    submit(course, ASSIGNMENT, "ana", BROKEN)  # nbgrader refuses it before any kernel starts: cheap to grade
    submit(course, ASSIGNMENT, "bea", BROKEN)
    grade(root=course, assignment=ASSIGNMENT, profile="rapido", progress=lambda line: None)
    submit(course, ASSIGNMENT, "bea", UNANSWERED)
    lines = []
    results = grade(root=course, assignment=ASSIGNMENT, profile="rapido", progress=lines.append)
    assert "ya corregida" in lines[0] and "ya corregida" not in lines[1]
    assert results[1].failure is None and results[0].failure
    submit(course, ASSIGNMENT, "bea", BROKEN)
    for options in ({"profile": "completo"}, {"profile": "rapido", "force": True}):
        lines.clear()
        grade(root=course, assignment=ASSIGNMENT, progress=lines.append, **options)
        assert not any("ya corregida" in line for line in lines), options


@dataclass(frozen=True)
class KilledRun:
    course: Path
    first_line: str  # the one progress line the grader wrote before kill -9
    helpers_left: list[str]  # commands of its workers and kernels that outlived it
    resumed: str  # the output of the next run


# 0, 1 and 0.5 points: the untouched release and two submissions done in part, each training networks (one
# exercise's comparison, or two) and scoring the cells it answered. Longest first, the two done in part go to the
# 2 workers and the untouched release waits, so the kill -9 after the first grade finds one submission being
# graded and the release waiting.
SCENARIOS = {"ana": "sin_cambios", "bea": "solo_ejercicios_1_y_2", "carlos": "solo_ejercicio_1"}


@pytest.fixture(scope="module")
def killed_and_resumed(tmp_path_factory) -> KilledRun:
    """A class with two scoring submissions, graded on 2 workers, killed after the first grade, then resumed."""
    course = make_course(tmp_path_factory.mktemp("reanudada") / "curso")
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write("\nc.ApplyVerdicts.keep_evidence = True\n")
    for student, scenario in SCENARIOS.items():
        submit(course, ASSIGNMENT, student, P2.notebook(scenario).read_text(encoding="utf-8"))
    command = [sys.executable, "-m", "autograder.cli", "--curso", str(course), "corregir", ASSIGNMENT,
               "--perfil", "rapido", "--trabajadores", "2"]
    grader = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    announced = grader.stdout.readline()  # how many, on how many workers, how long (cost.py)
    assert announced.startswith("Se van a corregir 3 entregas"), announced
    first_line = grader.stdout.readline()  # one submission graded, the next ones under way
    helpers = psutil.Process(grader.pid).children(recursive=True)  # Dask workers, their kernels
    grader.kill()
    grader.wait()
    left = survivors(helpers)
    assert helpers, "the grader had started its workers"
    resumed = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return KilledRun(course, first_line, left, resumed)


def test_a_run_killed_halfway_resumes_without_losing_or_duplicating_grades(killed_and_resumed):
    """After kill -9 of the grader in the middle of a class, do its workers and kernels die with it, and does
    the next run grade only the rest, once each, giving every test cell of every submission its right score?"""
    run = killed_and_resumed
    assert " 1/3 · " in run.first_line and "puntos automáticos" in run.first_line
    assert not run.helpers_left
    first, score = run.first_line.split(" · ")[-1].split(" puntos automáticos")[0].split(": ")
    assert f"{first}: {score} puntos automáticos (ya corregida, sin cambios)" in run.resumed
    assert 1 <= sum("ya corregida" in line for line in run.resumed.splitlines()) < len(SCENARIOS)
    assert [row["alumno"] for row in rows(run.course)] == list(SCENARIOS)
    with Gradebook(f"sqlite:///{run.course / 'gradebook.db'}", "curso-dl") as gradebook:
        assert sorted(s.student.id for s in gradebook.assignment_submissions(ASSIGNMENT)) == list(SCENARIOS)
    for student, scenario in SCENARIOS.items():
        cells = cell_scores(run.course, ASSIGNMENT, student)
        assert {name for name, (got, top) in cells.items() if got < top} == P2.scenarios[scenario].lost, student


def test_a_regrade_on_one_worker_gives_byte_identical_grades_and_accuracies(killed_and_resumed):
    """Does grading the same class again, on 1 worker instead of 2, give byte-identical grade files, the same
    score in every test cell and the same accuracies in the evidence of each scoring submission?"""
    course = killed_and_resumed.course
    before = graded_state(course)
    grade(root=course, assignment=ASSIGNMENT, profile="rapido", force=True, workers=1, progress=lambda line: None)
    after = graded_state(course)
    assert after == before
    assert all(after["histories"].values()), "each scoring submission handed its training runs over"


def graded_state(course: Path) -> dict:
    """Grade files, per-cell scores, and the training histories each scoring submission handed over."""
    return {
        "files": [(course / "calificaciones" / name).read_bytes() for name in (f"{ASSIGNMENT}.csv", "moodle.csv")],
        "cells": {student: cell_scores(course, ASSIGNMENT, student) for student in SCENARIOS},
        "histories": {student: recorded_histories(course / "autograded" / student / ASSIGNMENT)
                      for student, scenario in SCENARIOS.items() if scenario != "sin_cambios"},
    }


def recorded_histories(folder: Path) -> list[str]:
    """Every training history (losses and accuracies per epoch) the kernel handed over, as sorted JSON."""
    records = (json.loads(path.read_text(encoding="utf-8")) for path in (folder / EVIDENCE_DIR).rglob(FIT_FILE))
    return sorted(json.dumps(record["history"], sort_keys=True) for record in records)


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
