"""What the sandbox tests share: which protections this Linux offers, and kernels run as the grader runs them.

The notebooks run in a course-like folder: the kernel works in
``autograded/alumno/p/`` next to a gradebook, sources and another student's work.
A test that talks to a kernel itself starts it with ``started_kernel``.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import errno
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

import nbformat
import pytest

from autograder.pipeline.course import load_config
from autograder.pipeline.run.execute_with_deadline import ExecuteWithDeadline
from autograder.sandbox import landlock, launcher
from autograder.sandbox.kernel import SandboxedKernelManager
from tests.conftest import ROOT

# A test skips only where this Linux lacks what it checks, as the kernel itself answers when asked
# without the sandbox's code; where the kernel has it but the sandbox does not see it, the test fails.
_LANDLOCK_ABSENT = {errno.ENOSYS: "este Linux no tiene Landlock (landlock_create_ruleset: ENOSYS)",
                    errno.EOPNOTSUPP: "este Linux tiene Landlock desactivado al arrancar "
                                      "(landlock_create_ruleset: EOPNOTSUPP)"}


def kernel_landlock() -> tuple[int, int]:
    """The Landlock ABI this Linux gives when asked directly (0 when none), and the errno it answers instead."""
    libc = ctypes.CDLL(None, use_errno=True)
    # landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION): system call 444 on x86_64 and aarch64
    abi = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return (abi, 0) if abi > 0 else (0, ctypes.get_errno())


def enabled_security_modules() -> list[str]:
    """The security modules this Linux enabled at boot; empty when /sys/kernel/security is not mounted."""
    try:
        return Path("/sys/kernel/security/lsm").read_text().strip().split(",")
    except OSError:
        return []


def kernel_lacks_namespaces() -> str:
    """Why this Linux gives no new network and PID namespaces here, in its own words; empty when it does."""
    program = shutil.which("unshare")
    if not program:
        return "no hay programa unshare en el PATH"
    limit = Path("/proc/sys/user/max_user_namespaces")
    if os.geteuid() and limit.exists() and limit.read_text().strip() == "0":
        return "este Linux no da espacios de nombres de usuario (/proc/sys/user/max_user_namespaces: 0)"
    options = [*["--map-root-user"] * bool(os.geteuid()), "--net", "--pid", "--fork", "true"]
    probe = subprocess.run([program, *options], capture_output=True, text=True, check=False)
    return f"unshare {' '.join(options)} falla aquí: {probe.stderr.strip()}" if probe.returncode else ""


class Protection(NamedTuple):
    name: str  # what this Linux offers, as the run's summary names it
    lacking: str  # why this Linux lacks it, from the kernel's own answer; empty when it has it
    broken: str  # why the tests cannot rely on it although this Linux has it; empty when they can


def landlock_abi(version: int) -> Protection:
    """Landlock with ABI ``version`` or later, as this Linux answers and as the sandbox detects it."""
    name = f"Landlock ABI {KERNEL_LANDLOCK_ABI}"
    if LANDLOCK_ERRNO:
        modules = enabled_security_modules()
        if LANDLOCK_ERRNO in _LANDLOCK_ABSENT and "landlock" not in modules:
            return Protection(name, _LANDLOCK_ABSENT[LANDLOCK_ERRNO], "")
        answer = f"landlock_create_ruleset: {errno.errorcode.get(LANDLOCK_ERRNO, LANDLOCK_ERRNO)}"
        return Protection(name, "", f"{answer} y /sys/kernel/security/lsm: {','.join(modules) or 'ilegible'}; "
                                    "eso no dice que este Linux no tenga Landlock")
    if KERNEL_LANDLOCK_ABI < version:
        return Protection(name, f"este Linux tiene Landlock ABI {KERNEL_LANDLOCK_ABI}, no la {version}", "")
    detected = landlock.abi_version()
    return Protection(name, "", "" if detected == KERNEL_LANDLOCK_ABI else
                      f"este Linux da Landlock ABI {KERNEL_LANDLOCK_ABI}, pero landlock.abi_version() da {detected}: "
                      "la detección del sandbox falla")


def namespaces() -> Protection:
    """New network and PID namespaces, as unshare creates them here and as the sandbox detects them."""
    name, lacking = "espacios de nombres net+pid", kernel_lacks_namespaces()
    if lacking:
        return Protection(name, lacking, "")
    detected = launcher._working_unshare(deny_network=True)
    if {"--net", "--pid"} <= set(detected or ()):
        return Protection(name, "", "")
    return Protection(name, "", f"unshare crea {name} aquí, pero launcher._working_unshare(deny_network=True) "
                                f"da {detected}: la detección del sandbox falla")


KERNEL_LANDLOCK_ABI, LANDLOCK_ERRNO = kernel_landlock()
NAMESPACES = namespaces()


def require(*alternatives: Protection) -> None:
    """Skip the test where this Linux lacks all ``alternatives``; fail it where one it has cannot be relied on."""
    offered = [protection for protection in alternatives if not protection.lacking]
    if not offered:
        pytest.skip("; ".join(protection.lacking for protection in alternatives))
    if broken := [protection.broken for protection in offered if protection.broken]:
        pytest.fail("; ".join(broken))


def protections_summary() -> str:
    """What this Linux let the sandbox tests check, in one line for the end of the run."""
    return "sandbox: " + "; ".join(p.broken or p.lacking or p.name for p in (landlock_abi(1), NAMESPACES))


PACKAGE = ROOT / "autograder"

ATTEMPT = """
import json
from pathlib import Path

