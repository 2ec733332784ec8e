"""Self-assessment answers (p4): right answers pass, wrong ones fail with the reasoning, never the answer.

The right answers live in ``autograder.checks.quiz``; the hidden cells name only the question.
"""

import json

import numpy as np
import pytest

from autograder.checks.failure import CheckFailed
from autograder.checks.quiz import QUESTIONS, check_quiz
from tests.scenarios import ROOT

P4 = "p4_ajustes_del_modelo"
TRUE_FALSE = dict(assignment=P4, question=1)  # right answer: False
CHOICE = dict(assignment=P4, question=2)  # right answer: option 1 of 3
QUIZ_CELLS = {f"test_autoevaluacion_{n}": n for n in range(1, 5)}


def _source_cells() -> dict[str, str]:
    notebook = json.loads((ROOT / "source" / P4 / f"{P4}.ipynb").read_text(encoding="utf-8"))
    return {cell["metadata"]["nbgrader"]["grade_id"]: "".join(cell["source"])
            for cell in notebook["cells"] if cell["metadata"].get("nbgrader", {}).get("grade_id") in QUIZ_CELLS}


def test_does_the_right_answer_pass_for_both_kinds_of_question(judged):
    judged(check_quiz, False, **TRUE_FALSE)
    judged(check_quiz, 1, **CHOICE)
    judged(check_quiz, False, assignment=P4, question=3)
    judged(check_quiz, 2, assignment=P4, question=4)


@pytest.mark.parametrize("answer", [np.int64(1), np.int32(1), np.uint8(1), np.argmax([0.9, 0.1, 0.0]) + 1])
def test_is_a_numpy_integer_equal_to_the_option_that_option(judged, answer):
    """np.int64(1), what np.argmax(...) + 1 gives, is option 1."""
    judged(check_quiz, answer, **CHOICE)


def test_is_a_numpy_bool_a_true_false_answer(judged):
    judged(check_quiz, np.bool_(False), **TRUE_FALSE)
    with pytest.raises(CheckFailed, match="La respuesta 1 no es correcta"):
        judged(check_quiz, np.bool_(True), **TRUE_FALSE)


def test_is_a_wrong_numpy_option_told_why_that_option_is_wrong(judged):
    with pytest.raises(CheckFailed, match="La capacidad de computación no influye"):
        judged(check_quiz, np.int64(2), **CHOICE)


def test_does_a_wrong_true_false_answer_fail_with_the_reasoning_and_not_the_answer(judged):
    with pytest.raises(CheckFailed) as failure:
        judged(check_quiz, True, **TRUE_FALSE)
    assert str(failure.value) == ("La respuesta 1 no es correcta. El valor del accuracy del entrenamiento puede ser "
                                  "engañoso por el overfitting, por lo que es necesario hallar el de los datos de test.")
    assert "False" not in str(failure.value) and "falso" not in str(failure.value).lower()


def test_does_a_wrong_option_fail_with_the_sentence_about_that_option(judged):
    with pytest.raises(CheckFailed, match="La capacidad de computación no influye"):
        judged(check_quiz, 2, **CHOICE)
    with pytest.raises(CheckFailed, match="A priori, el tipo de los datos no influye"):
        judged(check_quiz, 3, **CHOICE)
    with pytest.raises(CheckFailed, match="La clase BatchNormalization crea una capa"):  # no sentence of its own
        judged(check_quiz, 1, assignment=P4, question=4)


@pytest.mark.parametrize("answer, kind", [(0, TRUE_FALSE), ("Falso", TRUE_FALSE), (None, TRUE_FALSE), (0.0, TRUE_FALSE),
                                          (True, CHOICE), (np.bool_(True), CHOICE), (4, CHOICE), ("1", CHOICE),
                                          (1.0, CHOICE), (np.float64(1.0), CHOICE), (np.array([1]), CHOICE)])
def test_is_an_answer_of_the_wrong_kind_refused_with_what_kind_is_expected(judged, answer, kind):
    with pytest.raises(CheckFailed, match="debe ser"):
        judged(check_quiz, answer, **kind)


def test_is_a_float_option_refused_with_the_exact_sentence(judged):
    with pytest.raises(CheckFailed) as failure:
        judged(check_quiz, 2.0, **CHOICE)
    assert str(failure.value) == "La respuesta 2 debe ser el número entero de una opción, de 1 a 3."


def test_do_the_hidden_cells_name_the_question_and_nothing_else():
    """Does each quiz test cell hand over only the answer and the question, the right answer living in the checks?"""
    cells = _source_cells()
    assert set(cells) == set(QUIZ_CELLS)
    for grade_id, number in QUIZ_CELLS.items():
        hidden = cells[grade_id].split("### BEGIN HIDDEN TESTS")[1]
        assert f'verify.check_quiz(respuesta_{number}, assignment="{P4}", question={number})' in hidden
        asked = QUESTIONS[(P4, number)]
        for secret in ["correct", "explanation", asked.explanation[:30], *asked.explanations.values()]:
            assert secret not in cells[grade_id]


def _visible_check(grade_id: str, answer):
    """The visible part of a quiz test cell, run on ``answer`` as the student's kernel runs it."""
    number = QUIZ_CELLS[grade_id]
    visible = _source_cells()[grade_id].split("### BEGIN HIDDEN TESTS")[0]
    exec(visible, {"np": np, f"respuesta_{number}": answer})


@pytest.mark.parametrize("grade_id, answer", [
    ("test_autoevaluacion_1", False), ("test_autoevaluacion_1", np.bool_(True)),
    ("test_autoevaluacion_2", 1), ("test_autoevaluacion_2", np.int64(3)),
    ("test_autoevaluacion_4", np.argmax([0.1, 0.9, 0.0, 0.0]) + 1), ("test_autoevaluacion_4", 4),
])
def test_does_the_visible_check_accept_every_answer_the_hidden_one_reads(grade_id, answer):
    _visible_check(grade_id, answer)


@pytest.mark.parametrize("grade_id, answer, says", [
    ("test_autoevaluacion_1", 0, "respuesta_1 debe ser True o False (sin comillas)."),
    ("test_autoevaluacion_3", "False", "respuesta_3 debe ser True o False (sin comillas)."),
    ("test_autoevaluacion_2", 2.0, 'respuesta_2 debe ser un número entero (por ejemplo 2, no 2.0 ni "2").'),
    ("test_autoevaluacion_2", "2", 'respuesta_2 debe ser un número entero (por ejemplo 2, no 2.0 ni "2").'),
    ("test_autoevaluacion_2", True, 'respuesta_2 debe ser un número entero (por ejemplo 2, no 2.0 ni "2").'),
    ("test_autoevaluacion_2", 4, "respuesta_2 debe ser el número de una opción: 1, 2 o 3."),
    ("test_autoevaluacion_4", np.float64(2.0), 'respuesta_4 debe ser un número entero (por ejemplo 2, no 2.0 ni "2").'),
    ("test_autoevaluacion_4", 0, "respuesta_4 debe ser el número de una opción: 1, 2, 3 o 4."),
])
def test_does_the_visible_check_refuse_before_submission_what_the_hidden_one_refuses(grade_id, answer, says):
    with pytest.raises(AssertionError) as failure:
        _visible_check(grade_id, answer)
    assert str(failure.value) == says
