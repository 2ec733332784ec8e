"""The instructor's loop on a real graded course: `autograder corregir` run as a command, twice (the second
run finds every submission graded), on two example submissions of p1: one complete, one with a mistake.

The course is graded once for the whole module (a p1 notebook takes about a minute to grade)."""

from __future__ import annotations

import csv
import html
import re
import subprocess
import sys

import nbformat
import pytest

from autograder.checks.measured import METADATA_KEY
from autograder.checks.thresholds import THRESHOLDS
from tests.conftest import ROOT, cell_scores, make_course, submit

ASSIGNMENT = "p1_normalizacion"
STUDENTS = ("ana", "bruno")  # all 4.5 points; bruno standardizes the test set with its own statistics
KIT_LINES = re.compile(
    r"\[[█░]+\] \d+/\d+ · .* · (ana|bruno): "  # progress
    r"|Calificaciones de p1_normalizacion$|alumno +automático +manual +estado$|(ana|bruno) +\d+\.\d\d/"
    r"|Calificaciones en .*p1_normalizacion\.csv$"
)
NOISE = re.compile(r"onednn|absl|tensorflow|cpu_feature_guard|distributed\.|dask|^[IWE]\d{4} ", re.IGNORECASE)


def _grade(course) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "autograder", "--curso", str(course), "corregir", ASSIGNMENT, "--perfil", "rapido"]
    # The timeout only keeps a hung run from hanging the suite; grading takes a few minutes at most.
    return subprocess.run(command, cwd=course, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course folder and the two runs of `autograder corregir` (their output, stderr after stdout)."""
    course = make_course(tmp_path_factory.mktemp("informe") / "curso")
    for student in STUDENTS:
        submit(course, ASSIGNMENT, student, (ROOT / "examples" / ASSIGNMENT / f"{student}.ipynb").read_text("utf-8"))
    runs = [_grade(course) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
    return course, runs


def _report(course) -> str:
    return (course / "calificaciones" / f"{ASSIGNMENT}_informe.html").read_text(encoding="utf-8")


def _table(page: str, table_id: str) -> list[list[str]]:
    """The body rows of the page's table ``table_id``, as text."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.DOTALL).group(1)
    return [[html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table) if "<td>" in row]


def test_corregir_prints_only_its_own_spanish_lines(graded):
    """Does `autograder corregir` print only its own lines, no TensorFlow, absl or Dask start-up notices?"""
    _, runs = graded
    for run in runs:
        lines = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
        assert lines
        assert not [line for line in lines if NOISE.search(line)]
        assert [line for line in lines if not KIT_LINES.match(line)] == []


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
    """Do the checks bruno lost head the pass-rate table, each with the Spanish sentence his feedback shows?"""
    course, _ = graded
    lost = [name for name, (score, top) in cell_scores(course, ASSIGNMENT, "bruno").items() if score < top]
    with (course / "calificaciones" / f"{ASSIGNMENT}_comprobaciones.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert lost and [row["comprobacion"] for row in rows[:len(lost)]] == lost
    assert [row["porcentaje"] for row in rows] == ["50"] * len(lost) + ["100"] * (len(rows) - len(lost))
    assert rows[0]["frase_mas_repetida"].startswith("X_test_standardized no recibe la misma transformación")
    table = _table(_report(course), "comprobaciones")
    assert table[0][:3] == [lost[0], "1 de 2", "50 %"] and table[0][3] == f"{rows[0]['frase_mas_repetida']} (1)"


def test_the_histogram_counts_every_submission_once_in_whole_numbers(graded):
    """Does the score histogram, in one-point bins from 0 to the maximum, count each submission once?"""
    course, _ = graded
    counts = {label: int(count) for label, count in _table(_report(course), "histograma")}
    assert list(counts)[0].startswith("0 – ") and list(counts)[-1].endswith(" – 7")  # 4.5 automatic + 2.5 manual
    assert sum(counts.values()) == len(STUDENTS)
    assert counts["4 – 5"] == 1 and counts["3 – 4"] == 1  # ana 4.5, bruno 3.5 (open answers not graded yet)


def test_the_final_models_accuracies_are_recorded_against_the_minimum(graded):
    """Are the grader's own accuracy figures kept in the autograded notebook and shown against the minimum?"""
    course, _ = graded
    notebook = nbformat.read(course / "autograded" / "ana" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    figures = [figure for cell in notebook.cells for figure in cell.metadata.get(METADATA_KEY, [])]
    minimums = THRESHOLDS[ASSIGNMENT]["rapido"]
    assert [(figure["split"], figure["minimum"]) for figure in figures] == [
        ("validación", minimums["valid"]), ("test", minimums["test"])]
    assert all(figure["value"] >= figure["minimum"] for figure in figures)  # ana has every point
    shown = [row for row in _table(_report(course), "exactitud") if row[0] == "ana"]
    assert [row[2] for row in shown] == [f"{figure['value']:.4f}" for figure in figures]


def test_a_resumed_run_keeps_each_submissions_grading_time(graded):
    """After a second run that skips both submissions, does the report still show the time each one took?"""
    course, (first, second) = graded
    assert second.stdout.count("ya corregida, sin cambios") == len(STUDENTS)
    first_times = dict(re.findall(r"· (\w+): .*\((\d+ s)\)$", first.stdout, re.MULTILINE))
    assert sorted(first_times) == sorted(STUDENTS)
    assert dict(_table(_report(course), "tiempos")) == first_times
