"""The sandbox of the student's kernel, on real kernels started as the grader starts them.

The notebooks run in a course-like folder: the kernel works in
``autograded/alumno/p/`` next to a gradebook, sources and another student's work.
"""

from __future__ import annotations

import asyncio
import copy
import ctypes
import errno
import json
import logging
import os
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

import nbformat
import numpy as np
import pytest
from traitlets.log import get_logger

from autograder import course_data
from autograder.kernel.layout import CALL_FILE, DROP_BOX_ENV, EVIDENCE_DIR, STAGING_ENV
from autograder.pipeline.course import load_config
from autograder.pipeline.deadline import DIED_BEFORE, DIED_HERE, KERNEL_DIED, ExecuteWithDeadline
from autograder.sandbox import landlock, launcher
from autograder.sandbox.kernel import SandboxedKernelManager
from autograder.sandbox.settings import THREAD_VARIABLES
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


def printed(cell) -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream")


def errors(cell) -> list[str]:
    return [o.ename for o in cell.outputs if o.output_type == "error"]


@pytest.mark.parametrize("enabled", [True, False], ids=["aislado", "sin_aislar"])
def test_the_kernel_computes_with_the_course_thread_count_not_its_workers(config, course, monkeypatch, enabled):
    """Does every kernel get c.Sandbox.cpu_threads threads for TensorFlow and numpy, not its worker's setting?"""
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "7")  # what a worker's environment might say
    config = copy.deepcopy(config)
    config.Sandbox.cpu_threads, config.Sandbox.enabled = 3, enabled
    notebook = run(config, course, f"import os\nprint(*(os.environ.get(name) for name in {list(THREAD_VARIABLES)!r}))")
    assert printed(notebook.cells[0]).split() == ["3"] * len(THREAD_VARIABLES)


@pytest.fixture(scope="module")
def probed(config, course):
    """One sandboxed kernel tries to read, write, connect, signal the grader and allocate 10 GB."""
    workdir = course / "autograded/alumno/p"
    reads = {"checks": PACKAGE / "checks/thresholds.py", "pipeline": PACKAGE / "pipeline/grading.py",
             "repository": ROOT / "README.md", "gradebook": course / "gradebook.db",
             "source": course / "source/p/p.ipynb", "submitted": course / "submitted/otro/p/p.ipynb",
             "other": course / "autograded/otro/p/p.ipynb", "feedback": course / "feedback/otro/p/p.html",
             "grades": course / "calificaciones/p.csv", "logs": course / "logs/corregir.log",
             "own": workdir / "course_data.py", "extension": PACKAGE / "kernel/fit_log.py",
             "data": course_data.cache_dir() / "mnist.npz"}  # the grader fills the cache first
    writes = {"own": workdir / "nuevo.txt", "evidence": workdir / EVIDENCE_DIR / "a", "course": course / "nuevo.txt",
              "data": course_data.cache_dir() / "nuevo.txt", "tmp": Path("/tmp/nuevo.txt")}
    return run(
        config, course,
        ATTEMPT + f"attempt(Path.read_bytes, {_names(reads)})",
        f"Path('{EVIDENCE_DIR}').mkdir(exist_ok=True)\nattempt(lambda path: path.write_text('x'), {_names(writes)})",
        "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=5)",
        f"import os\nos.kill({os.getpid()}, 0)",
        "import numpy as np\nx = np.ones(10 * 2**30, dtype=np.uint8)",
        "print('sigue vivo')",
    )


def _names(paths: dict[str, Path]) -> str:
    return repr({name: str(path) for name, path in paths.items()})


def test_the_kernel_reads_its_folder_and_the_data_but_nothing_hidden(probed):
    """Can the kernel read its folder, the data and its extension, but not the checks, gradebook or others' work?"""
    require(landlock_abi(4))
    results = json.loads(printed(probed.cells[0]))
    assert [results.pop(name) for name in ("own", "data", "extension")] == ["ok"] * 3
    assert set(results.values()) == {"denied"}, results


def test_the_kernel_writes_only_in_its_folder(probed):
    """Can the kernel write in its folder (evidence included) and nowhere else?"""
    require(landlock_abi(4))
    results = json.loads(printed(probed.cells[1]))
    assert results == {"own": "ok", "evidence": "ok", "course": "denied", "data": "denied", "tmp": "denied"}


HAND_OVER = """
import os
import numpy as np
from autograder.kernel.evidence import verify
verify.check_scaled(np.arange(6.0).reshape(2, 3))
"""
TAMPER = ATTEMPT + f"""
import shutil, tempfile
drop, staging = os.environ["{DROP_BOX_ENV}"], os.environ["{STAGING_ENV}"]
""" + """def plant(path):
    forged = tempfile.mkdtemp()  # in the kernel's own temporary folder
    os.rename(forged, path)
attempt(os.listdir, {"drop": drop, "staging": staging})
attempt(shutil.rmtree, {"drop": drop})
attempt(plant, {"planted": drop + "/" + "f" * 24 + "-0001"})
"""


