"""Where a kernel's evidence lies: shared by the kernel-side recorder and the grader, without Keras."""

from __future__ import annotations

import hashlib

EVIDENCE_DIR = ".evidencia"  # beside the notebook: where the grader reads the evidence
CALL_FILE = "llamada.json"  # in a hidden cell's call folder: the check and its values
FIT_PREFIX, FIT_FILE = "fit-", "record.json"  # one folder per fit call, written when it returns
OBJECT_PREFIX, MODEL_FILE = "obj-", "model.keras"  # one folder per saved model content
# Set by the sandboxed kernel manager: a drop box the kernel can move finished
# folders into but can neither list nor open again, and a staging folder it
# cannot list, where each folder is written before the move.
DROP_BOX_ENV = "AUTOGRADER_EVIDENCIA"
STAGING_ENV = "AUTOGRADER_EVIDENCIA_PREPARACION"


def cell_key(source: str) -> str:
    """The key of a cell's evidence: the same in the kernel and in the grader."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:24]
