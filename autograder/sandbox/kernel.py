"""The kernel manager of every notebook the kit executes: its kernels start through the sandbox's provisioner.

Chosen with ``c.NotebookClient.kernel_manager_class`` (``pipeline/steps.py``),
so ``autograder corregir``, the formgrader's grading and the tests start
kernels the same way. jupyter_client picks a kernel's provisioner from the
``kernel_provisioner`` entry of its kernel spec's metadata; this manager's
kernel spec manager adds that entry to whatever spec the notebook names.
Everything else happens in :class:`~autograder.sandbox.provisioner.SandboxProvisioner`.
"""

from __future__ import annotations

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from autograder.sandbox import provisioner
from autograder.sandbox.client import BoundedKernelClient


class SandboxedKernelSpecManager(KernelSpecManager):
    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        spec = super().get_kernel_spec(kernel_name)
        spec.metadata = {**spec.metadata, "kernel_provisioner": {"provisioner_name": provisioner.NAME}}
        return spec


class SandboxedKernelManager(AsyncKernelManager):
    @default("client_factory")
    def _bounded_clients(self) -> type:
        # Not client_class: AsyncKernelManager's own client_factory default ignores it.
        return BoundedKernelClient

    @default("kernel_spec_manager")
    def _sandboxed_kernel_specs(self) -> KernelSpecManager:
        return SandboxedKernelSpecManager(parent=self, data_dir=self.data_dir)
