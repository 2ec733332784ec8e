"""The command that starts a program inside the sandbox: ``python -I -m autograder.sandbox.launcher <limits> -- <command>``."""

from __future__ import annotations

import sys

from autograder.sandbox import launcher
from autograder.sandbox.policy import FilesystemPolicy
from autograder.sandbox.settings import Sandbox
from autograder.sandbox.workspace import Workspace


def launcher_command(sandbox: Sandbox, policy: FilesystemPolicy, workspace: Workspace, name: str,
                     command: list[str]) -> list[str]:
    """``command`` run by the launcher with ``sandbox``'s limits, ``policy``'s files and cgroups called ``name``."""
    limits = {"--memory-mb": sandbox.memory_mb, "--max-processes": sandbox.max_processes,
              "--max-file-mb": sandbox.max_file_mb}
    options = [f"{option}={value}" for option, value in limits.items() if value]
    options += ["--deny-network"] * (not sandbox.network) + ["--cpu-cgroup"] * sandbox.cpu_cgroup
    for rule, paths in (("--read", policy.read), ("--list", policy.list), ("--write", policy.write)):
        options += [f"{rule}={path}" for path in paths]
    options += [f"--stage={workspace.staging}", f"--drop={workspace.evidence}"]
    options += [f"--cgroup={name}", f"--report={workspace.applied_protections}"]
    return [sys.executable, "-I", "-m", launcher.__name__, *options, "--", *command]
