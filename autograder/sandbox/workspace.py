"""The kernel's private folder: its home, temporary files, ZeroMQ sockets, evidence, connection file and report."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.kernel.layout import DROP_BOX_ENV, STAGING_ENV


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def create(cls) -> Workspace:
        workspace = cls(Path(tempfile.mkdtemp(prefix="autograder-kernel-")))  # mode 700
        for folder in (workspace.home, workspace.tmp, workspace.sockets, workspace.matplotlib, workspace.staging,
                       workspace.evidence):
            folder.mkdir()
        for font_list in _grader_matplotlib_cache().glob("fontlist-*.json"):  # spares each kernel rebuilding it
            shutil.copy(font_list, workspace.matplotlib)
        return workspace

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def matplotlib(self) -> Path:
        return self.home / ".matplotlib"

    @property
    def sockets(self) -> Path:
        """ZeroMQ's IPC sockets: an absolute path, valid whatever the kernel's working folder."""
        return self.root / "sockets"

    @property
    def staging(self) -> Path:
        """Where the recorder writes each call's evidence, unseen, before moving it to ``evidence``."""
        return self.root / "staging"

    @property
    def evidence(self) -> Path:
        """The drop box of the hidden checks' evidence: folders move in, and the kernel cannot see them again."""
        return self.root / "drop_box"

    @property
    def connection_file(self) -> Path:
        return self.root / "connection.json"

    @property
    def applied_protections(self) -> Path:
        return self.root / "protections.json"

    def environment(self) -> dict[str, str]:
        """Where the kernel's libraries write their configuration and temporary files."""
        return {"HOME": str(self.home), "TMPDIR": str(self.tmp), "MPLCONFIGDIR": str(self.matplotlib),
                DROP_BOX_ENV: str(self.evidence), STAGING_ENV: str(self.staging)}

    def read_report(self) -> dict | None:
        """What the launcher applied; None until it has written it whole."""
        try:
            return json.loads(self.applied_protections.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _grader_matplotlib_cache() -> Path:
    """Where matplotlib keeps its font list for the grader (``matplotlib.get_cachedir()``, without importing it)."""
    if "MPLCONFIGDIR" in os.environ:
        return Path(os.environ["MPLCONFIGDIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib"
