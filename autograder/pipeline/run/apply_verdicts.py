"""nbgrader steps around the notebook's execution: fresh evidence before, verdicts after.

``ClearEvidence`` removes any ``.evidencia/`` folder a submission brought
along. ``ApplyVerdicts`` reads, from the grader's own copy of each grade
cell, the checks its hidden code calls (``verify.check_...(...)``), has them
judged by a fork of ``python -m autograder.judge.server`` on what the kernel handed
over, and gives every failed cell an error output with the Spanish reason, so
nbgrader scores it 0 and the feedback says why.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Instance, Integer

from autograder.checks.failure import CheckFailed
from autograder.checks.measured import METADATA_KEY
from autograder.grading_context import GradingContext
from autograder.judge.client import run_verdicts, start_judge
from autograder.judge.plan import verdict_plan
from autograder.kernel.layout import EVIDENCE_DIR


def failed_check_output(reason: str) -> dict:
    return {
        "output_type": "error",
        "ename": CheckFailed.__name__,
        "evalue": reason,
        "traceback": [f"Comprobación no superada: {reason}"],
    }


class Judging(NbGraderPreprocessor):
    """The steps that prepare and ask for the verdicts, in the grading context the run hands them here."""

    context = Instance(
        GradingContext, allow_none=True,
        help="Contexto de la corrección (práctica y perfil de datos) en que se juzgan las comprobaciones ocultas; "
        "lo pasa cada corrección del kit. Sin él (nbgrader por su cuenta), la práctica del cuaderno con el perfil completo.",
    ).tag(config=True)

    def grading_context(self, resources) -> GradingContext:
        """The context the run handed this step; without one, nbgrader's assignment on the full profile."""
        return self.context or GradingContext(resources.get("nbgrader", {}).get("assignment", ""))


class ClearEvidence(Judging):
    """Before execution: no evidence but what this run's kernel hands over; meanwhile the judge gets ready."""

    def preprocess(self, nb, resources):
        shutil.rmtree(_evidence_dir(resources), ignore_errors=True)
        start_judge(self.grading_context(resources))
        return nb, resources


class ApplyVerdicts(Judging):
    """After execution: each grade cell keeps its points only if its hidden checks pass outside the kernel."""

    timeout = Integer(600, help="Segundos para evaluar las comprobaciones ocultas de un cuaderno.").tag(config=True)
    keep_evidence = Bool(
        False,
        help="Conservar lo que entregó el núcleo (la carpeta .evidencia/ junto al cuaderno en autograded/) "
        "para revisar a mano una nota; la siguiente corrección de la entrega la sustituye.",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        evidence = _evidence_dir(resources)
        plan = verdict_plan(nb.cells)
        verdicts = run_verdicts(evidence, plan, self.timeout, self.grading_context(resources))
        for cell in nb.cells:  # only the judge writes measured figures, never the submission
            cell.metadata.pop(METADATA_KEY, None)
        for entry in plan:
            cell, reason = nb.cells[entry["index"]], verdicts[entry["cell"]]["reason"]
            # A hidden cell shows no value; one there comes from the student's code (a hook printing
            # a fake score), and nbgrader would read it as the cell's grade.
            outputs = [output for output in cell.get("outputs", []) if output.output_type != "execute_result"]
            if reason and not any(output.output_type == "error" for output in outputs):
                outputs.insert(0, nbformat.from_dict(failed_check_output(reason)))
            cell.outputs = outputs
            if figures := verdicts[entry["cell"]].get("measured"):  # for the class report; no bearing on the grade
                cell.metadata[METADATA_KEY] = figures
        if not self.keep_evidence:
            shutil.rmtree(evidence, ignore_errors=True)
        resources["verdicts"] = verdicts
        return nb, resources


def _evidence_dir(resources) -> Path:
    return Path(resources.get("metadata", {}).get("path") or ".") / EVIDENCE_DIR
