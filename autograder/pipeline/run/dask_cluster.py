"""Dask distributed: a local cluster sized for this machine, Slurm jobs, or an existing cluster, and jobs run on it.

A local cluster has single-threaded worker processes, one job each at a time,
one per core by default. How many threads a student's kernel computes with is
not the cluster's business: the kernel manager fixes it (``c.Sandbox.cpu_threads``),
so that a submission trains to the same numbers on any number of workers.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import socket
import sys
import warnings
from typing import Callable, Iterator

import dask
from distributed import Client, LocalCluster, WorkerPlugin, as_completed
from distributed.utils import silence_logging_cmgr
from traitlets.config import Config

from autograder.pipeline.course import CourseError
from autograder.pipeline.run.gpu_workers import RESOURCE, GpuDevice, check_gpu_settings, gpu_settings, workers_without_gpu

_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # autograder/
MEMORY_PER_WORKER = 3 * 2**30  # a kernel training on the full data set, and nbgrader around it
CONNECT_TIMEOUT = "30s"


def machine_cores() -> int:
    return len(os.sched_getaffinity(0))


def default_workers() -> int:
    """One worker per core, as many as the memory holds."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(1, min(machine_cores(), memory // MEMORY_PER_WORKER))


class OutputToLog(WorkerPlugin):
    """Each worker's standard output and error, and so its kernels', go to the end of the file ``path``.

    What a worker or a student's kernel prints outside Python's logging (TensorFlow's
    and absl's start-up notices, a C library's warnings, a crash's last words) is
    kept for the instructor in the course's logs, never shown on the console.
    """

    name = "autograder-output-to-log"

    def __init__(self, path: str):
        self.path = path

    def setup(self, worker) -> None:
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        log = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.write(1, f"{worker_banner(worker.address)}\n".encode())  # one write: workers share the file
        _keep_kit_messages()


def _keep_kit_messages() -> None:
    """The kit's own messages in a worker (the sandbox's report of the protections in force among them) reach its
    output log, with every warning; nbgrader's routine lines do not.

    nbgrader, nbclient and the kit's kernel manager log through traitlets' logger, which in a worker has no
    handler: only warnings would reach standard error, through Python's last resort.
    """
    logger = logging.getLogger("traitlets")
    for earlier in [h for h in logger.handlers if h.get_name() == OutputToLog.name]:  # a worker of an earlier batch
        logger.removeHandler(earlier)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(OutputToLog.name)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    handler.addFilter(lambda record: record.levelno >= logging.WARNING or record.pathname.startswith(_PACKAGE))
    logger.addHandler(handler)
    logger.setLevel(min(logger.getEffectiveLevel(), logging.INFO))


def worker_banner(address: str) -> str:
    """The line each worker writes first in the output log: where it runs, and in which Slurm job if any."""
    job = os.environ.get("SLURM_JOB_ID")
    return f"--- trabajador {address} en {socket.gethostname()}" + (f", trabajo de Slurm {job}" if job else "") + " ---"


@contextlib.contextmanager
def dask_client(
    *, workers: int | None = None, scheduler: str | None = None, slurm: int | None = None,
    config: Config | None = None, output_log: str | None = None,
):
    """A Dask client: of the cluster whose scheduler is at ``scheduler``, of ``slurm`` Slurm jobs (one
    single-threaded worker each), or of a local cluster of ``workers`` processes.

    ``config``: the course's ``nbgrader_config.py`` (``c.Slurm.*``, ``c.Gpu.*``).
    ``output_log``: the file where every worker's (and its kernels') output goes; the Slurm jobs' own output
    goes to a ``slurm/`` folder beside it (without ``output_log``, to Slurm's default: the current folder).
    """
    check_cluster_options(workers=workers, scheduler=scheduler, slurm=slurm)
    check_gpu_settings(config)
    gpu = gpu_settings(config)
    with contextlib.ExitStack() as stack:
        stack.enter_context(_quiet_dask())
        if scheduler:
            try:
                client = stack.enter_context(Client(scheduler, timeout=CONNECT_TIMEOUT))
            except OSError as error:
                raise CourseError(f"No se pudo conectar con el planificador de Dask en {scheduler}: {error}") from error
        elif slurm:
            from autograder.pipeline.run.slurm_cluster import slurm_cluster, slurm_settings, wait_for_workers

            log_directory = os.path.join(os.path.dirname(output_log), "slurm") if output_log else None
            # Jobs end at their walltime: once none is left, the submissions still waiting fail (and are graded
            # again on the next run) instead of waiting for a worker forever.
            stack.enter_context(dask.config.set(
                {"distributed.scheduler.no-workers-timeout": f"{slurm_settings(config).start_timeout}s"}))
            cluster = stack.enter_context(slurm_cluster(jobs=slurm, config=config, log_directory=log_directory))
            client = stack.enter_context(Client(cluster))
            wait_for_workers(client, jobs=slurm, config=config)
        else:
            workers = workers or (len(gpu.devices) if gpu.enabled else default_workers())
            cluster = stack.enter_context(LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                silence_logs=logging.CRITICAL, resources={RESOURCE: 1} if gpu.enabled else None,
            ))
            client = stack.enter_context(Client(cluster))
            if gpu.enabled:
                client.register_plugin(GpuDevice(gpu.devices))
        if output_log:
            client.register_plugin(OutputToLog(str(output_log)))
        if gpu.enabled:
            _check_gpu_workers(client)
        yield client


