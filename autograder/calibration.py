"""Calibration runs of a reference solution: the accuracies behind the thresholds of the hidden checks.

The source notebook (solution code included) runs once per seed, re-seeded
after its locked configuration cell; a last cell reports the final model's
accuracy on validation and test as the hidden checks measure it.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat
from nbclient import NotebookClient

from autograder.checks.measures import MEASURED_VARIABLES
from autograder.checks.thresholds import MARGIN
from autograder.grading_context import GradingContext
from autograder.judge.client import run_verdicts
from autograder.judge.plan import verdict_plan
from autograder.kernel.layout import EVIDENCE_DIR
from autograder.pipeline.course import CourseError, grading_context, kernel_environment, load_config


def report_cell(assignment: str) -> str:
    """A last cell that hands the final model over to be measured outside the kernel, as the checks do."""
    variables = ", ".join(f"{name!r}: {name}" for name in MEASURED_VARIABLES[assignment])
    return (
        "from autograder.kernel.evidence import verify\n"
        f"verify.notebook_accuracies({assignment!r}, {{{variables}}})"
    )


@dataclass(frozen=True)
class CalibrationRun:
    seed: int
    valid: float
    test: float
    seconds: float


def calibrate(
    *, root: Path, assignment: str, profile: str, seeds: list[int], progress: Callable[[str], None] = print
) -> list[CalibrationRun]:
    source = Path(root) / "source" / assignment
    if not (source / f"{assignment}.ipynb").exists():
        raise CourseError(f"No existe source/{assignment}/{assignment}.ipynb.")
    runs, config, context = [], load_config(root), grading_context(assignment, profile)
    with kernel_environment(context.profile):
        for seed in seeds:
            runs.append(_run(source, context, seed, config))
            progress(f"semilla {seed}: validación {runs[-1].valid:.4f}, test {runs[-1].test:.4f} ({runs[-1].seconds:.0f} s)")
    return runs


def suggested_thresholds(runs: list[CalibrationRun]) -> dict[str, float]:
    """Lowest accuracy over the runs minus MARGIN, rounded down to the hundredth."""
    return {
        split: math.floor((min(getattr(run, split) for run in runs) - MARGIN) * 100) / 100
        for split in ("valid", "test")
    }


def _run(source: Path, context: GradingContext, seed: int, config) -> CalibrationRun:
    assignment = context.assignment
    notebook = nbformat.read(source / f"{assignment}.ipynb", as_version=4)
    first_code = next(i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code")
    notebook.cells.insert(first_code + 1, nbformat.v4.new_code_cell(f"keras.utils.set_random_seed({seed})"))
    notebook.cells.append(nbformat.v4.new_code_cell(report_cell(assignment)))
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch) / assignment
        shutil.copytree(source, workdir)
        NotebookClient(notebook, config=config, timeout=3600, resources={"metadata": {"path": str(workdir)}}).execute()
        plan = verdict_plan(notebook.cells[-1:])
        verdict = run_verdicts(workdir / EVIDENCE_DIR, plan, timeout=600, context=context)[plan[0]["cell"]]
    if verdict["reason"]:
        raise CourseError(f"No se pudo medir el modelo final con la semilla {seed}: {verdict['reason']}")
    accuracies = verdict["values"][0]
    return CalibrationRun(seed, accuracies["valid"], accuracies["test"], time.monotonic() - started)
