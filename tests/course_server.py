"""A real course server for tests and benchmarks: JupyterHub and configurable-http-proxy on loopback, real Unix
accounts, nbgrader's exchange and the grading service, on a fresh copy of the course; and a student's browser.

Shared by tests/test_course_server.py and benchmarks/submission_latency.py.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from autograder.pipeline.server.accounts import add_account, ensure_groups
from autograder.pipeline.server.hub_config import INSTRUCTORS_GROUP, STUDENTS_GROUP
from autograder.pipeline.server.start import (
    HUB_CONFIG,
    environment_closed_folders,
    hand_out,
    hub_command,
    hub_environment,
    prepare_course_folder,
)
from tests.conftest import ROOT, make_course
from tests.ordinary_account import passable

WAIT = 120  # seconds a page, a login or a server start may take on a busy machine
ASSIGNMENT = "p1_normalizacion"


@dataclass
class CourseServer:
    url: str
    course: Path
    public: Path
    passwords: dict[str, str]  # account -> password
    students: list[str]
    instructor: str
    log: Path
    hub: subprocess.Popen

    def service_pids(self) -> list[int]:
        found = subprocess.run(["pgrep", "-f", f"grading_service --curso {self.course}"], capture_output=True, text=True)
        return [int(pid) for pid in found.stdout.split()]


def _free_port_with_neighbours() -> int:
    """A port whose next two are free too (the hub and the proxy's API listen there)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port < 65000 and all(_free(port + offset) for offset in (1, 2)):
            return port
    raise RuntimeError("no free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def _accounts(names: dict[str, str]):
    """Unix accounts ``{name: group}`` with known passwords; removed afterwards, with their homes and processes."""
    passwords = {}
    ensure_groups()
    try:
        for name, group in names.items():
            add_account(name, group=group)
            passwords[name] = secrets.token_urlsafe(12)
            subprocess.run(["chpasswd"], input=f"{name}:{passwords[name]}\n", text=True, check=True)
        yield passwords
    finally:
        for name in names:
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        time.sleep(0.5)  # the killed processes leave the accounts before they are removed
        for name in names:
            subprocess.run(["userdel", "--remove", name], capture_output=True)


@contextlib.contextmanager
def running_course_server(scratch: Path, *, profile: str = "rapido", assignments=(ASSIGNMENT,), students: int = 2):
    """A course copied into ``scratch``, its accounts (``students`` students and one instructor), ``assignments``
    handed out, and its JupyterHub serving on loopback until the block ends."""
    public = Path(tempfile.mkdtemp(prefix="curso-servidor-", dir="/tmp"))
    os.chmod(public, 0o755)
    # Where the instructor's account can reach it (through the instructors' group), unlike pytest's own folders.
    private = Path(tempfile.mkdtemp(prefix="curso-privado-", dir="/tmp"))
    os.chmod(private, 0o711)
    course = make_course(private / "curso")
    shutil.copy(ROOT / HUB_CONFIG, course)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(f"\nc.Exchange.root = {str(public / 'intercambio')!r}\n")
    tag = secrets.token_hex(2)
    names = {**{f"al{tag}{n}": STUDENTS_GROUP for n in range(students)}, f"pr{tag}": INSTRUCTORS_GROUP}
    port = _free_port_with_neighbours()
    log = scratch / "jupyterhub.log"  # the screenshots go beside it
    try:
        with _accounts(names) as passwords, passable(environment_closed_folders()):
            hand_out(root=course, assignments=list(assignments))
            prepare_course_folder(course)
            (course / "servidor").mkdir(exist_ok=True)
            with log.open("w") as output:
                hub = subprocess.Popen(hub_command(root=course), cwd=course / "servidor", stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True,
                                       env=hub_environment(ip="127.0.0.1", port=port, profile=profile))
            server = CourseServer(f"http://127.0.0.1:{port}", course, public, passwords, list(names)[:-1],
                                  list(names)[-1], log, hub)
            try:
                _wait_for(lambda: _answers(f"{server.url}/hub/login"), "the hub's login page", log)
                yield server
            finally:
                _stop(hub)
    finally:
        shutil.rmtree(public, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _wait_for(condition, what: str, log: Path, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)  # polling a server that is starting
    raise RuntimeError(f"{what} did not come in {timeout} s:\n{log.read_text(errors='replace')[-5000:]}")


def _stop(hub: subprocess.Popen) -> None:
    """The hub stops its proxy, its service and the single-user servers; whatever is left goes with its group."""
    hub.send_signal(signal.SIGTERM)
    try:
        hub.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(hub.pid, signal.SIGKILL)


# --- a student's browser -----------------------------------------------------------------------------------------

def log_in(browser, server: CourseServer, user: str) -> None:
    """Log in on the hub's page and wait for the user's own JupyterLab."""
    browser.get(f"{server.url}/hub/login")
    WebDriverWait(browser, WAIT).until(lambda driver: driver.find_elements(By.ID, "username_input"))
    browser.find_element(By.ID, "username_input").send_keys(user)
    browser.find_element(By.ID, "password_input").send_keys(server.passwords[user])
    browser.find_element(By.ID, "login_submit").click()
    WebDriverWait(browser, WAIT).until(lambda driver: f"/user/{user}/lab" in driver.current_url)


def open_assignments_tab(browser, server: CourseServer, user: str) -> None:
    """The notebook tree's Nbgrader menu → Assignment List: the Assignments tab."""
    browser.get(f"{server.url}/user/{user}/tree")
    wait = WebDriverWait(browser, WAIT)
    _click(wait, ".lm-MenuBar-itemLabel", "Nbgrader")
    _click(wait, ".lm-Menu-itemLabel", "Assignment List")
    wait.until(lambda driver: driver.find_elements(By.CSS_SELECTOR, "#nbgrader-assignment-list .panel-group"))


def press(browser, label: str, *, timeout: float = WAIT) -> None:
    """Click the Assignments tab's button ``label`` (Fetch, Submit, Fetch Feedback) once it shows."""
    button = WebDriverWait(browser, timeout).until(lambda driver: next(
        (b for b in driver.find_elements(By.CSS_SELECTOR, "#nbgrader-assignment-list button")
         if b.text.strip() == label and b.is_enabled()), None))
    button.click()


def wait_for_feedback(browser, *, timeout: float) -> None:
    """Press Fetch Feedback, as a student does every few seconds, until the "(view feedback)" link appears."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if [a for a in browser.find_elements(By.CSS_SELECTOR, "#nbgrader-assignment-list a") if "view feedback" in a.text]:
            return
        press(browser, "Fetch Feedback")
        time.sleep(3)  # the student presses again a few seconds later
    raise AssertionError(f"no feedback in {timeout} s")


def feedback_page(browser, server: CourseServer, user: str) -> str:
    """The address of the feedback page fetched into the user's home (``<práctica>/feedback/<timestamp>/``)."""
    listing = api_request(browser, f"{server.url}/user/{user}/api/contents/{ASSIGNMENT}/feedback")
    folder = sorted(item["name"] for item in listing["content"] if item["type"] == "directory")[-1]
    return f"{server.url}/user/{user}/files/{ASSIGNMENT}/feedback/{folder}/{ASSIGNMENT}.html"


def page_text(browser, url: str) -> str:
    """The text of the page at ``url`` (a feedback page), whitespace collapsed."""
    browser.get(url)
    text = re.sub(r"<(script|style).*?</\1>", " ", browser.page_source, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def api_request(browser, url: str, method: str = "GET", body: dict | None = None):
    """A Jupyter API request from the browser's own session (its cookie and XSRF token): the answer's JSON, or its
    status when it failed or has no body."""
    return browser.execute_async_script(
        """const [url, method, body, done] = arguments;
        const xsrf = (document.cookie.match('(^|;)\\s*_xsrf=([^;]*)') || [])[2];
        fetch(url, {method, headers: {'Content-Type': 'application/json', 'X-XSRFToken': xsrf},
                    body: body === null ? undefined : JSON.stringify(body)})
          .then(r => r.ok ? r.text().then(t => done(t ? JSON.parse(t) : r.status)) : done(r.status),
                e => done(String(e)));""",
        url, method, body)


def put_notebook(browser, server: CourseServer, user: str, path: str, text: str) -> None:
    """Write a file into the user's home through the Jupyter contents API, as the user."""
    answer = api_request(browser, f"{server.url}/user/{user}/api/contents/{path}", "PUT",
                         {"type": "file", "format": "text", "content": text})
    assert isinstance(answer, dict) and answer.get("path") == path, answer


def _click(wait, selector: str, text: str) -> None:
    wait.until(lambda driver: next((e for e in driver.find_elements(By.CSS_SELECTOR, selector) if e.text == text),
                                   None)).click()
