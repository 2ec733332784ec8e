"""nbgrader steps around the notebook's execution: fresh evidence before, verdicts after.

``ClearEvidence`` removes any ``.evidencia/`` folder a submission brought
along. ``ApplyVerdicts`` reads, from the grader's own copy of each grade
cell, the checks its hidden code calls (``verify.check_...(...)``), has them
judged by a fork of ``python -m autograder.checks.verdict_server`` on what the kernel handed
over, and gives every failed cell an error output with the Spanish reason, so
nbgrader scores it 0 and the feedback says why.
"""

from __future__ import annotations

import ast
import atexit
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Integer

from autograder.checks.failure import CheckFailed
from autograder.checks.measured import METADATA_KEY
from autograder.kernel.layout import EVIDENCE_DIR, cell_key
from autograder.sandbox.settings import thread_environment

RECORDER = "verify"
JUDGE_THREADS = 1  # the judge's own numbers (a model's test accuracy) never depend on the machine or its load
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
            # What the call hands over, literal or not: a call changed in the kernel (an input transformer adding
            # an argument to a hidden cell) hands over something else, and is judged as nothing handed over.
            "arity": len(call.args),
            "keywords": sorted(kw.arg for kw in call.keywords if kw.arg),
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
    """Judge ``plan`` on ``evidence`` outside this process; a crash or timeout fails every cell."""
    if not plan:
        return {}
    with tempfile.TemporaryDirectory() as scratch:
        plan_file, out = Path(scratch) / "plan.json", Path(scratch) / "verdicts.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        why = _JUDGE.judge(evidence, plan_file, out, timeout)
        if why is None:
            try:
                return json.loads(out.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                why = type(error).__name__
    return {cell["cell"]: {"reason": VERDICTS_FAILED.format(why=why), "values": []} for cell in plan}


def _judge_environment() -> dict[str, str]:
    """The grader's environment as it is now (the data profile), with the judge's fixed thread counts."""
    return {**os.environ, **thread_environment(JUDGE_THREADS)}


class _JudgeServer:
    """This process's ``python -m autograder.checks.verdict_server``: started once, it forks a judge per notebook.

    A fork server of the kit's own rather than the standard library's
    (``multiprocessing.get_context("forkserver")`` with ``set_forkserver_preload``),
    because the grader runs in Dask worker processes, which are daemonic
    (``distributed.worker.daemon: True``), and ``multiprocessing`` refuses to
    start a process from one; ``subprocess`` does not. Measured 2026-12-04 on
    the kit's 2-core machine (Python 3.11.7)::

        python -c "import multiprocessing as m; from distributed import Client; \\
          c = Client(n_workers=1, processes=True, dashboard_address=None); \\
          print(c.submit(lambda: m.get_context('forkserver').Process(target=print).start()).result())"
        AssertionError: daemonic processes are not allowed to have children

    Outside Dask both cost the same order per notebook (warm, mean of ten
    judgings of a plan without evidence): 45 ms with ``multiprocessing``'s
    forkserver, 72 ms with this one, far below a notebook's run::

        AUTOGRADER_PROFILE=rapido python -c "
        import multiprocessing as m, time; from pathlib import Path
        from autograder.checks.verdict_server import judge; from autograder.pipeline.run.apply_verdicts import run_verdicts
        c = m.get_context('forkserver'); c.set_forkserver_preload(['autograder.checks.verdict_server'])
        def once(): p = c.Process(target=judge, args=('/nonexistent', [])); p.start(); p.join()
        once(); t = time.perf_counter(); [once() for _ in range(10)]
        print(f'multiprocessing forkserver: {(time.perf_counter() - t) * 100:.0f} ms')
        plan = [{'cell': 'c', 'index': 0, 'key': '0' * 24, 'calls': [{'check': 'check_scaled', 'args': {}, 'kwargs': {}}]}]
        run_verdicts(Path('/nonexistent'), plan, 60); t = time.perf_counter()
        [run_verdicts(Path('/nonexistent'), plan, 60) for _ in range(10)]
        print(f'kit fork server: {(time.perf_counter() - t) * 100:.0f} ms')"
    """

    def __init__(self):
        self._process: subprocess.Popen | None = None
        self._replies = b""
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the server if it is not running, so that it imports the checks and Keras while a notebook runs."""
        with self._lock:
            self._server()

    def judge(self, evidence: Path, plan: Path, out: Path, timeout: int) -> str | None:
        """None once ``out`` holds the verdicts, otherwise why not (in Spanish)."""
        deadline = time.monotonic() + timeout
        out_of_time = f"se agotaron los {timeout} s de la evaluación"
        with self._lock:
            try:
                server = self._server()
                request = {"evidence": str(evidence), "plan": str(plan), "out": str(out), "environment": _judge_environment()}
                server.stdin.write(json.dumps(request).encode() + b"\n")
                server.stdin.flush()
                pid = self._reply(deadline)["pid"]
                try:
                    status = self._reply(deadline)["status"]
                except TimeoutError:
                    os.kill(pid, signal.SIGKILL)
                    self._reply(time.monotonic() + 10)
                    return out_of_time
            except TimeoutError:
                self.stop()
                return out_of_time
            except (OSError, ValueError, KeyError) as error:  # the server itself failed: the next call starts another
                self.stop()
                return type(error).__name__
            return None if status == 0 else f"la evaluación terminó con el código {status}"

    def _server(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "autograder.checks.verdict_server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, bufsize=0, env=_judge_environment(),
            )
            self._replies = b""
        return self._process

    def _reply(self, deadline: float) -> dict:
        """The server's next reply line, waiting until ``deadline`` at most."""
        while b"\n" not in self._replies:
            ready, _, _ = select.select([self._process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError
            chunk = os.read(self._process.stdout.fileno(), 65536)
            if not chunk:
                raise OSError("el proceso de evaluación terminó")
            self._replies += chunk
        line, _, self._replies = self._replies.partition(b"\n")
        return json.loads(line)

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


_JUDGE = _JudgeServer()
atexit.register(_JUDGE.stop)


def failed_check_output(reason: str) -> dict:
    return {
        "output_type": "error",
        "ename": CheckFailed.__name__,
        "evalue": reason,
        "traceback": [f"Comprobación no superada: {reason}"],
    }


class ClearEvidence(NbGraderPreprocessor):
    """Before execution: no evidence but what this run's kernel hands over; meanwhile the judge gets ready."""

    def preprocess(self, nb, resources):
        shutil.rmtree(_evidence_dir(resources), ignore_errors=True)
        _JUDGE.start()
        return nb, resources


class ApplyVerdicts(NbGraderPreprocessor):
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
        verdicts = run_verdicts(evidence, plan, self.timeout)
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
