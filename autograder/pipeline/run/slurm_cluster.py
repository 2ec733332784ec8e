"""Grading on Slurm: N jobs, each one single-threaded Dask worker running this environment's Python.

The scheduler runs in the grading process; the jobs reach it over the network
and are cancelled when grading ends, whatever ends it (the end of the batch,
an error, Ctrl+C). If the grading process is killed outright, each worker
loses its scheduler and closes, which ends its job (within seconds here).
"""

from __future__ import annotations

import contextlib
import logging
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from traitlets import Integer, List, Unicode
from traitlets.config import Config, Configurable

from autograder.pipeline.course import KERNEL_ENV, CourseError, same_numbers_on_any_cpu
from autograder.pipeline.run.gpu_workers import gpu_settings, slurm_job_options


class Slurm(Configurable):
    """The Slurm jobs of ``autograder corregir --slurm N`` (``c.Slurm.*`` in ``nbgrader_config.py``)."""

    partition = Unicode(
        None, allow_none=True,
        help="Partición (cola) de Slurm de los trabajos (#SBATCH -p). None: la partición por defecto del clúster.",
    ).tag(config=True)
    account = Unicode(
        None, allow_none=True,
        help="Cuenta de Slurm a la que se cargan las horas de los trabajos (#SBATCH -A). None: la de quien corrige.",
    ).tag(config=True)
    memory = Unicode(
        "4GB",
        help="Memoria de cada trabajo (#SBATCH --mem), p. ej. \"4GB\": un núcleo que entrena las prácticas con "
        "los datos completos llega a unos 3.100 MB reales, más el trabajador de Dask y nbgrader.",
    ).tag(config=True)
    walltime = Unicode(
        "04:00:00",
        help="Tiempo máximo de cada trabajo (#SBATCH -t, HH:MM:SS). Cada trabajador corrige una entrega tras "
        "otra hasta que acaba la tanda: pide el tiempo de toda la tanda entre los trabajadores, con margen. "
        "Si Slurm termina un trabajo a medias, su entrega pasa a otro trabajador; si no queda ninguno durante "
        "start_timeout segundos, las que faltan quedan sin corregir y se corrigen en la siguiente ejecución.",
    ).tag(config=True)
    job_extra_directives = List(
        Unicode(),
        help="Otras opciones de #SBATCH para cada trabajo, p. ej. [\"--qos=docencia\", \"--constraint=avx2\"].",
    ).tag(config=True)
    job_script_prologue = List(
        Unicode(),
        help="Órdenes de shell que cada trabajo ejecuta antes de arrancar su trabajador, p. ej. "
        "[\"module load cuda/12\"]. El kit ya fija las variables de TensorFlow de sus trabajadores locales.",
    ).tag(config=True)
    interface = Unicode(
        None, allow_none=True,
        help="Interfaz de red por la que los trabajos hablan con el planificador de Dask, que corre en la máquina "
        "desde la que se corrige (p. ej. \"ib0\" o \"eth0\"). None: la que elige Dask.",
    ).tag(config=True)
    start_timeout = Integer(
        600,
        help="Segundos que se espera a que Slurm arranque los trabajos. Pasado ese tiempo se corrige con los que "
        "ya estén en marcha (los que lleguen después se suman); si no hay ninguno, se para con un error. También: "
        "cuánto se espera, si todos los trabajos terminan (walltime), antes de dejar sin corregir lo que falta.",
    ).tag(config=True)


def slurm_settings(config: Config | None) -> Slurm:
    return Slurm(config=config or Config())


def worker_environment() -> dict[str, str]:
    """The variables the kit sets for its local workers, which each Slurm job exports before its worker starts."""
    return {**KERNEL_ENV, **same_numbers_on_any_cpu()}


def slurm_cluster_options(*, settings: Slurm, config: Config | None, log_directory: Path | None) -> dict:
    """The keyword arguments of dask-jobqueue's ``SLURMCluster``: one single-threaded worker process per job."""
    gpu = slurm_job_options(gpu_settings(config))
    exports = [f"export {name}={shlex.quote(value)}" for name, value in worker_environment().items()]
    return dict(
        cores=1, processes=1, memory=settings.memory, walltime=settings.walltime,
        queue=settings.partition, account=settings.account,
        python=sys.executable,  # the course's environment: the same Python, on a shared filesystem
        job_name="autograder",
        job_extra_directives=[*settings.job_extra_directives, *gpu["job_extra_directives"]],
        job_script_prologue=[*exports, *settings.job_script_prologue, *gpu["job_script_prologue"]],
        worker_extra_args=gpu["worker_extra_args"],
        interface=settings.interface,
        log_directory=str(log_directory) if log_directory else None,
        silence_logs=logging.CRITICAL,  # Dask's own lines stay off the instructor's console, as with local workers
        scheduler_options={"dashboard_address": ":0"},  # no fixed port: another grader may hold 8787
    )


@contextlib.contextmanager
def slurm_cluster(*, jobs: int, config: Config | None = None, log_directory: Path | None = None):
    """A ``SLURMCluster`` asked for ``jobs`` jobs; every job is cancelled on the way out."""
    if jobs < 1:
        raise CourseError("Con --slurm hace falta al menos un trabajo.")
    SLURMCluster = slurm_cluster_class()
    if not shutil.which("sbatch"):
        raise CourseError("No se encuentra la orden sbatch: --slurm corrige desde una máquina que envía trabajos "
                          "a Slurm (un nodo de acceso del clúster).")
    if log_directory:
        Path(log_directory).mkdir(parents=True, exist_ok=True)
    cluster = SLURMCluster(**slurm_cluster_options(settings=slurm_settings(config), config=config,
                                                   log_directory=log_directory))
    try:
        _test_submission(cluster.job_script())
        cluster.scale(jobs=jobs)
        yield cluster
    finally:
        cluster.close()


def slurm_cluster_class():
    """dask-jobqueue's ``SLURMCluster``, imported without letting it take Ctrl+C over.

    Importing dask-jobqueue 0.9 makes SIGINT call ``sys.exit()`` (its ``runner`` module does so for its own
    processes): Ctrl+C would end the grader with status 0 and without its Spanish message.
    """
    on_ctrl_c = signal.getsignal(signal.SIGINT)
    try:
        from dask_jobqueue import SLURMCluster
    except ImportError as error:
        raise CourseError("Para corregir con --slurm hace falta dask-jobqueue en el entorno del curso: "
                          ".venv/bin/pip install -e \".[slurm]\".") from error
    finally:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, on_ctrl_c)
    return SLURMCluster


def _test_submission(script: str) -> None:
    """Slurm's own verdict on the job script (``sbatch --test-only``), before any job is queued."""
    check = subprocess.run(["sbatch", "--test-only"], input=script, capture_output=True, text=True, timeout=60)
    if check.returncode:
        raise CourseError(f"Slurm no acepta los trabajos de los trabajadores (sbatch --test-only): "
                          f"{(check.stderr or check.stdout).strip()}. Revisa c.Slurm.* en nbgrader_config.py.")


def wait_for_workers(client, *, jobs: int, config: Config | None = None) -> None:
    """Wait until Slurm has started the ``jobs`` workers, or at least one of them after ``c.Slurm.start_timeout``."""
    timeout = slurm_settings(config).start_timeout
    try:
        client.wait_for_workers(jobs, timeout=timeout)
    except TimeoutError:
        if not client.nthreads():
            raise CourseError(
                f"Slurm no arrancó ningún trabajador en {timeout} s: mira la cola (squeue) y los registros de los "
                "trabajos en logs/<práctica>/trabajadores/slurm/."
            ) from None
