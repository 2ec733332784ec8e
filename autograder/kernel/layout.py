"""Where a kernel's evidence lies: shared by the kernel-side recorder and the grader, without Keras."""

from __future__ import annotations

import hashlib

EVIDENCE_DIR = ".evidencia"
CALL_FILE = "llamada.json"
FIT_LOG_DIR = "fit_log"


def cell_key(source: str) -> str:
    """The key of a cell's evidence: the same in the kernel and in the grader."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:24]
