"""Reasons given to a student whose submission nbgrader could not grade."""

import pytest

from autograder.pipeline.run.failed_submissions import UNKNOWN, failure_reason


@pytest.mark.parametrize("log, words", [
    ("nbformat.reader.NotJSONError: Notebook does not appear to be JSON", "JSON válido"),
    ("nbgrader.preprocessors.execute.UnresponsiveKernelError", "kernel"),
    ("[ERROR] No notebooks found, did you forget to run 'nbgrader generate_assignment'?", "No se encontró el cuaderno"),
    ("nbgrader.nbgraderformat.common.SchemaTooNewError", "metadatos"),
])
def test_known_failures_get_their_spanish_reason(log, words):
    """Does each failure nbgrader reports get a Spanish sentence naming its cause?"""
    assert words in failure_reason({"success": False, "log": log})


def test_anything_else_gets_a_generic_reason():
    """Does an unexpected error still get a Spanish sentence rather than a traceback?"""
    assert failure_reason({"success": False, "log": "KeyError: 'x'"}) == UNKNOWN
