"""Grading the adversarial corpus: every attack scores exactly its points, and the grader survives them all.

One batch grades every submission of ``tests/adversarial/entregas/`` (the
case table is ``tests/adversarial/cases.py``) in the quick profile, on a course
whose ``nbgrader_config.py`` ends with the corpus limits (20 s per cell, 90 s
per submission). Each submission answers at most the three normalizations,
so none trains a network.
"""

import html
import inspect

import pytest
from nbgrader.api import Gradebook

from autograder.pipeline.run.batch import grade
from tests.adversarial.cases import ASSIGNMENT, CASES, CONFIG, CORPUS, LIMITS, expected_score, points
from tests.conftest import make_course, submit
from tests.scenarios import stale

# On top of a submission's limit: its start-up, feedback and gradebook work, which cost what the batch's
# fastest submission took on this machine as it is now, and this margin.
GRACE_SECONDS = 30
MAX_FEEDBACK_BYTES = 20 * 2**20
FEEDBACK_CASES = [name for name, case in CASES.items() if case.says or case.hides]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """(course, {student: StudentGrade}, progress lines) of the whole corpus, graded in one batch."""
    course = make_course(tmp_path_factory.mktemp("adversarial") / "curso")
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(CONFIG)
    for name in CASES:
        submit(course, ASSIGNMENT, name, CORPUS.notebook(name).read_text(encoding="utf-8"))
    lines = []
    parallel = {"workers": 2} if "workers" in inspect.signature(grade).parameters else {}
    results = grade(root=course, assignment=ASSIGNMENT, profile="rapido", progress=lines.append, **parallel)
    return course, {result.student: result for result in results}, lines


def scored_tests(course, student) -> set[str]:
    """The autograded test cells of ``student`` that got all their points."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "curso-dl") as gradebook:
        notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        grades = [g for g in notebook.grades if g.cell.cell_type == "code"]
        return {g.name for g in grades if g.max_score and g.score >= g.max_score}


def feedback_path(course, student):
    return course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"


def test_the_committed_corpus_is_up_to_date():
    """Are the committed corpus notebooks what the case table builds from the release?"""
    assert stale(CORPUS) == [], "ejecuta: python -m tests.scenarios --update"


def test_the_corpus_covers_the_attacks_and_honest_controls():
    """Does the corpus hold at least 35 submissions, an honest answer worth 1.5 and an empty one worth 0?"""
    assert len(CASES) >= 35
    assert expected_score("control_normalizacion") == 1.5
    assert expected_score("control_sin_respuestas") == 0
    assert all(case.passes <= set(points()) for case in CASES.values())


def test_the_batch_grades_every_submission(corpus):
    """Does one grading call return a grade and a progress line for every submission, whatever they do?"""
    _, results, lines = corpus
    assert set(results) == set(CASES)
    assert len(lines) == len(CASES)


@pytest.mark.parametrize("name", CASES)
def test_each_attack_scores_exactly_its_points(corpus, name):
    """Does the submission score exactly the cells it earns, and is it ungraded only when nbgrader must refuse it?"""
    course, results, _ = corpus
    case, result = CASES[name], results[name]
    assert (result.failure is not None) == case.broken, result.failure
    if not case.broken:
        assert scored_tests(course, name) == case.passes
    assert result.auto_score == expected_score(name)
    assert result.max_auto_score == sum(points().values())


@pytest.mark.parametrize("name", CASES)
def test_each_submission_is_graded_within_its_time_limit(corpus, name):
    """Is every submission, loops and stuck kernels included, graded within its limit plus a grace period?"""
    _, results, _ = corpus
    fixed_cost = min(result.seconds for result in results.values() if result.failure is None)
    assert results[name].seconds <= LIMITS["submission"] + fixed_cost + GRACE_SECONDS


@pytest.mark.parametrize("name", CASES)
def test_each_feedback_page_is_written_and_bounded(corpus, name):
    """Does every submission get a Spanish feedback page of a sane size, even after a gigabyte of output?"""
    course, results, _ = corpus
    path = feedback_path(course, name)
    assert path.stat().st_size <= MAX_FEEDBACK_BYTES
    if results[name].failure is None:
        assert "Puntuación" in html.unescape(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", FEEDBACK_CASES)
def test_feedback_tells_the_reason_and_leaks_nothing(corpus, name):
    """Does the feedback say why the attack failed, and never show what the attack tried to read?"""
    course, _, _ = corpus
    page = html.unescape(feedback_path(course, name).read_text(encoding="utf-8"))
    case = CASES[name]
    assert case.says is None or case.says in page
    assert case.hides is None or case.hides not in page
