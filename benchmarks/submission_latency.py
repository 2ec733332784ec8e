"""Submission-to-feedback latency on the course server (quick profile), beside `corregir` on the same notebooks.

A real course server (tests/course_server.py: JupyterHub, configurable-http-proxy, Unix accounts, the grading
service) receives, through each student's own single-user server (nbgrader's submit handler, the one the Submit
button calls):

1. one submission (p1 done in part), alone;
2. a burst of 10 submissions from 5 students, each student submitting twice a few seconds apart.

Each latency runs from the student's Submit to the moment "Fetch Feedback" brings the page of that submission (the
student's last one). Then the same 5 final notebooks are graded by `grade` (what `autograder corregir` runs) in a
fresh course, for comparison. Run as root (it creates Unix accounts):

    .venv/bin/python benchmarks/submission_latency.py
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.pipeline.course import tensorflow_environment  # noqa: E402

os.environ.update(tensorflow_environment())  # the benchmark grades in this process too, as the CLI does

from autograder.pipeline.run.batch import grade  # noqa: E402
from tests import course_server as cs  # noqa: E402
from tests.conftest import make_course, submit  # noqa: E402
from tests.scenarios import tables  # noqa: E402

BURST = ("solo_normalizacion", "solucion", "solo_normalizacion", "cuaderno_roto", "estadisticas_de_test")


class Student:
    """A student's browser session, as plain HTTP: log in, write the notebook, submit, fetch feedback."""

    def __init__(self, server: cs.CourseServer, name: str):
        self.server, self.name = server, name
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self._log_in()

    def _cookie(self, name: str, path_prefix: str) -> str:
        return next(c.value for c in self.jar if c.name == name and c.path.startswith(path_prefix))

    def _log_in(self) -> None:
        self.opener.open(f"{self.server.url}/hub/login").read()
        form = {"username": self.name, "password": self.server.passwords[self.name], "_xsrf": self._cookie("_xsrf", "/hub")}
        self.opener.open(f"{self.server.url}/hub/login?next=", urllib.parse.urlencode(form).encode()).read()
        deadline = time.monotonic() + cs.WAIT
        while time.monotonic() < deadline:  # the spawn page polls until the server answers
            page = self.opener.open(f"{self.server.url}/user/{self.name}/lab")
            if f"/user/{self.name}/lab" in page.url and page.status == 200:
                break
            time.sleep(1)

    def _call(self, path: str, method: str = "GET", data: dict | None = None, *, form: bool = False):
        headers = {"X-XSRFToken": self._cookie("_xsrf", f"/user/{self.name}")}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode() if form else json.dumps(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded" if form else "application/json"
        request = urllib.request.Request(f"{self.server.url}/user/{self.name}/{path}", body, headers, method=method)
        return json.loads(self.opener.open(request).read() or b"null")

    def fetch(self) -> None:
        self._call("assignments/fetch", "POST", {"course_id": "curso-dl", "assignment_id": cs.ASSIGNMENT}, form=True)

    def submit(self, notebook: str) -> None:
        self._call(f"api/contents/{cs.ASSIGNMENT}/{cs.ASSIGNMENT}.ipynb", "PUT",
                   {"type": "file", "format": "text", "content": notebook})
        self._call("assignments/submit", "POST", {"course_id": "curso-dl", "assignment_id": cs.ASSIGNMENT}, form=True)

    def has_feedback_for_last_submission(self) -> bool:
        answer = self._call("assignments/fetch_feedback", "POST",
                            {"course_id": "curso-dl", "assignment_id": cs.ASSIGNMENT}, form=True)
        submitted = [a for a in answer["value"] if a.get("status") == "submitted"]
        last = max(submitted[0]["submissions"], key=lambda s: s["timestamp"]) if submitted else None
        return bool(last and all(nb.get("has_local_feedback") and not nb.get("feedback_updated")
                                 for nb in last["notebooks"]))


def _notebook(name: str) -> str:
    table = next(table for table in tables() if table.assignment == cs.ASSIGNMENT)
    return table.notebook(name).read_text(encoding="utf-8")


def _wait_all(students: list[Student], started: float) -> dict[str, float]:
    latencies, deadline = {}, time.monotonic() + 3600
    while len(latencies) < len(students) and time.monotonic() < deadline:
        for student in students:
            if student.name not in latencies and student.has_feedback_for_last_submission():
                latencies[student.name] = time.monotonic() - started
        time.sleep(1)
    return latencies


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="latencia-") as scratch:
        with cs.running_course_server(Path(scratch), students=5) as server:
            students = [Student(server, name) for name in server.students]
            for student in students:
                student.fetch()
            first = students[0]
            started = time.monotonic()
            first.submit(_notebook("solo_normalizacion"))
            alone = _wait_all([first], started)[first.name]
            print(f"Una entrega (p1 en parte, perfil rápido): retroalimentación en {alone:.1f} s")
            started = time.monotonic()
            for student, name in zip(students, BURST):
                student.submit(_notebook("sin_cambios"))
            time.sleep(5)
            for student, name in zip(students, BURST):
                student.submit(_notebook(name))
            burst = _wait_all(students, started)
            print("Ráfaga de 10 entregas de 5 alumnos (dos cada uno, la segunda 5 s después):")
            for student, name in zip(students, BURST):
                print(f"  {student.name} ({name}): {burst.get(student.name, float('nan')):.1f} s")
            print(f"  la última retroalimentación llegó a los {max(burst.values()):.1f} s")
        course = make_course(Path(scratch) / "corregir")
        for index, name in enumerate(BURST):
            submit(course, cs.ASSIGNMENT, f"alumno{index}", _notebook(name))
        started = time.monotonic()
        grade(root=course, assignment=cs.ASSIGNMENT, profile="rapido", progress=lambda line: None)
        print(f"autograder corregir de las mismas 5 entregas finales: {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
