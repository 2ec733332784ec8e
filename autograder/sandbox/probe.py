"""Which protections set in ``nbgrader_config.py`` this machine cannot apply, asked once before grading starts.

The launcher runs once with the course's limits around a program that does
nothing, as it would around a kernel, and reports what is missing; the
instructor reads it in Spanish on the console, not only in a log.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from autograder.sandbox import cgroup
from autograder.sandbox.command import launcher_command
from autograder.sandbox.policy import policy_for
from autograder.sandbox.protections import describe
from autograder.sandbox.settings import Sandbox
from autograder.sandbox.workspace import Workspace


def missing_protections(sandbox: Sandbox) -> list[str] | None:
    """The protections the launcher reports missing here under ``sandbox``'s settings; None if it did not report."""
    workspace, name = Workspace.create(), f"sonda-{uuid.uuid4()}"
    try:
        policy = policy_for(sys.executable, dict(os.environ), workdir=workspace.tmp,
                            private=[workspace.home, workspace.tmp], readable=[])
        command = launcher_command(sandbox, policy, workspace, name, [sys.executable, "-I", "-c", "pass"])
        subprocess.run(command, capture_output=True, timeout=120, cwd=workspace.tmp, env=os.environ | workspace.environment())
        cgroup.remove(name)
        report = workspace.read_report()
        return None if report is None else report["missing"]
    finally:
        workspace.remove()


def notice(settings: dict) -> str | None:
    """What the instructor must know before grading with the ``c.Sandbox`` ``settings`` here; None when all hold."""
    sandbox = Sandbox(**settings)
    if not sandbox.enabled:
        return ("Aviso: los núcleos de los alumnos se ejecutarán sin aislamiento (c.Sandbox.enabled = False): su "
                "código podrá leer las comprobaciones ocultas, el gradebook y las entregas de otros alumnos, y usar la red.")
    missing = missing_protections(sandbox)
    if missing is None:
        return "Aviso: no se pudo comprobar el aislamiento de los núcleos de los alumnos: el lanzador no informó."
    if not missing:
        return None
    return (f"Aviso: en esta máquina los núcleos de los alumnos se ejecutarán sin: {describe(missing, sandbox)}. "
            "El sistema operativo no lo permite aquí (el README, en «Aislamiento del kernel del alumno», dice de qué "
            "depende cada protección); la corrección sigue con las demás.")
