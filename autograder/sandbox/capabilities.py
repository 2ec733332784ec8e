"""Drop every capability for good: root keeps uid 0 (and its files) but none of its privileges.

Standard library only (the launcher imports it). Without this, root could raise
its own resource limits again, leave its cgroup or load kernel modules; with it,
``RLIMIT_NPROC`` binds root as well.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

_PR_CAPBSET_DROP, _PR_SET_SECUREBITS, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 24, 28, 47, 4
# NOROOT, NO_SETUID_FIXUP and NO_CAP_AMBIENT_RAISE set, KEEP_CAPS cleared, all four
# locked: an exec by uid 0 grants no capabilities again.
_SECURE_BITS = 0b1110_1111
_CAPABILITY_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(None, use_errno=True)


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_all() -> bool:
    """Leave this process (and what it executes) without capabilities; False if the OS refused."""
    if os.geteuid() != 0 and not _permitted():
        return True  # an ordinary user has nothing to drop; no_new_privs keeps it so
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    calls = [(_PR_CAPBSET_DROP, cap, 0, 0, 0) for cap in range(last + 1)]
    calls += [(_PR_SET_SECUREBITS, _SECURE_BITS, 0, 0, 0), (_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)]
    if any(_libc.prctl(*call) != 0 for call in calls):
        return False
    empty = (_Data * 2)()
    return _libc.capset(ctypes.byref(_Header(_CAPABILITY_VERSION_3, 0)), empty) == 0


def _permitted() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("CapPrm:")), 16)
