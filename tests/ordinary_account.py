"""An ordinary (non-root) account for a test, and the folders it must pass through to run this environment's Python."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from pathlib import Path


@contextlib.contextmanager
def passable(folders: list[Path]):
    """Let other accounts pass through ``folders`` (o+x) while inside; their modes as they were afterwards."""
    modes = {folder: os.stat(folder).st_mode for folder in folders}
    try:
        for folder, mode in modes.items():
            os.chmod(folder, mode | 0o001)
        yield
    finally:
        for folder, mode in modes.items():
            os.chmod(folder, mode & 0o7777)


@contextlib.contextmanager
def ordinary_account(name: str):
    """A system account ``name`` with no home and no login; removed afterwards, with its processes."""
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    try:
        yield name
    finally:
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        time.sleep(0.5)  # the killed processes leave the account before it is removed
        subprocess.run(["userdel", name], capture_output=True)
