"""How a hidden check tells the student what went wrong."""


class CheckFailed(AssertionError):
    """A hidden check failed; the message is one Spanish sentence for the student.

    IPython calls ``_render_traceback_`` instead of printing a traceback, so the
    hidden test code never shows up in the cell's output or in the feedback.
    """

    def _render_traceback_(self):
        return [f"Comprobación no superada: {self}"]


def require(condition, message: str) -> None:
    if not condition:
        raise CheckFailed(message)
