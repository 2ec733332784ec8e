"""The kit's own HTML pages come from Jinja2 templates, escaped as they were when Python wrote them."""

from __future__ import annotations

from markupsafe import Markup

from autograder.pipeline.page_templates import render_page
from autograder.pipeline.run.failed_submissions import write_failure_feedback


def test_a_failed_submission_page_escapes_what_it_shows_as_html_escape_does(tmp_path):
    """Does the page of a submission nbgrader could not grade show its reason escaped, quotes as html.escape writes
    them, and end in one newline?"""
    page = tmp_path / "p1.html"
    write_failure_feedback(page, "p1<x>", 'El cuaderno "no" se abre & <b>ya</b>; it\'s broken.')
    text = page.read_text(encoding="utf-8")
    assert "<h1>p1&lt;x&gt;: entrega sin corregir (0 puntos)</h1>" in text
    assert "<p>El cuaderno &quot;no&quot; se abre &amp; &lt;b&gt;ya&lt;/b&gt;; it&#x27;s broken.</p>" in text
    assert text.endswith("</body></html>\n") and not text.endswith("\n\n")


def test_html_handed_in_as_markup_is_kept():
    """Is a value that is HTML already (Markup) written as it is, while the same text as a str is escaped?"""
    assert render_page("run/failed_submission.html.j2", assignment="p1", reason=Markup("<mark>a</mark>")).count(
        "<p><mark>a</mark></p>") == 1
    assert "<p>&lt;mark&gt;a&lt;/mark&gt;</p>" in render_page("run/failed_submission.html.j2", assignment="p1",
                                                               reason="<mark>a</mark>")
