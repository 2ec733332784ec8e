"""How the kit starts kernels: through jupyter_client's public provisioner interface, never its private methods."""

from __future__ import annotations

import asyncio
import inspect

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner
from traitlets import EventHandler

from autograder.pipeline.course import load_config
from autograder.sandbox import provisioner
from autograder.sandbox.client import BoundedKernelClient
from autograder.sandbox.kernel import SandboxedKernelManager, SandboxedKernelSpecManager
from autograder.sandbox.provisioner import SandboxProvisioner
from tests.conftest import ROOT
from tests.sandbox_kernels import started_kernel

KIT_CLASSES = [(SandboxedKernelManager, AsyncKernelManager), (SandboxedKernelSpecManager, KernelSpecManager),
               (SandboxProvisioner, LocalProvisioner), (BoundedKernelClient, AsyncKernelClient)]


def test_the_provisioner_is_registered_where_jupyter_client_looks():
    """Is the sandbox's provisioner an entry point of jupyter_client.kernel_provisioners, named as the kit asks?"""
    entries = KernelProvisionerFactory.instance().get_provisioner_entries()
    assert entries[provisioner.NAME] == "autograder.sandbox.provisioner:SandboxProvisioner"


def test_the_course_s_kernels_name_the_sandbox_provisioner_in_their_spec():
    """Does the kernel manager the course configures read kernel specs that name the sandbox's provisioner?"""
    manager_class = load_config(ROOT).NotebookClient.kernel_manager_class
    assert manager_class == "autograder.sandbox.kernel.SandboxedKernelManager"
    spec = SandboxedKernelManager(kernel_name="python3").kernel_spec
    assert spec.metadata["kernel_provisioner"] == {"provisioner_name": provisioner.NAME}


def test_no_private_jupyter_client_method_is_overridden():
    """Do the kit's kernel classes leave every private name of their jupyter_client base class alone?"""
    overridden = {f"{kit.__name__}.{name}" for kit, base in KIT_CLASSES for name, value in vars(kit).items()
                  if name.startswith("_") and not name.startswith("__") and hasattr(base, name)
                  and (inspect.isfunction(value) or isinstance(value, (property, EventHandler)))}
    assert overridden == set()


def test_a_kernel_starts_through_the_provisioner_with_a_bounded_client(tmp_path):
    """Does a kernel the kit's manager starts run under the sandbox's provisioner and answer a bounded client?"""

    async def start() -> tuple[object, object, str]:
        async with started_kernel(tmp_path) as (manager, client):
            reply = await client.execute_interactive("1 + 1", timeout=30)
            return manager.provisioner, client, reply["content"]["status"]

    used, client, status = asyncio.run(start())
    assert isinstance(used, SandboxProvisioner) and isinstance(client, BoundedKernelClient)
    assert status == "ok"
