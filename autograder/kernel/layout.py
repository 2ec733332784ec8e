"""Where a kernel's evidence lies: shared by the kernel-side recorder and the grader, without Keras."""

from __future__ import annotations

import hashlib

EVIDENCE_DIR = ".evidencia"  # beside the notebook: where the grader reads the evidence
CALL_FILE = "llamada.json"
FIT_LOG_DIR = "fit_log"
# Set by the sandboxed kernel manager: a drop box the kernel can move finished
# folders into but can neither list nor open again, and a staging folder it
# cannot list, where each call's folder is written before the move.
DROP_BOX_ENV = "AUTOGRADER_EVIDENCIA"
STAGING_ENV = "AUTOGRADER_EVIDENCIA_PREPARACION"


def cell_key(source: str) -> str:
    """The key of a cell's evidence: the same in the kernel and in the grader."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:24]
