"""The committed student release: up to date with source/, and leaking nothing."""

import filecmp
import re

import nbformat
import pytest

from autograder.pipeline.assign.views import release
from autograder.pipeline.course import assignments
from tests.conftest import ROOT

ASSIGNMENTS = assignments(ROOT)
LEAKS = re.compile(r"BEGIN SOLUTION|END SOLUTION|BEGIN HIDDEN TESTS|END HIDDEN TESTS|autograder")


def released_notebooks():
    return sorted((ROOT / "release").glob("*/*.ipynb"))


def test_regenerating_the_release_changes_nothing(course):
    """Does `autograder publicar` reproduce the committed release/ byte for byte?"""
    release(root=course)
    for assignment in ASSIGNMENTS:
        fresh, committed = course / "release" / assignment, ROOT / "release" / assignment
        comparison = filecmp.dircmp(fresh, committed)
        assert not (comparison.left_only or comparison.right_only), f"{assignment}: ficheros distintos"
        _, mismatch, errors = filecmp.cmpfiles(fresh, committed, comparison.common_files, shallow=False)
        assert not mismatch and not errors, (
            f"release/{assignment} está desactualizado ({mismatch}): ejecuta `autograder publicar {assignment}`"
        )


@pytest.mark.parametrize("notebook", released_notebooks(), ids=lambda p: p.parent.name)
def test_the_release_shows_no_solution_and_no_hidden_test(notebook):
    """Is every solution region, hidden test and mention of the kit's package gone?"""
    assert not LEAKS.search(notebook.read_text(encoding="utf-8"))
    source = nbformat.read(ROOT / "source" / notebook.parent.name / notebook.name, as_version=4)
    released = "\n".join(cell.source for cell in nbformat.read(notebook, as_version=4).cells)
    for cell in source.cells:
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
            assert cell.source not in released, "una respuesta modelo aparece en la versión de alumno"
        for region in re.findall(r"BEGIN (?:SOLUTION|HIDDEN TESTS)\n(.*?)\n\s*### END", cell.source, re.S):
            for line in region.splitlines():
                if len(line.strip()) > 12:  # skip trivial lines such as "return model"
                    assert line.strip() not in released, line


@pytest.mark.parametrize("notebook", released_notebooks(), ids=lambda p: p.parent.name)
def test_the_release_comes_with_its_data_module(notebook):
    """Does each release ship the data entry point it imports, identical to the kit's?"""
    shipped = notebook.parent / "course_data.py"
    assert filecmp.cmp(shipped, ROOT / "autograder" / "course_data.py", shallow=False)
