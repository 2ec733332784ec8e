"""Moodle's grading worksheet of one assignment: read at collection time, filled in with the grades.

An assignment's "Descargar hoja de calificaciones" (plugin assignfeedback_offline)
is a UTF-8 CSV with a byte-order mark whose header is written in the downloading
user's language: `Identificador` (`Participante<id>`: the assignment's participant
id, the number the submissions ZIP names carry), `Nombre completo`, the identity
fields the site shows (`Dirección de correo`, `Nombre de usuario`...), `Estado`,
`Calificación`, `Calificación máxima`, `La calificación puede ser cambiada`,
`Última modificación (entrega)`, `Última modificación (calificación)` and one
column per feedback text (`Comentarios de retroalimentación`).
"Subir hoja de calificaciones" finds the columns by those same names, takes the
participant id from `Identificador` and reads each grade with `unformat_float`,
which turns the language's decimal separator into a dot and casts: a Spanish
Moodle reads `6,50` (and `6.50`) as 6.5, an English one reads `6,50` as 6. The
worksheet written back keeps the header line byte for byte (and the byte-order
mark, which Moodle's CSV reader strips) and every other cell as Moodle wrote it,
and fills in `Calificación` with comma decimals, as the Spanish Moodle writes
them, and the feedback comments.

The worksheet is the only place that ties a participant id to a person, so the
collection keeps a copy of it and the mapping nbgrader id ↔ participant in
`calificaciones/` (ignored by git: it holds names and emails).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import MissingEntry

from autograder.pipeline.course import CourseError, load_config, open_gradebook
from autograder.pipeline.csv_file import write_csv

# Header names Moodle writes, in Spanish and in English.
ID = ("Identificador", "Identifier")
FULL_NAME = ("Nombre completo", "Full name")
EMAIL = ("Dirección de correo", "Dirección Email", "Correo electrónico", "Email address")
USERNAME = ("Nombre de usuario", "Username")
GRADE = ("Calificación", "Grade")
MAX_GRADE = ("Calificación máxima", "Maximum grade", "Maximum Grade")
COMMENTS = ("Comentarios de retroalimentación", "Feedback comments")
BOM = "\ufeff"


@dataclass(frozen=True)
class Participant:
    participant: str  # Moodle's participant id in this assignment
    full_name: str
    email: str
    username: str


@dataclass(frozen=True)
class Worksheet:
    header_line: str  # as Moodle wrote it, quotes and all
    header: list[str]
    rows: list[list[str]]
    bom: bool

    def column(self, names: tuple[str, ...]) -> int | None:
        return next((index for index, name in enumerate(self.header) if name.strip() in names), None)

    def participants(self) -> list[Participant]:
        columns = [self.column(names) for names in (FULL_NAME, EMAIL, USERNAME)]
        return [
            Participant(participant_id(_cell(row, self.column(ID))), *(_cell(row, c) for c in columns))
            for row in self.rows
        ]


def participant_id(identifier: str) -> str:
    """The participant id in an `Identificador` cell (`Participante 12`, or just `12`)."""
    if match := re.search(r"(\d+)\s*$", identifier):
        return match[1]
    raise CourseError(f"La hoja de calificaciones tiene un identificador de participante no válido: «{identifier}».")


def read_worksheet(path: Path) -> Worksheet:
    """The worksheet as Moodle wrote it; a clear Spanish error when it is not one."""
    path = Path(path)
    if not path.is_file():
        raise CourseError(f"No existe la hoja de participantes {path}.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CourseError(f"{path.name} no está en UTF-8: "
                          "usa la hoja tal como la descarga Moodle, sin guardarla con Excel.") from None
    header, *rows = list(csv.reader(io.StringIO(text))) or [[]]
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    sheet = Worksheet(text.split("\n", 1)[0].rstrip("\r"), header, rows, bom=raw.startswith(BOM.encode()))
    if sheet.column(ID) is None:
        raise CourseError(
            f"{path.name} no tiene la columna «Identificador»: usa la de «Descargar hoja de calificaciones» de la tarea "
            "en Moodle (no la lista de participantes del curso), sin abrirla y guardarla con Excel."
        )
    return sheet


def _cell(row: list[str], column: int | None) -> str:
    return row[column].strip() if column is not None and column < len(row) else ""


def mapping_path(root: Path, assignment: str) -> Path:
    """nbgrader id ↔ Moodle participant of each collected student (written by `autograder recoger`)."""
    return Path(root) / "calificaciones" / f"{assignment}_moodle_alumnos.csv"


def worksheet_copy_path(root: Path, assignment: str) -> Path:
    """The worksheet given at collection time, byte for byte."""
    return Path(root) / "calificaciones" / f"{assignment}_moodle_hoja_descargada.csv"


def read_mapping(root: Path, assignment: str) -> dict[str, Participant]:
    path = mapping_path(root, assignment)
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["alumno"]: Participant(row["participante"], row["nombre_completo"], row["correo"], row["usuario"])
                for row in csv.DictReader(handle)}


def write_mapping(root: Path, assignment: str, students: dict[str, Participant]) -> Path:
    rows = [
        {"alumno": student, "participante": p.participant, "nombre_completo": p.full_name, "correo": p.email,
         "usuario": p.username}
        for student, p in sorted(students.items())
    ]
    return write_csv(mapping_path(root, assignment), ["alumno", "participante", "nombre_completo", "correo", "usuario"], rows)


def decimal(value: float) -> str:
    """A grade as the Spanish Moodle writes and reads it: two decimals after a comma."""
    return f"{value:.2f}".replace(".", ",")


def write_grade_worksheet(*, root: Path, assignment: str) -> tuple[Path, list[str]]:
    """`calificaciones/<assignment>_moodle_hoja.csv` for "Subir hoja de calificaciones", and Spanish notes."""
    root = Path(root).resolve()
    students = read_mapping(root, assignment)
    if not students:
        raise CourseError(f"No hay entregas de {assignment} recogidas de Moodle: usa antes «autograder recoger».")
    sheet = read_worksheet(worksheet_copy_path(root, assignment))
    if sheet.column(GRADE) is None:
        raise CourseError(f"La hoja de calificaciones de {assignment} no tiene la columna «Calificación».")
    with open_gradebook(load_config(root)) as gradebook:
        marks = {participant.participant: _mark(gradebook, assignment, student) for student, participant in students.items()}
    rows = [_filled(sheet, row, marks.get(participant_id(_cell(row, sheet.column(ID))))) for row in sheet.rows]
    path = root / "calificaciones" / f"{assignment}_moodle_hoja.csv"
    with path.open("w", encoding="utf-8-sig" if sheet.bom else "utf-8", newline="") as handle:
        handle.write(sheet.header_line + "\n")
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path, _notes(sheet, assignment, [mark for mark in marks.values() if mark])


def _mark(gradebook, assignment: str, student: str) -> dict | None:
    """The student's total and its Spanish comment, or None without a submission in the gradebook."""
    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return None
    written = (
        "preguntas abiertas pendientes de corrección manual (la nota puede subir)" if submission.needs_manual_grade
        else f"preguntas abiertas: {_points(submission.written_score)}/{_points(submission.max_written_score)}"
    )
    comment = (
        f"Corrección automática: {_points(submission.code_score)}/{_points(submission.max_code_score)} puntos; {written}. "
        f"Total: {_points(submission.score)}/{_points(submission.max_score)}. Detalle en el archivo de retroalimentación."
    )
    return {"grade": decimal(submission.score), "max": submission.max_score, "comment": comment,
            "pending": bool(submission.needs_manual_grade)}


