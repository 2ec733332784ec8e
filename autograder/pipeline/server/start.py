"""``autograder servidor`` and ``autograder repartir``: the course server started, an assignment handed out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from autograder.pipeline.assign.views import release
from autograder.pipeline.course import CourseError, load_config
from autograder.pipeline.server.exchange import prepare_exchange, release_to_exchange
from autograder.pipeline.server.hub_config import STATE

HUB_CONFIG = "jupyterhub_config.py"


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
