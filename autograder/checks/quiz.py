"""Self-assessment questions answered in a variable: true/false (a bool) or multiple choice (an option number).

The right answer, the number of options and the explanations live here, in
the checks package, which the student's sandboxed kernel cannot read: the
hidden cell hands over only the student's answer and which question it answers
(``verify.check_quiz(respuesta_1, assignment="p4_ajustes_del_modelo", question=1)``).
The text of a hidden cell runs in the student's kernel, where the student's
code can read it; nothing in it may tell the right answer. A wrong answer fails
with the explanation of the answer given, never with the right answer.

An answer is a value, whatever its type: an option is any integer equal to its
number (``np.int64(1)``, what ``np.argmax(...) + 1`` gives, is option 1), but
neither a bool nor a float (``2.0``); a true/false answer is a bool or a NumPy
bool. The visible check of each quiz cell tells the student the same before
submission.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from autograder.checks.failure import require
from autograder.judge.registry import hidden_check


@dataclass(frozen=True)
class Question:
    correct: bool | int
    explanation: str  # the reasoning behind the right answer, shown for a wrong one
    options: int | None = None  # None: a true/false question
    explanations: dict[int, str] = field(default_factory=dict)  # per wrong option, why it is wrong


QUESTIONS: dict[tuple[str, int], Question] = {
    ("p4_ajustes_del_modelo", 1): Question(
        correct=False,
        explanation="El valor del accuracy del entrenamiento puede ser engañoso por el overfitting, por lo que es "
                    "necesario hallar el de los datos de test.",
    ),
    ("p4_ajustes_del_modelo", 2): Question(
        correct=1, options=3,
        explanation="Cuantos más casos pasen por el entrenamiento, más generalista conseguiremos que sea el modelo, "
                    "y las anomalías tendrán poco impacto.",
        explanations={2: "La capacidad de computación no influye en el sobre entrenamiento.",
                      3: "A priori, el tipo de los datos no influye en el sobre entrenamiento."},
    ),
    ("p4_ajustes_del_modelo", 3): Question(
        correct=False,
        explanation="Dropout es un tipo de capa, y la añadimos con la clase del mismo nombre, después de una capa de "
                    "tipo Dense.",
    ),
    ("p4_ajustes_del_modelo", 4): Question(
        correct=2, options=4,
        explanation="La clase BatchNormalization crea una capa en la que se aplica la normalización a las variables "
                    "de salida de la capa anterior antes de que entren en ella: su efecto debe aplicarse a la salida "
                    "de capas neuronales o convolucionales.",
    ),
}


def is_true_false(answer) -> bool:
    """A bool, Python's or NumPy's."""
    return isinstance(answer, (bool, np.bool_))


def is_option_number(answer) -> bool:
    """An integer of any type (NumPy's included), but not a bool: ``2.0`` and ``"2"`` are no option numbers."""
    return isinstance(answer, numbers.Integral) and not is_true_false(answer)


@hidden_check
def check_quiz(answer, *, assignment: str, question: int) -> None:
    """``answer`` is the right answer of ``question`` of ``assignment``: a bool or an option number (1 to its options)."""
    asked = QUESTIONS[(assignment, question)]
    if isinstance(answer, np.ndarray) and answer.shape == ():  # a NumPy scalar, handed over as an array
        answer = answer[()]
    if asked.options is None:
        require(is_true_false(answer), f"La respuesta {question} debe ser True (verdadero) o False (falso).")
        answer = bool(answer)
    else:
        require(is_option_number(answer) and 1 <= answer <= asked.options,
                f"La respuesta {question} debe ser el número entero de una opción, de 1 a {asked.options}.")
        answer = int(answer)
    require(answer == asked.correct,
            f"La respuesta {question} no es correcta. {asked.explanations.get(answer, asked.explanation)}")
