"""Similar submissions: ``calificaciones/<práctica>_similitud.html``, a hint for the instructor, never a grade.

Only the code each student wrote is compared: the code cells that nbgrader
marks as solution cells, with the release notebook's code (the template the
students started from) as copydetect's boilerplate, so that code everyone got
never counts. copydetect fingerprints the code as MOSS does (winnowing over
tokens, names and literals normalized) and finds the matching slices offline.
"""

from __future__ import annotations

import html
import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import nbformat
from copydetect import CodeFingerprint, compare_files
from copydetect.defaults import GUARANTEE_THRESHOLD, NOISE_THRESHOLD
from copydetect.utils import highlight_overlap

# A pair is listed when this share of one student's own code (template excluded) matches the
# other's. Short shared idioms (a callback line, a Dense layer) fall under copydetect's noise
# threshold (runs of 25 characters once every name is reduced to one letter); half of everything a
# student wrote matching another student's code in such runs rarely happens by chance. On the p1
# examples, solutions derived from one another match at 85-100 %, independent ones at under 10 %.
SIMILARITY_THRESHOLD = 0.5
WINDOW = GUARANTEE_THRESHOLD - NOISE_THRESHOLD + 1  # copydetect's own window for its default thresholds
STYLE = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:.3em .6em}.aviso{background:#fff3cd;padding:1em}"
         ".par{display:flex;gap:1em}.par>div{flex:1;min-width:0}pre{background:#f6f6f6;padding:.6em;overflow-x:auto}"
         "mark{background:#ffd166}")


@dataclass(frozen=True)
class SimilarPair:
    first: str
    second: str
    shares: tuple[float, float]  # share of each one's own code that matches the other's
    marked: tuple[str, str]  # each one's code as HTML, the matching parts in <mark>


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
    page.write_text(_page(assignment, sum(code is not None for code in codes.values()), pairs), encoding="utf-8")
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


def _page(assignment: str, compared: int, pairs: list[SimilarPair]) -> str:
    name = html.escape(assignment)
    rows = "".join(
        f'<tr><td><a href="#par-{n}">{html.escape(p.first)} y {html.escape(p.second)}</a></td>'
        f"<td>{_percent(p.shares[0])}</td><td>{_percent(p.shares[1])}</td></tr>\n" for n, p in enumerate(pairs, 1)
    )
    views = "".join(
        f'<h2 id="par-{n}">{html.escape(p.first)} y {html.escape(p.second)}</h2>\n<div class="par">'
        + "".join(f"<div><h3>{html.escape(who)} ({_percent(share)} coincide)</h3><pre>{code}</pre></div>"
                  for who, share, code in zip((p.first, p.second), p.shares, p.marked))
        + "</div>\n" for n, p in enumerate(pairs, 1)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="es"><head><meta charset="utf-8"><title>Entregas parecidas: {name}</title>'
        f"<style>{STYLE}</style></head><body>\n<h1>Entregas parecidas: {name}</h1>\n"
        '<p class="aviso"><strong>Esto es una pista para el profesorado, nunca una nota ni una prueba de copia.'
        "</strong> Dos soluciones correctas de un mismo ejercicio pueden parecerse; revisa cada par antes de "
        "sacar conclusiones.</p>\n"
        "<p>Solo se compara el código que escribió cada alumno (las celdas de solución), sin el de la plantilla de "
        "la práctica, con copydetect (huellas de código como MOSS). Se listan los pares en los que al menos un "
        f"<strong>{_percent(SIMILARITY_THRESHOLD)}</strong> del código propio de uno de los dos coincide con el del otro "
        f"(tramos de {NOISE_THRESHOLD} caracteres o más, con cada nombre reducido a una letra: cambiar los nombres "
        "de las variables no esconde una coincidencia).</p>\n"
        f"<p>Entregas comparadas: {compared}. Pares por encima del umbral: {len(pairs)}.</p>\n"
        + (f"<table><tr><th>par</th><th>coincide del primero</th><th>coincide del segundo</th></tr>\n{rows}</table>\n"
           if pairs else "<p>Ningún par supera el umbral.</p>\n")
        + views + "</body></html>\n"
    )
