"""Resource limits of the kernel process (inherited by whatever it starts).

Standard library only (the launcher imports it). ``RLIMIT_AS`` is gentle: an
allocation past it raises ``MemoryError`` in the cell and the kernel lives on.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

MB = 2**20


def limit_memory(megabytes: int) -> None:
    """At most ``megabytes`` of address space per process."""
    _set(resource.RLIMIT_AS, megabytes * MB)


def limit_file_size(megabytes: int) -> None:
    """No file written past ``megabytes`` (the write fails with ``OSError``); no core dumps."""
    _set(resource.RLIMIT_FSIZE, megabytes * MB)
    _set(resource.RLIMIT_CORE, 0)


def limit_processes(count: int) -> None:
    """At most ``count`` more tasks (processes and threads) for this user than it runs now.

    ``RLIMIT_NPROC`` counts every task of the user, so the limit is relative to
    those already running; it binds root only without capabilities.
    """
    _set(resource.RLIMIT_NPROC, _tasks_of(os.getuid()) + count)


def _set(limit: int, value: int) -> None:
    resource.setrlimit(limit, (value, value))


def _tasks_of(uid: int) -> int:
    tasks = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue  # the process ended meanwhile
        if int(fields["Uid"].split()[0]) == uid:
            tasks += int(fields["Threads"])
    return tasks