def test_handed_over_evidence_cannot_be_seen_changed_or_removed_by_the_kernel(config, course):
    """Can the kernel neither list, read nor remove the evidence it handed over, and does the grader get it whole?"""
    require(landlock_abi(2))  # moves between folders
    workdir = course / "autograded" / "alumno" / "p"
    notebook = run(config, course, HAND_OVER, TAMPER)
    listing, removal, planting = (json.loads(line) for line in printed(notebook.cells[1]).splitlines())
    assert listing == {"drop": "denied", "staging": "denied"} and removal == {"drop": "denied"}
    assert planting == {"planted": "ok"}  # possible, but it adds a call the hidden cell did not make
    handed = {path.name for path in (workdir / EVIDENCE_DIR).iterdir()}
    assert "f" * 24 + "-0001" in handed and len(handed) == 2
    genuine = workdir / EVIDENCE_DIR / min(handed)
    call = json.loads((genuine / CALL_FILE).read_text(encoding="utf-8"))
    array = np.load(genuine / call["args"][0]["file"], allow_pickle=False)
    assert call["check"] == "check_scaled" and np.array_equal(array, np.arange(6.0).reshape(2, 3))


def test_a_network_call_from_the_kernel_fails(probed):
    """Does a network call from the student's kernel fail?"""
    require(NAMESPACES, landlock_abi(4))
    assert errors(probed.cells[2]) == ["OSError"]


def test_the_kernel_cannot_signal_the_grader(probed):
    """Is the grader's process out of the kernel's reach (unseen in its PID namespace, or refused by Landlock)?"""
    require(NAMESPACES, landlock_abi(6))
    assert errors(probed.cells[3]) in (["ProcessLookupError"], ["PermissionError"])


def test_a_huge_allocation_fails_in_its_cell_and_the_kernel_lives_on(probed):
    """Does a 10 GB allocation raise MemoryError, and does the next cell still run?"""
    assert errors(probed.cells[4]) == ["MemoryError"]
    assert printed(probed.cells[5]) == "sigue vivo\n"


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
    assert not _survivors(namespace)


def test_a_dead_kernel_costs_its_cell_and_the_later_ones_only(config, course):
    """Does os._exit cost that cell and the later ones, with a Spanish reason, while earlier output stays?"""
    notebook = run(config, course, "print('antes')", "import os\nos._exit(1)", "print('después')")
    assert printed(notebook.cells[0]) == "antes\n"
    assert [(o.ename, o.evalue) for o in notebook.cells[1].outputs] == [(KERNEL_DIED, DIED_HERE)]
    assert [(o.ename, o.evalue) for o in notebook.cells[2].outputs] == [(KERNEL_DIED, DIED_BEFORE)]


def test_a_gigabyte_of_output_is_capped(config, course):
    """Is a 1 GB print flood cut to the cell's allowance with a note, without the grader's memory growing?"""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    notebook = run(config, course, "for _ in range(1000):\n    print('x' * 10**6)", "print('fin')")
    kept = printed(notebook.cells[0])
    assert kept.startswith("x" * 1000) and len(kept) < 1_000_200
    assert kept.endswith("(salida recortada: esta celda escribió más de 1.000.000 caracteres; "
                         "el resto no se guarda)\n")
    assert printed(notebook.cells[1]) == "fin\n"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 300 * 1024  # KiB


def test_the_kernel_dies_with_its_launcher(tmp_path):
    """If the process the grader started dies (as when the grader is killed), does the kernel die with it?"""
    require(NAMESPACES)

    async def kill_the_launcher() -> tuple[str, list[int]]:
        manager = SandboxedKernelManager()
        await manager.start_kernel(cwd=str(tmp_path))
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            texts = []
            await client.execute_interactive("import os; print(os.readlink('/proc/self/ns/pid'))",
                                             output_hook=lambda msg: texts.append(msg["content"].get("text", "")))
            os.kill(manager.provisioner.pid, signal.SIGKILL)
            namespace = "".join(texts).strip()
            return namespace, _survivors(namespace)
        finally:
            client.stop_channels()
            if await manager.is_alive():
                await manager.shutdown_kernel(now=True)
            await manager.cleanup_resources()

    namespace, survivors = asyncio.run(kill_the_launcher())
    assert namespace.startswith("pid:[")
    assert not survivors


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


def test_the_course_runs_kernels_in_the_sandbox():
    """Does the course configuration start every kernel through the sandbox?"""
    config = load_config(ROOT)
    assert config.NotebookClient.kernel_manager_class == "autograder.sandbox.kernel.SandboxedKernelManager"
    assert config.Sandbox.enabled and not config.Sandbox.network


def _survivors(pid_namespace: str, wait: float = 10) -> list[int]:
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
