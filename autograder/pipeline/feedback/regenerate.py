"""The feedback a student gets back: nbgrader's GenerateFeedback, writing the feedback HTML alone.

The grading task writes it right after autograding; ``regenerate_feedback``
writes it again from the gradebook after manual grading in the formgrader,
without running any notebook.
"""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import MissingEntry
from nbgrader.converters import GenerateFeedback

from autograder.pipeline.course import CourseError, load_config, open_gradebook, require_success, run_nbgrader
from autograder.pipeline.export.class_files import write_class_files
from autograder.pipeline.grades.records import recorded_grades


class GenerateFeedbackPage(GenerateFeedback):
    """nbgrader's GenerateFeedback, with nothing but the feedback HTML in ``feedback/<student>/<assignment>/``.

    nbgrader copies every other file of the autograded folder next to the
    feedback (``BaseConverter.init_assignment``): here, whatever the student's
    kernel wrote while being graded (models, TensorBoard logs, KerasTuner
    trials, the evidence of the hidden checks).
    """

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        """Copy no file of the autograded folder."""


def regenerate_feedback(*, root: Path, assignment: str, students: list[str] | None = None) -> list[Path]:
    """Write the feedback of ``assignment`` again from the gradebook, manual grades and comments included.

    Every graded submission (or those of ``students``) gets its feedback HTML
    anew, hidden tests stripped as when it was graded; then the assignment's
    grade files and class report are written again. A submission nbgrader could not
    grade keeps its feedback. Returns the feedback files written.
    """
    root = Path(root).resolve()
    config = load_config(root)
    written = []
    for student in _graded_students(root, config, assignment, students):
        result = run_nbgrader(config, GenerateFeedbackPage, assignment=assignment, student=student, force=True)
        require_success(result, f"generar la retroalimentación de {student} en {assignment}")
        written.append(root / "feedback" / student / assignment / f"{assignment}.html")
    write_class_files(root=root, config=config, assignment=assignment,
                      results=recorded_grades(root=root, config=config, assignment=assignment))
    return written


def _graded_students(root: Path, config, assignment: str, students: list[str] | None) -> list[str]:
    """The students asked for (all with a submission in the gradebook by default) whose notebook nbgrader graded."""
    with open_gradebook(config) as gradebook:
        try:
            submitted = sorted(submission.student.id for submission in gradebook.assignment_submissions(assignment))
        except MissingEntry:
            submitted = []
    if unknown := sorted(set(students or []) - set(submitted)):
        raise CourseError(f"No hay entrega corregida de {assignment} para {', '.join(unknown)}.")
    graded = [student for student in students or submitted if (root / "autograded" / student / assignment).is_dir()]
    if not graded:
        raise CourseError(f"No hay entregas corregidas de {assignment}: corrígelas antes con «autograder corregir {assignment}».")
    return graded
