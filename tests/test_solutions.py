"""The committed reference solutions: executed on the full data, every check passing by today's rules."""

import re

import nbformat
import pytest
from nbgrader.utils import determine_grade

from autograder.checks.measured import METADATA_KEY
from autograder.checks.thresholds import THRESHOLDS
from autograder.pipeline.course import assignments
from tests.conftest import ROOT

SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
SPLITS = {"validación": "valid", "test": "test"}  # the judge's Spanish split names (autograder_medidas)

# Where each solution prints the accuracies of the models its final checks judge: per split, the cell
# (its nbgrader id) and a pattern whose first group is the accuracy, as a fraction or in percent.
# p3's validation figure is the worse of its two searches' best trials, as in autograder/checks/thresholds.py.
PRINTED_ACCURACIES = {
    "p1_normalizacion": {"valid": [("modelo_final", r"Exactitud en validación: ([\d.]+)")],
                         "test": [("modelo_final", r"Exactitud en test: ([\d.]+)")]},
    "p2_aspectos_practicos": {"valid": [("modelo_final", r"mejor accuracy en validación: ([\d.]+)")],
                              "test": [("evaluacion_test", r"Accuracy en test: ([\d.]+)")]},
    "p3_ajuste_entrenamiento": {"valid": [("busqueda_lr", r"Precisión: ([\d.]+)%"),
                                          ("busqueda_planificador", r"Precisión: ([\d.]+)%")],
                                "test": [("modelo_final", r"Precisión: ([\d.]+)%")]},
    "p4_ajustes_del_modelo": {"valid": [("ejercicio_8", r"exactitud en validación ([\d.]+)%")],
                              "test": [("ejercicio_8", r"en test ([\d.]+)%")]},
}


def read(path):
    return nbformat.read(path, as_version=4)


def printed(cell) -> str:
    return "".join(output.get("text", "") for output in cell.outputs)


def cell_named(notebook, grade_id: str):
    return next(cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def printed_accuracy(notebook, cell_id: str, pattern: str) -> float:
    found = re.search(pattern, printed(cell_named(notebook, cell_id)))
    assert found, f"{cell_id} ya no escribe «{pattern}»"
    value = float(found.group(1))
    return value / 100 if pattern.endswith("%") else value


def test_every_assignment_has_a_solution():
    """Is there an executed solution for every assignment in source/?"""
    assert [p.stem for p in SOLUTIONS] == assignments(ROOT)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_the_solution_ran_on_full_data_without_errors(path):
    """Was every code cell run, with no error (so every hidden check passed), on the 60,000 training images?"""
    code = [cell for cell in read(path).cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert not errors, errors[0]["evalue"] if errors else ""
    assert "(60000, " in "".join(printed(cell) for cell in code)  # the training images as the notebook loads them


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_nbgrader_gives_every_grade_cell_of_the_solution_its_points(path):
    """Does nbgrader, reading the solution's recorded outputs, give each autograded cell all of its points?"""
    graded = [cell for cell in read(path).cells
              if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")]
    assert graded
    scores = {cell.metadata.nbgrader.grade_id: determine_grade(cell) for cell in graded}
    short = {grade_id: score for grade_id, score in scores.items() if score[0] != score[1]}
    assert not short, short


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_the_solutions_accuracies_pass_todays_full_data_thresholds(path):
    """Do the final models' accuracies the solution recorded (printed, and measured by the judge where it wrote
    them) reach today's minimums of the full profile, so that today's checks would pass them?"""
    notebook, minimums = read(path), THRESHOLDS[path.stem]["completo"]
    accuracies = [(split, printed_accuracy(notebook, cell_id, pattern))
                  for split, places in PRINTED_ACCURACIES[path.stem].items() for cell_id, pattern in places]
    accuracies += [(SPLITS[figure["split"]], figure["value"]) for cell in notebook.cells
                   for figure in cell.metadata.get(METADATA_KEY, []) if figure["kind"] == "accuracy"]
    assert {split for split, _ in accuracies} == set(minimums)
    below = [(split, value, minimums[split]) for split, value in accuracies if value < minimums[split]]
    assert not below, below
