"""Submissions in from Moodle: an assignment's "Descargar todas las entregas" ZIP into nbgrader's `submitted/`.

Moodle names each submitted file after its author (mod/assign/classes/downloader.php):
the full name (underscores turned into spaces), `_`, the assignment's participant id
(the number in the worksheet's `Identificador`), then `_assignsubmission_file`.
Without "Descargar las entregas en carpetas" a file is
`<Nombre Apellidos>_<id>_assignsubmission_file_<file>`; with it, it lies in the folder
`<Nombre Apellidos>_<id>_assignsubmission_file/` (`..._file_/` before Moodle 4.1),
keeping the student's sub-folders. Both layouts are read.

Participant ids change from one assignment to the next and names repeat, so each
student gets a stable nbgrader id from the worksheet: the Moodle username, or the
email, lowercased and otherwise as is (nbgrader takes any folder name; letters,
digits, `.`, `_`, `-` and `@` are safe ones). An id with other characters, or shared
by two participants, is refused with a report line.

Not built on nbgrader's `zip_collect` (ZipCollectApp, ExtractorPlugin,
FileNameCollectorPlugin): it extracts the whole archive to disk first (nested zips
too), takes the student id straight from the file name (here a per-assignment
participant id that must go through the worksheet), stops the whole run at a
student with two notebooks and no timestamps, and refuses a non-empty student
folder or, with `--force`, empties it and copies again. Here each odd case is one
report line and the rest is collected, a notebook is written only when its bytes
changed (grading regrades by digest), and nothing is extracted: each member is
read in memory and written to a path built from the student's own id, so no
member name can write anywhere else.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder.pipeline.course import CourseError, load_config, open_gradebook
from autograder.pipeline.moodle.worksheet import (
    USERNAME,
    Participant,
    Worksheet,
    mapping_path,
    read_mapping,
    read_worksheet,
    worksheet_copy_path,
    write_mapping,
)

ENTRY = re.compile(r"^(?P<name>[^/]*?)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)(?:_?/|_)(?P<path>[^/].*)$")
SAFE_ID = re.compile(r"[a-z0-9][a-z0-9._@-]*")
KEYS = {"usuario": "nombre de usuario", "email": "correo"}


@dataclass(frozen=True)
class Submitted:
    participant: str
    path: str  # inside the student's submission, with its sub-folders
    member: zipfile.ZipInfo


@dataclass(frozen=True)
class Collection:
    lines: list[str]  # one per odd case, then the summary
    counts: Counter  # "nuevas", "cambiadas", "sin cambios"
    report: Path


def collect_moodle_zip(*, root: Path, assignment: str, submissions_zip: Path, worksheet: Path,
                       key: str | None = None) -> Collection:
    """Place each student's notebook at `submitted/<id>/<assignment>/<assignment>.ipynb`, record who is who, report.

    ``key`` is "usuario" (the worksheet's username column) or "email"; by default
    the username when the worksheet has one, else the email.
    """
    root = Path(root).resolve()
    config = load_config(root)
    if not (root / "source" / assignment).is_dir():
        raise CourseError(f"No existe la práctica {assignment} en source/.")
    sheet = read_worksheet(worksheet)
    participants = sheet.participants()
    previous = read_mapping(root, assignment)
    students, lines = _student_ids(participants, _key(sheet, key), previous)
    with _open_zip(Path(submissions_zip)) as archive:
        found = _entries(archive, lines, {p.participant for p in participants})
        counts = Counter(_collect_one(root, assignment, archive, student, participant,
                                      found.get(participant.participant, []), lines)
                         for student, participant in sorted(students.items()))
    write_mapping(root, assignment, {**previous, **students})
    worksheet_copy_path(root, assignment).write_bytes(Path(worksheet).read_bytes())
    _register(config, students)
    return _report(root, assignment, lines, counts)


def _key(sheet: Worksheet, key: str | None) -> str:
    """The worksheet column that gives each student's id: the username when there is one, else the email."""
    has_username = sheet.column(USERNAME) is not None
    key = key or ("usuario" if has_username else "email")
    if key not in KEYS:
        raise CourseError(f"Clave desconocida {key!r}: usa usuario o email.")
    if key == "usuario" and not has_username:
        raise CourseError("La hoja no tiene la columna «Nombre de usuario»: "
                          "usa --clave email o muestra el nombre de usuario en la hoja.")
    return key


def _student_ids(
    participants: list[Participant], key: str, previous: dict[str, Participant]
) -> tuple[dict[str, Participant], list[str]]:
    """Each participant's nbgrader id, and a report line for each participant refused."""
    by_id, lines = {}, []
    for participant in participants:
        student = (participant.username if key == "usuario" else participant.email).strip().lower()
        if SAFE_ID.fullmatch(student):
            by_id.setdefault(student, []).append(participant)
        else:
            lines.append(f"{_who(participant)}: su {KEYS[key]} «{student}» no sirve como carpeta de alumno: no se recoge.")
    students = {}
    for student, sharing in by_id.items():
        if len(sharing) > 1:
            names = ", ".join(_who(p) for p in sharing)
            lines.append(f"{names}: comparten el {KEYS[key]} «{student}»: no se recoge ninguna de sus entregas.")
        elif student in previous and previous[student].participant != sharing[0].participant:
            lines.append(f"{_who(sharing[0])}: submitted/{student} ya es de {_who(previous[student])}: no se recoge.")
        else:
            students[student] = sharing[0]
    return students, lines


def _who(participant: Participant) -> str:
    return f"{participant.full_name or 'Sin nombre'} (participante {participant.participant})"


def _open_zip(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise CourseError(f"No existe el ZIP de entregas {path}.")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise CourseError(f"{path.name} no es un ZIP válido: "
                          "descárgalo otra vez de Moodle («Descargar todas las entregas»).") from None


def _entries(archive: zipfile.ZipFile, lines: list[str], known: set[str]) -> dict[str, list[Submitted]]:
    """The submitted files of each participant id; a report line for each member that is not one."""
    found: dict[str, list[Submitted]] = {}
    for member in archive.infolist():
        if member.is_dir():
            continue
        name, match = member.filename, ENTRY.match(member.filename)
        if name.startswith("/") or "\\" in name or ".." in PurePosixPath(name).parts:
            lines.append(f"Entrada del ZIP rechazada (ruta peligrosa): {name}")
        elif not match:
            lines.append(f"Entrada del ZIP que no sigue los nombres de Moodle, ignorada: {name}")
        elif match["plugin"] != "file":
            lines.append(f"Entrada del ZIP ignorada (assignsubmission_{match['plugin']}, no es un archivo entregado): {name}")
        else:
            found.setdefault(match["participant"], []).append(Submitted(match["participant"], match["path"], member))
    for participant in sorted(set(found) - known, key=int):
        files = ", ".join(f.path for f in found[participant])
        lines.append(f"Participante {participant} del ZIP no está en la hoja de participantes: no se recoge ({files}).")
    return found


def _collect_one(root, assignment, archive, student, participant, files, lines) -> str | None:
    """Write the student's notebook if it changed; the outcome ("nuevas", "cambiadas", "sin cambios") or None."""
    target = root / "submitted" / student / assignment / f"{assignment}.ipynb"
    who = f"{student}: {_who(participant)}"
    if not files:
        kept = "; se mantiene la entrega recogida antes" if target.is_file() else ""
        lines.append(f"{who}: sin entrega en el ZIP{kept}.")
        return None
    chosen, notes = _notebook(assignment, files)
    lines.extend(f"{who}: {note}" for note in notes)
    if chosen is None:
        return None
    data = archive.read(chosen.member)
    if target.is_file() and target.read_bytes() == data:
        return "sin cambios"
    outcome = "cambiadas" if target.is_file() else "nuevas"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return outcome


def _notebook(assignment: str, files: list[Submitted]) -> tuple[Submitted | None, list[str]]:
    """The one notebook to collect, or None; a note for each odd case, never a silent guess."""
    notebooks = [f for f in files if f.path.lower().endswith(".ipynb")]
    others = [f.path for f in files if f not in notebooks]
    if len(notebooks) > 1:
        names = ", ".join(f.path for f in notebooks)
        return None, [f"entregó {len(notebooks)} cuadernos ({names}): no se recoge ninguno; que deje uno solo en Moodle."]
    if not notebooks:
        what = "un .zip" if any(path.lower().endswith(".zip") for path in others) else "otros archivos"
        return None, [f"entregó {what} en vez del cuaderno ({', '.join(others)}): no se recoge."]
    chosen, notes = notebooks[0], []
    if "/" in chosen.path:
        notes.append(f"el cuaderno estaba en una subcarpeta ({chosen.path}): se recoge.")
    if PurePosixPath(chosen.path).name != f"{assignment}.ipynb":
        notes.append(f"cuaderno renombrado ({PurePosixPath(chosen.path).name}): se recoge como {assignment}.ipynb.")
    if others:
        notes.append(f"se ignoran los demás archivos ({', '.join(others)}).")
    return chosen, notes


def _register(config, students: dict[str, Participant]) -> None:
    """Each collected student in nbgrader's gradebook, with name and email
    (Moodle gives one full name: split at the first space)."""
    with open_gradebook(config) as gradebook:
        for student, participant in students.items():
            first, _, last = participant.full_name.partition(" ")
            gradebook.update_or_create_student(student, first_name=first, last_name=last, email=participant.email or None)


def _report(root: Path, assignment: str, lines: list[str], counts: Counter) -> Collection:
    counts = Counter({outcome: number for outcome, number in counts.items() if outcome})
    lines = [*lines, (
        f"{assignment}: {sum(counts.values())} entregas recogidas ({counts['nuevas']} nuevas, {counts['cambiadas']} cambiadas, "
        f"{counts['sin cambios']} sin cambios); {len(lines)} avisos. "
        f"Alumnos en {mapping_path(root, assignment).relative_to(root)}."
    )]
    report = root / "calificaciones" / f"{assignment}_recogida.txt"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Collection(lines=lines, counts=counts, report=report)
