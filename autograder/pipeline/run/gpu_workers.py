"""Grading on GPUs: each worker declares one GPU (a Dask resource), and each grading task asks for one.

A worker that holds a GPU has its device in ``AUTOGRADER_GPU``; the kernels it
starts see that device alone (``autograder.sandbox.gpu``). Untested on a real
GPU: the project's machines have none (see README).
"""

from __future__ import annotations

import os

from distributed import WorkerPlugin
from traitlets import Bool, List, Unicode
from traitlets.config import Config, Configurable

from autograder.pipeline.course import CourseError
from autograder.sandbox.gpu import DEVICE_ENV

RESOURCE = "GPU"  # the Dask worker resource a GPU worker declares, one per worker


class Gpu(Configurable):
    """Grading on NVIDIA GPUs (``c.Gpu.*`` in ``nbgrader_config.py``)."""

    enabled = Bool(
        False,
        help="Corregir en GPU: cada trabajador de Dask declara una GPU (recurso «GPU» de Dask) y cada entrega "
        "pide una, así que solo la corrigen trabajadores con GPU. El núcleo del alumno ve solo la GPU de su "
        "trabajador (CUDA_VISIBLE_DEVICES) y TensorFlow reserva su memoria según la necesita "
        "(TF_FORCE_GPU_ALLOW_GROWTH); los hilos (c.Sandbox.cpu_threads) y oneDNN siguen como en CPU. Necesita "
        "TensorFlow con CUDA en el entorno del curso y c.Sandbox.memory_mb = None (ver README).",
    ).tag(config=True)
    devices = List(
        Unicode(),
        default_value=["0"],
        help="En esta máquina (sin --slurm ni --planificador): las GPU con las que se corrige, por su índice "
        "de CUDA (el de nvidia-smi), p. ej. [\"0\", \"1\"]. Un trabajador por GPU; con --trabajadores N mayor, "
        "los trabajadores se reparten las GPU por turno.",
    ).tag(config=True)
    slurm_gres = Unicode(
        "gpu:1",
        help="Con --slurm: la GPU que pide cada trabajo a Slurm (#SBATCH --gres=...), p. ej. \"gpu:a100:1\". "
        "Slurm fija CUDA_VISIBLE_DEVICES en el trabajo, y sus núcleos usan esa GPU.",
    ).tag(config=True)


def gpu_settings(config: Config | None) -> Gpu:
    return Gpu(config=config or Config())


def check_gpu_settings(config: Config | None) -> None:
    """A GPU course must not cap the kernel's virtual memory: CUDA reserves far more address space than it uses."""
    from autograder.sandbox.settings import Sandbox

    memory = Sandbox(config=config or Config()).memory_mb
    if gpu_settings(config).enabled and memory is not None:
        raise CourseError(f"Con c.Gpu.enabled = True pon c.Sandbox.memory_mb = None: CUDA reserva mucha más memoria "
                          f"virtual que los {memory} MB del límite, y TensorFlow no podría usar la GPU.")


def task_resources(config: Config | None) -> dict[str, int] | None:
    """What each grading task asks of its worker: one GPU when the course grades on GPUs, nothing otherwise."""
    return {RESOURCE: 1} if gpu_settings(config).enabled else None


class GpuDevice(WorkerPlugin):
    """Each worker of a local cluster holds one of this machine's GPUs: by its number, in turn."""

    name = "autograder-gpu-device"

    def __init__(self, devices: list[str]):
        self.devices = list(devices)

    def setup(self, worker) -> None:
        os.environ[DEVICE_ENV] = self.devices[int(worker.name) % len(self.devices)]


def slurm_job_options(gpu: Gpu) -> dict[str, list[str]]:
    """What each Slurm job adds for a GPU: the request, the worker's resource and its device (Slurm's choice)."""
    if not gpu.enabled:
        return {"job_extra_directives": [], "worker_extra_args": [], "job_script_prologue": []}
    return {
        "job_extra_directives": [f"--gres={gpu.slurm_gres}"],
        "worker_extra_args": ["--resources", f"{RESOURCE}=1"],
        "job_script_prologue": [f'export {DEVICE_ENV}="${{CUDA_VISIBLE_DEVICES:-}}"'],
    }


def workers_without_gpu(resources: dict[str, dict]) -> list[str]:
    """The workers (address: declared resources) that hold no GPU."""
    return sorted(worker for worker, declared in resources.items() if declared.get(RESOURCE, 0) < 1)
