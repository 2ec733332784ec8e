"""Grading on GPUs, as far as a machine without one can prove it: the resource each worker declares and each task
asks for, and the environment each kernel gets. No CUDA runs here (see README: untested on a real GPU)."""

from __future__ import annotations

import copy
import json
import os

import pytest
from distributed import LocalCluster, get_worker
from traitlets.config import Config

from autograder.pipeline.course import CourseError
from autograder.pipeline.run.dask_cluster import dask_client, run_each
from autograder.pipeline.run.gpu_workers import RESOURCE, task_resources
from autograder.pipeline.run.slurm_cluster import slurm_cluster_class, slurm_cluster_options, slurm_settings
from autograder.sandbox.gpu import DEVICE_ENV, gpu_device_files, kernel_gpu_environment
from autograder.sandbox.settings import THREAD_VARIABLES
from tests.sandbox_kernels import config, course, printed, run  # noqa: F401 (fixtures)


def gpu_config(**settings) -> Config:
    config = Config()
    config.Gpu.enabled = True
    config.Sandbox.memory_mb = None
    for name, value in settings.items():
        setattr(config.Gpu, name, value)
    return config


def what_the_task_holds() -> dict:
    """Run as a grading task: the worker's GPU resource (free now, in all), and what its kernels would add."""
    state = get_worker().state
    return {"free": state.available_resources.get(RESOURCE), "total": state.total_resources.get(RESOURCE),
            "kernel": kernel_gpu_environment(os.environ)}


def test_a_kernel_on_a_gpu_worker_sees_its_device_alone_with_memory_growth():
    """Does a worker holding GPU 1 give its kernels CUDA_VISIBLE_DEVICES=1 and TensorFlow's memory growth, and a
    worker without one nothing at all?"""
    assert kernel_gpu_environment({DEVICE_ENV: "1", "CUDA_VISIBLE_DEVICES": "0,1"}) == {
        "CUDA_VISIBLE_DEVICES": "1", "TF_FORCE_GPU_ALLOW_GROWTH": "true"}
    assert kernel_gpu_environment({"CUDA_VISIBLE_DEVICES": "0,1"}) == {}
    assert kernel_gpu_environment({DEVICE_ENV: ""}) == {}


def test_only_a_gpu_worker_lets_its_kernels_open_the_nvidia_devices(tmp_path):
    """Does the sandbox let a GPU worker's kernels open the NVIDIA device files read-write, and nobody else?"""
    for name in ("nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm"):
        (tmp_path / name).touch()
    devices = str(tmp_path / "nvidia*")
    assert gpu_device_files({DEVICE_ENV: "0"}, devices) == sorted(str(tmp_path / n) for n in
                                                                 ("nvidia-uvm", "nvidia0", "nvidia1", "nvidiactl"))
    assert gpu_device_files({}, devices) == []


@pytest.mark.parametrize("device", ["1", None], ids=["con_gpu", "sin_gpu"])
def test_the_kernel_gets_its_gpu_and_keeps_the_kits_threads_and_onednn(config, course, monkeypatch, device):  # noqa: F811
    """Does a sandboxed kernel started by a worker holding GPU 1 see that device alone with memory growth on,
    while the kit's thread count and oneDNN setting still hold; and on a worker without a GPU, no CUDA variable?"""
    if device:
        monkeypatch.setenv(DEVICE_ENV, device)
    else:
        monkeypatch.delenv(DEVICE_ENV, raising=False)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    config = copy.deepcopy(config)
    config.Sandbox.cpu_threads = 1
    names = ["CUDA_VISIBLE_DEVICES", "TF_FORCE_GPU_ALLOW_GROWTH", "TF_ENABLE_ONEDNN_OPTS", *THREAD_VARIABLES]
    notebook = run(config, course, f"import json, os\nprint(json.dumps({{n: os.environ.get(n) for n in {names!r}}}))")
    seen = json.loads(printed(notebook.cells[0]))
    assert seen == {"CUDA_VISIBLE_DEVICES": device, "TF_FORCE_GPU_ALLOW_GROWTH": "true" if device else None,
                    "TF_ENABLE_ONEDNN_OPTS": "0", **dict.fromkeys(THREAD_VARIABLES, "1")}


