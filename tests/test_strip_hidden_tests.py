"""The feedback view of a test cell: hidden tests gone, every failure with a sentence."""

import nbformat

from autograder.pipeline.feedback.preprocessors import StripHiddenTests
from autograder.pipeline.grades.feedback_sentence import NO_MESSAGE


def _failed_test_cell(ename: str, evalue: str):
    cell = nbformat.v4.new_code_cell(
        "assert x > 0\n### BEGIN HIDDEN TESTS\nassert x == 3\n### END HIDDEN TESTS")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "t", "points": 1}
    cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                           traceback=["Traceback", "----> 3 assert x == 3", f"{ename}: {evalue}"])]
    return cell


def _feedback(cell):
    StripHiddenTests().preprocess(nbformat.v4.new_notebook(cells=[cell]), {})
    return cell


def test_a_failure_keeps_only_its_own_sentence_and_no_hidden_code():
    """Does a failed test cell lose its hidden code, in the source and in the traceback, and keep its sentence?"""
    cell = _feedback(_failed_test_cell("AssertionError", "x debe ser positivo"))
    assert "x == 3" not in cell.source
    assert cell.outputs[0].traceback == ["AssertionError: x debe ser positivo"]


def test_a_failure_without_a_message_gets_a_spanish_sentence():
    """Does an error with an empty message show a Spanish sentence instead of «AssertionError: »?"""
    cell = _feedback(_failed_test_cell("AssertionError", ""))
    assert cell.outputs[0].traceback == [f"AssertionError: {NO_MESSAGE}"]
