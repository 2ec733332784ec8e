"""A Dask cluster started the way a course would on Slurm or Kubernetes, for the benchmarks.

``dask scheduler`` and ``dask worker --nthreads 1 --nworkers 1`` run as separate
OS processes (this venv's ``dask`` command), on 127.0.0.1; the kit connects to
the scheduler's address as ``autograder corregir --planificador`` would.

    with external_cluster(2, folder) as cluster:
        grade(..., scheduler=cluster.address)
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from distributed import Client
from distributed.system import MEMORY_LIMIT

DASK = Path(sys.executable).with_name("dask")
START_TIMEOUT = 180  # seconds for the scheduler to write its file and every worker to register (2 busy cores)
STOP_TIMEOUT = 20  # seconds between SIGTERM and SIGKILL
# Safety nets should this process die by SIGKILL and leave the cluster behind: the scheduler closes after an hour
# with nothing queued or running, and a worker that cannot reach its scheduler for a minute exits.
IDLE_TIMEOUT = "1h"
DEATH_TIMEOUT = "60s"


@dataclass
class ExternalCluster:
    address: str
    workers: int
    folder: Path
    startup_seconds: float
    processes: list[subprocess.Popen] = field(repr=False)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(sin registro)"


def _start(command: list[str], log: Path) -> subprocess.Popen:
    """A process in a session of its own (a Ctrl-C on the console reaches only the benchmark), output to ``log``."""
    with log.open("w", encoding="utf-8") as handle:
        return subprocess.Popen(command, cwd=log.parent, stdin=subprocess.DEVNULL, stdout=handle,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _failure(text: str, processes: list[tuple[subprocess.Popen, Path]]) -> RuntimeError:
    logs = "\n".join(f"--- {log.name} (código {process.poll()}):\n{_tail(log)}" for process, log in processes)
    return RuntimeError(f"{text}\n{logs}")


def _scheduler_address(path: Path, scheduler: subprocess.Popen, log: Path, deadline: float) -> str:
    """The address the scheduler writes in its ``--scheduler-file`` (rewritten until complete JSON)."""
    while time.monotonic() < deadline:
        if scheduler.poll() is not None:
            raise _failure("El planificador de Dask terminó al arrancar.", [(scheduler, log)])
        with contextlib.suppress(OSError, ValueError, KeyError):
            return json.loads(path.read_text(encoding="utf-8"))["address"]
        time.sleep(0.2)
    raise _failure(f"El planificador de Dask no escribió {path.name} en {START_TIMEOUT} s.", [(scheduler, log)])


def _wait_for_workers(address: str, count: int, started: list[tuple[subprocess.Popen, Path]], deadline: float) -> None:
    """Until ``count`` workers are registered with the scheduler; fails early if one of the processes ended."""
    with Client(address, timeout="30s") as client:
        while True:
            if ended := [(process, log) for process, log in started if process.poll() is not None]:
                raise _failure("Un proceso del clúster de Dask terminó antes de registrarse todos los trabajadores.",
                               ended)
            try:
                client.wait_for_workers(count, timeout=min(2.0, max(0.1, deadline - time.monotonic())))
                return
            except TimeoutError:
                if time.monotonic() >= deadline:
                    registered = len(client.scheduler_info(n_workers=-1)["workers"])
                    raise _failure(f"Solo {registered} de {count} trabajadores de Dask se registraron en "
                                   f"{START_TIMEOUT} s.", started) from None


def _running(items: list[psutil.Process]) -> list[psutil.Process]:
    """Those still running: a zombie (ended, its new parent not yet reaping it) counts as ended."""
    running = []
    for item in items:
        with contextlib.suppress(psutil.Error):
            if item.status() != psutil.STATUS_ZOMBIE:
                running.append(item)
    return running


def _wait_running(items: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while (running := _running(items)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return running


def stop(processes: list[subprocess.Popen]) -> int:
    """SIGTERM to each process, then SIGKILL to it and to whatever it had started that is still running.

    Only the processes started here get SIGTERM (a nanny told to close closes its worker; a worker killed under
    its nanny would be restarted); their descendants (the nannies' workers, a kernel a stopped task left) are
    listed first, so that none of them outlives the cluster. Returns how many processes needed SIGKILL.
    """
    tree = []
    for process in processes:
        with contextlib.suppress(psutil.Error):
            tree += psutil.Process(process.pid).children(recursive=True)
        if process.poll() is None:
            process.terminate()
    killed = 0
    for process in processes:
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            killed += 1
    left = _wait_running(tree, timeout=5)
    for item in left:
        with contextlib.suppress(psutil.Error):
            item.kill()
    _wait_running(left, timeout=STOP_TIMEOUT)
    return killed + len(left)


@contextlib.contextmanager
def external_cluster(workers: int, folder: Path, say=print):
    """``dask scheduler`` and ``workers`` × ``dask worker``, stopped on leaving (also on errors, Ctrl-C, SIGTERM)."""
    folder.mkdir(parents=True, exist_ok=True)
    started_at = time.monotonic()
    deadline = started_at + START_TIMEOUT
    started: list[tuple[subprocess.Popen, Path]] = []
    # A SIGTERM to the benchmark unwinds through here too, so the cluster is stopped (in the main thread only).
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        scheduler_file = folder / "planificador.json"
        log = folder / "planificador.log"
        started.append((_start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                "--scheduler-file", str(scheduler_file), "--idle-timeout", IDLE_TIMEOUT], log), log))
        address = _scheduler_address(scheduler_file, started[0][0], log, deadline)
        for i in range(1, workers + 1):
            log = folder / f"trabajador-{i}.log"
            local = folder / f"trabajador-{i}"
            local.mkdir(exist_ok=True)
            # The memory limit LocalCluster gives each of ``workers`` processes, for the same behaviour.
            started.append((_start([
                str(DASK), "worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                "--host", "127.0.0.1", "--name", f"trabajador-{i}", "--local-directory", str(local),
                "--memory-limit", str(MEMORY_LIMIT // workers), "--death-timeout", DEATH_TIMEOUT,
            ], log), log))
        _wait_for_workers(address, workers, started, deadline)
        cluster = ExternalCluster(address, workers, folder, time.monotonic() - started_at,
                                  [process for process, _ in started])
        say(f"clúster externo: planificador en {address} y {workers} trabajador{'es' if workers > 1 else ''}"
            f" (procesos {', '.join(str(process.pid) for process, _ in started)}), listos en"
            f" {cluster.startup_seconds:.0f} s")
        yield cluster
    finally:
        # The workers first (they tell the scheduler they leave), the scheduler last, whatever happens.
        killed = 0
        try:
            killed += stop([process for process, _ in started[1:]])
        finally:
            killed += stop([process for process, _ in started[:1]])
            signal.signal(signal.SIGTERM, previous)
        if started:
            say(f"clúster externo: {len(started)} procesos parados"
                + (f" ({killed} con SIGKILL: no terminaron con SIGTERM)" if killed else ""))


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)
