"""Hidden test text that the student's code kept and printed is redacted from every output."""

import html
import json

import nbformat

from autograder.pipeline.hidden_text import MIN_LINE, REDACTED, Redactor, hidden_lines, redact_notebook

HIDDEN = ('assert x > 0, "x debe ser positivo"\n'
          "### BEGIN HIDDEN TESTS\n"
          "from autograder.kernel.evidence import verify\n"
          "verify.check_quiz(respuesta_1, assignment=\"p4_ajustes_del_modelo\", question=1)\n"
          "    assert x == 3 or y == 'ñandú'  # indented\n"
          "ok = 1\n"
          "### END HIDDEN TESTS")
QUIZ_LINE = 'verify.check_quiz(respuesta_1, assignment="p4_ajustes_del_modelo", question=1)'


def _test_cell(source=HIDDEN, grade_id="t"):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": grade_id, "points": 1}
    return cell


def _printed(*outputs):
    """A notebook with the hidden test cell and a student cell that shows ``outputs``; both redacted."""
    student = nbformat.v4.new_code_cell("print(secreto)", outputs=list(outputs))
    nb = nbformat.v4.new_notebook(cells=[_test_cell(), student])
    redact_notebook(nb, [])
    return student.outputs


def _stream(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _left(outputs) -> str:
    return json.dumps(outputs, ensure_ascii=False)


def test_the_hidden_lines_are_those_between_the_markers_long_enough_to_tell_something():
    assert hidden_lines([HIDDEN]) == {"from autograder.kernel.evidence import verify", QUIZ_LINE,
                                      "assert x == 3 or y == 'ñandú'  # indented"}
    assert MIN_LINE > len("ok = 1")


def test_a_printed_hidden_cell_leaves_nothing_identifying():
    """Does a whole hidden cell printed by a hook become the note, markers included, the visible line kept?"""
    (output,) = _printed(_stream("Celda capturada:\n" + HIDDEN + "\nfin\n"))
    assert output.text == f'Celda capturada:\nassert x > 0, "x debe ser positivo"\n{REDACTED}\nok = 1\n{REDACTED}\nfin\n'


def test_every_printed_form_of_a_hidden_line_is_redacted():
    """repr of the cell or of In/_ih, JSON, HTML, upper case, a coloured traceback, an error value, metadata."""
    outputs = _printed(
        _stream(repr(HIDDEN) + "\n" + repr([HIDDEN]) + "\n"),
        _stream(json.dumps(HIDDEN) + json.dumps(HIDDEN, ensure_ascii=False) + HIDDEN.upper()),
        nbformat.v4.new_output("display_data", data={"text/html": f"<pre>{html.escape(HIDDEN)}</pre>",
                                                     "text/plain": str(HIDDEN.splitlines())},
                               metadata={"nota": QUIZ_LINE}),
        nbformat.v4.new_output("execute_result", data={"text/plain": repr(HIDDEN)}, execution_count=3),
        nbformat.v4.new_output("error", ename="ValueError", evalue=QUIZ_LINE,
                               traceback=["\x1b[0;31mValueError\x1b[0m: verify.\x1b[1mcheck_quiz\x1b[0m(respuesta_1, "
                                          'assignment="p4_ajustes_del_modelo", question=1)']),
    )
    left = _left(outputs)
    for secret in ("check_quiz", "CHECK_QUIZ", "autograder.kernel", "HIDDEN TESTS", "hidden tests", "ñandú", "x == 3"):
        assert secret not in left
    assert REDACTED in outputs[3].data["text/plain"] and REDACTED in outputs[4].evalue


def test_a_coloured_traceback_of_a_hidden_cell_loses_every_hidden_line():
    """IPython colours each token of a traceback's code: a marker in one colour and a call split by colour codes."""
    frame = ("\x1b[32m----> 3\x1b[39m \x1b[38;5;66;03m### BEGIN HIDDEN TESTS\x1b[39;00m\n"
             "\x1b[32m      4\x1b[39m verify\x1b[38;5;241m.\x1b[39mcheck_quiz(respuesta_1, assignment\x1b[38;5;241m=\x1b[39m"
             "\x1b[33m\"p4_ajustes_del_modelo\"\x1b[39m, question\x1b[38;5;241m=\x1b[39m\x1b[32m1\x1b[39m)\n")
    (output,) = _printed(nbformat.v4.new_output("error", ename="NameError", evalue="x", traceback=[frame]))
    assert output.traceback == [f"----> 3 {REDACTED}\n      4 {REDACTED}\n"]


def test_ordinary_output_is_left_alone():
    """Is output without hidden text untouched, short hidden lines and the visible check included?"""
    text = 'Época 1: val_accuracy 0.85\nok = 1\nassert x > 0, "x debe ser positivo"\n\x1b[31mrojo\x1b[0m\n'
    (output,) = _printed(_stream(text))
    assert output.text == text


def test_hidden_text_is_read_from_the_graders_cells_never_from_the_students():
    """A student cell with markers of its own does not make ordinary output disappear; the gradebook's cells count."""
    student_markers = nbformat.v4.new_code_cell("### BEGIN HIDDEN TESTS\nprint('Hola a todo el mundo')\n### END HIDDEN TESTS",
                                                outputs=[_stream("Hola a todo el mundo\n" + QUIZ_LINE)])
    nb = nbformat.v4.new_notebook(cells=[student_markers])
    assert redact_notebook(nb, [HIDDEN]) == 1
    assert student_markers.outputs[0].text == f"Hola a todo el mundo\n{REDACTED}"


def test_a_redactor_keeps_unrelated_text_identical():
    redactor = Redactor(hidden_lines([HIDDEN]))
    text = "nada que ver"
    assert redactor.redact(text) is text
