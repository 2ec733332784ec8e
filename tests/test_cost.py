"""What grading costs: the measured table, the expected wall time, the line `autograder corregir` starts with, and the
README's table for a class of 100."""

import nbformat
import pytest

from autograder.pipeline.run.cost import (
    ASSIGNMENTS,
    BATCH_WALL,
    CELL_SECONDS,
    COST,
    WORKER_START,
    Cost,
    cell_seconds,
    class_table,
    duration,
    estimate_line,
    expected_wall,
    makespan,
)
from tests.conftest import ROOT


def test_every_assignment_has_a_cost_in_both_profiles_and_its_cells_weighed():
    """Does the table hold, for each assignment of source/, a complete submission that costs more than an untouched one,
    in both profiles, and a weight for each of its answer cells?"""
    assert sorted(path.name for path in (ROOT / "source").iterdir() if path.is_dir()) == sorted(ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        assert set(COST[assignment]) == {"rapido", "completo"}
        for cost in COST[assignment].values():
            assert cost.complete > cost.untouched > 0
        source = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
        answers = {cell.metadata["nbgrader"]["grade_id"] for cell in source.cells
                   if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code"}
        assert set(CELL_SECONDS[assignment]) == answers


def _cell(source: str, *, grade_id: str | None = None, seconds: float | None = None):
    cell = nbformat.v4.new_code_cell(source)
    if grade_id:
        cell.metadata["nbgrader"] = {"solution": True, "grade_id": grade_id, "grade": False, "locked": False}
    if seconds is not None:
        cell.metadata["execution"] = {"iopub.execute_input": "2026-12-04T10:00:00.000000Z",
                                      "shell.execute_reply": f"2026-12-04T10:{int(seconds // 60):02d}:"
                                                             f"{seconds % 60:09.6f}Z"}
    return cell


def test_each_answer_cell_takes_its_own_time_and_the_locked_cells_after_it():
    """Do the cells before the first answer count for none, and does each answer take the time of the cells up to the
    next answer (they run what it defined)?"""
    notebook = nbformat.v4.new_notebook(cells=[
        _cell("datos", seconds=5), _cell("modelo", grade_id="modelo", seconds=1), _cell("fit", seconds=90),
        nbformat.v4.new_markdown_cell("texto"), _cell("final", grade_id="final", seconds=30.5), _cell("sin tiempo"),
    ])
    assert cell_seconds(notebook) == {"modelo": 91.0, "final": 30.5}


def test_a_batch_lasts_until_its_last_worker_is_free():
    """Does the expected wall time hand each job, in order, to the first free worker, so that a long job handed out
    last costs more than handed out first?"""
    assert makespan(seconds=[60] * 5, workers=2) == 180
    assert makespan(seconds=[60] * 5, workers=16) == 60
    assert makespan(seconds=[1, 1, 1, 3], workers=2) == 4
    assert makespan(seconds=[3, 1, 1, 1], workers=2) == 3
    assert makespan(seconds=[], workers=2) == 0
    assert makespan(seconds=[60] * 5, workers=2, start=30) == 210
    assert makespan(seconds=[60], workers=2, start=30) == 90


@pytest.mark.parametrize("seconds, said", [
    (20, "menos de 1 min"), (40, "cerca de 1 min"), (359, "unos 6 min"), (3599, "unas 1 h"),
    (3 * 3600 + 20 * 60, "unas 3 h 20 min"),
    (21 * 3600 + 14 * 60, "unas 21 h"),
])
def test_durations_are_rounded_spanish(seconds, said):
    """Is a duration said in rounded Spanish minutes or hours (whole hours beyond ten)?"""
    assert duration(seconds) == said


def test_the_start_up_line_says_how_many_on_how_many_workers_and_how_long():
    """Does the line say the count, the assignment (or how many), the profile, the workers and the time, and say
    which cost is missing when there is no estimate?"""
    assert estimate_line(counts={"p2_aspectos_practicos": 12}, profile="rapido", workers=2, seconds=360) == (
        "Se van a corregir 12 entregas de p2_aspectos_practicos (perfil rápido) con 2 trabajadores: unos 6 min.")
    assert estimate_line(counts={"p1_normalizacion": 1}, profile="completo", workers=1, seconds=390) == (
        "Se van a corregir 1 entrega de p1_normalizacion (perfil completo) con 1 trabajador: unos 6 min.")
    assert estimate_line(counts={"p1_normalizacion": 4, "p2_aspectos_practicos": 3}, profile="rapido", workers=2,
                         seconds=300).startswith("Se van a corregir 7 entregas de 2 prácticas (perfil rápido)")
    assert estimate_line(counts={"p9_nueva": 3}, profile="rapido", workers=2, seconds=None) == (
        "Se van a corregir 3 entregas de p9_nueva (perfil rápido) con 2 trabajadores (sin estimación de tiempo: "
        "falta el coste de p9_nueva en autograder/pipeline/run/cost.py).")


def test_a_batch_is_expected_to_take_its_best_schedule_times_what_busy_cores_add():
    """Is a batch's expected wall time the best schedule of its jobs (each worker's start-up first) times the measured
    BATCH_WALL, more than the schedule alone and growing with the jobs?"""
    assert BATCH_WALL > 1
    assert expected_wall(seconds=[60] * 5, workers=2) == pytest.approx((WORKER_START + 180) * BATCH_WALL)
    assert expected_wall(seconds=[], workers=2) == 0
    assert expected_wall(seconds=[60] * 7, workers=2) > expected_wall(seconds=[60] * 6, workers=2)


def test_the_class_table_multiplies_one_submission_by_the_class_on_each_core_count():
    """Does the table give, per assignment, one submission's time, the class's core-hours and its expected wall time
    on each number of cores, one submission per core at a time?"""
    table = class_table(cost={"p9_nueva": {"completo": Cost(complete=1800, untouched=10)}}, students=100,
                        cores=(2, 16, 64)).splitlines()
    assert table[0] == "| Práctica | Una entrega | 100 alumnos: horas de núcleo | en 2 núcleos | en 16 núcleos | en 64 núcleos |"
    assert table[2] == "| `p9_nueva` | 30 min | 50 | 30 h 30 min | 4 h 16 min | 1 h 13 min |"  # × BATCH_WALL
    assert len(table) == 3


def test_the_readme_shows_the_class_table_of_the_cost_table():
    """Is the README's table for 100 students the one the cost table gives today (regenerate it when COST changes)?"""
    assert class_table() in (ROOT / "README.md").read_text(encoding="utf-8")
