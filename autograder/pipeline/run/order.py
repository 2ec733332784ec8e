"""Which submissions take longest to grade, from what each notebook holds: they are handed out first.

A batch ends when its slowest worker does. Handed out in arrival order, a long
notebook that comes last keeps one worker busy while the others idle; longest
first, the short ones fill the gaps at the end (``benchmarks/class_batch.py``
measures both orders on the same class).

The estimate reads the submitted notebook only (no kernel): which answer cells
the student filled in (changed from the release), each weighted by what it cost
in the reference solution's run (``cost.CELL_SECONDS``), between what the
untouched release and the complete solution cost (``cost.COST``). A notebook
nbgrader cannot read costs nothing: it is refused before any kernel starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Hashable

import nbformat

from autograder.pipeline.run.cost import CELL_SECONDS, COST


def estimated_seconds(*, notebook: Path, release: nbformat.NotebookNode | None, assignment: str, profile: str) -> float:
    """Seconds one worker is expected to spend grading ``notebook`` (a share of a complete one if the cost is unknown).

    ``release``: the assignment's student version; without it, every answer cell counts as filled in.
    """
    try:
        submitted = nbformat.read(notebook, as_version=4)
    except Exception:  # not JSON, not a notebook: nbgrader refuses it at once
        return 0.0
    share = answered_share(submitted=submitted, release=release, weights=CELL_SECONDS.get(assignment))
    cost = COST.get(assignment, {}).get(profile)
    if cost is None:
        return share
    return cost.untouched + share * (cost.complete - cost.untouched)


def answered_share(*, submitted: nbformat.NotebookNode, release: nbformat.NotebookNode | None,
                   weights: dict[str, float] | None) -> float:
    """The share (0 to 1) of the solution's cost in the answer cells ``submitted`` changed from ``release``.

    ``weights``: seconds per answer cell (grade_id); without them, every answer cell weighs the same.
    """
    stubs = _answer_cells(release) if release is not None else {}
    answers = _answer_cells(submitted)
    weights = dict(weights) if weights and sum(weights.values()) > 0 else {grade_id: 1.0 for grade_id in stubs or answers}
    total = sum(weights.values())
    if not total:
        return 1.0
    filled = sum(weight for grade_id, weight in weights.items()
                 if grade_id in answers and answers[grade_id] != stubs.get(grade_id))
    return filled / total


def longest_first(estimates: dict[Hashable, float]) -> list[Hashable]:
    """The keys of ``estimates``, longest first; equal estimates keep their order."""
    return sorted(estimates, key=lambda key: -estimates[key])


def _answer_cells(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """{grade_id: source without surrounding blank space} of the notebook's answer (nbgrader ``solution``) cells."""
    cells = {}
    for cell in notebook.get("cells", []):
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if nbgrader.get("solution") and nbgrader.get("grade_id"):
            source = cell.get("source", "")
            cells[nbgrader["grade_id"]] = ("".join(source) if isinstance(source, list) else source).strip()
    return cells
