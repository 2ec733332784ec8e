"""Similar submissions: ``calificaciones/<práctica>_similitud.html``, a hint for the instructor, never a grade.

Only the code each student wrote is compared: the code cells that nbgrader
marks as solution cells, with the release notebook's code (the template the
students started from) as copydetect's boilerplate, so that code everyone got
never counts. copydetect fingerprints the code as MOSS does (winnowing over
tokens, names and literals normalized) and finds the matching slices offline.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import nbformat
from copydetect import CodeFingerprint, compare_files
from copydetect.defaults import GUARANTEE_THRESHOLD, NOISE_THRESHOLD
from copydetect.utils import highlight_overlap

from autograder.pipeline.page_templates import render_page

# A pair is listed when this share of one student's own code (template excluded) matches the
# other's. Short shared idioms (a callback line, a Dense layer) fall under copydetect's noise
# threshold (runs of 25 characters once every name is reduced to one letter); half of everything a
# student wrote matching another student's code in such runs rarely happens by chance. On the p1
# examples, solutions derived from one another match at 85-100 %, independent ones at under 10 %.
SIMILARITY_THRESHOLD = 0.5
WINDOW = GUARANTEE_THRESHOLD - NOISE_THRESHOLD + 1  # copydetect's own window for its default thresholds


@dataclass(frozen=True)
class SimilarPair:
    first: str
    second: str
    shares: tuple[float, float]  # share of each one's own code that matches the other's
    marked: tuple[str, str]  # each one's code as HTML, the matching parts in <mark>

    @property
    def sides(self) -> tuple[tuple[str, float, str], ...]:
        """(student, share of their code that matches, their code as HTML) for each of the two."""
        return tuple(zip((self.first, self.second), self.shares, self.marked))


def similarity_page(assignment: str) -> str:
    return f"{assignment}_similitud.html"


def answer_code(notebook_path: Path) -> str | None:
    """The code of the notebook's solution cells, one after another; None if the notebook cannot be read."""
    try:
        notebook = nbformat.read(notebook_path, as_version=4)
    except (OSError, ValueError):
        return None
    return "\n\n".join(
        f"# --- {cell.metadata.nbgrader.get('grade_id', '')} ---\n{cell.source}" for cell in notebook.cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
    )


def similar_pairs(codes: dict[str, str], template: str) -> list[SimilarPair]:
    """The pairs of students whose code matches at or above SIMILARITY_THRESHOLD, most similar first."""
    boilerplate = list(_fingerprint("plantilla", template).hashes)
    prints = {student: _fingerprint(student, code, boilerplate) for student, code in codes.items()}
    pairs = []
    for first, second in itertools.combinations(sorted(prints), 2):
        _, shares, slices = compare_files(prints[first], prints[second])
        if max(shares) >= SIMILARITY_THRESHOLD:
            marked = tuple(_marked(prints[name].raw_code, cut) for name, cut in zip((first, second), slices))
            pairs.append(SimilarPair(first, second, (float(shares[0]), float(shares[1])), marked))
    return sorted(pairs, key=lambda pair: -max(pair.shares))


def write_similarity_report(root: Path, assignment: str, students: list[str], directory: Path) -> Path:
    """Compare the submitted notebooks of ``students``; the page's path."""
    notebook = f"{assignment}.ipynb"
    template = answer_code(Path(root) / "release" / assignment / notebook) or ""
    codes = {student: answer_code(Path(root) / "submitted" / student / assignment / notebook) for student in students}
    pairs = similar_pairs({student: code for student, code in codes.items() if code is not None}, template)
    directory.mkdir(parents=True, exist_ok=True)
    page = directory / similarity_page(assignment)
    compared = sum(code is not None for code in codes.values())
    page.write_text(render_page(
        "class_report/similarity.html.j2", assignment=assignment, compared=compared, pairs=pairs,
        threshold=SIMILARITY_THRESHOLD, noise=NOISE_THRESHOLD, percent=_percent,
    ), encoding="utf-8")
    return page


def _fingerprint(name: str, code: str, boilerplate: list | None = None) -> CodeFingerprint:
    return CodeFingerprint(f"{name}.py", NOISE_THRESHOLD, WINDOW, boilerplate=boilerplate, fp=io.StringIO(code),
                           language="python")


def _marked(code: str, slices) -> str:
    marked, _ = highlight_overlap(code, slices, "<mark>", "</mark>", escape_html=True)
    return marked


def _percent(share: float) -> str:
    """A share as Spanish writes it: "50 %"."""
    return f"{100 * share:.0f} %"
