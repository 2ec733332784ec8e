"""The sandbox on a cgroup-v2 Linux (a virtual machine, tests/cgroup2_vm.py), as root and as an ordinary user.

These machines run cgroup v1; most servers a course has run v2 only. The
machine boots Debian's kernel under software emulation with this machine's
files, and runs ``tests.sandbox_checks`` as root and as an account created here,
whose cgroup is delegated to it as systemd's ``Delegate=yes`` does.
"""

from __future__ import annotations

import os
import time

import pytest

from autograder.pipeline.server.start import environment_closed_folders
from tests import cgroup2_vm
from tests.ordinary_account import ordinary_account, passable
from tests.sandbox_checks import LIMITS, MB_BYTES

ACCOUNT = "autograder-vm"
BOUNDED = ["memory_cgroup", "processes_cgroup", "cpu_cgroup"]


@pytest.fixture(scope="module")
def machine():
    """The checks' results inside the machine, by who ran them ("root", "usuario"), and the seconds it took."""
    if os.geteuid() != 0:
        pytest.skip("la prueba crea una cuenta de usuario en esta máquina, y eso necesita ser root")
    if reason := cgroup2_vm.unavailable():
        pytest.skip(f"sin máquina virtual con cgroup v2: {reason}")
    cgroup2_vm.initramfs(cgroup2_vm.kernel())  # built once per kernel version, not timed
    start = time.monotonic()
    with ordinary_account(ACCOUNT), passable(environment_closed_folders()):
        results, console = cgroup2_vm.run_checks(ACCOUNT)
    seconds = time.monotonic() - start
    assert len(results) == 2, console[-3000:]
    print(f"máquina virtual con cgroup v2: {seconds:.0f} s")
    for result in results:
        print(f"uid {result['uid']}: con: {result['con']}; sin: {result['sin'] or 'nada'}")
    return {"root" if result["uid"] == 0 else "usuario": result for result in results}, seconds


@pytest.fixture(params=["root", "usuario"])
def checks(machine, request) -> dict:
    result = machine[0][request.param]
    assert result["program"], result["stderr"]
    return result


def test_the_machine_runs_a_cgroup_v2_kernel_and_the_checks_in_time(machine):
    """Did the machine give both runs (root, and the ordinary user) within the time make test allows?"""
    results, seconds = machine
    assert set(results) == {"root", "usuario"}
    assert results["usuario"]["uid"] != 0
    assert seconds < 150


def test_each_kernel_gets_its_own_cgroup_with_the_course_limits(checks):
    """Is the program in a v2 cgroup of its own below the grader's, with pids.max, memory.max, no swap and its own
    cpu.weight, and are the cgroup protections reported in force?"""
    program = checks["program"]
    assert set(BOUNDED) <= set(checks["applied"])
    assert program["cgroup"][0].startswith("0::/") and "/autograder/comprobaciones-" in program["cgroup"][0]
    assert set(program["cgroup.controllers"].split()) == {"cpu", "memory", "pids"}
    assert (program["pids.max"], program["memory.max"], program["memory.swap.max"], program["cpu.weight"]) == (
        str(LIMITS["max_processes"]), str(LIMITS["memory_mb"] * MB_BYTES), "0", "100")


def test_pids_max_stops_a_fork_bomb(checks):
    """Does forking stop with EAGAIN just below pids.max (the program itself counts)?"""
    assert checks["program"]["fork_error"] == "EAGAIN"
    assert checks["program"]["forked"] == LIMITS["max_processes"] - 1


def test_memory_max_stops_a_hog_split_across_children(checks):
    """Do children that each stay below the per-process limit get killed once together they pass memory.max?"""
    signals = checks["program"]["hog_signals"]
    assert -9 in signals and signals.count(0) < len(signals)


def test_the_kernel_has_no_network(checks):
    """Does the program see only its loopback and fail to connect where the machine itself is answered?"""
    assert checks["program"]["interfaces"] == ["lo"]
    assert checks["program"]["connect"] == "OSError:ENETUNREACH"
    assert checks["outside"] == "ConnectionRefusedError"


def test_the_kernel_writes_only_in_the_notebook_folder(checks):
    """Can it write in its notebook's folder, and not in the gradebook nor elsewhere on the same writable disk?"""
    assert checks["program"]["writes"] == {"notebook": "ok", "gradebook": "EACCES", "elsewhere": "EACCES"}


def test_the_kernel_cgroup_is_removed_and_stale_ones_too(checks):
    """Is the kernel's cgroup gone once it ended, and the one a killed grader left behind removed as well?"""
    assert checks["left"] == []
    assert checks["abandoned_left"] is False
