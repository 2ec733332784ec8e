"""Manual grading in nbgrader's formgrader, in a real browser: the grade and comment reach the gradebook and the
grade files, survive a forced regrade and reach the student's feedback.

The formgrader runs in ``jupyter lab`` started from the course root, as an instructor starts it; Debian's
headless Chromium (``make browser``) drives its grading page, typing as an instructor does."""

import csv
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from autograder.pipeline.feedback import regenerate_feedback
from autograder.pipeline.grading import grade
from tests.conftest import GRADED_ASSIGNMENT, GRADED_STUDENT, answer_panel, copy_course, feedback_html

ANSWER, SCORE, COMMENT = "respuesta_normalizacion", "0.75", "Bien: la escala de las entradas cambia el gradiente."
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")
WAIT = 120  # seconds any page, request or server start may take on a busy CI machine


@pytest.fixture(scope="module")
def course(graded_course, tmp_path_factory):
    return copy_course(graded_course, tmp_path_factory.mktemp("formgrader"))


@pytest.fixture(scope="module")
def formgrader(course, tmp_path_factory):
    """``jupyter lab`` with nbgrader's formgrader, started from the course root on a free port: its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    runtime = tmp_path_factory.mktemp("jupyter")
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               "--IdentityProvider.token=", "--allow-root"]  # CI runs as root
    log = (runtime / "lab.log").open("w")
    server = subprocess.Popen(command, cwd=course, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, f"{url}/api/status", runtime / "lab.log")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=WAIT)
        log.close()


def wait_until_serving(server: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert server.poll() is None, f"jupyter lab exited:\n{log.read_text()}"
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)  # polling the server's start, not waiting for a result
    raise AssertionError(f"jupyter lab did not answer in {WAIT} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), "Chromium is missing: `make browser` installs it"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*BROWSER_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


def grade_by_hand(browser, formgrader: str) -> None:
    """From the assignment's list of submissions, open the student's one and grade ``ANSWER``."""
    wait = WebDriverWait(browser, WAIT)
    browser.get(f"{formgrader}/formgrader/gradebook/{GRADED_ASSIGNMENT}/{GRADED_ASSIGNMENT}")
    wait.until(expected_conditions.element_to_be_clickable((By.PARTIAL_LINK_TEXT, "Submission #1"))).click()
    wait.until(lambda driver: driver.execute_script(
        "return typeof formgrader !== 'undefined' && formgrader.grades.loaded && formgrader.comments.loaded"))
    browser.execute_script("window.saved = 0; $(document).on('finished_saving', () => window.saved++);")
    for field, text in ((ANSWER, SCORE), (f"{ANSWER}-comment", COMMENT)):
        box = wait.until(expected_conditions.element_to_be_clickable((By.ID, field)))
        box.send_keys(text)
        box.send_keys(Keys.TAB)  # leaving the field saves it
    wait.until(lambda driver: driver.execute_script("return window.saved") >= 2)


def manual_grade(course: Path) -> tuple:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "curso-dl") as gradebook:
        grade_ = gradebook.find_grade(ANSWER, GRADED_ASSIGNMENT, GRADED_ASSIGNMENT, GRADED_STUDENT)
        comment = gradebook.find_comment(ANSWER, GRADED_ASSIGNMENT, GRADED_ASSIGNMENT, GRADED_STUDENT)
        return grade_.manual_score, comment.manual_comment, len(gradebook.assignment_submissions(GRADED_ASSIGNMENT))


def exported_total(course: Path) -> tuple[str, str]:
    """The student's manual points in the assignment's CSV and total in moodle.csv."""
    grades = course / "calificaciones"
    with (grades / f"{GRADED_ASSIGNMENT}.csv").open(encoding="utf-8") as handle:
        row = next(row for row in csv.DictReader(handle) if row["alumno"] == GRADED_STUDENT)
    with (grades / "moodle.csv").open(encoding="utf-8") as handle:
        moodle = next(row for row in csv.DictReader(handle) if row["usuario"] == GRADED_STUDENT)
    return row["puntos_manuales"], moodle[GRADED_ASSIGNMENT]


def shows_manual_grade(course: Path) -> bool:
    panel = answer_panel(feedback_html(course), ANSWER)
    return f"Puntuación: {SCORE} / 1.0" in panel and COMMENT in panel


def test_a_grade_entered_in_the_formgrader_is_kept_exported_and_fed_back(course, formgrader, browser):
    """Does a score and comment typed in the formgrader reach the gradebook, survive `corregir --forzar` (the
    grade files carrying it), and show in the feedback written again by `retroalimentacion`?"""
    grade_by_hand(browser, formgrader)
    assert manual_grade(course) == (float(SCORE), COMMENT, 1)

    grade(root=course, assignment=GRADED_ASSIGNMENT, profile="rapido", force=True, workers=1, progress=lambda line: None)
    assert manual_grade(course) == (float(SCORE), COMMENT, 1)
    assert exported_total(course) == (SCORE, "5.25")
    assert shows_manual_grade(course), "the regrade's own feedback shows the manual grade"

    (course / "feedback" / GRADED_STUDENT / GRADED_ASSIGNMENT / f"{GRADED_ASSIGNMENT}.html").unlink()
    regenerate_feedback(root=course, assignment=GRADED_ASSIGNMENT)
    assert shows_manual_grade(course)
    assert exported_total(course) == (SCORE, "5.25")
