"""The grading service on a real cluster, without JupyterHub: submissions laid in nbgrader's exchange as its submit
writes them, graded by the service and their pages released back. (tests/test_course_server.py goes through
JupyterHub, the browser and the Unix accounts.) Cheap p1 submissions: a broken file and a p1 done in part."""

from __future__ import annotations

import datetime
import html
import json
import os
import re
import signal
import time

import psutil
import pytest
from nbgrader.utils import notebook_hash

from autograder.pipeline.course import load_config, open_gradebook
from autograder.pipeline.server.exchange import prepare_exchange, submissions
from autograder.pipeline.server.grading_service import DELIVERED, grading_service, submission_course
from autograder.pipeline.server.notice import MARK, SubmissionFacts, add_submission_notice
from autograder.pipeline.server.submission_queue import GRADED, OVER_LIMIT, REPLACED, UNKNOWN
from tests.conftest import make_course
from tests.scenarios import tables

P1 = "p1_normalizacion"
WAIT = 600  # seconds the service may take to deliver two cheap submissions on a busy 2-core machine
DUE = datetime.datetime(2026, 12, 4, 9, 0)  # nbgrader's due date (naive UTC, as its gradebook keeps it)


def _notebook(name: str) -> str:
    table = next(table for table in tables() if table.assignment == P1)
    return table.notebook(name).read_text(encoding="utf-8")


def _submit(exchange, student: str, assignment: str, clock: str, text: str = "{}") -> str:
    """A submission as nbgrader's submit leaves it in inbound/: the notebook, its timestamp and its secret."""
    name = f"{student}+{assignment}+2026-12-04 {clock}.000001 UTC+{clock.replace(':', '')}"
    folder = exchange / "inbound" / name
    folder.mkdir()
    (folder / "timestamp.txt").write_text(name.split("+")[2], encoding="utf-8")
    (folder / "submission_secret.txt").write_text(f"secreto-{student}-{clock}", encoding="utf-8")
    (folder / f"{assignment}.ipynb").write_text(text, encoding="utf-8")
    return name


