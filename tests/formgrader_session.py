"""nbgrader's formgrader in ``jupyter lab``, started from a course root, and Debian's headless Chromium to drive it.

Shared by tests/test_formgrader.py and benchmarks/instructor_loop.py: a person's manual grading, typed into the
formgrader's grading page as an instructor types it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
# Without the background-networking flags Chromium tries Google's hosts, which this closed network refuses.
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")
WAIT = 120  # seconds any page, request or server start may take on a busy machine


@contextlib.contextmanager
def running_formgrader(course: Path, runtime: Path):
    """``jupyter lab`` with nbgrader's formgrader, started from the course root on a free port: its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
               "--IdentityProvider.token=", "--allow-root"]  # CI runs as root
    log_path = runtime / "lab.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=course, stdout=log, stderr=subprocess.STDOUT,
                                  env={**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)})
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_serving(server, f"{url}/api/status", log_path)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=WAIT)


def _wait_until_serving(server: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"jupyter lab exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)  # polling the server's start, not waiting for a result
    raise RuntimeError(f"jupyter lab did not answer in {WAIT} s:\n{log.read_text()}")


@contextlib.contextmanager
def headless_chromium(profile: Path):
    """Debian's Chromium through its chromedriver (``make browser`` installs both), with an empty profile."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        raise RuntimeError("Falta Chromium: `make browser` lo instala (paquetes chromium y chromium-driver de Debian)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*BROWSER_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def open_submission(browser, page: str) -> None:
    """Open a submission's grading page (``page``: its URL) and wait until its grades and comments are loaded."""
    browser.get(page)
    _wait_for_grades(browser)


def listed_submissions(browser, formgrader: str, assignment: str, notebook: str) -> int:
    """How many submissions the formgrader lists for the notebook (its "Submission #N" links)."""
    browser.get(f"{formgrader}/formgrader/gradebook/{assignment}/{notebook}")
    WebDriverWait(browser, WAIT).until(expected_conditions.element_to_be_clickable((By.PARTIAL_LINK_TEXT, "Submission #")))
    return len(browser.find_elements(By.PARTIAL_LINK_TEXT, "Submission #"))


def _wait_for_grades(browser) -> None:
    WebDriverWait(browser, WAIT).until(lambda driver: driver.execute_script(
        "return typeof formgrader !== 'undefined' && formgrader.grades.loaded && formgrader.comments.loaded"))


def type_grades(browser, marks: dict[str, tuple[str, str]]) -> None:
    """On the open grading page, type each answer's score and comment (``{grade_id: (score, comment)}``),
    leaving each field as a person does (that saves it), and wait until the formgrader saved them all."""
    wait = WebDriverWait(browser, WAIT)
    browser.execute_script("window.saved = 0; $(document).on('finished_saving', () => window.saved++);")
    fields = [(field, text) for grade_id, (score, comment) in marks.items()
              for field, text in ((grade_id, score), (f"{grade_id}-comment", comment))]
    for field, text in fields:
        box = wait.until(expected_conditions.element_to_be_clickable((By.ID, field)))
        box.send_keys(text)
        box.send_keys(Keys.TAB)  # leaving the field saves it
    wait.until(lambda driver: driver.execute_script("return window.saved") >= len(fields))