def _points(value: float) -> str:
    return f"{round(value, 2):g}".replace(".", ",")


def _filled(sheet: Worksheet, row: list[str], mark: dict | None) -> list[str]:
    row = row + [""] * (len(sheet.header) - len(row))
    if mark:
        row[sheet.column(GRADE)] = mark["grade"]
        if sheet.column(COMMENTS) is not None:
            row[sheet.column(COMMENTS)] = mark["comment"]
    return row


def _notes(sheet: Worksheet, assignment: str, marks: list[dict]) -> list[str]:
    notes = []
    if sheet.column(COMMENTS) is None:
        notes.append("La hoja no tiene «Comentarios de retroalimentación»: activa ese tipo de retroalimentación en la tarea "
                     "y descarga la hoja otra vez para subir también los comentarios.")
    moodle_max = {_cell(row, sheet.column(MAX_GRADE)) for row in sheet.rows} - {""}
    ours = {decimal(mark["max"]) for mark in marks}
    if marks and moodle_max and {m.replace(".", ",") for m in moodle_max} != ours:
        notes.append(f"{assignment} vale {' / '.join(sorted(ours))} puntos en nbgrader "
                     f"y {' / '.join(sorted(moodle_max))} en Moodle: "
                     "Moodle ignora las notas mayores que su calificación máxima; iguala la de la tarea en Moodle.")
    if pending := sum(mark["pending"] for mark in marks):
        notes.append(f"Preguntas abiertas sin corregir a mano en {pending} de las entregas de {assignment}: su nota en la "
                     "hoja no las cuenta todavía (corrígelas en el formgrader y usa «autograder retroalimentacion» y "
                     "«autograder devolver» otra vez).")
    return notes
