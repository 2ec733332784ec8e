"""The instructor's loop on a real graded course: `autograder corregir` run as a command, twice, on a copy of p1's
graded scenario batch (the session's ``graded_course``: the reference solution, the untouched release, a broken
notebook and two of the seed's mistakes). The first run regrades two cheap submissions (``--forzar``), so workers and
kernels start; the second finds every submission graded."""

from __future__ import annotations

import csv
import html
import os
import re
import subprocess
import sys

import nbformat
import pytest

from autograder.checks.measured import METADATA_KEY
from autograder.checks.thresholds import THRESHOLDS
from autograder.pipeline.run.batch import WORKER_OUTPUT_LOG
from tests.conftest import GRADED_ASSIGNMENT as ASSIGNMENT
from tests.conftest import cell_scores, copy_course

REGRADED = ("cuaderno_roto", "sin_cambios")
ANNOUNCED = re.compile(r"Se van a corregir 2 entregas de p1_normalizacion \(perfil rápido\) con \d+ trabajador(es)?: "
                       r"(menos de 1 min|cerca de 1 min|unos \d+ min)\.$")
KIT_LINES = re.compile(
    ANNOUNCED.pattern + "|"
    r"\[[█░]+\] \d+/\d+ · .* · \w+: "  # progress
    r"|Calificaciones de p1_normalizacion$|alumno +automático +manual +estado$|\w+ +\d+\.\d\d/"
    r"|Calificaciones en .*p1_normalizacion\.csv$"
    r"|Aviso: en esta máquina los núcleos de los alumnos se ejecutarán sin: "  # only where the OS refuses some
)
NOISE = re.compile(r"onednn|absl|tensorflow|cpu_feature_guard|distributed\.|dask|^[IWE]\d{4} ", re.IGNORECASE)


def _grade(course, *options: str, environment: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "autograder", "--curso", str(course), "corregir", ASSIGNMENT, "--perfil", "rapido",
               *options]
    # The timeout only keeps a hung run from hanging the suite; grading takes a minute at most.
    return subprocess.run(command, cwd=course, capture_output=True, text=True, timeout=1800,
                          env={**os.environ, **(environment or {})})


@pytest.fixture(scope="module")
def graded(graded_course, tmp_path_factory):
    """The course folder and the two runs of `autograder corregir` (their output, stderr after stdout).

    The first run turns TensorFlow's oneDNN on, as TensorFlow itself does on CPUs with AVX-512: every process that
    imports TensorFlow (workers, students' kernels) then prints absl and oneDNN start-up lines, on any CPU."""
    course = copy_course(graded_course, tmp_path_factory.mktemp("informe"))
    runs = [_grade(course, "--alumno", *REGRADED, "--forzar", environment={"TF_ENABLE_ONEDNN_OPTS": "1"}),
            _grade(course)]
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
    return course, runs


def _students(course) -> list[str]:
    return sorted(path.parent.name for path in (course / "submitted").glob(f"*/{ASSIGNMENT}"))


