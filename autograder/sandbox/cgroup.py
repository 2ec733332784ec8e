"""A pids cgroup (v1) of the kernel's own: every process and thread it starts counts, and none escapes.

Standard library only (the launcher imports it). Needs a writable v1 ``pids``
hierarchy, as root has; elsewhere :func:`join_new` says no and the launcher falls
back to ``RLIMIT_NPROC``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup/pids/autograder")


def join_new(name: str, max_tasks: int) -> bool:
    """Move this process into a new cgroup ``name`` that allows ``max_tasks`` tasks; False if impossible."""
    _remove_stale()
    group = ROOT / name
    try:
        group.mkdir(parents=True)
        (group / "pids.max").write_text(str(max_tasks))
        (group / "cgroup.procs").write_text("0")  # 0: the writing process itself
    except OSError:
        remove(name, wait=0)
        return False
    return True


def _remove_stale() -> None:
    """Delete the empty cgroups of kernels whose grader was killed (a minute old: never one being joined)."""
    for group in ROOT.glob("*/"):
        try:
            if time.time() - group.stat().st_mtime > 60:
                group.rmdir()  # refused while a task is inside
        except OSError:
            continue


def remove(name: str, wait: float = 5.0) -> None:
    """Delete the cgroup once its last task has gone (an exiting kernel may take a moment)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            os.rmdir(ROOT / name)
            return
        except FileNotFoundError:
            return
        except OSError:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.05)
