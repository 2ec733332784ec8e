"""``autograder servidor`` and ``autograder repartir``: the course server started, an assignment handed out."""

from __future__ import annotations

import grp
import os
import stat
import subprocess
import sys
from pathlib import Path

from autograder.pipeline.assign.views import release
from autograder.pipeline.course import CourseError, load_config
from autograder.pipeline.server.accounts import ensure_groups
from autograder.pipeline.server.exchange import prepare_exchange, release_to_exchange
from autograder.pipeline.server.hub_config import INSTRUCTORS_GROUP, STATE

HUB_CONFIG = "jupyterhub_config.py"
# What students' accounts must not read in the course folder: grades, others' work, hidden checks and solutions.
PRIVATE = ("gradebook.db", "submitted", "autograded", "feedback", "logs", "calificaciones", "servidor", "source",
           "solutions", "tests", "examples", "autograder/checks")


def closed_folders(path: Path) -> list[Path]:
    """The folders on the way to ``path`` (resolved) that other accounts may not pass through."""
    path = Path(path).resolve()
    return [folder for folder in reversed(path.parents) if not os.stat(folder).st_mode & 0o001]


def environment_closed_folders() -> list[Path]:
    """Folders that keep students' servers from running this environment's Python (its interpreter and its files)."""
    interpreter = Path(sys.executable)
    return sorted({*closed_folders(interpreter), *closed_folders(interpreter.resolve()),
                   *closed_folders(Path(sys.prefix) / "lib"), *closed_folders(Path(sys.base_prefix) / "lib")})


def share_with_instructors(root: Path) -> None:
    """The instructors' group reads and writes the course folder (their formgrader works in it, as themselves); new
    files and folders stay the group's (setgid folders)."""
    group = grp.getgrnam(INSTRUCTORS_GROUP).gr_gid
    root = Path(root).resolve()
    for path in [root, *root.rglob("*")]:
        if path.is_symlink() or path.name == ".venv" or ".venv" in path.relative_to(root).parts:
            continue
        os.chown(path, -1, group)
        mode = os.stat(path).st_mode
        extra = (stat.S_IRGRP | stat.S_IWGRP) | ((stat.S_IXGRP | stat.S_ISGID) if path.is_dir() else 0)
        os.chmod(path, (mode | extra) & 0o7777)


def prepare_course_folder(root: Path) -> list[Path]:
    """Before the hub starts: the course's private files closed to students and open to instructors."""
    ensure_groups()
    changed = protect_course_folder(root)
    share_with_instructors(root)
    return changed


def protect_course_folder(root: Path) -> list[Path]:
    """Take the course's private folders and files away from other accounts (students'); the ones changed."""
    changed = []
    for name in PRIVATE:
        path = Path(root) / name
        if path.exists() and os.stat(path).st_mode & 0o007:
            os.chmod(path, os.stat(path).st_mode & ~0o007)
            changed.append(path)
    return changed


def hub_command(*, root: Path) -> list[str]:
    return [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(Path(root).resolve() / HUB_CONFIG)]


def hub_environment(*, ip: str, port: int, profile: str) -> dict[str, str]:
    """What ``jupyterhub_config.py`` reads: the hub's process is another process."""
    return {**os.environ, "AUTOGRADER_HUB_IP": ip, "AUTOGRADER_HUB_PORT": str(port),
            "AUTOGRADER_SUBMISSION_PROFILE": profile}


def start_server(*, root: Path, ip: str = "127.0.0.1", port: int = 8000, profile: str = "rapido") -> int:
    """Run the course's JupyterHub in the foreground until Ctrl+C; its exit code."""
    root = Path(root).resolve()
    if os.geteuid() != 0:
        raise CourseError("El servidor del curso arranca el servidor de cada alumno con su propia cuenta del sistema: "
                          "hay que lanzarlo como root (sudo .venv/bin/autograder servidor).")
    if not (root / HUB_CONFIG).is_file():
        raise CourseError(f"No hay {HUB_CONFIG} en {root}.")
    if closed := environment_closed_folders():
        raise CourseError(
            "Los servidores del alumnado usan el Python de este entorno, pero sus cuentas no pueden pasar por "
            f"{', '.join(map(str, closed))}. Instala el kit con un Python que vean todas las cuentas (por ejemplo "
            "PYTHON=/usr/bin/python3 make) o da permiso de paso a esas carpetas (chmod o+x).")
    for path in prepare_course_folder(root):
        print(f"Protegido del alumnado: {path}")
    (root / STATE).mkdir(exist_ok=True)
    process = subprocess.Popen(hub_command(root=root), cwd=root / STATE, env=hub_environment(ip=ip, port=port, profile=profile))
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return process.wait()


def hand_out(*, root: Path, assignments: list[str]) -> list[str]:
    """Generate each assignment's student version and release it to the exchange (the students' Assignments tab)."""
    prepare_exchange(load_config(root))
    for assignment in assignments:
        release(root=root, assignment_ids=[assignment])
        release_to_exchange(root=root, assignment=assignment)
    return assignments
