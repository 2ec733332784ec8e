"""Self-assessment questions answered in a variable: true/false (a bool) or multiple choice (an option number).

The right answer and the explanations are literal arguments of the hidden
cell, so the grader takes them from its own copy of the notebook; the student's
release never holds them. A wrong answer fails with the explanation of the
answer given, never with the right answer.
"""

from __future__ import annotations

import numpy as np

from autograder.checks.failure import require


def check_quiz(answer, *, question: int, correct, explanation: str, options: int | None = None,
               explanations: dict | None = None) -> None:
    """``answer`` is ``correct``: a bool for a true/false question, an option number (1 to ``options``) otherwise.

    ``explanations`` may give, per wrong option, the sentence that says why it is
    wrong; otherwise ``explanation`` (the reasoning behind the right answer) is shown.
    """
    if isinstance(answer, np.ndarray) and answer.shape == ():  # a NumPy scalar, handed over as an array
        answer = answer.item()
    if options is None:
        require(type(answer) is bool, f"La respuesta {question} debe ser True (verdadero) o False (falso).")
    else:
        require(type(answer) is int and 1 <= answer <= options,
                f"La respuesta {question} debe ser el número de una opción, de 1 a {options}.")
    require(answer == correct, f"La respuesta {question} no es correcta. {(explanations or {}).get(str(answer), explanation)}")
