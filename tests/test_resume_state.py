"""The resume state of one submission on disk: English keys, and what a state file of the earlier format means."""

from __future__ import annotations

import json

from autograder.pipeline.grades.resume_state import STATE_SUFFIX, graded_state, recorded_states, save_state, submission_digest

ASSIGNMENT = "p1_normalizacion"


def _submit(root, student: str, text: str = "{}") -> str:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text(text, encoding="utf-8")
    return submission_digest(root, ASSIGNMENT, student)


def _state_file(root, student: str):
    return root / "logs" / ASSIGNMENT / f"{student}{STATE_SUFFIX}"


def test_a_state_file_holds_english_keys_only(tmp_path):
    """Does a saved state name its profile, digest, failure and time in English, as kernel/layout.py's rule asks?"""
    digest = _submit(tmp_path, "ana")
    save_state(tmp_path, ASSIGNMENT, "ana", profile="rapido", digest=digest, failure="Cuaderno dañado.", seconds=12.5)
    state = json.loads(_state_file(tmp_path, "ana").read_text(encoding="utf-8"))
    assert state == {"profile": "rapido", "digest": digest, "failure": "Cuaderno dañado.", "seconds": 12.5}


def test_a_saved_state_is_found_for_the_same_notebook_and_profile_only(tmp_path):
    """Is a submission graded already for its notebook and profile, and not once either changes?"""
    digest = _submit(tmp_path, "ana")
    save_state(tmp_path, ASSIGNMENT, "ana", profile="rapido", digest=digest, failure=None, seconds=3.0)
    assert graded_state(tmp_path, ASSIGNMENT, "ana", "rapido")["seconds"] == 3.0
    assert graded_state(tmp_path, ASSIGNMENT, "ana", "completo") is None
    _submit(tmp_path, "ana", '{"changed": true}')
    assert graded_state(tmp_path, ASSIGNMENT, "ana", "rapido") is None


def test_a_state_file_of_the_earlier_format_counts_as_not_graded(tmp_path):
    """Is a state written with the earlier Spanish keys (perfil, entrega, motivo, segundos) treated as absent, so
    that its submission is graded again and no report reads a failure or time from it?"""
    digest = _submit(tmp_path, "ana")
    _submit(tmp_path, "bea")
    _state_file(tmp_path, "ana").parent.mkdir(parents=True)
    _state_file(tmp_path, "ana").write_text(json.dumps(
        {"perfil": "rapido", "entrega": digest, "motivo": "Cuaderno dañado.", "segundos": 7.0}), encoding="utf-8")
    save_state(tmp_path, ASSIGNMENT, "bea", profile="rapido", digest=submission_digest(tmp_path, ASSIGNMENT, "bea"),
               failure=None, seconds=4.0)
    assert graded_state(tmp_path, ASSIGNMENT, "ana", "rapido") is None
    assert list(recorded_states(tmp_path, ASSIGNMENT)) == ["bea"]
