"""The sandbox's limits checked from inside: one program, started by the launcher as a kernel is, measures them.

Run as ``python -m tests.sandbox_checks --scratch DIR [--user NAME] [--delegate]``
from the repository, on this machine or inside the cgroup-v2 virtual machine
(``tests/vm/init.sh``). It prints one line, ``RESULTADO <json>``: the launcher's
report (in Spanish too) and what the program saw: its cgroup and its limits, a
fork bomb, a memory hog split across child processes, the network, and writes
in and out of the notebook's folder. Standard library and the kit only.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import subprocess
import sys
import time
from pathlib import Path

from autograder.sandbox import cgroup
from autograder.sandbox.command import launcher_command
from autograder.sandbox.policy import policy_for
from autograder.sandbox.protections import describe
from autograder.sandbox.settings import Sandbox
from autograder.sandbox.workspace import Workspace

MARK = "RESULTADO "
LIMITS = {"memory_mb": 256, "max_processes": 48, "max_file_mb": 16}
MB_BYTES = 2**20
CHILD_MB = 96  # each of the memory hog's 4 children: 384 MB together, past the 256 allowed
DELEGATED = "delegado-autograder"  # the subtree handed to the ordinary user, as systemd's Delegate=yes does

# What the sandboxed program checks; it prints a JSON object.
PROGRAM = r"""
import errno, json, os, socket, sys, time
from pathlib import Path
seen = {}
lines = Path("/proc/self/cgroup").read_text().splitlines()
seen["cgroup"] = lines
unified = next((line[3:] for line in lines if line.startswith("0::")), None)
if unified and Path("/sys/fs/cgroup/cgroup.controllers").exists():
    group = Path("/sys/fs/cgroup") / unified.lstrip("/")
    for name in ("cgroup.controllers", "pids.max", "memory.max", "memory.swap.max", "cpu.weight"):
        try:
            seen[name] = (group / name).read_text().strip()
        except OSError as error:
            seen[name] = errno.errorcode.get(error.errno, str(error.errno))

def attempt(path):
    try:
        with open(path, "a") as handle:
            handle.write("x")
        return "ok"
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno))
work, course, scratch = sys.argv[1:4]
seen["writes"] = {"notebook": attempt(work + "/salida.txt"), "gradebook": attempt(course + "/gradebook.db"),
                  "elsewhere": attempt(scratch + "/fuera.txt")}
seen["interfaces"] = [name for _, name in socket.if_nameindex()]
try:
    socket.create_connection(("10.0.2.2", 22), timeout=3).close()
    seen["connect"] = "ok"
except OSError as error:
    seen["connect"] = type(error).__name__ + ":" + errno.errorcode.get(error.errno or 0, str(error.errno))

children = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        hog = b"\1" * (int(sys.argv[4]) * 2**20)
        time.sleep(3)
        os._exit(0)
    children.append(pid)
seen["hog_signals"] = sorted(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children)

children = []
try:
    while len(children) < 1000:
        pid = os.fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        children.append(pid)
except OSError as error:
    seen["fork_error"] = errno.errorcode.get(error.errno, str(error.errno))
seen["forked"] = len(children)
for pid in children:
    os.kill(pid, 9)
for pid in children:
    os.waitpid(pid, 0)
