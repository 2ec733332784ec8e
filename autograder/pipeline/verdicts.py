"""nbgrader steps around the notebook's execution: fresh evidence before, verdicts after.

``ClearEvidence`` removes any ``.evidencia/`` folder a submission brought
along. ``ApplyVerdicts`` reads, from the grader's own copy of each grade
cell, the checks its hidden code calls (``verify.check_...(...)``), has them
judged by ``python -m autograder.checks.verdicts`` on what the kernel handed
over, and gives every failed cell an error output with the Spanish reason, so
nbgrader scores it 0 and the feedback says why.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

from autograder.checks.failure import CheckFailed
from autograder.kernel.layout import EVIDENCE_DIR, cell_key

RECORDER = "verify"
VERDICTS_FAILED = "El corrector no pudo evaluar las comprobaciones ocultas de este cuaderno ({why})."


def hidden_calls(source: str) -> list[dict]:
    """The ``verify.<check>(...)`` calls of a cell, in order, with their literal arguments."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    calls = [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name) and node.func.value.id == RECORDER
    ]
    return [
        {
            "check": call.func.attr,
            "args": {str(i): ast.literal_eval(arg) for i, arg in enumerate(call.args) if _is_literal(arg)},
            "kwargs": {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg and _is_literal(kw.value)},
        }
        for call in sorted(calls, key=lambda node: (node.lineno, node.col_offset))
    ]


def _is_literal(node) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError):
        return False


def verdict_plan(cells) -> list[dict]:
    """One entry per code cell whose source calls hidden checks, keyed by its grade id (or position)."""
    plan = []
    for index, cell in enumerate(cells):
        calls = hidden_calls(cell.source) if cell.cell_type == "code" else []
        if calls:
            name = cell.metadata.get("nbgrader", {}).get("grade_id") or f"celda {index}"
            plan.append({"cell": name, "index": index, "key": cell_key(cell.source), "calls": calls})
    return plan


def run_verdicts(evidence: Path, plan: list[dict], timeout: int) -> dict[str, dict]:
    """Judge ``plan`` on ``evidence`` in a new Python process; a crash or timeout fails every cell."""
    if not plan:
        return {}
    with tempfile.TemporaryDirectory() as scratch:
        plan_file, out = Path(scratch) / "plan.json", Path(scratch) / "verdicts.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        try:
            subprocess.run(
                [sys.executable, "-m", "autograder.checks.verdicts", str(evidence), str(plan_file), str(out)],
                timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True,
            )
            return json.loads(out.read_text(encoding="utf-8"))
        except subprocess.TimeoutExpired:
            why = f"se agotaron los {timeout} s de la evaluación"
        except (subprocess.CalledProcessError, OSError, ValueError) as error:
            why = f"{type(error).__name__}"
    return {cell["cell"]: {"reason": VERDICTS_FAILED.format(why=why), "values": []} for cell in plan}


def failed_check_output(reason: str) -> dict:
    return {
        "output_type": "error",
        "ename": CheckFailed.__name__,
        "evalue": reason,
        "traceback": [f"Comprobación no superada: {reason}"],
    }


class ClearEvidence(NbGraderPreprocessor):
    """Before execution: no evidence but what this run's kernel hands over."""

    def preprocess(self, nb, resources):
        shutil.rmtree(_evidence_dir(resources), ignore_errors=True)
        return nb, resources


class ApplyVerdicts(NbGraderPreprocessor):
    """After execution: each grade cell keeps its points only if its hidden checks pass outside the kernel."""

    timeout = Integer(600, help="Segundos para evaluar las comprobaciones ocultas de un cuaderno.").tag(config=True)

    def preprocess(self, nb, resources):
        evidence = _evidence_dir(resources)
        plan = verdict_plan(nb.cells)
        verdicts = run_verdicts(evidence, plan, self.timeout)
        for entry in plan:
            cell, reason = nb.cells[entry["index"]], verdicts[entry["cell"]]["reason"]
            # A hidden cell shows no value; one there comes from the student's code (a hook printing
            # a fake score), and nbgrader would read it as the cell's grade.
            outputs = [output for output in cell.get("outputs", []) if output.output_type != "execute_result"]
            if reason and not any(output.output_type == "error" for output in outputs):
                outputs.insert(0, nbformat.from_dict(failed_check_output(reason)))
            cell.outputs = outputs
        shutil.rmtree(evidence, ignore_errors=True)
        resources["verdicts"] = verdicts
        return nb, resources


def _evidence_dir(resources) -> Path:
    return Path(resources.get("metadata", {}).get("path") or ".") / EVIDENCE_DIR
