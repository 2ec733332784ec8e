"""No hidden test text in any output: what the student's code kept of the hidden cells is redacted.

The hidden tests run in the student's kernel, so its code can keep their text
(an IPython ``pre_run_cell`` hook reading ``info.raw_cell``, an input
transformer, ``In``/``_ih``, the history manager) and print it in a later
cell. ``RedactHiddenTests`` runs after the notebook has run (autograde: what
the formgrader shows in ``autograded/``) and before the feedback page is
written (a notebook graded before this step existed), and replaces, in every
output of every cell (stream text, every text representation of a result or
display, error names, values and tracebacks, output metadata), each
occurrence of a hidden test line, and the markers around them, with
``REDACTED``.

The hidden lines are read from the grader's own copy of the notebook: the
source cells of the gradebook (what the instructor released) and the grade
cells of the notebook being processed (restored from the gradebook by
nbgrader's ``OverwriteCells``), never from the submission. A line is looked
for as it is written and as ``repr``, JSON and HTML print it (escaped quotes,
backslashes and non-ASCII letters, entities), whatever its letter case; a
traceback's colour codes are dropped where they would split a line. Lines
shorter than ``MIN_LINE`` characters (a lone ``)`` or ``else:``) are not
looked for: they would match ordinary output and tell nothing. Text printed
transformed (encoded, reversed, cut into short pieces) is not recognized.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable

from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
MARKERS = (BEGIN, END, BEGIN.removeprefix("### "), END.removeprefix("### "), "HIDDEN TESTS")
MIN_LINE = 16
REDACTED = "[texto de una prueba oculta, retirado]"
BINARY_MIMETYPES = ("image/png", "image/jpeg", "image/gif", "application/pdf")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_RUNS = re.compile(re.escape(REDACTED) + r"(?:(?:\s|\\[nrt])*" + re.escape(REDACTED) + ")+")


def hidden_lines(sources: Iterable[str]) -> set[str]:
    """The lines between the hidden-test markers of ``sources``, stripped, of at least ``MIN_LINE`` characters."""
    lines = set()
    for source in sources:
        inside = False
        for line in source.splitlines():
            if BEGIN in line:
                inside = True
            elif END in line:
                inside = False
            elif inside and len(line.strip()) >= MIN_LINE:
                lines.add(line.strip())
    return lines


def printed_forms(line: str) -> set[str]:
    """``line`` as code printing it may show it: as written, escaped by ``repr`` or JSON, and HTML-escaped."""
    escaped = line.replace("\\", "\\\\")
    forms = {line, escaped, escaped.replace("'", "\\'"), escaped.replace('"', '\\"'),
             escaped.replace("'", "\\'").replace('"', '\\"'),
             json.dumps(line)[1:-1], json.dumps(line, ensure_ascii=False)[1:-1]}
    forms |= {html.escape(form, quote=quote) for form in forms for quote in (True, False)}
    forms |= {form.replace("&#x27;", "&#39;") for form in forms}
    return forms


class Redactor:
    """Replaces every occurrence of the hidden lines (in any printed form, any letter case) and of the markers."""

    def __init__(self, lines: Iterable[str]):
        forms = {form.lower() for line in lines for form in printed_forms(line)} | {marker.lower() for marker in MARKERS}
        self.patterns = sorted(forms, key=len, reverse=True)  # longest first: a line inside another goes with it

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def redact(self, text: str) -> str:
        """``text`` with the hidden text in it replaced; ``text`` itself when it holds none."""
        if "\x1b" in text:  # colour codes may split a line (a traceback's): matched without them, which then go
            plain = _ANSI.sub("", text)
            redacted = self._redact(plain)
            return text if redacted is plain else redacted
        return self._redact(text)

    def _redact(self, text: str) -> str:
        lower = text.lower()
        if len(lower) != len(text):  # letters whose lower case is longer: match the case as written
            lower = text
        spans = []
        for pattern in self.patterns:
            start = lower.find(pattern)
            while start != -1:
                spans.append((start, start + len(pattern)))
                start = lower.find(pattern, start + len(pattern))
        if not spans:
            return text
        pieces, end = [], 0
        for start, stop in sorted(spans):
            if start >= end:
                pieces += [text[end:start], REDACTED]
            end = max(end, stop)
        pieces.append(text[end:])
        return _RUNS.sub(REDACTED, "".join(pieces))

    def output(self, output) -> None:
        """Redact, in place, every text of a notebook output."""
        for key in list(output):
            if key in ("output_type", "execution_count"):
                continue
            if key == "data":
                for mimetype in list(output.data):
                    if mimetype not in BINARY_MIMETYPES:
                        output.data[mimetype] = self.value(output.data[mimetype])
            else:
                output[key] = self.value(output[key])

    def value(self, value):
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, list):  # a traceback's entries, or a text stored as its lines: each on its own
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            for key in list(value):
                value[key] = self.value(value[key])
        return value


def is_test_cell(cell) -> bool:
    """A locked test cell: graded code the student does not write, whose outputs are the checks' own."""
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def redact_notebook(nb, sources: Iterable[str]) -> int:
    """Redact the hidden text of ``sources`` and of ``nb``'s own grade cells in every output; how many outputs changed."""
    # Locked test cells only: the source of a student's cell is the student's, markers or not.
    graders = [cell.source for cell in nb.cells if is_test_cell(cell)]
    redactor = Redactor(hidden_lines([*sources, *graders]))
    changed = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            before = json.dumps(output, sort_keys=True)
            redactor.output(output)
            changed += json.dumps(output, sort_keys=True) != before
    return changed


def gradebook_sources(resources) -> list[str]:
    """The source cells the gradebook holds for this notebook (the instructor's), if the job has a gradebook."""
    info = resources.get("nbgrader", {}) if resources else {}
    if not all(info.get(key) for key in ("db_url", "notebook", "assignment")):
        return []
    try:
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            return [cell.source for cell in notebook.source_cells if cell.source]
    except MissingEntry:  # a notebook the gradebook does not know (the solution view): its own cells say it all
        return []


class RedactHiddenTests(NbGraderPreprocessor):
    """After execution, and before feedback: no hidden test text (nor its markers) in any output of any cell."""

    def preprocess(self, nb, resources):
        changed = redact_notebook(nb, gradebook_sources(resources))
        if changed:
            self.log.info("Texto de pruebas ocultas retirado de %d salidas.", changed)
        return nb, resources
