"""Grades and feedback back to Moodle: the filled-in grading worksheet and a feedback ZIP.

"Subir múltiples archivos de retroalimentación en un ZIP" (plugin assignfeedback_file,
importziplib.php) splits each member's path at `_` and takes the second part as the
participant id and the next two as the plugin that owns the file; the rest is the
file name. Members are named like the submissions download,
`<Nombre Apellidos>_<participant id>_assignfeedback_file_<assignment>.html`: with
the feedback plugin's own prefix Moodle compares each file with the student's
current feedback files, so uploading the same ZIP again changes and notifies nothing
(with `assignsubmission_file` every upload would count as new feedback).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.pipeline.moodle.worksheet import Participant, read_mapping, write_grade_worksheet

FEEDBACK_PLUGIN = "assignfeedback_file"


@dataclass(frozen=True)
class MoodleReturn:
    worksheet: Path  # for "Subir hoja de calificaciones"
    feedback_zip: Path  # for "Subir múltiples archivos de retroalimentación en un ZIP"
    notes: list[str]  # Spanish, for the instructor


def write_moodle_return(*, root: Path, assignment: str) -> MoodleReturn:
    """Write `calificaciones/<assignment>_moodle_hoja.csv` and `calificaciones/<assignment>_retroalimentacion.zip`.

    Needs an earlier `collect_moodle_zip` of the assignment (its worksheet and who is who).
    """
    root = Path(root).resolve()
    worksheet, notes = write_grade_worksheet(root=root, assignment=assignment)
    feedback_zip, missing = write_feedback_zip(root=root, assignment=assignment, students=read_mapping(root, assignment))
    return MoodleReturn(worksheet=worksheet, feedback_zip=feedback_zip, notes=notes + missing)


def feedback_member(participant: Participant, filename: str) -> str:
    """The ZIP member name Moodle's feedback import maps to ``participant``."""
    name = re.sub(r"[_/\\]+", " ", participant.full_name).strip() or "Participante"
    return f"{name}_{participant.participant}_{FEEDBACK_PLUGIN}_{filename}"


def write_feedback_zip(*, root: Path, assignment: str, students: dict[str, Participant]) -> tuple[Path, list[str]]:
    """Each collected student's `feedback/<id>/<assignment>/<assignment>.html`; a note for each one without it."""
    path = Path(root) / "calificaciones" / f"{assignment}_retroalimentacion.zip"
    notes = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for student, participant in sorted(students.items()):
            feedback = Path(root) / "feedback" / student / assignment / f"{assignment}.html"
            if feedback.is_file():
                archive.write(feedback, feedback_member(participant, feedback.name))
            elif (Path(root) / "submitted" / student / assignment).is_dir():
                notes.append(f"{student}: sin retroalimentación en feedback/{student}/{assignment}/ "
                             "(¿sin corregir?): no va en el ZIP.")
    return path, notes
