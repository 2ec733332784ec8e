"""Attacks on the notebook's raw JSON: test and locked cells edited, retyped, deleted, duplicated or
unmarked, grade ids and points changed, another kernelspec, a future nbformat."""

from __future__ import annotations

import copy

from tests.adversarial.hidden_errors import SWALLOW_ERRORS
from tests.adversarial.notebooks import cell_source, find_cell, insert_after, set_source
from tests.adversarial.patched_libraries import REDEFINE_CHECKS


def _retype(cell: dict, cell_type: str) -> None:
    cell["cell_type"] = cell_type
    cell.pop("outputs", None)
    cell.pop("execution_count", None)


def edit_test_cell(notebook: dict) -> None:
    """The wrong answer's test cell emptied, with a checksum that matches its new source."""
    set_source(find_cell(notebook, "test_normalizacion_3"), "# Comprobada.\npass", checksum=True)
    set_source(find_cell(notebook, "test_modelo_nuevo"), "runs = {}\npass", checksum=True)


def edit_locked_cells(notebook: dict) -> None:
    """The locked set-up cell rewritten to swallow every error and redefine the checks, checksum to match."""
    configuration = find_cell(notebook, "configuracion")
    source = cell_source(configuration) + "\n" + SWALLOW_ERRORS + "\n" + REDEFINE_CHECKS
    set_source(configuration, source, checksum=True)


def retype_test_cells(notebook: dict) -> None:
    _retype(find_cell(notebook, "test_normalizacion_3"), "markdown")
    _retype(find_cell(notebook, "test_modelo_nuevo"), "raw")


def delete_test_cells(notebook: dict) -> None:
    """Deleted grade cells: one whose answer is right, one whose answer is wrong, and every later one."""
    deleted = {"test_normalizacion_1", "test_normalizacion_3", "test_modelo_nuevo", "test_reduce_lr_configuracion",
               "test_reduce_lr_comportamiento", "test_early_stopping", "test_exactitud_validacion",
               "test_exactitud_test"}
    notebook["cells"] = [
        cell for cell in notebook["cells"] if cell["metadata"].get("nbgrader", {}).get("grade_id") not in deleted
    ]


def duplicate_locked_cell(notebook: dict) -> None:
    """The test cell of the wrong answer copied (as Jupyter copies: metadata and all), the copy emptied."""
    copied = copy.deepcopy(find_cell(notebook, "test_normalizacion_3"))
    copied["id"] = "copia-de-la-prueba"
    set_source(copied, "# Comprobada.\npass")
    insert_after(notebook, "test_normalizacion_3", copied)


def duplicate_grade_id(notebook: dict) -> None:
    """A code cell of the student's own that claims the grade id of a real test cell, before it."""
    forged = {
        "cell_type": "code", "execution_count": None, "id": "prueba-falsificada", "outputs": [],
        "metadata": {"nbgrader": {"grade": True, "grade_id": "test_normalizacion_3", "locked": False,
                                  "points": 0.5, "schema_version": 3, "solution": True}},
        "source": [],
    }
    set_source(forged, "# La prueba de verdad, según yo.\nprint('comprobada')")
    insert_after(notebook, "normalizacion_3", forged)


def change_points(notebook: dict) -> None:
    for grade_id in ("test_normalizacion_1", "test_normalizacion_3"):
        find_cell(notebook, grade_id)["metadata"]["nbgrader"]["points"] = 100


def unmark_test_cell(notebook: dict) -> None:
    """A test cell turned into an ungraded editable cell (grade false, unlocked), then emptied."""
    cell = find_cell(notebook, "test_normalizacion_3")
    cell["metadata"]["nbgrader"].update(grade=False, locked=False)
    cell["metadata"].pop("editable", None)
    set_source(cell, "pass", checksum=True)


def strip_test_metadata(notebook: dict) -> None:
    """A test cell without nbgrader metadata (a plain cell): nothing restores it."""
    cell = find_cell(notebook, "test_normalizacion_3")
    cell["metadata"] = {}
    set_source(cell, "pass")


def rename_grade_id(notebook: dict) -> None:
    cell = find_cell(notebook, "test_normalizacion_3")
    cell["metadata"]["nbgrader"]["grade_id"] = "mi_prueba"
    set_source(cell, "pass", checksum=True)


def change_kernelspec(notebook: dict) -> None:
    notebook["metadata"]["kernelspec"] = {"display_name": "Bash", "language": "bash", "name": "bash"}
    notebook["metadata"]["language_info"] = {"name": "bash"}


def future_nbformat(notebook: dict) -> None:
    notebook["nbformat"], notebook["nbformat_minor"] = 99, 0
