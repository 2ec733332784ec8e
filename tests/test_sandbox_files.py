"""The student's kernel sees its own folder and the data, nothing the grader hides, and writes only in its folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from autograder import course_data
from autograder.kernel.layout import CALL_FILE, DROP_BOX_ENV, EVIDENCE_DIR, STAGING_ENV
from tests.conftest import ROOT
from tests.sandbox_kernels import ATTEMPT, PACKAGE, config, course, landlock_abi, names, printed, require, run  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def probed(config, course):
    """One sandboxed kernel tries to read and write inside and outside its folder."""
    workdir = course / "autograded/alumno/p"
    reads = {"checks": PACKAGE / "checks/thresholds.py", "pipeline": PACKAGE / "pipeline/run/batch.py",
             "repository": ROOT / "README.md", "gradebook": course / "gradebook.db",
             "source": course / "source/p/p.ipynb", "submitted": course / "submitted/otro/p/p.ipynb",
             "other": course / "autograded/otro/p/p.ipynb", "feedback": course / "feedback/otro/p/p.html",
             "grades": course / "calificaciones/p.csv", "logs": course / "logs/corregir.log",
             "own": workdir / "course_data.py", "extension": PACKAGE / "kernel/fit_log.py",
             "data": course_data.cache_dir() / "mnist.npz"}  # the grader fills the cache first
    writes = {"own": workdir / "nuevo.txt", "evidence": workdir / EVIDENCE_DIR / "a", "course": course / "nuevo.txt",
              "data": course_data.cache_dir() / "nuevo.txt", "tmp": Path("/tmp/nuevo.txt")}
    return run(
        config, course,
        ATTEMPT + f"attempt(Path.read_bytes, {names(reads)})",
        f"Path('{EVIDENCE_DIR}').mkdir(exist_ok=True)\nattempt(lambda path: path.write_text('x'), {names(writes)})",
    )


def test_the_kernel_reads_its_folder_and_the_data_but_nothing_hidden(probed):
    """Can the kernel read its folder, the data and its extension, but not the checks, gradebook or others' work?"""
    require(landlock_abi(4))
    results = json.loads(printed(probed.cells[0]))
    assert [results.pop(name) for name in ("own", "data", "extension")] == ["ok"] * 3
    assert set(results.values()) == {"denied"}, results


def test_the_kernel_writes_only_in_its_folder(probed):
    """Can the kernel write in its folder (evidence included) and nowhere else?"""
    require(landlock_abi(4))
    results = json.loads(printed(probed.cells[1]))
    assert results == {"own": "ok", "evidence": "ok", "course": "denied", "data": "denied", "tmp": "denied"}


HAND_OVER = """
import os
import numpy as np
from autograder.kernel.evidence import verify
verify.check_scaled(np.arange(6.0).reshape(2, 3))
"""
TAMPER = ATTEMPT + f"""
import shutil, tempfile
drop, staging = os.environ["{DROP_BOX_ENV}"], os.environ["{STAGING_ENV}"]
""" + """def plant(path):
    forged = tempfile.mkdtemp()  # in the kernel's own temporary folder
    os.rename(forged, path)
attempt(os.listdir, {"drop": drop, "staging": staging})
attempt(shutil.rmtree, {"drop": drop})
attempt(plant, {"planted": drop + "/" + "f" * 24 + "-0001"})
"""


def test_handed_over_evidence_cannot_be_seen_changed_or_removed_by_the_kernel(config, course):
    """Can the kernel neither list, read nor remove the evidence it handed over, and does the grader get it whole?"""
    require(landlock_abi(2))  # moves between folders
    workdir = course / "autograded" / "alumno" / "p"
    notebook = run(config, course, HAND_OVER, TAMPER)
    listing, removal, planting = (json.loads(line) for line in printed(notebook.cells[1]).splitlines())
    assert listing == {"drop": "denied", "staging": "denied"} and removal == {"drop": "denied"}
    assert planting == {"planted": "ok"}  # possible, but it adds a call the hidden cell did not make
    handed = {path.name for path in (workdir / EVIDENCE_DIR).iterdir()}
    assert "f" * 24 + "-0001" in handed and len(handed) == 2
    genuine = workdir / EVIDENCE_DIR / min(handed)
    call = json.loads((genuine / CALL_FILE).read_text(encoding="utf-8"))
    array = np.load(genuine / call["args"][0]["file"], allow_pickle=False)
    assert call["check"] == "check_scaled" and np.array_equal(array, np.arange(6.0).reshape(2, 3))

