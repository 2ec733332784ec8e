"""What the class report shows, gathered from the gradebook and the autograded notebooks of one assignment."""

from __future__ import annotations

import collections
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.checks.measured import METADATA_KEY
from autograder.pipeline.course import open_gradebook
from autograder.pipeline.grades.feedback_sentence import shown_error


@dataclass(frozen=True)
class CheckRate:
    """How the class did on one autograded test cell."""

    check: str  # the cell's grade id
    passed: int  # submissions that got all its points
    total: int
    sentence: str | None  # the failure sentence shown most often to those who did not
    times_shown: int  # how many of them were shown that sentence

    @property
    def share(self) -> float:
        return self.passed / self.total if self.total else 0.0


@dataclass(frozen=True)
class ClassFigures:
    totals: list[float]  # total score of each submission in the gradebook
    top: float  # the assignment's maximum score
    pending: int  # submissions with answers still to grade by hand
    failures: int  # submissions that could not be graded in this run
    rates: list[CheckRate]  # most failed first
    accuracies: list[dict]  # autograder.checks.measured figures, each with its "student"
    seconds: dict[str, float]  # grading time of each submission of this run


def class_figures(config, assignment: str, results) -> ClassFigures:
    """The figures of every submission of ``assignment`` in the gradebook; ``results`` are this run's StudentGrades."""
    root, failures = Path(config.CourseDirectory.root), {result.student: result.failure for result in results}
    cells, outcomes = {}, collections.defaultdict(list)  # outcomes: check -> [(passed, sentence)]
    totals, top, pending = [], 0.0, 0
    with open_gradebook(config) as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            student = submission.student.id
            totals.append(submission.score)
            top, pending = max(top, submission.max_score), pending + bool(submission.needs_manual_grade)
            for notebook in submission.notebooks:
                path = root / "autograded" / student / assignment / f"{notebook.name}.ipynb"
                cells.setdefault(student, {}).update({} if failures.get(student) else _graded_cells(path))
                for check, passed in _test_outcomes(notebook):
                    # A notebook that could not be graded failed every check for one reason, already in the summary.
                    outcomes[check].append((passed, None if failures.get(student) else _sentence(cells[student].get(check))))
    order = _notebook_order(root / "release" / assignment)
    return ClassFigures(
        totals=totals, top=top, pending=pending, failures=sum(map(bool, failures.values())),
        rates=sorted((_rate(check, found) for check, found in outcomes.items()),
                     key=lambda rate: (rate.share, order.get(rate.check, len(order)), rate.check)),
        accuracies=[{**figure, "student": student} for student, graded in sorted(cells.items())
                    for cell in graded.values() for figure in cell.metadata.get(METADATA_KEY, [])],
        seconds={result.student: result.seconds for result in results},
    )


def _test_outcomes(notebook):
    """``(grade id, got all its points)`` of each autograded test cell of a submitted notebook."""
    answers = {cell.name for cell in notebook.notebook.solution_cells}
    for grade in notebook.grades:
        if grade.cell.cell_type == "code" and grade.name not in answers:
            yield grade.name, grade.score >= grade.max_score


def _rate(check: str, found: list[tuple[bool, str | None]]) -> CheckRate:
    shown = collections.Counter(sentence for passed, sentence in found if not passed and sentence)
    sentence, times = shown.most_common(1)[0] if shown else (None, 0)
    return CheckRate(check, sum(passed for passed, _ in found), len(found), sentence, times)


def _graded_cells(path: Path) -> dict:
    """The grade cells of an autograded notebook by grade id; none if it is missing or unreadable."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return {}
    return {cell.metadata.nbgrader["grade_id"]: cell for cell in notebook.cells
            if cell.metadata.get("nbgrader", {}).get("grade") and "grade_id" in cell.metadata.nbgrader}


def _sentence(cell) -> str | None:
    """The sentence the feedback shows for the cell's first error, if it has one."""
    errors = [output for output in (cell.get("outputs", []) if cell else []) if output.output_type == "error"]
    return shown_error(errors[0]) if errors else None


def _notebook_order(release: Path) -> dict[str, int]:
    """The position of each grade id in the assignment's released notebooks."""
    ids = []
    for path in sorted(release.glob("*.ipynb")):
        try:
            ids += [c.metadata.nbgrader.get("grade_id") for c in nbformat.read(path, as_version=4).cells
                    if "nbgrader" in c.metadata]
        except (OSError, ValueError):
            continue
    return {grade_id: position for position, grade_id in enumerate(ids)}
