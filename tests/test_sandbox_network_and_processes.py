"""The student's kernel offline and apart from the grader: no network, no signals out, nothing outliving it."""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import signal

import pytest
from traitlets.log import get_logger

from tests.sandbox_kernels import (  # noqa: F401 (fixtures)
    NAMESPACES,
    config,
    course,
    errors,
    landlock_abi,
    printed,
    require,
    run,
    started_kernel,
    survivors,
)


@pytest.fixture(scope="module")
def probed(config, course):
    """One sandboxed kernel tries to connect out and to signal the grader."""
    return run(config, course, "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=5)",
               f"import os\nos.kill({os.getpid()}, 0)")


def test_a_network_call_from_the_kernel_fails(probed):
    """Does a network call from the student's kernel fail?"""
    require(NAMESPACES, landlock_abi(4))
    assert errors(probed.cells[0]) == ["OSError"]


def test_the_kernel_cannot_signal_the_grader(probed):
    """Is the grader's process out of the kernel's reach (unseen in its PID namespace, or refused by Landlock)?"""
    require(NAMESPACES, landlock_abi(6))
    assert errors(probed.cells[1]) in (["ProcessLookupError"], ["PermissionError"])


def test_a_fork_bomb_is_contained_and_nothing_survives_the_kernel(config, course):
    """Does the process limit stop a fork bomb, its timeout end it, and nothing it started outlive the kernel?"""
    require(NAMESPACES)
    config = copy.deepcopy(config)
    config.Sandbox.max_processes = 64
    config.ExecuteWithDeadline.iopub_timeout = 5
    notebook = run(
        config, course,
        "import os, time\nprint(os.readlink('/proc/self/ns/pid'))",
        # Children that leave the session, as daemons do, and sleep.
        "children = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            os.setsid()\n"
        "            time.sleep(600)\n        children += 1\nexcept OSError:\n    print(children)",
        "while True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
        timeout=5,
    )
    namespace = printed(notebook.cells[0]).strip()
    assert 0 < int(printed(notebook.cells[1])) < 64
    assert "CellTimeoutError" in errors(notebook.cells[2])
    assert not survivors(namespace)


def test_the_kernel_dies_with_its_launcher(tmp_path):
    """If the process the grader started dies (as when the grader is killed), does the kernel die with it?"""
    require(NAMESPACES)

    async def kill_the_launcher() -> tuple[str, list[int]]:
        async with started_kernel(tmp_path) as (manager, client):
            texts = []
            await client.execute_interactive("import os; print(os.readlink('/proc/self/ns/pid'))",
                                             output_hook=lambda msg: texts.append(msg["content"].get("text", "")))
            os.kill(manager.provisioner.pid, signal.SIGKILL)
            namespace = "".join(texts).strip()
            return namespace, survivors(namespace)

    namespace, left = asyncio.run(kill_the_launcher())
    assert namespace.startswith("pid:[")
    assert not left


def test_without_namespaces_the_kernel_runs_and_the_log_says_what_is_missing(config, course, tmp_path, caplog,
                                                                               monkeypatch):
    """With no unshare on the PATH, does the kernel still run, offline, and is the missing isolation logged?"""
    require(landlock_abi(4))  # TCP rules
    monkeypatch.setenv("PATH", str(tmp_path))
    logger = get_logger()  # the kernel manager's
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.WARNING, logger=logger.name):
            notebook = run(config, course, "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=5)")
    finally:
        logger.removeHandler(caplog.handler)
    assert errors(notebook.cells[0]) == ["PermissionError"]  # Landlock's TCP rule
    warning = next(r.getMessage() for r in caplog.records if "se ejecuta sin" in r.getMessage())
    assert "espacio de nombres de red" in warning and "espacio de nombres de PID" in warning


def test_the_sandbox_detects_every_protection_this_kernel_offers():
    """Does the sandbox see the Landlock ABI this Linux gives and the namespaces unshare creates here?"""
    broken = [protection.broken for protection in (landlock_abi(1), NAMESPACES) if protection.broken]
    assert not broken, "; ".join(broken)