def check_cluster_options(*, workers: int | None = None, scheduler: str | None = None, slurm: int | None = None) -> None:
    """At most one way of choosing the cluster, and a sensible number."""
    if slurm is not None and scheduler:
        raise CourseError("--slurm arranca un clúster nuevo y --planificador usa uno ya en marcha: usa solo una de las dos.")
    if slurm is not None and workers is not None:
        raise CourseError("Con --slurm N los trabajadores son N trabajos de Slurm: no uses --trabajadores.")
    if slurm is not None and slurm < 1:
        raise CourseError("Con --slurm hace falta al menos un trabajo.")
    if workers is not None and scheduler:
        raise CourseError("Con --planificador el número de trabajadores lo decide el clúster: no uses --trabajadores.")
    if workers is not None and workers < 1:
        raise CourseError("Hace falta al menos un trabajador.")


def _check_gpu_workers(client) -> None:
    """With c.Gpu.enabled every task asks for a GPU: workers without one would leave the batch waiting forever."""
    declared = client.run_on_scheduler(_declared_resources)
    if len(workers_without_gpu(declared)) == len(declared):
        raise CourseError(
            "c.Gpu.enabled = True, pero ningún trabajador de Dask declara una GPU: arráncalos con "
            f"--resources {RESOURCE}=1 (ver README) o pon c.Gpu.enabled = False."
        )


def _declared_resources(dask_scheduler) -> dict[str, dict]:
    return {address: dict(state.resources) for address, state in dask_scheduler.workers.items()}


def run_each(
    *, client, function: Callable, jobs: dict[str, dict], resources: dict[str, int] | None = None,
) -> Iterator[tuple[str, object]]:
    """``function(**kwargs)`` for every job on the cluster: yields ``(key, result)`` as each one finishes.

    No more jobs are handed to the cluster than it has threads, so a worker
    holds only the job it runs: when a worker dies, no other job dies with it.
    A job that raised, or whose worker died, yields its exception instead of a result.
    ``resources``: what each job needs of its worker (Dask resources, e.g. ``{"GPU": 1}``); then only the
    workers that have them count.
    """
    waiting, keys, running = collections.deque(jobs.items()), {}, as_completed()

    def capacity() -> int:
        if not resources:
            return sum(client.nthreads().values())
        declared = client.run_on_scheduler(_declared_resources)
        return sum(all(has.get(name, 0) >= need for name, need in resources.items()) for has in declared.values())

    def hand_out() -> None:
        while waiting and len(keys) < max(1, capacity()):
            key, kwargs = waiting.popleft()
            future = client.submit(function, pure=False, resources=resources, **kwargs)
            keys[future] = key
            running.add(future)

    hand_out()
    for future in running:
        try:
            outcome = future.result()
        except Exception as error:  # the job's own exception, or Dask's when its worker died
            outcome = error
        key = keys.pop(future)
        hand_out()
        yield key, outcome


@contextlib.contextmanager
def _quiet_dask():
    """Dask's own logs and warnings stay off the instructor's console, its ERROR lines too.

    Dask logs at ERROR what is routine for a batch that ends: a worker's last
    heartbeat reaching a scheduler that has just closed ("Failed to communicate
    with scheduler during heartbeat", dask/distributed#9032). What does go wrong
    reaches the instructor anyway, in Spanish: a job that raised, or whose worker
    died, comes back from ``run_each`` as that submission's reason.
    """
    with silence_logging_cmgr(logging.CRITICAL), warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="distributed")
        yield
