"""Start a kernel inside the sandbox: namespaces, limits, Landlock, then exec the kernel.

    python -I -m autograder.sandbox.launcher [options] -- <kernel command>

Standard library only: it runs before the kernel and imports nothing the kernel
may not read. Outside the namespaces it re-executes itself through ``unshare``
(a new network namespace when the network is denied, always a new PID namespace,
with a user namespace when not root), trying fewer namespaces when the OS
refuses. Inside, it checks which namespaces it got, applies the limits,
writes to ``--report`` what is in force and what is missing, and replaces itself
with the kernel. A protection the OS refuses is reported missing, never fatal.

The kernel becomes PID 1 of its namespace: when it ends, every process it
started ends with it. Each stage dies with its parent (``PR_SET_PDEATHSIG``), so
the kernel also ends if the grader is killed.
"""

from __future__ import annotations

import argparse
import ctypes
import fcntl
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys

from autograder.sandbox import capabilities, cgroup, landlock, rlimits

_PR_SET_PDEATHSIG = 1
_SIOCSIFFLAGS, _IFF_UP, _IFF_LOOPBACK, _IFF_RUNNING = 0x8914, 0x1, 0x8, 0x40


def main(argv: list[str]) -> None:
    options = _parser().parse_args(argv)
    ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if not options.inside:
        cgroup.prepare([controller for controller, wanted in _cgroup_limits(options).items() if wanted])
    unshare = None if options.inside else _working_unshare(options.deny_network)
    if unshare:
        here = [sys.executable, "-I", "-m", __spec__.name, "--inside", *argv]
        os.execv(unshare[0], [*unshare, "--fork", "--kill-child", *here])
    with open(options.report, "w", encoding="utf-8") as report:  # opened before Landlock forbids it
        applied, missing = _apply(options)
        json.dump({"applied": applied, "missing": missing}, report)
    # The kernel's parent lies outside its PID namespace: "1" tells ipykernel not to watch it
    # (PR_SET_PDEATHSIG does) nor to print its console banner.
    os.environ["JPY_PARENT_PID"] = "1"
    os.execvp(options.command[0], options.command)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder.sandbox.launcher")
    parser.add_argument("--inside", action="store_true", help="already inside the namespaces")
    parser.add_argument("--deny-network", action="store_true")
    parser.add_argument("--memory-mb", type=int)
    parser.add_argument("--max-processes", type=int)
    parser.add_argument("--max-file-mb", type=int)
    parser.add_argument("--cgroup", required=True, help="name of the kernel's cgroups")
    parser.add_argument("--cpu-cgroup", action="store_true", help="give the kernel's processes one CPU weight")
    parser.add_argument("--read", action="append", default=[], help="path readable beneath")
    parser.add_argument("--list", action="append", default=[], help="directory whose entries may be listed")
    parser.add_argument("--write", action="append", default=[], help="path readable and writable beneath")
    parser.add_argument("--stage", action="append", default=[], help="folder written unseen (not listable)")
    parser.add_argument("--drop", action="append", default=[], help="drop box: folders moved in, never touched again")
    parser.add_argument("--report", required=True, help="JSON file for what was applied")
    parser.add_argument("command", nargs="+")
    return parser


def _working_unshare(deny_network: bool) -> list[str] | None:
    """The first ``unshare`` invocation this OS accepts, most isolated first."""
    program = shutil.which("unshare")
    if not program:
        return None
    user = [] if os.geteuid() == 0 else ["--map-root-user"]
    for namespaces in [["--net", "--pid"], ["--pid"]] if deny_network else [["--pid"]]:
        command = [program, *user, *namespaces]
        probe = subprocess.run([*command, "--fork", "--kill-child", "true"], capture_output=True, check=False)
        if probe.returncode == 0:
            return command
    return None


def _apply(options: argparse.Namespace) -> tuple[list[str], list[str]]:
    """Apply every protection asked for; return (applied, missing) protection names."""
    results: dict[str, bool] = {"pid_namespace": os.getpid() == 1}
    if options.deny_network:
        results["network_namespace"] = _try(_own_loopback_only)
    deny_tcp = options.deny_network and not results.get("network_namespace")
    in_cgroups = cgroup.join_new(options.cgroup, _cgroup_limits(options))
    if options.memory_mb:
        results["memory"] = _try(rlimits.limit_memory, options.memory_mb)
        results["memory_cgroup"] = in_cgroups["memory"]
    if options.max_file_mb:
        results["file_size"] = _try(rlimits.limit_file_size, options.max_file_mb)
    if options.max_processes:
        if in_cgroups["pids"]:
            results["processes_cgroup"] = True
        else:
            results["processes_rlimit"] = _try(rlimits.limit_processes, options.max_processes)
    if options.cpu_cgroup:
        results["cpu_cgroup"] = in_cgroups["cpu"]
    rules = [(path, landlock.READ) for path in options.read] + [(path, landlock.LIST) for path in options.list]
    rules += [(path, landlock.WRITE) for path in options.write]
    rules += [(path, landlock.STAGE) for path in options.stage] + [(path, landlock.DROP) for path in options.drop]
    in_force = _try(landlock.restrict, rules, deny_tcp=deny_tcp) or []
    for part in ["filesystem", "scope"] + ["tcp"] * deny_tcp:
        results[f"landlock_{part}"] = part in in_force
    results["capabilities"] = _try(capabilities.drop_all)
    return [name for name, ok in results.items() if ok], [name for name, ok in results.items() if not ok]


def _cgroup_limits(options: argparse.Namespace) -> dict[str, int | None]:
    """What the kernel's cgroups should enforce (see :func:`cgroup.join_new`); None: not asked for."""
    return {"memory": options.memory_mb and options.memory_mb * rlimits.MB, "pids": options.max_processes,
            "cpu": 1 if options.cpu_cgroup else None}


def _own_loopback_only() -> bool:
    """Whether this network namespace has no interface but its loopback, which it brings up.

    ipykernel forwards the output of forked children over TCP on 127.0.0.1: the
    namespace's own loopback, which leads nowhere else.
    """
    if [name for _, name in socket.if_nameindex()] != ["lo"]:
        return False
    with socket.socket() as sock:
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sh22x", b"lo", _IFF_UP | _IFF_LOOPBACK | _IFF_RUNNING))
    return True


def _try(function, *args, **kwargs):
    """``function``'s result (True for None), or False when the OS refuses."""
    try:
        result = function(*args, **kwargs)
    except OSError:
        return False
    return True if result is None else result


if __name__ == "__main__":
    main(sys.argv[1:])
