"""What `autograder corregir` says before grading when the machine cannot apply a protection the course sets."""

from __future__ import annotations

from autograder.pipeline.run.batch import sandbox_notices
from autograder.pipeline.run.dask_cluster import dask_client
from autograder.sandbox import probe


def test_a_machine_without_namespaces_is_named_in_spanish(monkeypatch, tmp_path):
    """With no unshare on the PATH, does the notice say that the kernels run without their PID and network namespaces?"""
    monkeypatch.setenv("PATH", str(tmp_path))
    notice = probe.notice({})
    assert notice.startswith("Aviso: en esta máquina los núcleos de los alumnos se ejecutarán sin: ")
    assert "espacio de nombres de PID" in notice and "espacio de nombres de red" in notice


def test_a_disabled_sandbox_is_said_without_running_anything():
    """Does c.Sandbox.enabled = False give its own notice?"""
    assert "sin aislamiento (c.Sandbox.enabled = False)" in probe.notice({"enabled": False})


def test_the_workers_notice_comes_once_however_many_workers(monkeypatch, tmp_path):
    """Do two workers that lack the same protections give one notice, not one per worker?"""
    monkeypatch.setenv("PATH", str(tmp_path))  # the workers inherit it
    with dask_client(workers=2) as client:
        notices = sandbox_notices(client, {"max_processes": 100})
    assert len(notices) == 1
    assert "espacio de nombres de red" in notices[0]
