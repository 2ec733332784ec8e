"""A student's day on the course server, timed step by step in a real browser, with screenshots to look at.

A real course server (tests/course_server.py: JupyterHub, configurable-http-proxy, Unix accounts, the grading
service on the quick profile) and Debian's headless Chromium: the student logs in, opens the Assignments tab,
fetches p1, puts a p1 done in part in place (Jupyter's contents API, as saving from the editor does), presses
Submit, and waits in the Assignments tab until "Fetch Feedback" brings the page. Each step's seconds are printed;
the screenshots go to the folder given (default ``dia_de_un_alumno/``). Run as root (it creates Unix accounts):

    .venv/bin/python benchmarks/student_day.py [carpeta]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.pipeline.course import tensorflow_environment  # noqa: E402

os.environ.update(tensorflow_environment())  # quiet start-up, the same numbers on any CPU, as the CLI does

from tests import course_server as cs  # noqa: E402
from tests.formgrader_session import headless_chromium  # noqa: E402
from tests.scenarios import tables  # noqa: E402

SCENARIO = "solo_normalizacion"


def main(shots: Path) -> None:
    shots.mkdir(parents=True, exist_ok=True)
    table = next(table for table in tables() if table.assignment == cs.ASSIGNMENT)
    notebook = table.notebook(SCENARIO).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="dia-") as scratch:
        started = time.monotonic()
        with cs.running_course_server(Path(scratch), students=1) as server:
            print(f"Servidor del curso en marcha (JupyterHub, proxy, servicio de corrección): "
                  f"{time.monotonic() - started:.1f} s")
            student = server.students[0]
            with headless_chromium(Path(scratch) / "chromium") as browser:
                browser.set_window_size(1400, 1000)
                steps = [
                    ("Entrar (usuario y contraseña; arranca su servidor)", lambda: cs.log_in(browser, server, student)),
                    ("Abrir la pestaña Assignments", lambda: cs.open_assignments_tab(browser, server, student)),
                    ("Fetch de p1", lambda: cs.press(browser, "Fetch")),
                    ("Guardar su trabajo en el cuaderno", lambda: cs.put_notebook(
                        browser, server, student, f"{cs.ASSIGNMENT}/{cs.ASSIGNMENT}.ipynb", notebook)),
                    ("Submit", lambda: cs.press(browser, "Submit")),
                    ("Esperar a que Fetch Feedback traiga la corrección",
                     lambda: cs.wait_for_feedback(browser, timeout=1800)),
                ]
                since_submit = None
                for number, (label, step) in enumerate(steps, start=1):
                    began = time.monotonic()
                    step()
                    if label == "Submit":
                        since_submit = began
                    print(f"{number}. {label}: {time.monotonic() - began:.1f} s")
                    browser.save_screenshot(str(shots / f"{number}_{label.split()[0].lower()}.png"))
                print(f"De Submit a la corrección en la pestaña Assignments: {time.monotonic() - since_submit:.1f} s")
                url = cs.feedback_page(browser, server, student)
                browser.get(url)
                time.sleep(2)  # the page's MathJax and styles
                browser.save_screenshot(str(shots / "7_retroalimentacion.png"))
                print(f"Capturas en {shots.resolve()}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("dia_de_un_alumno"))
