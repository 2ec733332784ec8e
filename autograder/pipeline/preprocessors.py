"""Small nbconvert preprocessors the kit adds to nbgrader's pipelines."""

from __future__ import annotations

from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests

from autograder.checks.failure import CheckFailed

NO_MESSAGE = "una comprobación de esta celda no se cumplió (el error no trae mensaje)."


class StripHiddenTests(ClearHiddenTests):
    """Feedback view: hidden test code removed from test cells and from their tracebacks.

    nbgrader's feedback shows the hidden tests restored at autograde time
    (nbgrader issues 917 and 1363). Error outputs keep only the error's own
    sentence (an error without one gets a Spanish sentence saying the cell's check
    failed); a failed hidden check already renders as that sentence alone.
    """

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            for output in cell.outputs:
                if output.output_type == "error" and output.ename != CheckFailed.__name__:
                    output.traceback = [f"{output.ename}: {output.evalue or NO_MESSAGE}"]
        return cell, resources
