"""Running an untrusted submission: time limits, bounded output and kernels that stop answering."""

import time

import nbformat
from nbgrader.preprocessors import Execute

from autograder.pipeline.course import load_config
from autograder.pipeline.feedback.preprocessors import StripHiddenTests
from autograder.pipeline.run.execute_with_deadline import SILENT, TIMED_OUT, ExecuteWithDeadline
from tests.conftest import ROOT


def _run(sources: list[str], **settings):
    """The notebook of ``sources`` after ExecuteWithDeadline(**settings) ran it, and the seconds it took."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    started = time.monotonic()
    ExecuteWithDeadline(**settings).preprocess(notebook, {"metadata": {"path": "."}})
    return notebook, time.monotonic() - started


def test_cells_past_the_submission_deadline_are_interrupted_and_the_rest_still_runs():
    """Is the cell that overruns the submission's time interrupted, and does a later cell still run?"""
    notebook, seconds = _run(["import time\ntime.sleep(1)", "time.sleep(60)", "print('fin')"],
                             submission_timeout=8, timeout=120)
    assert seconds < 30
    errors = {o.ename for o in notebook.cells[1].outputs if o.output_type == "error"}
    assert "CellTimeoutError" in errors  # next to the KeyboardInterrupt of the interrupted kernel
    assert notebook.cells[2].outputs[0].text == "fin\n"


def test_without_a_submission_limit_each_cell_keeps_its_own_limit():
    """With submission_timeout=None, do cells within their limit run on and is one past it interrupted at its limit?"""
    notebook, seconds = _run(["import time\ntime.sleep(4)", "time.sleep(4)", "time.sleep(60)", "print('fin')"],
                             submission_timeout=None, timeout=6)
    assert seconds < 30
    assert [[o for o in cell.outputs if o.output_type == "error"] for cell in notebook.cells[:2]] == [[], []]
    assert "CellTimeoutError" in {o.ename for o in notebook.cells[2].outputs if o.output_type == "error"}
    assert notebook.cells[3].outputs[0].text == "fin\n"


def test_the_courses_autograde_step_interrupts_a_submission_past_its_deadline():
    """Does the execution step nbgrader's autograde takes from the course configuration stop a submission at the
    course's submission limit (lowered here, as an instructor would), although each cell is within its own?"""
    config = load_config(ROOT)
    config.NotebookClient.extra_arguments = []  # the kernel extensions import keras: slow here
    config.ExecuteWithDeadline.submission_timeout = 6
    [execute] = [step for step in config.Autograde.autograde_preprocessors if issubclass(step, Execute)]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in
                                               ["import time\ntime.sleep(4)", "time.sleep(4)", "print('fin')"]])
    execute(config=config).preprocess(notebook, {"metadata": {"path": "."}})
    assert "CellTimeoutError" in {o.ename for o in notebook.cells[1].outputs if o.output_type == "error"}
    assert notebook.cells[2].outputs[0].text == "fin\n"


def test_a_cell_keeps_only_its_allowance_of_output_but_always_its_error():
    """Past max_cell_output, is a cell's further output dropped after one note, its error kept, the next cell whole?"""
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(
            "from IPython.display import display\n"
            "print('a' * 60)\nprint('b' * 60)\n"
            "display({'text/plain': 'c' * 10}, raw=True)\n"
            "raise ValueError('fin')"
        ),
        nbformat.v4.new_code_cell("print('d' * 90)"),
    ])
    ExecuteWithDeadline(max_cell_output=100, timeout=60).preprocess(notebook, {"metadata": {"path": "."}})
    first, second = ([(o.output_type, o.get("text") or o.get("ename")) for o in cell.outputs] for cell in notebook.cells)
    note = "\n(salida recortada: esta celda escribió más de 100 caracteres; el resto no se guarda)\n"
    assert "".join(text for kind, text in first if kind == "stream") == "a" * 60 + "\n" + "b" * 39 + note
    assert [text for kind, text in first if kind != "stream"] == ["ValueError"]
    assert second == [("stream", "d" * 90 + "\n")]


def test_a_timed_out_grade_cell_shows_its_spanish_reason_in_the_feedback():
    """Does a test cell that times out keep, once the hidden tests are stripped, the sentence saying why it failed?"""
    cell = nbformat.v4.new_code_cell("import time\ntime.sleep(60)")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "lento", "points": 1}
    notebook = nbformat.v4.new_notebook(cells=[cell])
    ExecuteWithDeadline(timeout=3).preprocess(notebook, {"metadata": {"path": "."}})
    StripHiddenTests().preprocess(notebook, {})
    shown = [line for output in cell.outputs if output.output_type == "error" for line in output.traceback]
    assert f"CellTimeoutError: {TIMED_OUT}" in shown


def test_a_kernel_that_finishes_a_cell_without_answering_is_stopped_in_seconds():
    """Does a notebook that breaks the kernel's execution of cells cost seconds and a Spanish reason, not every cell's timeout?"""
    notebook, seconds = _run(["ip = get_ipython()\nip.run_cell = ip.run_cell_async = lambda *a, **k: None",
                              "print('no llega')", "print('tampoco')"], timeout=300, reply_timeout=5)
    assert seconds < 120
    assert [o.evalue for o in notebook.cells[1].outputs if o.output_type == "error"] == [SILENT]
    assert [o.ename for o in notebook.cells[2].outputs] == ["KernelMuerto"]
