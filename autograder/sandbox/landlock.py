"""Landlock through ctypes: which files this process and its children may touch, no TCP, no signals out.

Standard library only: the launcher imports it before the kernel starts. Every
right the running kernel's Landlock ABI knows is handled, so whatever no rule
grants is denied. Landlock applies to root too.
"""

from __future__ import annotations

import ctypes
import os
import stat

# The three Landlock system calls have the same numbers on every architecture.
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

# Filesystem rights (ABI 1 has bits 0-12; REFER came with ABI 2, TRUNCATE 3, IOCTL_DEV 5).
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_TRUNCATE, _IOCTL_DEV = 1 << 14, 1 << 15
_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | _TRUNCATE | _IOCTL_DEV  # all a rule on a file may grant

_REMOVE_DIR, _REMOVE_FILE, _MAKE_DIR, _MAKE_REG, _REFER = 1 << 4, 1 << 5, 1 << 7, 1 << 8, 1 << 13

READ = EXECUTE | READ_FILE | READ_DIR | _IOCTL_DEV
LIST = READ_DIR
WRITE = (1 << 16) - 1
# Folders written unseen: files and folders made and moved out, never listed (nor read back).
STAGE = WRITE_FILE | _TRUNCATE | _MAKE_DIR | _MAKE_REG | _REMOVE_DIR | _REMOVE_FILE | _REFER
# A drop box: finished folders moved in, then never listed, read, changed or removed.
DROP = _MAKE_DIR | _MAKE_REG | _REFER

_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6

_libc = ctypes.CDLL(None, use_errno=True)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is missing or disabled."""
    version = _libc.syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(version, 0)


def restrict(rules: list[tuple[str, int]], *, deny_tcp: bool) -> list[str]:
    """Allow only ``rules`` (path, rights beneath it) from now on; return what was applied.

    The result names the parts in force: ``filesystem``, ``tcp`` (no TCP bind or
    connect, ABI >= 4) and ``scope`` (no signals to, nor abstract unix sockets of,
    processes outside the sandbox, ABI >= 6). Empty when Landlock is unavailable.
    Paths that do not exist are skipped.
    """
    abi = abi_version()
    if not abi:
        return []
    handled = _RIGHTS_BY_ABI[max(v for v in _RIGHTS_BY_ABI if v <= abi)]
    attr = _RulesetAttr(handled, _NET_BIND_TCP | _NET_CONNECT_TCP if deny_tcp and abi >= 4 else 0,
                        _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0)
    ruleset = _check(_libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)),
                                   ctypes.c_uint32(0)))
    try:
        for path, rights in rules:
            if abi < 2 and rights & _REFER:  # ABI 1 refuses every move between folders: write in place
                rights |= WRITE_FILE | _MAKE_REG | _MAKE_DIR
            _add_path_rule(ruleset, path, rights & handled)
        _check(_libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        _check(_libc.syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)))
    finally:
        os.close(ruleset)
    return ["filesystem"] + ["tcp"] * bool(attr.handled_access_net) + ["scope"] * bool(attr.scoped)


def _add_path_rule(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= _FILE_RIGHTS
        rule = _PathBeneathAttr(rights, fd)
        _check(_libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0)))
    finally:
        os.close(fd)


def _check(result: int) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return result
