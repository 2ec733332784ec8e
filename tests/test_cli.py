"""The command line: thin, Spanish, and failing with a clear message."""

import re

import pytest

from autograder import cli
from autograder.cli import main
from tests.conftest import ROOT

# The function behind each command of the CLI.
JOBS = {"publicar": "_publish", "soluciones": "_solutions", "corregir": "_grade", "retroalimentacion": "_feedback",
        "recoger": "_collect", "devolver": "_give_back", "demo": "_demo", "calibrar": "_calibrate",
        "servidor": "_server", "alumnos": "_accounts", "repartir": "_hand_out"}


def documented_commands() -> dict[str, list[str]]:
    """The README's table of commands: each command's arguments as documented, without the optional ones."""
    rows = re.findall(r"^\| `autograder (.+?)` \|", (ROOT / "README.md").read_text(encoding="utf-8"), re.MULTILINE)
    commands = {}
    for row in rows:
        words = re.sub(r"\[[^\]]*\]", "", row).replace("práctica", "p1_normalizacion").split()
        commands[words[0]] = words[1:]
    return commands


def test_the_readme_documents_every_command():
    """Does the README's table of commands list exactly the CLI's jobs?"""
    assert set(documented_commands()) == set(JOBS)


@pytest.mark.parametrize("command", JOBS)
def test_each_documented_command_reaches_its_job(course, monkeypatch, command):
    """Does each command, written as the README documents it, parse and run its own job on the course given?"""
    reached = []
    monkeypatch.setattr(cli, JOBS[command], lambda args: reached.append(args.curso))
    assert main(["--curso", str(course), command, *documented_commands()[command]]) == 0
    assert reached == [course]


def test_an_unknown_command_is_refused(course):
    """Does argparse refuse a command that is not one of the jobs?"""
    with pytest.raises(SystemExit):
        main(["--curso", str(course), "borrar", "p1_normalizacion"])


def test_publishing_prints_where_the_release_went(course, capsys):
    """Does `autograder publicar` generate the release and say where, in Spanish?"""
    assert main(["--curso", str(course), "publicar", "p1_normalizacion"]) == 0
    assert "Versión de alumno generada en" in capsys.readouterr().out
    assert (course / "release" / "p1_normalizacion" / "p1_normalizacion.ipynb").exists()


def test_grading_without_submissions_is_a_spanish_error(course, capsys):
    """Does grading with nothing submitted fail with exit code 2 and a Spanish message?"""
    assert main(["--curso", str(course), "corregir", "p1_normalizacion", "--perfil", "rapido"]) == 2
    assert "No hay entregas de p1_normalizacion" in capsys.readouterr().err


def test_a_folder_that_is_not_a_course_is_a_spanish_error(tmp_path, capsys):
    """Does pointing the CLI at a folder without nbgrader_config.py fail clearly?"""
    assert main(["--curso", str(tmp_path), "publicar"]) == 2
    assert "no parece la raíz de un curso" in capsys.readouterr().err


def test_an_unknown_profile_is_refused(course):
    """Does argparse refuse a profile that does not exist?"""
    with pytest.raises(SystemExit):
        main(["--curso", str(course), "corregir", "p1_normalizacion", "--perfil", "enorme"])


def test_grading_passes_the_cluster_options_on(course, monkeypatch, capsys):
    """Do --trabajadores and --planificador reach the grading function?"""
    calls = []
    monkeypatch.setattr("autograder.pipeline.run.batch.grade", lambda **options: calls.append(options) or [])
    assert main(["--curso", str(course), "corregir", "p1_normalizacion", "--trabajadores", "3"]) == 0
    assert main(["--curso", str(course), "corregir", "p1_normalizacion", "--planificador", "tcp://nodo:8786"]) == 0
    assert [(call["workers"], call["scheduler"]) for call in calls] == [(3, None), (None, "tcp://nodo:8786")]
    assert "Calificaciones de p1_normalizacion" in capsys.readouterr().out


def test_feedback_without_graded_submissions_is_a_spanish_error(course, capsys):
    """Does `autograder retroalimentacion` on an assignment nobody was graded for fail with a Spanish message?"""
    assert main(["--curso", str(course), "retroalimentacion", "p1_normalizacion"]) == 2
    assert "No hay entregas corregidas de p1_normalizacion" in capsys.readouterr().err
