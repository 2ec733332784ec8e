"""JupyterHub's configuration for the course, read as JupyterHub reads it (a traitlets Config), without starting it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from traitlets.config import Config

from autograder.pipeline.server.hub_config import INSTRUCTORS_GROUP, STUDENTS_GROUP, configure_hub
from autograder.pipeline.server.start import closed_folders, protect_course_folder


def _configured(course, tmp_path) -> Config:
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(f"\nc.Exchange.root = {str(tmp_path / 'publica' / 'intercambio')!r}\n")
    c = Config()
    configure_hub(c, root=course, port=8300, profile="rapido", proxy="/bin/true")
    return c


def test_single_user_servers_run_this_environment_and_only_the_course_groups_log_in(course, tmp_path):
    """Do students' servers start this environment's jupyterhub-singleuser, with the shared data cache, and may only
    the students' and instructors' groups log in?"""
    c = _configured(course, tmp_path)
    assert c.Spawner.cmd == [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
    assert c.PAMAuthenticator.allowed_groups == {STUDENTS_GROUP, INSTRUCTORS_GROUP}
    assert c.Spawner.environment["AUTOGRADER_DATA_DIR"] == str(tmp_path / "publica" / "datos")
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8300" and c.JupyterHub.hub_port == 8301


def test_the_grading_service_is_managed_by_the_hub_with_the_instructors_profile(course, tmp_path):
    """Is the grading service one of JupyterHub's managed services, on this course and this profile?"""
    (service,) = _configured(course, tmp_path).JupyterHub.services
    assert service["name"] == "corrector"
    assert service["command"][-4:] == ["--curso", str(course.resolve()), "--perfil", "rapido"]


def test_students_get_the_assignments_tab_and_instructors_the_formgrader(course, tmp_path):
    """Does each group's Jupyter configuration point at the course's exchange, and do only students' servers turn the
    formgrader off?"""
    _configured(course, tmp_path)
    folders = {group: tmp_path / "publica" / "jupyter" / group for group in (STUDENTS_GROUP, INSTRUCTORS_GROUP)}
    for group, folder in folders.items():
        nbgrader = (folder / "nbgrader_config.py").read_text(encoding="utf-8")
        assert str(tmp_path / "publica" / "intercambio") in nbgrader and "curso-dl" in nbgrader
        server = json.loads((folder / "jupyter_server_config.json").read_text(encoding="utf-8"))
        enabled = server["ServerApp"]["jpserver_extensions"].get("nbgrader.server_extensions.formgrader", True)
        assert enabled is (group == INSTRUCTORS_GROUP)
    assert str(course.resolve()) in (folders[INSTRUCTORS_GROUP] / "nbgrader_config.py").read_text(encoding="utf-8")
    assert str(course.resolve()) not in (folders[STUDENTS_GROUP] / "nbgrader_config.py").read_text(encoding="utf-8")


def test_the_course_private_files_are_taken_from_other_accounts(course):
    """Are the gradebook and the sources closed to other accounts, and the release left as it was?"""
    for path in (course / "gradebook.db", course / "source", course / "release"):
        os.chmod(path, 0o755)
    changed = protect_course_folder(course)
    assert {course / "gradebook.db", course / "source"} <= set(changed)
    assert os.stat(course / "gradebook.db").st_mode & 0o007 == 0
    assert os.stat(course / "release").st_mode & 0o007 == 0o005


def test_closed_folders_are_the_ones_others_cannot_pass(tmp_path):
    """Is a folder without the others' x bit on the way to a file reported, and an open one not?"""
    (tmp_path / "abierta" / "cerrada").mkdir(parents=True)
    target = tmp_path / "abierta" / "cerrada" / "python"
    target.write_text("", encoding="utf-8")
    os.chmod(tmp_path / "abierta", 0o755)
    os.chmod(tmp_path / "abierta" / "cerrada", 0o750)
    closed = closed_folders(target)
    assert tmp_path / "abierta" / "cerrada" in closed and tmp_path / "abierta" not in closed