def _feedback(course, student: str) -> str:
    return (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")


def _report(course) -> str:
    return (course / "calificaciones" / f"{ASSIGNMENT}_informe.html").read_text(encoding="utf-8")


def _table(page: str, table_id: str) -> list[list[str]]:
    """The body rows of the page's table ``table_id``, as text."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.DOTALL).group(1)
    return [[html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table) if "<td>" in row]


def test_corregir_prints_only_its_own_spanish_lines(graded):
    """Does `autograder corregir` print only its own lines, no TensorFlow, absl or Dask start-up notices, starting with
    the one that says how many it grades (none when there is nothing to grade)?"""
    _, runs = graded
    for run in runs:
        lines = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
        assert lines
        assert not [line for line in lines if NOISE.search(line)]
        assert [line for line in lines if not KIT_LINES.match(line)] == []
    assert [bool(ANNOUNCED.match(run.stdout.splitlines()[0])) for run in runs] == [True, False]
    assert [sum(bool(ANNOUNCED.match(line)) for line in run.stdout.splitlines()) for run in runs] == [1, 0]


def test_start_up_notices_go_to_the_workers_log(graded):
    """Are the start-up lines TensorFlow printed in the first run (oneDNN on) kept in the course's logs?"""
    course, _ = graded
    kept = (course / "logs" / ASSIGNMENT / WORKER_OUTPUT_LOG).read_text(encoding="utf-8", errors="replace")
    assert re.search(r"oneDNN custom operations are on", kept)


def test_the_report_links_its_charts_and_the_similarity_page(graded):
    """Is there one report page whose every image and link is a file written next to it?"""
    course, _ = graded
    folder, page = course / "calificaciones", _report(course)
    linked = re.findall(r'(?:src|href)="([^"#]+)"', page)
    assert {f"{ASSIGNMENT}_{name}" for name in ("comprobaciones.png", "histograma.png", "exactitud.png", "tiempos.png",
                                               "comprobaciones.csv", "similitud.html")} <= set(linked)
    for name in linked:
        assert (folder / name).stat().st_size > 0
        if name.endswith(".png"):
            assert (folder / name).read_bytes().startswith(b"\x89PNG")


def test_the_checks_the_class_fails_come_first_with_the_sentence_students_read(graded):
    """Is each check's pass rate the share of submissions with all its points, most failed first, and does the check
    only the seed's mistake loses show the sentence that submission's feedback shows?"""
    course, _ = graded
    students = _students(course)
    scores = {student: cell_scores(course, ASSIGNMENT, student) for student in students}
    with (course / "calificaciones" / f"{ASSIGNMENT}_comprobaciones.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    passed = {row["comprobacion"]: int(row["superada_por"]) for row in rows}
    assert passed == {check: sum(scores[s][check][0] >= scores[s][check][1] for s in students) for check in passed}
    assert {int(row["entregas"]) for row in rows} == {len(students)}
    assert [row["porcentaje"] for row in rows] == sorted((row["porcentaje"] for row in rows), key=int)
    lost = [student for student in students if scores[student]["test_normalizacion_3"][0] == 0]
    mistake = next(row for row in rows if row["comprobacion"] == "test_normalizacion_3")
    shown = [student for student in lost if mistake["frase_mas_repetida"] in html.unescape(_feedback(course, student))]
    assert "estadisticas_de_test" in lost and shown and mistake["veces"] == str(len(shown))
    assert "dañado" not in mistake["frase_mas_repetida"], "a notebook that could not be graded says nothing of a check"
    table = _table(_report(course), "comprobaciones")
    assert [row[0] for row in table] == [row["comprobacion"] for row in rows]
    assert table[0][1:3] == [f"{rows[0]['superada_por']} de {len(students)}", f"{rows[0]['porcentaje']} %"]


def test_the_histogram_counts_every_submission_once_in_whole_numbers(graded):
    """Does the score histogram, in one-point bins from 0 to the maximum, count each submission once, in its bin?"""
    course, _ = graded
    counts = {label: int(count) for label, count in _table(_report(course), "histograma")}
    assert list(counts)[0].startswith("0 – ") and list(counts)[-1].endswith(" – 7")  # 4.5 automatic + 2.5 manual
    with (course / "calificaciones" / f"{ASSIGNMENT}.csv").open(encoding="utf-8") as handle:
        totals = [float(row["total"]) for row in csv.DictReader(handle)]
    assert sum(counts.values()) == len(totals) == len(_students(course))
    expected = {label: sum(lower <= total < upper or (total == upper == 7) for total in totals)
                for label, (lower, upper) in ((label, map(float, label.split(" – "))) for label in counts)}
    assert counts == expected


def test_the_final_models_accuracies_are_recorded_against_the_minimum(graded):
    """Are the grader's own accuracy figures kept in the autograded notebook and shown against the minimum?"""
    course, _ = graded
    notebook = nbformat.read(course / "autograded" / "solucion" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    figures = [figure for cell in notebook.cells for figure in cell.metadata.get(METADATA_KEY, [])]
    minimums = THRESHOLDS[ASSIGNMENT]["rapido"]
    assert [(figure["split"], figure["minimum"]) for figure in figures] == [
        ("validación", minimums["valid"]), ("test", minimums["test"])]
    assert all(figure["value"] >= figure["minimum"] for figure in figures)  # the reference solution has every point
    shown = [row for row in _table(_report(course), "exactitud") if row[0] == "solucion"]
    assert [row[2] for row in shown] == [f"{figure['value']:.4f}" for figure in figures]


def test_a_resumed_run_keeps_each_submissions_grading_time(graded):
    """After a second run that skips every submission, does the report still show the time each one took, the
    regraded ones' as the first run printed them?"""
    course, (first, second) = graded
    assert second.stdout.count("ya corregida, sin cambios") == len(_students(course))
    first_times = dict(re.findall(r"· (\w+): .*\((\d+ s)\)$", first.stdout, re.MULTILINE))
    assert sorted(first_times) == sorted(REGRADED)
    shown = dict(_table(_report(course), "tiempos"))
    assert sorted(shown) == _students(course)
    assert {student: shown[student] for student in REGRADED} == first_times
