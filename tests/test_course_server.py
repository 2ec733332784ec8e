"""A student's day on the course server, end to end: a real JupyterHub and configurable-http-proxy on loopback, real
Unix accounts (two students and one instructor), nbgrader's exchange and the grading service, driven in Debian's
headless Chromium. Submissions are cheap scenario notebooks (p1 done in part, a broken file), graded on the quick
profile."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time

import nbformat
import pytest

from tests import course_server as cs
from tests.formgrader_session import CHROMEDRIVER, CHROMIUM, headless_chromium
from tests.scenarios import tables

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="the course server creates Unix accounts: root only"),
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="`make browser` installs Chromium"),
    pytest.mark.skipif(shutil.which("npm") is None, reason="configurable-http-proxy comes from npm (`make proxy`)"),
]

GRADING = 900  # seconds a submission may take from Submit to feedback on a busy 2-core machine
PARTIAL, BROKEN = "solo_normalizacion", "cuaderno_roto"


def _scenario(name: str):
    table = next(table for table in tables() if table.assignment == cs.ASSIGNMENT)
    return table.scenarios[name], table.notebook(name).read_text(encoding="utf-8")


def _automatic_points() -> dict[str, float]:
    release = nbformat.read(cs.ROOT / "release" / cs.ASSIGNMENT / f"{cs.ASSIGNMENT}.ipynb", as_version=4)
    return {cell.metadata.nbgrader["grade_id"]: float(cell.metadata.nbgrader["points"]) for cell in release.cells
            if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with cs.running_course_server(tmp_path_factory.mktemp("servidor")) as running:
        yield running


@pytest.fixture(scope="module")
def day(server, tmp_path_factory):
    """Both students log in, fetch p1 in the Assignments tab, put their work in place and press Submit: the first a
    p1 done in part, the second a broken file. The grading service is killed (kill -9) as soon as it starts grading,
    and JupyterHub starts it again. Returns each student's feedback page as text."""
    first, second = server.students
    pages = {}
    with headless_chromium(tmp_path_factory.mktemp("chromium-1")) as one, \
            headless_chromium(tmp_path_factory.mktemp("chromium-2")) as two:
        for browser, student, scenario in ((one, first, PARTIAL), (two, second, BROKEN)):
            cs.log_in(browser, server, student)
            cs.open_assignments_tab(browser, server, student)
            cs.press(browser, "Fetch")
            _, text = _scenario(scenario)
            cs.put_notebook(browser, server, student, f"{cs.ASSIGNMENT}/{cs.ASSIGNMENT}.ipynb", text)
            cs.press(browser, "Submit")
        killed = _kill_service_once_grading(server)
        for browser, student in ((one, first), (two, second)):
            cs.wait_for_feedback(browser, timeout=GRADING)
            browser.save_screenshot(str(server.log.parent / f"pestaña_assignments_{student}.png"))
            pages[student] = cs.page_text(browser, cs.feedback_page(browser, server, student))
            browser.save_screenshot(str(server.log.parent / f"retroalimentacion_{student}.png"))
    return pages, killed


def _kill_service_once_grading(server) -> bool:
    """kill -9 the grading service once its log says it is grading; whether it did."""
    deadline = time.monotonic() + cs.WAIT
    while time.monotonic() < deadline:
        if "Corrigiendo" in server.log.read_text(errors="replace") and (pids := server.service_pids()):
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            return True
        time.sleep(0.5)  # polling the service's log
    return False


def test_a_student_reads_the_points_of_each_check_minutes_after_submit(day, server):
    """Does the feedback page the Assignments tab brings show each automatic check's points as the scenario
    deserves, with the notice that the grade that counts is the one after the deadline?"""
    pages, _ = day
    page = pages[server.students[0]]
    scenario, _ = _scenario(PARTIAL)
    for check, top in _automatic_points().items():
        expected = 0.0 if check in scenario.lost else top
        assert re.search(rf"{check} \(Puntuación: {expected} / {top}\)", page), check
    assert "Corrección al entregar" in page and "perfil rápido" in page
    assert "La nota que cuenta es la de la corrección tras la fecha de entrega" in page


def test_a_broken_notebook_gets_its_spanish_reason(day, server):
    """Does a student who submitted a file cut in half read why it could not be graded, in Spanish?"""
    pages, _ = day
    scenario, _ = _scenario(BROKEN)
    assert scenario.says in pages[server.students[1]]


def test_the_service_killed_while_grading_still_delivers(day, server):
    """Was the service killed mid-grading (and restarted by JupyterHub) while both students still got feedback?"""
    pages, killed = day
    assert killed
    assert "exited with status -9" in server.log.read_text(errors="replace")
    assert all(pages.values())


def test_a_student_cannot_read_the_other_students_files(day, server):
    """Do students' servers run as their own accounts, which cannot read each other's homes or the exchange's
    submissions?"""
    first, second = server.students
    running = subprocess.run(["pgrep", "-u", first, "-f", "jupyterhub-singleuser"], capture_output=True, text=True)
    assert running.stdout.split(), "the first student's server runs as the first student's account"
    attempts = [f"/home/{second}/{cs.ASSIGNMENT}/{cs.ASSIGNMENT}.ipynb", str(server.public / "intercambio" / "curso-dl"
                                                                            / "inbound"), str(server.course / "gradebook.db")]
    for target in attempts:
        command = ["ls", target] if target.endswith("inbound") else ["cat", target]
        attempt = subprocess.run(["runuser", "-u", first, "--", *command], capture_output=True, text=True)
        assert attempt.returncode != 0 and "Permission denied" in attempt.stderr, target


def test_only_instructors_get_the_formgrader(day, server, tmp_path):
    """Does nbgrader's formgrader list the course's assignments to the instructor's account, and is it missing from a
    student's server?"""
    answers = {}
    for user in (server.instructor, server.students[0]):
        with headless_chromium(tmp_path / f"chromium-{user}") as browser:
            cs.log_in(browser, server, user)
            answers[user] = cs.api_request(browser, f"{server.url}/user/{user}/formgrader/api/assignments")
    assert cs.ASSIGNMENT in {assignment["name"] for assignment in answers[server.instructor]}
    assert answers[server.students[0]] == 404 or "404" in str(answers[server.students[0]])
