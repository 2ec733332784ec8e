"""Several assignments in one batch: one cluster, every submission handed out longest first, each graded into its own
assignment, after one line that says how many, on how many workers and how long.

The cluster is replaced by one that runs nothing (every task "crashes"): what is checked is what the driver hands out
and where each result goes, not the grading itself (tests/test_scenarios.py and tests/test_resume.py grade for real)."""

import contextlib
import csv

import pytest

from autograder.pipeline.run import batch
from autograder.pipeline.run.cost import COST, duration, expected_wall
from tests.conftest import submit
from tests.scenarios import tables

P1, P2, *_ = tables()


class IdleClient:
    """A Dask client of two one-thread workers that sees the course."""

    def nthreads(self):
        return {"trabajador-1": 1, "trabajador-2": 1}

    def run(self, function, *args, **kwargs):
        return {worker: function(*args, **kwargs) for worker in self.nthreads()}


@pytest.fixture
def handed_out(monkeypatch):
    """The job keys the batch hands to the cluster, in order; each comes back as a crashed task."""
    keys = []

    @contextlib.contextmanager
    def idle_client(**options):
        yield IdleClient()

    def run_each(*, client, function, jobs, resources=None):
        keys.extend(jobs)
        for key in jobs:
            yield key, RuntimeError("el trabajador murió")

    monkeypatch.setattr(batch, "dask_client", idle_client)
    monkeypatch.setattr(batch, "run_each", run_each)
    return keys


def test_two_assignments_are_one_batch_longest_first_each_in_its_own_gradebook(course, handed_out):
    """Are the submissions of both assignments handed out together, the complete ones first and the broken one last,
    announced once, named with their assignment in the progress, and each written to its own assignment's CSV?"""
    submit(course, P1.assignment, "ana", P1.notebook("cuaderno_roto").read_text(encoding="utf-8"))
    submit(course, P1.assignment, "bea", P1.notebook("solucion").read_text(encoding="utf-8"))
    submit(course, P2.assignment, "ana", P2.notebook("sin_cambios").read_text(encoding="utf-8"))
    submit(course, P2.assignment, "bea", P2.notebook("solo_ejercicio_1").read_text(encoding="utf-8"))
    submit(course, P2.assignment, "carla", P2.notebook("solucion").read_text(encoding="utf-8"))
    lines, announced = [], []
    results = batch.grade_assignments(root=course, students={P1.assignment: None, P2.assignment: None},
                                      profile="rapido", progress=lines.append, announce=announced.append)
    cost = {assignment: COST[assignment]["rapido"].complete for assignment in (P1.assignment, P2.assignment)}
    complete = sorted([(P1.assignment, "bea"), (P2.assignment, "carla")], key=lambda key: -cost[key[0]])
    assert handed_out == [*complete, (P2.assignment, "bea"), (P2.assignment, "ana"), (P1.assignment, "ana")]
    assert len(announced) == 1 and announced[0].startswith(
        "Se van a corregir 5 entregas de 2 prácticas (perfil rápido) con 2 trabajadores: ")
    assert len(lines) == 5 and all(f"({assignment}): " in line for line, (assignment, _) in zip(lines, handed_out))
    assert {assignment: [r.student for r in graded] for assignment, graded in results.items()} == {
        P1.assignment: ["ana", "bea"], P2.assignment: ["ana", "bea", "carla"]}
    for assignment, students in (("p1_normalizacion", {"ana", "bea"}), ("p2_aspectos_practicos", {"ana", "bea", "carla"})):
        with (course / "calificaciones" / f"{assignment}.csv").open(encoding="utf-8") as handle:
            assert {row["alumno"] for row in csv.DictReader(handle)} == students


def test_one_assignment_announces_itself_and_names_only_the_student(course, handed_out):
    """Does grading one assignment announce it by name, and keep the progress lines as they were (student only)?"""
    submit(course, P1.assignment, "ana", P1.notebook("cuaderno_roto").read_text(encoding="utf-8"))
    lines, announced = [], []
    batch.grade(root=course, assignment=P1.assignment, profile="rapido", progress=lines.append,
                announce=announced.append)
    assert announced == ["Se van a corregir 1 entrega de p1_normalizacion (perfil rápido) con 2 trabajadores: "
                         f"{duration(expected_wall(seconds=[0.0], workers=2))}."]
    assert len(lines) == 1 and " · ana: " in lines[0] and "p1_normalizacion" not in lines[0]
