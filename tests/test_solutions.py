"""The committed reference solutions: executed on the full data, every check passing."""

import nbformat
import pytest

from autograder.pipeline.course import assignments
from tests.conftest import ROOT

SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def test_every_assignment_has_a_solution():
    """Is there an executed solution for every assignment in source/?"""
    assert [p.stem for p in SOLUTIONS] == assignments(ROOT)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_the_solution_ran_on_full_data_without_errors(path):
    """Was every code cell run, with no error (so every hidden check passed), on the 60,000 training images?"""
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert not errors, errors[0]["evalue"] if errors else ""
    text = "".join(o.get("text", "") for cell in code for o in cell.outputs)
    assert "(60000, " in text  # the training images as the notebook loads them
