"""An instructor's week on the example submissions, step by step, timed: from Moodle's ZIP to Moodle's files.

In a new course folder (the repository's config, sources and release), with each step the command an
instructor types (run as a subprocess, its output shown):

1. a Moodle download is made from ``examples/<práctica>/``: the grading worksheet (with usernames) and the
   "Descargar todas las entregas" ZIP in folders, with one participant who submitted nothing;
2. ``autograder recoger`` places the notebooks in ``submitted/``;
3. ``autograder corregir`` grades them (quick data profile by default);
4. the open answers are graded by hand in nbgrader's formgrader (``jupyter lab`` from the course root),
   typed into its grading page by Debian's headless Chromium, full marks and a comment each;
5. ``autograder retroalimentacion`` writes the feedback again, manual grades included;
6. ``autograder devolver`` writes the worksheet to upload and the feedback ZIP.

    python benchmarks/instructor_loop.py [--practica p1_normalizacion] [--perfil rapido] [--curso DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from nbgrader.api import Gradebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # the test helpers import TensorFlow: no log noise on the console

from tests.conftest import make_course  # noqa: E402
from tests.formgrader_session import headless_chromium, open_submission, running_formgrader, type_grades  # noqa: E402
from tests.moodle_downloads import CLASS, in_folders, write_worksheet, write_zip  # noqa: E402

COMMENT = "Respuesta corregida a mano en el formgrader: bien razonada."


def moodle_download(course: Path, assignment: str) -> tuple[Path, Path]:
    """The worksheet and submissions ZIP of a Moodle assignment whose participants submitted the examples."""
    examples = sorted((ROOT / "examples" / assignment).glob("*.ipynb"))
    members = {in_folders(participant, f"{assignment}.ipynb"): example.read_bytes()
               for (participant, *_), example in zip(CLASS, examples)}
    downloads = course.parent / "moodle"
    downloads.mkdir(exist_ok=True)
    return (write_worksheet(downloads / "hoja.csv", username=True),
            write_zip(downloads / f"{assignment}_entregas.zip", members))


def autograder(course: Path, *arguments: str) -> str:
    """One `autograder` command in the course folder; its output, which must end well."""
    command = [sys.executable, "-m", "autograder", "--curso", str(course), *arguments]
    run = subprocess.run(command, cwd=course, capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(f"`autograder {' '.join(arguments)}` falló:\n{run.stdout}{run.stderr}")
    return run.stdout + run.stderr


def pending_answers(course: Path, assignment: str) -> dict[int, dict[str, float]]:
    """Each submission notebook (by its gradebook id) with open answers to grade: ``{grade_id: max points}``."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "curso-dl") as gradebook:
        pending = {}
        for submission in gradebook.assignment_submissions(assignment):
            for notebook in submission.notebooks:
                answers = {grade.name: grade.max_score for grade in notebook.grades
                           if grade.cell.cell_type == "markdown" and grade.needs_manual_grade}
                if answers:
                    pending[notebook.id] = answers
        return pending


def grade_by_hand(course: Path, assignment: str, scratch: Path) -> str:
    """Full marks and a comment on every open answer, typed into the formgrader; a line saying how many."""
    pending = pending_answers(course, assignment)
    with running_formgrader(course, scratch / "jupyter") as url, headless_chromium(scratch / "chromium") as browser:
        for notebook_id, answers in pending.items():
            open_submission(browser, f"{url}/formgrader/submissions/{notebook_id}")
            type_grades(browser, {grade_id: (f"{points:g}", COMMENT) for grade_id, points in answers.items()})
    left = sum(len(answers) for answers in pending_answers(course, assignment).values())
    typed = sum(len(answers) for answers in pending.values())
    return f"{typed} respuestas abiertas corregidas a mano en {len(pending)} entregas; quedan pendientes: {left}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--practica", default="p1_normalizacion")
    parser.add_argument("--perfil", default="rapido", choices=["rapido", "completo"])
    parser.add_argument("--curso", type=Path, help="carpeta nueva donde crear el curso (por defecto, una temporal)")
    args = parser.parse_args()
    scratch = args.curso or Path(tempfile.mkdtemp(prefix="bucle-"))
    for folder in ("jupyter", "chromium"):
        (scratch / folder).mkdir(parents=True, exist_ok=True)
    course = make_course(scratch / "curso")
    assignment = args.practica
    sheet, submissions = moodle_download(course, assignment)
    steps = [
        ("recoger", lambda: autograder(course, "recoger", assignment, str(submissions), "--participantes", str(sheet))),
        ("corregir", lambda: autograder(course, "corregir", assignment, "--perfil", args.perfil)),
        ("formgrader", lambda: grade_by_hand(course, assignment, scratch)),
        ("retroalimentacion", lambda: autograder(course, "retroalimentacion", assignment)),
        ("devolver", lambda: autograder(course, "devolver", assignment)),
    ]
    times = []
    for name, step in steps:
        started = time.monotonic()
        output = step()
        times.append((name, time.monotonic() - started))
        print(f"== {name} ({times[-1][1]:.1f} s)\n{output.rstrip()}\n", flush=True)
    with zipfile.ZipFile(course / "calificaciones" / f"{assignment}_retroalimentacion.zip") as bundle:
        print("== ZIP de retroalimentación\n" + "\n".join(bundle.namelist()) + "\n")
    print("== Hoja para «Subir hoja de calificaciones»\n"
          + (course / "calificaciones" / f"{assignment}_moodle_hoja.csv").read_text(encoding="utf-8-sig"))
    print("| paso | segundos |\n|---|---:|\n" + "".join(f"| {name} | {seconds:.1f} |\n" for name, seconds in times)
          + f"| total | {sum(seconds for _, seconds in times):.1f} |")
    print(f"Curso en {course}")


if __name__ == "__main__":
    main()
