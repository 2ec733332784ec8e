"""The grading service's bookkeeping, without grading: which submissions of the exchange it sees, what it does with
one it cannot grade, and the notice it puts on each page. (tests/test_course_server.py grades for real.)"""

from __future__ import annotations

import json

from autograder.pipeline.course import load_config
from autograder.pipeline.server.exchange import prepare_exchange, submissions
from autograder.pipeline.server.grading_service import DELIVERED, deliver_round, submission_course
from autograder.pipeline.server.notice import MARK, add_submission_notice


def _with_exchange(course, tmp_path):
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(f"\nc.Exchange.root = {str(tmp_path / 'intercambio')!r}\n")
    return prepare_exchange(load_config(course))


def _submit(exchange, name: str) -> None:
    folder = exchange / "inbound" / name
    folder.mkdir()
    (folder / "timestamp.txt").write_text(name.split("+")[2], encoding="utf-8")


def test_each_press_of_submit_is_one_submission_of_its_student_and_assignment(course, tmp_path):
    """Are nbgrader's inbound folders read as (student, assignment), with and without the random suffix, and is
    anything else in inbound/ ignored?"""
    exchange = _with_exchange(course, tmp_path)
    _submit(exchange, "ana+p1_normalizacion+2026-12-04 10:00:00.000001 UTC+Ab3")
    _submit(exchange, "bruno+p2_aspectos_practicos+2026-12-04 10:00:01.000001 UTC")
    (exchange / "inbound" / "suelto.txt").write_text("x", encoding="utf-8")
    found = submissions(load_config(course))
    assert [(s.student, s.assignment) for s in found] == [("ana", "p1_normalizacion"), ("bruno", "p2_aspectos_practicos")]


def test_a_submission_of_an_unknown_assignment_is_set_aside_without_stopping_the_service(course, tmp_path):
    """Does a submission of an assignment the course does not have get recorded as such (not retried, not graded)?"""
    exchange = _with_exchange(course, tmp_path)
    _submit(exchange, "ana+p9_inventada+2026-12-04 10:00:00.000001 UTC+x")
    handled = deliver_round(root=course, profile="rapido")
    assert [s.student for s in handled] == ["ana"]
    assert json.loads((submission_course(course) / DELIVERED).read_text(encoding="utf-8")) == {
        "ana+p9_inventada+2026-12-04 10:00:00.000001 UTC+x": "práctica desconocida"}
    assert deliver_round(root=course, profile="rapido") == []


def test_the_submission_copy_has_its_own_gradebook(course):
    """Is the service's copy of the course a course of its own (configuration, sources, release) without the course's
    gradebook?"""
    copy = submission_course(course)
    assert (copy / "nbgrader_config.py").is_file() and (copy / "source" / "p1_normalizacion").is_dir()
    assert (copy / "release" / "p1_normalizacion").is_dir() and not (copy / "gradebook.db").exists()


def test_the_notice_says_the_profile_and_which_grade_counts_once(tmp_path):
    """Is the notice put right after <body>, naming the profile, and only once however often it is added?"""
    page = tmp_path / "p1.html"
    page.write_text("<html><head></head><body class='x'><h1>p1</h1></body></html>", encoding="utf-8")
    add_submission_notice(page, profile="rapido")
    add_submission_notice(page, profile="rapido")
    text = page.read_text(encoding="utf-8")
    assert text.count(MARK) == 1 and text.index(MARK) < text.index("<h1>")
    assert "perfil rápido" in text and "La nota que cuenta es la de la corrección tras la fecha de entrega" in text