def test_local_gpu_workers_each_hold_one_device_and_each_task_asks_for_one():
    """With c.Gpu.enabled and two devices, does each local worker declare one GPU and hold its own device, and does
    each grading task ask for that GPU (the worker's one GPU is taken while the task runs)?"""
    config = gpu_config(devices=["0", "1"])
    with dask_client(config=config) as client:
        declared = client.run_on_scheduler(lambda dask_scheduler: [dict(w.resources) for w in
                                                                    dask_scheduler.workers.values()])
        assert declared == [{RESOURCE: 1}, {RESOURCE: 1}]
        assert sorted(client.run(lambda: os.environ[DEVICE_ENV]).values()) == ["0", "1"]
        jobs = {student: {} for student in ("ana", "bea", "carlos")}
        held = dict(run_each(client=client, function=what_the_task_holds, jobs=jobs, resources=task_resources(config)))
    assert task_resources(config) == {RESOURCE: 1}
    assert all(h["free"] == 0 and h["total"] == 1 for h in held.values()), held
    assert {h["kernel"]["CUDA_VISIBLE_DEVICES"] for h in held.values()} <= {"0", "1"}
    assert all(h["kernel"]["TF_FORCE_GPU_ALLOW_GROWTH"] == "true" for h in held.values())


def test_without_a_gpu_nothing_changes():
    """Without c.Gpu, do workers declare no resource, tasks ask for none, and kernels get no CUDA variable?"""
    assert task_resources(Config()) is None and task_resources(None) is None
    with dask_client(workers=1, config=Config()) as client:
        declared = client.run_on_scheduler(lambda dask_scheduler: [dict(w.resources) for w in
                                                                    dask_scheduler.workers.values()])
        held = dict(run_each(client=client, function=what_the_task_holds, jobs={"ana": {}},
                             resources=task_resources(Config())))
    assert declared == [{}]
    assert held == {"ana": {"free": None, "total": None, "kernel": {}}}


def test_gpu_tasks_on_a_cluster_without_gpu_workers_stop_the_run():
    """With c.Gpu.enabled on a cluster whose workers declare no GPU, does the run stop in Spanish instead of
    leaving every task waiting for a GPU forever?"""
    with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
        with pytest.raises(CourseError, match="ningún trabajador de Dask declara una GPU"):
            with dask_client(scheduler=cluster.scheduler_address, config=gpu_config()):
                pass


def test_each_slurm_job_asks_slurm_for_a_gpu_and_declares_it_to_dask():
    """With c.Gpu.enabled, does each Slurm job script ask for a GPU (--gres), start its worker with a GPU resource
    and hand Slurm's device to the worker; and without it, none of that?"""
    SLURMCluster = slurm_cluster_class()
    for course_config, gpu in ((gpu_config(slurm_gres="gpu:a100:1"), True), (Config(), False)):
        options = slurm_cluster_options(settings=slurm_settings(course_config), config=course_config, log_directory=None)
        with SLURMCluster(**options) as cluster:
            script = cluster.job_script()
        assert ("#SBATCH --gres=gpu:a100:1" in script) is gpu
        assert (f"--resources {RESOURCE}=1" in script) is gpu
        assert (f'export {DEVICE_ENV}="${{CUDA_VISIBLE_DEVICES:-}}"' in script) is gpu
        assert "export TF_ENABLE_ONEDNN_OPTS=" in script and "#SBATCH --cpus-per-task=1" in script
        assert "--nthreads 1" in script


def test_a_gpu_course_that_caps_the_kernels_memory_is_refused():
    """With c.Gpu.enabled and c.Sandbox.memory_mb still set, does the run stop in Spanish before any worker starts
    (CUDA cannot start under that limit)?"""
    config = gpu_config()
    config.Sandbox.memory_mb = 8192
    with pytest.raises(CourseError, match="pon c.Sandbox.memory_mb = None"):
        with dask_client(workers=1, config=config):
            pass
