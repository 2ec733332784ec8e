"""Self-assessment answers (p4): right answers pass, wrong ones fail with the reasoning, never the answer."""

import pytest

from autograder.checks.failure import CheckFailed
from autograder.checks.quiz import check_quiz

TRUE_FALSE = dict(question=1, correct=False, explanation="El accuracy del entrenamiento puede ser engañoso.")
CHOICE = dict(question=2, correct=1, options=3, explanation="Cuantos más datos, más generalista.",
              explanations={"2": "El hardware no influye.", "3": "El tipo de los datos no influye."})


def test_does_the_right_answer_pass_for_both_kinds_of_question(judged):
    judged(check_quiz, False, **TRUE_FALSE)
    judged(check_quiz, 1, **CHOICE)


def test_does_a_wrong_true_false_answer_fail_with_the_reasoning_and_not_the_answer(judged):
    with pytest.raises(CheckFailed) as failure:
        judged(check_quiz, True, **TRUE_FALSE)
    assert "engañoso" in str(failure.value)
    assert "False" not in str(failure.value) and "falso" not in str(failure.value).lower()


def test_does_a_wrong_option_fail_with_the_sentence_about_that_option(judged):
    with pytest.raises(CheckFailed, match="El hardware no influye"):
        judged(check_quiz, 2, **CHOICE)
    with pytest.raises(CheckFailed, match="El tipo de los datos no influye"):
        judged(check_quiz, 3, **CHOICE)


@pytest.mark.parametrize("answer, kind", [(0, TRUE_FALSE), ("Falso", TRUE_FALSE), (None, TRUE_FALSE),
                                          (True, CHOICE), (4, CHOICE), ("1", CHOICE)])
def test_is_an_answer_of_the_wrong_kind_refused_with_what_kind_is_expected(judged, answer, kind):
    with pytest.raises(CheckFailed, match="debe ser"):
        judged(check_quiz, answer, **kind)
