"""Where a kernel's evidence lies: shared by the kernel-side recorder and the grader, without Keras.

Naming rule for what the kit writes on disk: a file or folder a person opens is
named in Spanish; one that only the kit's code reads is named in English.

- Spanish: what instructors and students see beside the notebooks and in the
  course (``calificaciones/``, ``feedback/``, ``logs/<práctica>/<alumno>.log``),
  and the evidence folder ``.evidencia/`` itself, which lies beside each
  notebook and which an instructor keeps to review a grade by hand
  (``ApplyVerdicts.keep_evidence``).
- English: everything inside it and in the kernel's private workspace, which
  only the recorder and the grader read: the call, fit and object folders and
  files named below, the drop box and staging folders and their variables.

Each name is one constant here (or one property of ``sandbox.workspace.Workspace``),
so renaming it is one edit.
"""

from __future__ import annotations

import hashlib

EVIDENCE_DIR = ".evidencia"  # beside the notebook: where the grader reads the evidence
CALL_FILE = "call.json"  # in a hidden cell's call folder: the check and its values
FIT_PREFIX, FIT_FILE = "fit-", "record.json"  # one folder per fit call, written when it returns
OBJECT_PREFIX, MODEL_FILE = "obj-", "model.keras"  # one folder per saved model content
# Beside a model that is no Sequential or functional model: the layers its call runs, with their weights, and a
# sample input with the model's output on it (``<name>.npy`` files), from which the grader rebuilds it.
LAYERS_FILE, SAMPLE_FILE, OUTPUT_FILE = "layers.json", "sample", "output"
# Set by the sandboxed kernel manager: a drop box the kernel can move finished
# folders into but can neither list nor open again, and a staging folder it
# cannot list, where each folder is written before the move.
DROP_BOX_ENV = "AUTOGRADER_DROP_BOX"
STAGING_ENV = "AUTOGRADER_STAGING"


def cell_key(source: str) -> str:
    """The key of a cell's evidence: the same in the kernel and in the grader."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:24]
