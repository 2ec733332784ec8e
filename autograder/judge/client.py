"""What the pipeline calls to have a notebook's hidden checks judged: a fork server started once per process.

``run_verdicts`` sends one :class:`JudgeRequest` per notebook to this
process's ``python -m autograder.judge.server`` and reads back one verdict per
grade cell; a crash or a timeout of the judge fails every cell of that
notebook with a Spanish reason, never the batch.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from autograder.grading_context import GradingContext
from autograder.judge.request import JudgeRequest
from autograder.sandbox.settings import thread_environment

JUDGE_THREADS = 1  # the judge's own numbers (a model's test accuracy) never depend on the machine or its load
VERDICTS_FAILED = "El corrector no pudo evaluar las comprobaciones ocultas de este cuaderno ({why})."


def run_verdicts(evidence: Path, plan: list[dict], timeout: int, context: GradingContext) -> dict[str, dict]:
    """Judge ``plan`` on ``evidence`` in ``context``, outside this process; a crash or timeout fails every cell."""
    if not plan:
        return {}
    with tempfile.TemporaryDirectory() as scratch:
        plan_file, out = Path(scratch) / "plan.json", Path(scratch) / "verdicts.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        why = _JUDGE.judge(JudgeRequest(str(evidence), str(plan_file), str(out), context), timeout)
        if why is None:
            try:
                return json.loads(out.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                why = type(error).__name__
    return {cell["cell"]: {"reason": VERDICTS_FAILED.format(why=why), "values": []} for cell in plan}


def _judge_environment() -> dict[str, str]:
    """The grader's environment with the judge's fixed thread counts (the judge is a process of its own)."""
    return {**os.environ, **thread_environment(JUDGE_THREADS)}


class _JudgeServer:
    """This process's ``python -m autograder.judge.server``: started once, it forks a judge per notebook.

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

        python -c "
        import multiprocessing as m, time; from pathlib import Path
        from autograder.grading_context import GradingContext; ctx = GradingContext('p1_normalizacion', 'rapido')
        from autograder.judge.server import judge; from autograder.judge.client import run_verdicts
        c = m.get_context('forkserver'); c.set_forkserver_preload(['autograder.judge.server'])
        def once(): p = c.Process(target=judge, args=('/nonexistent', [], ctx)); p.start(); p.join()
        once(); t = time.perf_counter(); [once() for _ in range(10)]
        print(f'multiprocessing forkserver: {(time.perf_counter() - t) * 100:.0f} ms')
        plan = [{'cell': 'c', 'index': 0, 'key': '0' * 24, 'calls': [{'check': 'check_scaled', 'args': {}, 'kwargs': {}}]}]
        run_verdicts(Path('/nonexistent'), plan, 60, ctx); t = time.perf_counter()
        [run_verdicts(Path('/nonexistent'), plan, 60, ctx) for _ in range(10)]
        print(f'kit fork server: {(time.perf_counter() - t) * 100:.0f} ms')"
    """

    def __init__(self):
        self._process: subprocess.Popen | None = None
        self._replies = b""
        self._lock = threading.Lock()

    def start(self, profile: str) -> None:
        """Start the server if it is not running, so that it imports the checks, Keras and ``profile``'s data
        while a notebook runs."""
        with self._lock:
            self._server(profile)

    def judge(self, request: JudgeRequest, timeout: int) -> str | None:
        """None once the request's ``out`` holds the verdicts, otherwise why not (in Spanish)."""
        deadline = time.monotonic() + timeout
        out_of_time = f"se agotaron los {timeout} s de la evaluación"
        with self._lock:
            try:
                server = self._server(request.context.profile)
                server.stdin.write(request.to_line())
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

    def _server(self, profile: str) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "autograder.judge.server", profile], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
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


def start_judge(context: GradingContext) -> None:
    """Start this process's judge now, so that it gets ready for ``context`` while a notebook runs."""
    _JUDGE.start(context.profile)
