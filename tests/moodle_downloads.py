"""What Moodle's assignment gives an instructor, written as Moodle writes it: the grading worksheet
("Descargar hoja de calificaciones") and the member names of the submissions ZIP ("Descargar todas las entregas").

Shared by the Moodle tests and benchmarks/instructor_loop.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

HEADER = [
    "Identificador", "Nombre completo", "Dirección de correo", "Estado", "Calificación", "Calificación máxima",
    "La calificación puede ser cambiada", "Última modificación (entrega)", "Última modificación (calificación)",
    "Comentarios de retroalimentación",
]
# (participant id, full name, email, username)
CLASS = [
    ("101", "Ana García López", "Ana.Garcia@uni.es", "agarcia"),
    ("102", "Bruno Díaz", "bruno@uni.es", "bdiaz"),
    ("103", "Carla Ruiz Sanz", "carla@uni.es", "cruiz"),
    ("104", "David Mora", "david@uni.es", "dmora"),
    ("105", "Elena Vidal", "elena@uni.es", "evidal"),
]


def write_worksheet(path: Path, people=CLASS, username: bool = False) -> Path:
    """A grading worksheet as Moodle writes it: UTF-8 with a byte-order mark, Spanish header, PHP's fputcsv quoting."""
    header = HEADER[:3] + ["Nombre de usuario"] + HEADER[3:] if username else HEADER
    lines = [header]
    for participant, name, email, user in people:
        row = [f"Participante {participant}", name, email, "Enviado para calificar", "", "7,00", "Sí",
               "lunes, 2 de diciembre de 2024, 18:05", "-", ""]
        lines.append(row[:3] + [user] + row[3:] if username else row)
    path.write_bytes("\ufeff".encode() + "".join(fputcsv(cells) for cells in lines).encode("utf-8"))
    return path


def fputcsv(cells: list[str]) -> str:
    """One line as PHP's fputcsv writes it (Moodle's CSV writer): fields with a space, comma or quote are quoted."""
    quoted = ('"' + cell.replace('"', '""') + '"' if any(c in cell for c in ' ,"\t') else cell for cell in cells)
    return ",".join(quoted) + "\n"


NAMES = {participant: name for participant, name, *_ in CLASS}


def in_folders(participant: str, filename: str) -> str:
    """A member name of the download in folders ("Descargar las entregas en carpetas", Moodle 4.1 and later)."""
    return f"{NAMES.get(participant, 'Zoe Extra')}_{participant}_assignsubmission_file/{filename}"


def flat(participant: str, filename: str) -> str:
    """A member name of the download without folders: `<Nombre>_<id>_assignsubmission_file_<file>`."""
    return f"{NAMES.get(participant, 'Zoe Extra')}_{participant}_assignsubmission_file_{filename}"


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path