def attempt(action, paths):
    results = {}
    for name, path in paths.items():
        try:
            action(Path(path))
            results[name] = "ok"
        except PermissionError:
            results[name] = "denied"
    print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course folder with everything a student must not see."""
    root = tmp_path_factory.mktemp("curso")
    for secret in ("gradebook.db", "source/p/p.ipynb", "submitted/otro/p/p.ipynb", "autograded/otro/p/p.ipynb",
                   "feedback/otro/p/p.html", "calificaciones/p.csv", "logs/corregir.log"):
        (root / secret).parent.mkdir(parents=True, exist_ok=True)
        (root / secret).write_text("secreto")
    (root / "autograded" / "alumno" / "p").mkdir(parents=True)
    (root / "autograded" / "alumno" / "p" / "course_data.py").write_text("# datos")
    return root


@pytest.fixture(scope="module")
def config():
    """The course configuration, without the kernel extensions (they import keras: slow here)."""
    config = load_config(ROOT)
    config.NotebookClient.extra_arguments = []
    return config


def run(config, course: Path, *sources: str, timeout: int = 60) -> nbformat.NotebookNode:
    """Execute the cells as the grader does, each with at most ``timeout`` seconds."""
    config = copy.deepcopy(config)
    config.ExecuteWithDeadline.timeout = timeout  # the course's per-cell limit is 20 minutes
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    workdir = course / "autograded" / "alumno" / "p"
    ExecuteWithDeadline(config=config).preprocess(notebook, {"metadata": {"path": str(workdir)}})
    return notebook


@contextlib.asynccontextmanager
async def started_kernel(cwd: Path):
    """``(manager, client)``: a kernel the kit's manager started in ``cwd``, ready, with its client's channels open.

    Afterwards the channels close, and the kernel is shut down at once if it is still alive (its resources are
    freed either way).
    """
    manager = SandboxedKernelManager()
    await manager.start_kernel(cwd=str(cwd))
    try:
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            yield manager, client
        finally:
            client.stop_channels()
    finally:
        if await manager.is_alive():
            await manager.shutdown_kernel(now=True)  # frees its resources too
        else:
            await manager.cleanup_resources()


def printed(cell) -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream")


def errors(cell) -> list[str]:
    return [o.ename for o in cell.outputs if o.output_type == "error"]


def names(paths: dict[str, Path]) -> str:
    return repr({name: str(path) for name, path in paths.items()})


def survivors(pid_namespace: str, wait: float = 10) -> list[int]:
    """Pids still in a PID namespace (as '/proc/<pid>/ns/pid' names it) after ``wait`` seconds to finish dying."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for link in Path("/proc").glob("[0-9]*/ns/pid"):
            try:
                if os.readlink(link) == pid_namespace:
                    found.append(int(link.parent.parent.name))
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)
