"""The sandbox of the student's kernel.

``kernel.SandboxedKernelManager`` (grader side, chosen in ``nbgrader_config.py``)
has jupyter_client's ``provisioner.SandboxProvisioner`` start every kernel
through ``launcher`` with the limits of ``settings.Sandbox``:
no network, bounded memory, processes and files, and a Landlock filesystem
``policy`` that hides the hidden checks, the gradebook and other students' work.
Only ``stream`` runs inside the kernel. This file stays empty: the launcher and
the kernel import the package.
"""
