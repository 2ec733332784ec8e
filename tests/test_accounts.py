"""Students' Unix accounts for the course server, made from Moodle's grading worksheet (root only: real accounts,
removed at the end)."""

from __future__ import annotations

import csv
import grp
import os
import pwd
import secrets
import stat
import subprocess

import pytest

from autograder.pipeline.course import CourseError
from autograder.pipeline.server.accounts import add_students
from autograder.pipeline.server.hub_config import INSTRUCTORS_GROUP, STUDENTS_GROUP
from tests.moodle_downloads import write_worksheet

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="creates Unix accounts: root only")


@pytest.fixture
def names():
    tag = secrets.token_hex(2)
    made = {"student": f"cu{tag}a", "other": f"cu{tag}b", "instructor": f"cu{tag}p"}
    yield made
    for name in made.values():
        subprocess.run(["userdel", "--remove", name], capture_output=True)


def test_each_participant_gets_an_account_only_they_read_and_a_password_to_hand_out(course, tmp_path, names):
    """Does every worksheet participant with a usable username get an account in the students' group, a home only
    they read and a password in a file only root reads; is a username that cannot be an account reported?"""
    people = [("201", "Ana García", "ana@uni.es", names["student"]), ("202", "Bruno Díaz", "b@uni.es", names["other"]),
              ("203", "Carla Ruiz", "carla@uni.es", "Carla Ruiz")]
    sheet = write_worksheet(tmp_path / "hoja.csv", people, username=True)
    accounts = add_students(root=course, worksheet=sheet, instructors=[names["instructor"]])
    assert sorted(accounts.created) == sorted(names.values())
    assert len(accounts.refused) == 1 and "carla ruiz" in accounts.refused[0]
    for key, group in (("student", STUDENTS_GROUP), ("other", STUDENTS_GROUP), ("instructor", INSTRUCTORS_GROUP)):
        entry = pwd.getpwnam(names[key])
        assert names[key] in grp.getgrnam(group).gr_mem
        assert stat.S_IMODE(os.stat(entry.pw_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(accounts.passwords).st_mode) == 0o600
    with accounts.passwords.open(encoding="utf-8") as handle:
        rows = {row["usuario"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(names.values()) and all(len(row["contraseña"]) >= 12 for row in rows.values())
    again = add_students(root=course, worksheet=sheet)
    assert sorted(again.existing) == sorted([names["student"], names["other"]]) and again.created == []


def test_a_worksheet_without_usernames_is_refused_in_spanish(course, tmp_path):
    """Is a worksheet without the «Nombre de usuario» column refused with a sentence that says how to get it?"""
    with pytest.raises(CourseError, match="Nombre de usuario"):
        add_students(root=course, worksheet=write_worksheet(tmp_path / "hoja.csv"))
