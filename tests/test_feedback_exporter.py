"""The feedback's HTML exporter: nbconvert's output, with templates compiled once per process."""

import jinja2
import nbformat
from nbconvert.exporters import HTMLExporter

from autograder.pipeline.feedback.html_exporter import FeedbackExporter

NOTEBOOK = nbformat.v4.new_notebook(cells=[
    nbformat.v4.new_markdown_cell("# Práctica\nTexto con *énfasis*."),
    nbformat.v4.new_code_cell("print('hola')", outputs=[nbformat.v4.new_output("stream", text="hola\n")]),
])


def compiled_by(exporter_class, monkeypatch) -> tuple[str, int]:
    """The HTML a new exporter of ``exporter_class`` writes, and how many templates it compiled for it."""
    compiled = []
    compile_template = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, *a, **k: compiled.append(1) or compile_template(self, *a, **k))
    html, _ = exporter_class().from_notebook_node(NOTEBOOK)
    monkeypatch.undo()
    return html, len(compiled)


def test_the_feedback_exporter_writes_what_nbconverts_writes(monkeypatch):
    """Is the feedback exporter's HTML the very HTML nbconvert's own HTMLExporter writes?"""
    assert compiled_by(FeedbackExporter, monkeypatch)[0] == compiled_by(HTMLExporter, monkeypatch)[0]


def test_a_new_feedback_exporter_compiles_no_template_again(monkeypatch):
    """Does the second feedback exporter of a process reuse the templates the first compiled, unlike nbconvert's?"""
    compiled_by(FeedbackExporter, monkeypatch)
    assert compiled_by(FeedbackExporter, monkeypatch)[1] == 0
    assert compiled_by(HTMLExporter, monkeypatch)[1] > 0
