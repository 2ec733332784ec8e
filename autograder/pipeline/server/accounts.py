"""One Unix account per student, from Moodle's grading worksheet, and the instructors' group.

The account's name is the student's Moodle username (the worksheet's «Nombre de
usuario» column), which is also their nbgrader id; each account gets a random
password, written for the instructor to hand out, and a home only its owner reads.
"""

from __future__ import annotations

import csv
import os
import pwd
import re
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from autograder.pipeline.course import CourseError
from autograder.pipeline.moodle.worksheet import USERNAME, read_worksheet
from autograder.pipeline.server.hub_config import INSTRUCTORS_GROUP, STATE, STUDENTS_GROUP

UNIX_NAME = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")
PASSWORDS = "contraseñas.csv"


@dataclass(frozen=True)
class Accounts:
    created: list[str]
    existing: list[str]
    refused: list[str]  # report lines, in Spanish
    passwords: Path | None


def ensure_groups() -> None:
    for group in (STUDENTS_GROUP, INSTRUCTORS_GROUP):
        subprocess.run(["groupadd", "-f", group], check=True, capture_output=True)


def add_account(name: str, *, group: str, full_name: str = "") -> str | None:
    """Create the Unix account ``name`` in ``group`` (which must exist: ``ensure_groups``) with a home only it reads;
    its new password, or None if it existed (then it only joins the group)."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        pass
    else:
        subprocess.run(["usermod", "-a", "-G", group, name], check=True, capture_output=True)
        return None
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--comment", full_name.replace(":", " "),
                    "--groups", group, name], check=True, capture_output=True)
    os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
    password = secrets.token_urlsafe(9)
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True, capture_output=True)
    return password


def add_students(*, root: Path, worksheet: Path, instructors: list[str] = ()) -> Accounts:
    """Accounts for every participant of the worksheet (and for ``instructors``, in the instructors' group)."""
    if os.geteuid() != 0:
        raise CourseError("Crear cuentas del sistema requiere ser root (sudo autograder alumnos ...).")
    sheet = read_worksheet(worksheet)
    if sheet.column(USERNAME) is None:
        raise CourseError(f"{Path(worksheet).name} no tiene la columna «Nombre de usuario»: muéstrala en Moodle al "
                          "descargar la hoja; las cuentas llevan el nombre de usuario de Moodle.")
    people = [(p.username.strip().lower(), p.full_name, STUDENTS_GROUP) for p in sheet.participants()]
    people += [(name.strip().lower(), "", INSTRUCTORS_GROUP) for name in instructors]
    ensure_groups()
    created, existing, refused, passwords = [], [], [], []
    for name, full_name, group in people:
        if not UNIX_NAME.fullmatch(name):
            refused.append(f"{full_name or name}: «{name}» no sirve como nombre de cuenta del sistema; no se crea.")
            continue
        password = add_account(name, group=group, full_name=full_name)
        (created if password else existing).append(name)
        if password:
            passwords.append((name, full_name, group, password))
    path = None
    if passwords:
        path = Path(root).resolve() / STATE / PASSWORDS
        path.parent.mkdir(exist_ok=True)
        new = not path.exists()
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            if new:
                writer.writerow(["usuario", "nombre", "grupo", "contraseña"])
            writer.writerows(passwords)
    return Accounts(created, existing, refused, path)
