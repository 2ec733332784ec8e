"""Small nbconvert preprocessors the kit adds to nbgrader's pipelines."""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_output
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

from autograder.checks.failure import CheckFailed
from autograder.pipeline.grades.feedback_sentence import shown_error
from autograder.pipeline.hidden_text import is_test_cell


class StripHiddenTests(ClearHiddenTests):
    """Feedback view: hidden test code removed from test cells and from their tracebacks.

    nbgrader's feedback shows the hidden tests restored at autograde time
    (nbgrader issues 917 and 1363). Error outputs keep only the error's own
    sentence (an error without one gets a Spanish sentence saying the cell's check
    failed); a failed hidden check already renders as that sentence alone.
    """

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        if is_test_cell(cell):
            for output in cell.outputs:
                if output.output_type == "error" and output.ename != CheckFailed.__name__:
                    output.traceback = [shown_error(output)]
        return cell, resources


class GetGradesWithPending(GetGrades):
    """nbgrader's GetGrades, also telling the feedback which answers still wait for manual grading.

    An answer waits when the gradebook needs a manual grade for it and none was
    given yet: its 0 points are no grade. (An unanswered question is scored 0
    at once; a regraded answer keeps the manual score it had.) Such a cell gets
    ``metadata.nbgrader.pending``, and ``resources.nbgrader.pending_points``
    adds up their points.
    """

    def preprocess(self, nb, resources):
        resources["nbgrader"]["pending_points"] = 0.0
        return super().preprocess(nb, resources)

    def _get_score(self, cell, resources):
        super()._get_score(cell, resources)
        grade_id = cell.metadata.nbgrader["grade_id"]
        grade = self.gradebook.find_grade(grade_id, self.notebook_id, self.assignment_id, self.student_id)
        cell.metadata.nbgrader["pending"] = grade.needs_manual_grade and grade.manual_score is None
        if cell.metadata.nbgrader["pending"]:
            resources["nbgrader"]["pending_points"] += grade.max_score


class PointsOnly(Preprocessor):
    """Feedback with the points of each item and without why a check failed, where the course asks for it.

    Off unless ``c.PointsOnly.enabled`` (nbconvert's switch of every step; the
    course server's submission-time copy sets it from ``c.SubmissionPolicy.sentences``).
    A test cell's outputs become one Spanish line when it failed, none when it
    passed: the student's own cells keep theirs.
    """

    NOTE = "Esta comprobación no se cumple (la corrección al entregar solo da los puntos de cada apartado)."

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell):
            failed = any(output.output_type == "error" for output in cell.outputs)
            cell.outputs = [new_output("stream", name="stdout", text=self.NOTE + "\n")] if failed else []
        return cell, resources
