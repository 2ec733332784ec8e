"""What a student's feedback says for a failed test cell: the feedback page prints it, the class report counts it."""

from __future__ import annotations

from autograder.checks.failure import CheckFailed

NO_MESSAGE = "una comprobación de esta celda no se cumplió (el error no trae mensaje)."


def shown_error(output) -> str:
    """The sentence the feedback shows for an error output of a test cell."""
    if output.ename == CheckFailed.__name__:
        return output.evalue
    return f"{output.ename}: {output.evalue or NO_MESSAGE}"
