"""TensorBoard event files a kernel wrote: found and copied into the evidence, never read or judged here.

Only folders inside the notebook's folder (the kernel's working directory) are
looked into, and only files named like TensorBoard's event files, at most
``MAX_FILES`` files and ``MAX_BYTES`` bytes per hand-over: a log folder set to
``/`` costs the kernel nothing, and the check says where the logs should be.
"""

from __future__ import annotations

import os

PREFIX = "events.out.tfevents"
MAX_FILES = 500
MAX_BYTES = 64 * 2**20
_CHUNK = 2**20

# Bound when the kernel starts, before student code.
_walk, _realpath, _getcwd, _join, _relpath, _getsize, _makedirs, _dirname, _open = (
    os.walk, os.path.realpath, os.getcwd, os.path.join, os.path.relpath, os.path.getsize, os.makedirs,
    os.path.dirname, open)


def inside_notebook_folder(path) -> bool:
    """Whether ``path`` lies in the kernel's working directory (the notebook's folder)."""
    try:
        here, there = _realpath(_getcwd()), _realpath(str(path))
    except (TypeError, ValueError, OSError):
        return False
    return there == here or there.startswith(here + os.sep)


_present_at_start: frozenset[str] = frozenset()


def ignore_existing_event_files() -> None:
    """Event files already in the notebook's folder when the kernel starts (left by the student's earlier
    sessions) are not evidence of this run: ``event_files`` leaves them out from now on."""
    global _present_at_start
    _present_at_start = frozenset(_realpath(_join(folder, name)) for folder, _, names in _walk(_getcwd())
                                  for name in names if name.startswith(PREFIX))


def event_files(root) -> frozenset[str]:
    """Paths, relative to ``root``, of the event files this run wrote under it; none if it is outside the
    notebook's folder."""
    if not inside_notebook_folder(root):
        return frozenset()
    found = set()
    for folder, _, names in _walk(str(root)):
        found.update(_relpath(_join(folder, name), str(root)) for name in names
                     if name.startswith(PREFIX) and _realpath(_join(folder, name)) not in _present_at_start)
        if len(found) > MAX_FILES:
            break
    return frozenset(sorted(found)[:MAX_FILES])


def copy_event_files(root, names, target: str) -> list[str]:
    """Copy the event files ``names`` (relative to ``root``) into ``target``; the ones copied, in order."""
    copied, budget = [], MAX_BYTES
    for name in sorted(names):
        source = _join(str(root), name)
        try:
            size = _getsize(source)
            if size > budget:
                continue
            _makedirs(_dirname(_join(target, name)), exist_ok=True)
            with _open(source, "rb") as reader, _open(_join(target, name), "wb") as writer:
                while chunk := reader.read(_CHUNK):
                    writer.write(chunk)
        except OSError:
            continue
        budget -= size
        copied.append(name)
    return copied
