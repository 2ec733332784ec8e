"""The kernel's own cgroups, below the grader's own cgroup, in a v1 or a v2 (unified) hierarchy.

- ``pids``: every process and thread the kernel starts counts against ``pids.max``;
- ``memory``: bounds the memory of all its processes together (``RLIMIT_AS``
  bounds each one alone), so a swarm of children cannot exhaust the machine;
  in v2 without swap to escape to (``memory.swap.max = 0``);
- ``cpu``: all its processes share one CPU weight, so a fork bomb cannot starve
  the grader or the machine.

v1 ("hybrid" machines): one cgroup per controller, ``<own>/autograder/<name>``.
v2: one cgroup with all three, ``<grader's>/autograder/<name>``. v2 lets a
cgroup hand controllers to its children only while it holds no process itself,
so the first kernel moves the processes of the grader's cgroup into a leaf of
it, ``<grader's>/autograder-corrector`` (the root cgroup is exempt). That works
for root and for an ordinary user whose cgroup is delegated to it (systemd's
``Delegate=yes``: ``systemd-run --user --scope -p Delegate=yes ...``).

Standard library only (the launcher imports it). Where the hierarchy is not
writable, :func:`join_new` says which controllers it could not use and the
launcher falls back.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

MOUNT = Path("/sys/fs/cgroup")
CONTROLLERS = ("pids", "memory", "cpu")
KERNELS = "autograder"  # the folder of the kernels' cgroups
GRADER_LEAF = "autograder-corrector"  # v2: where the grader's own processes move
_V1_SETTINGS = {"pids": "pids.max", "memory": "memory.limit_in_bytes", "cpu": "cpu.shares"}
_V2_SETTINGS = {"pids": "pids.max", "memory": "memory.max", "cpu": "cpu.weight"}
_CPU_WEIGHT = {"v1": 1024, "v2": 100}  # each hierarchy's default weight, the same as every other group's


def join_new(name: str, limits: dict[str, int | None]) -> dict[str, bool]:
    """Move this process into new cgroups ``name`` with ``limits``; which controllers are in force.

    ``limits`` maps a controller of :data:`CONTROLLERS` to its limit: bytes for
    ``memory``, tasks for ``pids``; for ``cpu`` any value (its weight is the
    hierarchy's default, shared by all the kernel's processes).
    """
    wanted = {controller: value for controller, value in limits.items() if value is not None}
    v1 = {controller: _v1_base(controller) for controller in wanted}
    results = {controller: _join_v1(base, name, controller, wanted[controller])
               for controller, base in v1.items() if base is not None}
    rest = {controller: value for controller, value in wanted.items() if v1[controller] is None}
    available = {controller: value for controller, value in rest.items() if controller in _v2_controllers()}
    joined = bool(available) and _join_v2(name, available)
    results.update({controller: joined and controller in available for controller in rest})
    return results


def prepare(controllers: list[str]) -> None:
    """v2: let the grader's cgroup hand ``controllers`` to the kernels' cgroups (nothing in v1, or where refused).

    Called before entering the kernel's PID namespace: from inside it, the
    grader's processes that must move to the leaf are not visible.
    """
    grader = _v2_grader_group()
    wanted = [c for c in controllers if _v1_base(c) is None and c in _v2_controllers()]
    if grader is None or not wanted:
        return
    try:
        _enable(grader, " ".join(f"+{controller}" for controller in wanted))
    except OSError:
        return


def remove(name: str, wait: float = 5.0) -> None:
    """Delete the kernel's cgroups once their last task has gone (an exiting kernel may take a moment).

    Their parent folder goes too when no other kernel uses it: a cgroup with
    children could not be removed by whoever made the grader's own.
    """
    bases = {_v1_base(controller) for controller in CONTROLLERS} | {_v2_base()}
    for base in bases - {None}:
        _remove(base / name, wait)
        _remove(base, wait=0)


def version() -> str | None:
    """"v1" or "v2": the hierarchy that would hold the kernels' cgroups here; None without one."""
    if any(_v1_base(controller) for controller in CONTROLLERS):
        return "v1"
    return "v2" if _v2_base() and _v2_controllers() else None


# --- v1 ---------------------------------------------------------------------------------------------------------


