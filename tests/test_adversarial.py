"""Grading the adversarial corpus: every attack scores exactly its points, and the grader survives them all.

One batch grades every p1 submission of ``tests/adversarial/entregas/`` (the
case table is ``tests/adversarial/cases.py``) in the quick profile, on a course
whose ``nbgrader_config.py`` ends with the corpus limits (20 s per cell, 90 s
per submission). Each submission answers at most the three normalizations,
so none trains a network. The other assignments' few cases (``OTHER_CASES``,
in ``entregas/<práctica>/``) are their student releases plus an attack, one
small batch per assignment, nothing trained either.
"""

import html
import inspect
import json

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograder.pipeline.hidden_text import REDACTED, hidden_lines
from autograder.pipeline.run.batch import grade
from tests.adversarial.cases import (
    ASSIGNMENT,
    CASES,
    CONFIG,
    CORPUS,
    LIMITS,
    OTHER_CASES,
    OTHER_CORPORA,
    ROOT,
    expected_score,
    points,
)
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
    return _graded_batch(make_course(tmp_path_factory.mktemp("adversarial") / "curso"), ASSIGNMENT, CASES, CORPUS,
                         workers=2)


def _graded_batch(course, assignment, names, corpus, workers):
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(CONFIG)
    for name in names:
        submit(course, assignment, name, corpus.notebook(name).read_text(encoding="utf-8"))
    lines = []
    parallel = {"workers": workers} if "workers" in inspect.signature(grade).parameters else {}
    results = grade(root=course, assignment=assignment, profile="rapido", progress=lines.append, **parallel)
    return course, {result.student: result for result in results}, lines


@pytest.fixture(scope="module")
def other_corpora(tmp_path_factory):
    """other_corpora(assignment): (course, {student: StudentGrade}, progress lines) of that assignment's cases."""
    batches = {}

    def batch(assignment):
        if assignment not in batches:
            cases = OTHER_CASES[assignment]
            course = make_course(tmp_path_factory.mktemp(f"adversarial-{assignment}") / "curso")
            batches[assignment] = _graded_batch(course, assignment, cases, OTHER_CORPORA[assignment],
                                                workers=min(2, len(cases)))
        return batches[assignment]

    return batch


def scored_tests(course, student, assignment=ASSIGNMENT) -> set[str]:
    """The autograded test cells of ``student`` that got all their points."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "curso-dl") as gradebook:
        notebook = gradebook.find_submission_notebook(assignment, assignment, student)
        grades = [g for g in notebook.grades if g.cell.cell_type == "code"]
        return {g.name for g in grades if g.max_score and g.score >= g.max_score}


def feedback_path(course, student, assignment=ASSIGNMENT):
    return course / "feedback" / student / assignment / f"{assignment}.html"


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


# --- Hidden cells' text captured in the kernel and printed ------------------------------------------

CAPTURE_CASES = [name for name, case in CASES.items() if case.captures]
OTHER_NAMES = [(assignment, name) for assignment, cases in OTHER_CASES.items() for name in cases]
# What every hidden test line or marker holds, in any printed form: none of it may reach an output.
HIDDEN_FINGERPRINTS = ("verify.check_", "autograder.kernel.evidence", "hidden tests")


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


def shown_outputs(course, student, assignment) -> str:
    """Every text of every output of the autograded notebook (what the formgrader shows), in lower case."""
    notebook = nbformat.read(course / "autograded" / student / assignment / f"{assignment}.ipynb", as_version=4)
    return "\n".join(text for cell in notebook.cells for output in cell.get("outputs", [])
                     for text in _texts(output)).lower()


def assert_no_hidden_text(course, student, assignment):
    """The attack did print captured hidden text (the note shows where), and nothing of it is left."""
    source = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    lines = [line.lower() for line in hidden_lines(cell.source for cell in source.cells)]
    page = html.unescape(feedback_path(course, student, assignment).read_text(encoding="utf-8")).lower()
    outputs = shown_outputs(course, student, assignment)
    assert REDACTED.lower() in outputs and REDACTED.lower() in page
    for shown in (outputs, page, json.dumps(outputs)):
        assert not [text for text in (*HIDDEN_FINGERPRINTS, *lines) if text in shown]


@pytest.mark.parametrize("name", CAPTURE_CASES)
def test_captured_hidden_cells_reach_no_output_and_no_feedback(corpus, name):
    """Does hidden test text printed by a hook, an input transformer or from In/_ih reach neither the autograded
    notebook's outputs nor the feedback page?"""
    course, _, _ = corpus
    assert_no_hidden_text(course, name, ASSIGNMENT)


def test_every_assignment_has_a_capture_and_print_case():
    assert {case.assignment for cases in (CASES, *OTHER_CASES.values()) for case in cases.values() if case.captures} \
        == {"p1_normalizacion", *OTHER_CASES}


def test_the_other_assignments_committed_cases_are_up_to_date():
    assert [stale(corpus) for corpus in OTHER_CORPORA.values()] == [[] for _ in OTHER_CORPORA]


@pytest.mark.parametrize("assignment, name", OTHER_NAMES)
def test_each_other_assignments_attack_scores_exactly_its_points_and_leaks_nothing(other_corpora, assignment, name):
    """Does the case score exactly the cells it earns, its feedback say why, and no hidden text reach any output?"""
    course, results, _ = other_corpora(assignment)
    case, result = OTHER_CASES[assignment][name], results[name]
    assert result.failure is None, result.failure
    assert scored_tests(course, name, assignment) == case.passes
    assert result.auto_score == expected_score(name, assignment)
    assert result.max_auto_score == sum(points(assignment).values())
    page = html.unescape(feedback_path(course, name, assignment).read_text(encoding="utf-8"))
    assert case.says is None or case.says in page
    assert_no_hidden_text(course, name, assignment)
