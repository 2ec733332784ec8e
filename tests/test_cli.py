"""The command line: thin, Spanish, and failing with a clear message."""

import pytest

from autograder.cli import main, parser


def test_every_job_has_one_command():
    """Does the CLI offer one command per job?"""
    commands = parser()._subparsers._group_actions[0].choices
    assert set(commands) == {"publicar", "soluciones", "corregir", "retroalimentacion", "recoger", "devolver", "demo", "calibrar"}


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
    monkeypatch.setattr("autograder.pipeline.grading.grade", lambda **options: calls.append(options) or [])
    assert main(["--curso", str(course), "corregir", "p1_normalizacion", "--trabajadores", "3"]) == 0
    assert main(["--curso", str(course), "corregir", "p1_normalizacion", "--planificador", "tcp://nodo:8786"]) == 0
    assert [(call["workers"], call["scheduler"]) for call in calls] == [(3, None), (None, "tcp://nodo:8786")]
    assert "Calificaciones de p1_normalizacion" in capsys.readouterr().out


def test_feedback_without_graded_submissions_is_a_spanish_error(course, capsys):
    """Does `autograder retroalimentacion` on an assignment nobody was graded for fail with a Spanish message?"""
    assert main(["--curso", str(course), "retroalimentacion", "p1_normalizacion"]) == 2
    assert "No hay entregas corregidas de p1_normalizacion" in capsys.readouterr().err