def _released_page(exchange, name: str, assignment: str = P1) -> str:
    """The text of the page nbgrader's Fetch Feedback would bring the student for submission ``name``."""
    secret = (exchange / "inbound" / name / "submission_secret.txt").read_text(encoding="utf-8")
    page = (exchange / "feedback" / f"{notebook_hash(secret=secret, notebook_id=assignment)}.html").read_text("utf-8")
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _run_until_delivered(service, names: list[str]) -> dict[str, str]:
    deadline = time.monotonic() + WAIT
    while not set(names) <= set(service.delivered) and time.monotonic() < deadline:
        service.round(wait=1.0)
    return {name: service.delivered.get(name) for name in names}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A course whose policy grades 1 submission a day per assignment and shows points only, with p1 due at 09:00 UTC;
    its grading service on one worker."""
    course = make_course(tmp_path_factory.mktemp("servicio") / "curso")
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(f"\nc.Exchange.root = {str(course.parent / 'intercambio')!r}\n"
                     "c.SubmissionPolicy.daily_limit = 1\nc.SubmissionPolicy.sentences = False\n")
    exchange = prepare_exchange(load_config(course))
    with open_gradebook(load_config(course)) as gradebook:
        gradebook.update_or_create_assignment(P1, duedate=DUE)
    with grading_service(root=course, profile="rapido", workers=1) as service:
        yield course, exchange, service


@pytest.fixture(scope="module")
def first_day(served):
    """ana presses Submit twice with a broken file, bruno once with p1 done in part, and one of another assignment
    that does not exist; then ana once more, after her graded one came back."""
    course, exchange, service = served
    names = {"ana_1": _submit(exchange, "ana", P1, "10:00:01", "{ roto"),
             "ana_2": _submit(exchange, "ana", P1, "10:00:02", "{ roto otra vez"),
             "bruno": _submit(exchange, "bruno", P1, "10:00:03", _notebook("solo_normalizacion")),
             "inventada": _submit(exchange, "bruno", "p9_inventada", "10:00:04")}
    outcomes = _run_until_delivered(service, list(names.values()))
    names["ana_3"] = _submit(exchange, "ana", P1, "10:30:00", "{ roto de nuevo")
    outcomes |= _run_until_delivered(service, [names["ana_3"]])
    return names, outcomes


def test_only_the_newest_of_a_student_s_waiting_submissions_is_graded(first_day):
    """Is ana's older submission set aside for her newer one, which is graded, as bruno's is?"""
    names, outcomes = first_day
    assert outcomes[names["ana_1"]] == REPLACED
    assert outcomes[names["ana_2"]] == GRADED and outcomes[names["bruno"]] == GRADED


def test_a_submission_of_an_unknown_assignment_is_set_aside_without_stopping_the_service(first_day):
    names, outcomes = first_day
    assert outcomes[names["inventada"]] == UNKNOWN


def test_the_released_page_says_why_and_how_late_and_what_is_left_today(first_day, served):
    """Does ana's page come back through the exchange with her broken file's Spanish reason, the notice, the hour
    past the due date and no graded submission left today?"""
    names, _ = first_day
    _, exchange, _ = served
    page = _released_page(exchange, names["ana_2"])
    assert "no es un JSON válido" in page and "Corrección al entregar" in page
    assert "Fecha límite: 04/12/2026 a las 10:00" in page and "llegó 1 h después de la fecha límite" in page
    assert "Hoy ya no te quedan más" in page


def test_points_only_leaves_out_why_a_check_failed(first_day, served):
    """With c.SubmissionPolicy.sentences = False, does bruno's page give each failed check's points without its
    sentence, and keep his own cells?"""
    names, _ = first_day
    _, exchange, _ = served
    page = _released_page(exchange, names["bruno"])
    scenario = next(table for table in tables() if table.assignment == P1).scenarios["solo_normalizacion"]
    assert "test_normalizacion_1 (Puntuación: 0.5 / 0.5)" in page and "test_modelo_nuevo (Puntuación: 0.0 / 0.5)" in page
    assert page.count("solo da los puntos de cada apartado") == len(scenario.lost)
    assert "raise NotImplementedError()" in page, "the student's own cells keep their code"
    assert "name 'final_model' is not defined" not in page, "a failed check's own error is left out"


def test_past_the_daily_limit_a_submission_is_kept_and_told_so_without_grading(first_day, served):
    """Is ana's third submission of the day (limit 1) answered at once with the page that says it is kept ungraded,
    and is her graded page still there to fetch?"""
    names, outcomes = first_day
    course, exchange, _ = served
    assert outcomes[names["ana_3"]] == OVER_LIMIT
    page = _released_page(exchange, names["ana_3"])
    assert "entrega recibida, sin corregir hoy" in page and "Nada se pierde" in page
    assert "no es un JSON válido" in _released_page(exchange, names["ana_2"])
    graded = json.loads((submission_course(course) / DELIVERED).read_text(encoding="utf-8"))
    assert graded == {name: outcome for name, outcome in outcomes.items()}


def test_a_worker_killed_mid_grading_costs_nothing(first_day, served):
    """Is a submission whose worker is killed (kill -9) while grading it graded again on the restarted worker and
    delivered with its real points, not a failure?"""
    _, exchange, service = served
    name = _submit(exchange, "carla", P1, "10:40:00", _notebook("solo_normalizacion"))
    deadline = time.monotonic() + WAIT
    while ("carla" not in {student for _, student in service.grading} or not _kernel_running(service)) \
            and time.monotonic() < deadline:
        service.round(wait=0.5)
    assert service.grading, "carla's submission is being graded"
    for pid in service.stream.client.run(os.getpid).values():
        os.kill(pid, signal.SIGKILL)
    assert _run_until_delivered(service, [name]) == {name: GRADED}
    page = _released_page(exchange, name)
    assert "test_normalizacion_1 (Puntuación: 0.5 / 0.5)" in page and "entrega sin corregir" not in page


def _kernel_running(service) -> bool:
    """Whether a worker has a student's kernel (a grandchild process) started."""
    workers = service.stream.client.run(os.getpid).values()
    return any(psutil.Process(pid).children(recursive=True) for pid in workers)


def test_a_restarted_service_delivers_nothing_twice(first_day, served):
    """Does a new service on the same course find everything delivered and hand nothing out?"""
    course, exchange, _ = served
    with grading_service(root=course, profile="rapido", workers=1) as again:
        assert again.round() == [] and not again.grading
    assert len(submissions(load_config(course))) >= 5


def test_the_submission_copy_has_its_own_gradebook(course):
    """Is the service's copy of the course a course of its own (configuration with the policy's feedback steps,
    sources, release) without the course's gradebook?"""
    copy = submission_course(course)
    assert (copy / "nbgrader_config.py").is_file() and (copy / "source" / "p1_normalizacion").is_dir()
    config = load_config(copy)
    assert config.PointsOnly.enabled is False and config.ExecuteWithDeadline.submission_timeout == 900
    assert (copy / "release" / "p1_normalizacion").is_dir() and not (copy / "gradebook.db").exists()


def test_the_notice_says_the_profile_and_which_grade_counts_once(tmp_path):
    """Is the notice put right after <body>, naming the profile, and only once however often it is added?"""
    page = tmp_path / "p1.html"
    page.write_text("<html><head></head><body class='x'><h1>p1</h1></body></html>", encoding="utf-8")
    add_submission_notice(page, profile="rapido", facts=SubmissionFacts(limit=3, remaining=2))
    add_submission_notice(page, profile="rapido")
    text = page.read_text(encoding="utf-8")
    assert text.count(MARK) == 1 and text.index(MARK) < text.index("<h1>")
    assert "perfil rápido" in text and "La nota que cuenta es la de la corrección tras la fecha de entrega" in text
    assert "Hoy te quedan 2" in text and "Fecha límite" not in text
