"""What the student's kernel may read and write (the Landlock rules the launcher applies).

Everything not listed is denied: the course folder (gradebook, ``source/``,
``submitted/``, other students' ``autograded/`` folders, ``feedback/``...), the
rest of the repository and of the ``autograder`` package, the grader's home.
"""

from __future__ import annotations

import functools
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import autograder

SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/proc", "/sys", "/dev")
SHARED_WRITABLE = ("/dev/null", "/dev/shm")
PACKAGE = Path(autograder.__file__).resolve().parent
# The parts of the package the kernel imports or reads: never the hidden checks.
PACKAGE_PUBLIC = ("__init__.py", "course_data.py", "kernel", "sandbox/__init__.py", "sandbox/stream.py")


@dataclass(frozen=True)
class FilesystemPolicy:
    read: list[str]  # readable and executable beneath
    list: list[str]  # entries visible, contents not
    write: list[str]  # readable and writable beneath

    def exposed_package(self) -> str | None:
        """A readable folder that holds the whole ``autograder`` package (a non-editable install)."""
        return next((path for path in self.read if PACKAGE.is_relative_to(path)), None)


def policy_for(interpreter: str, environment: dict[str, str], *, workdir: Path, private: list[Path],
               readable: list[Path]) -> FilesystemPolicy:
    """The rules for a kernel run by ``interpreter`` in ``workdir``.

    ``private`` folders are the kernel's own (read and write), ``readable`` the
    extra files and folders it needs (the data cache, its connection file).
    """
    prefixes, imports = _interpreter_paths(interpreter, environment.get("PYTHONPATH"))
    installed = [p for p in imports if any(p.is_relative_to(prefix) for prefix in prefixes)]
    elsewhere = [p for p in imports if p not in installed and not _overlaps(p, PACKAGE)]
    read = [*SYSTEM, *map(str, [*prefixes, *installed, *elsewhere, *readable])]
    read += [str(PACKAGE / part) for part in PACKAGE_PUBLIC]
    return FilesystemPolicy(read, [str(PACKAGE)], [str(workdir), *map(str, private), *SHARED_WRITABLE])


def _overlaps(a: Path, b: Path) -> bool:
    return a.is_relative_to(b) or b.is_relative_to(a)


_PROBE = """import json, sys
editable = [p for m in list(sys.modules.values()) if m.__name__.startswith("__editable__")
            for p in getattr(m, "MAPPING", {}).values()]
print(json.dumps([[sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix], sys.path[1:] + editable]))
"""


@functools.cache
def _interpreter_paths(interpreter: str, pythonpath: str | None) -> tuple[list[Path], list[Path]]:
    """The installation prefixes of ``interpreter`` and every other place it imports from."""
    environment = {"PYTHONPATH": pythonpath} if pythonpath else {}
    # -s: the kernel's home is private, so the grader's user site-packages is not the kernel's.
    probe = subprocess.run([interpreter, "-s", "-c", _PROBE], capture_output=True, text=True, check=True, cwd="/",
                           env=environment)
    prefixes, imports = json.loads(probe.stdout)
    return _existing(prefixes), _existing(imports)


def _existing(paths: list[str]) -> list[Path]:
    return sorted({Path(p).resolve() for p in paths if p and Path(p).exists()})