print(json.dumps(seen))
"""


def main(argv: list[str]) -> None:
    options = _parser().parse_args(argv)
    account = pwd.getpwnam(options.user) if options.user else None
    scratch = Path(options.scratch)
    course, elsewhere = scratch / "curso", scratch / "otra"
    work = course / "autograded" / "alumno" / "p"
    for folder in (work, elsewhere):
        folder.mkdir(parents=True, exist_ok=True)
    (course / "gradebook.db").write_text("secreto")
    os.environ["TMPDIR"] = str(scratch)
    workspace = Workspace.create()
    if account:
        for path in [scratch, *scratch.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid)
    sandbox = Sandbox(**LIMITS)
    policy = policy_for(sys.executable, {}, workdir=work, private=[workspace.home, workspace.tmp], readable=[])
    program = [sys.executable, "-I", "-c", PROGRAM, str(work), str(course), str(elsewhere), str(CHILD_MB)]
    name = f"comprobaciones-{os.getpid()}"
    command = launcher_command(sandbox, policy, workspace, name, program)
    cgroup_folder = _delegate(account) if options.delegate else None
    abandoned = _abandoned_group(cgroup_folder, account)
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=work,
                         preexec_fn=lambda: _become(account, cgroup_folder))
    # As the grader removes it when the kernel ends: from its own cgroup (in v2, the leaf it was moved to).
    grader_cgroup = cgroup_folder / cgroup.GRADER_LEAF if cgroup_folder else None
    subprocess.run([sys.executable, "-c", f"from autograder.sandbox import cgroup; cgroup.remove({name!r})"],
                   check=True, preexec_fn=lambda: _become(account, grader_cgroup))
    left = [str(path) for path in Path("/sys/fs/cgroup").rglob(name)]
    report = workspace.read_report() or {"applied": [], "missing": []}
    result = {
        "uid": account.pw_uid if account else os.getuid(),
        "applied": report["applied"], "missing": report["missing"],
        "con": describe(report["applied"], sandbox), "sin": describe(report["missing"], sandbox),
        "program": json.loads(run.stdout) if run.returncode == 0 else None,
        "returncode": run.returncode, "stderr": run.stderr[-2000:],
        "outside": _connect_outside(),
        "left": left, "abandoned_left": bool(abandoned and abandoned.exists()),
    }
    print(MARK + json.dumps(result, ensure_ascii=False), flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tests.sandbox_checks")
    parser.add_argument("--scratch", required=True, help="a writable folder for the course and the workspace")
    parser.add_argument("--user", help="run the launcher as this ordinary account")
    parser.add_argument("--delegate", action="store_true", help="in a cgroup v2 tree of its own, delegated to it")
    return parser


def _delegate(account: pwd.struct_passwd) -> Path:
    """A child of the root cgroup owned by ``account`` with cpu, memory and pids, as systemd's Delegate=yes makes."""
    root = Path("/sys/fs/cgroup")
    (root / "cgroup.subtree_control").write_text("+cpu +memory +pids")
    folder = root / DELEGATED
    folder.mkdir(exist_ok=True)
    for path in (folder, folder / "cgroup.procs", folder / "cgroup.subtree_control", folder / "cgroup.threads"):
        os.chown(path, account.pw_uid, account.pw_gid)
    return folder


def _abandoned_group(cgroup_folder: Path | None, account: pwd.struct_passwd | None) -> Path | None:
    """cgroup v2: an empty kernel cgroup two minutes old, as a grader killed with kill -9 leaves it behind."""
    unified = Path("/sys/fs/cgroup")
    if not (unified / "cgroup.controllers").exists():
        return None
    own = next(line[3:] for line in Path("/proc/self/cgroup").read_text().splitlines() if line.startswith("0::"))
    group = (cgroup_folder or unified / own.lstrip("/")) / cgroup.KERNELS / "abandonado"
    group.mkdir(parents=True)
    for path in (group.parent, *group.parent.iterdir()):  # as the grader that made it owned it
        os.chown(path, account.pw_uid if account else 0, account.pw_gid if account else 0)
    os.utime(group, (time.time() - 120, time.time() - 120))
    return group


def _become(account: pwd.struct_passwd | None, cgroup_folder: Path | None) -> None:
    """In the child, before exec: enter the delegated cgroup, then become ``account`` (nothing when root)."""
    if cgroup_folder:
        (cgroup_folder / "cgroup.procs").write_text("0")
    if account:
        os.setgroups([])
        os.setgid(account.pw_gid)
        os.setuid(account.pw_uid)
        os.environ["HOME"] = "/"


def _connect_outside() -> str:
    """The same connection from outside the sandbox: what the network answers when it is reachable."""
    import socket

    try:
        socket.create_connection(("10.0.2.2", 22), timeout=3).close()
        return "ok"
    except OSError as error:
        return type(error).__name__


if __name__ == "__main__":
    main(sys.argv[1:])
