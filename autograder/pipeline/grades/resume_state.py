"""What was graded already: one small state file per graded submission, written last.

A run killed halfway (even with kill -9) leaves no state for the submission it
was grading, so the next run grades that one again and skips the others,
unless their notebook changed or they were graded with another data profile.
A submission's digest is taken when its grading starts: a notebook submitted
again while the first one was being graded is graded again next time.

Only the kit reads a state file, so its keys are English (``kernel/layout.py``'s
rule): ``profile``, ``digest``, ``failure``, ``seconds``. A state file without
them (one written before they were English, with ``perfil``, ``entrega``,
``motivo``, ``segundos``) counts as absent: its submission is graded again on
the next run, which writes the state anew, and until then no report lists its
recorded time or failure.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

STATE_SUFFIX = ".estado.json"
KEYS = ("profile", "digest", "failure", "seconds")


def _state_path(root: Path, assignment: str, student: str) -> Path:
    return root / "logs" / assignment / f"{student}{STATE_SUFFIX}"


def _read_state(path: Path) -> dict | None:
    """A state file's contents; None when it is missing, unreadable or of an older format (then it is graded again)."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and all(key in state for key in KEYS) else None


def submission_digest(root: Path, assignment: str, student: str) -> str:
    """sha256 over every file the student submitted for the assignment."""
    digest = hashlib.sha256()
    folder = root / "submitted" / student / assignment
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def save_state(
    root: Path, assignment: str, student: str, *, profile: str, digest: str, failure: str | None, seconds: float
) -> None:
    """Record that the submission whose ``submission_digest`` was ``digest`` when it was graded is graded.

    ``seconds``, the time its grading took, stays in the class report of the runs that skip it.
    """
    path = _state_path(root, assignment, student)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"profile": profile, "digest": digest, "failure": failure, "seconds": seconds}
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)  # atomic: a state file is whole or absent


def graded_state(root: Path, assignment: str, student: str, profile: str) -> dict | None:
    """The state of a finished grading of this very submission with this profile, if any."""
    state = _read_state(_state_path(root, assignment, student))
    if state is None:
        return None
    same = state["profile"] == profile and state["digest"] == submission_digest(root, assignment, student)
    return state if same else None


def recorded_states(root: Path, assignment: str) -> dict[str, dict]:
    """The state of every submission of ``assignment`` whose grading finished, by student."""
    paths = sorted((root / "logs" / assignment).glob(f"*{STATE_SUFFIX}"))
    states = {path.name.removesuffix(STATE_SUFFIX): _read_state(path) for path in paths}
    return {student: state for student, state in states.items() if state is not None}
