"""Building a corpus notebook from an assignment's student release (p1's for most cases), on its raw JSON: the
reference answers, the attack's answers and cells, its edit, and the helpers that find, rewrite and insert cells."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
from nbgrader.utils import compute_checksum

if TYPE_CHECKING:
    from tests.adversarial.cases import Attack

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "p1_normalizacion"
END = ""  # ``cells`` position: after the last cell of the notebook


def find_cell(notebook: dict, grade_id: str) -> dict:
    return next(cell for cell in notebook["cells"] if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def cell_source(cell: dict) -> str:
    return "".join(cell["source"])


def set_source(cell: dict, source: str, checksum: bool = False) -> None:
    """The cell's new source; with ``checksum``, its nbgrader checksum recomputed to match it."""
    cell["source"] = source.strip("\n").splitlines(keepends=True)
    if checksum:
        node = nbformat.from_dict(copy.deepcopy(cell))
        node.source = cell_source(cell)
        cell["metadata"]["nbgrader"]["checksum"] = compute_checksum(node)


def insert_after(notebook: dict, grade_id: str, cell: dict) -> None:
    index = notebook["cells"].index(find_cell(notebook, grade_id))
    notebook["cells"].insert(index + 1, cell)


def _reference_answers(assignment: str) -> dict[str, str]:
    from tests.scenarios import _without_solution_markers

    source = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: _without_solution_markers(cell.source)
        for cell in source.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }


def _new_cell(number: int, source: str) -> dict:
    cell = {"cell_type": "code", "execution_count": None, "id": f"ataque-{number}", "metadata": {}, "outputs": []}
    set_source(cell, source)
    return cell


def build_notebook(attack: Attack) -> str:
    """The attack's notebook file, as text."""
    assignment = attack.assignment
    notebook = json.loads((ROOT / "release" / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8"))
    reference = _reference_answers(assignment)
    answers = {grade_id: reference[grade_id] for grade_id in attack.reference} | attack.answers
    for grade_id, source in answers.items():
        set_source(find_cell(notebook, grade_id), source)
    for number, (after, source) in enumerate(attack.cells, start=1):
        if after == END:
            notebook["cells"].append(_new_cell(number, source))
        else:
            insert_after(notebook, after, _new_cell(number, source))
    if attack.edit:
        attack.edit(notebook)
    text = json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    return text[: len(text) // 2] if attack.truncated else text