def _v1_base(controller: str) -> Path | None:
    """Where the kernels' cgroups of ``controller`` go in a v1 hierarchy: below this process's own cgroup."""
    for _, controllers, path in _own_cgroups():
        if controller in controllers.split(","):
            return MOUNT / controller / path.lstrip("/") / KERNELS
    return None


def _join_v1(base: Path, name: str, controller: str, value: int) -> bool:
    _remove_stale(base)
    group = base / name
    setting = _CPU_WEIGHT["v1"] if controller == "cpu" else value
    try:
        group.mkdir(parents=True)
        (group / _V1_SETTINGS[controller]).write_text(str(setting))
        (group / "cgroup.procs").write_text("0")  # 0: the writing process itself
    except OSError:
        _remove(group, wait=0)
        return False
    return True


# --- v2 ---------------------------------------------------------------------------------------------------------


def _v2_mount() -> Path | None:
    """Where the unified (v2) hierarchy is mounted, if it is."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        separator = fields.index("-")
        if fields[separator + 1] == "cgroup2":
            return Path(fields[4])
    return None


def _v2_grader_group() -> Path | None:
    """The grader's cgroup in the unified hierarchy: this process's own, or its parent once moved to the leaf."""
    mount = _v2_mount()
    path = next((path for hierarchy, controllers, path in _own_cgroups() if hierarchy == "0" and not controllers),
                None)
    if mount is None or path is None:
        return None
    group = mount / path.lstrip("/")
    return group.parent if group.name == GRADER_LEAF else group


def _v2_base() -> Path | None:
    group = _v2_grader_group()
    return None if group is None else group / KERNELS


def _v2_controllers() -> set[str]:
    """The controllers the grader's cgroup may hand to its children."""
    group = _v2_grader_group()
    try:
        return set((group / "cgroup.controllers").read_text().split()) & set(CONTROLLERS)
    except (OSError, TypeError):
        return set()


def _join_v2(name: str, limits: dict[str, int]) -> bool:
    grader, base = _v2_grader_group(), _v2_base()
    enable = " ".join(f"+{controller}" for controller in limits)
    group = base / name
    try:
        _enable(grader, enable)
        base.mkdir(exist_ok=True)
        _remove_stale(base)
        (base / "cgroup.subtree_control").write_text(enable)  # base holds no process: always allowed
        group.mkdir()
        for controller, value in limits.items():
            setting = _CPU_WEIGHT["v2"] if controller == "cpu" else value
            (group / _V2_SETTINGS[controller]).write_text(str(setting))
        if "memory" in limits and (group / "memory.swap.max").exists():
            (group / "memory.swap.max").write_text("0")
        (group / "cgroup.procs").write_text("0")
    except OSError:
        _remove(group, wait=0)
        return False
    return True


def _enable(grader: Path, enable: str, attempts: int = 20) -> None:
    """Let ``grader``'s children use the controllers, moving its own processes to a leaf first if need be.

    The root cgroup may hold processes; any other refuses (EBUSY) while it
    does. A process the grader forks meanwhile may land in it: try again.
    """
    for _ in range(attempts):
        try:
            (grader / "cgroup.subtree_control").write_text(enable)
            return
        except OSError as error:
            if error.errno != 16:  # EBUSY
                raise
        leaf = grader / GRADER_LEAF
        leaf.mkdir(exist_ok=True)
        for pid in (grader / "cgroup.procs").read_text().split():
            try:
                (leaf / "cgroup.procs").write_text(pid)
            except ProcessLookupError:
                continue  # it ended meanwhile
    (grader / "cgroup.subtree_control").write_text(enable)


# --- both -------------------------------------------------------------------------------------------------------


def _own_cgroups() -> list[tuple[str, str, str]]:
    """This process's cgroups as /proc/self/cgroup lists them: (hierarchy id, controllers, path)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    return [tuple(line.split(":", 2)) for line in lines if line.count(":") >= 2]


def _remove_stale(base: Path) -> None:
    """Delete the empty cgroups of kernels whose grader was killed (a minute old: never one being joined)."""
    for group in base.glob("*/"):
        try:
            if time.time() - group.stat().st_mtime > 60:
                group.rmdir()  # refused while a task is inside
        except OSError:
            continue


def _remove(group: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            os.rmdir(group)
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.05)
