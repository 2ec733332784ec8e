"""`make demo`: every example of every assignment submitted and graded in one batch, not one batch per assignment."""

import shutil

from autograder.pipeline import demo as demo_job
from tests.conftest import ROOT


def test_the_demo_grades_every_example_in_one_batch(course, monkeypatch):
    """Does the demo hand every example of the four assignments to a single grading batch, announced, in the quick
    profile, each example submitted where nbgrader expects it?"""
    shutil.copytree(ROOT / "examples", course / "examples")
    batches = []
    monkeypatch.setattr(demo_job, "release", lambda root: [])
    monkeypatch.setattr(demo_job, "grade_assignments", lambda **options: batches.append(options) or {})
    demo_job.demo(root=course, progress=print)
    examples = {folder.name: sorted(path.stem for path in folder.glob("*.ipynb"))
                for folder in (ROOT / "examples").iterdir()}
    assert len(examples) == 4 and len(batches) == 1
    assert {assignment: sorted(students) for assignment, students in batches[0]["students"].items()} == examples
    assert batches[0]["profile"] == "rapido" and batches[0]["announce"] is print
    for assignment, students in examples.items():
        for student in students:
            assert (course / "submitted" / student / assignment / f"{assignment}.ipynb").read_bytes() == (
                ROOT / "examples" / assignment / f"{student}.ipynb").read_bytes()
