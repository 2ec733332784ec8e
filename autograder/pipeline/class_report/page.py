"""The class report of one assignment: ``calificaciones/<práctica>_informe.html``, its charts and its check table.

One HTML page an instructor opens from the file manager: a summary, the
share of the class that passes each autograded check (most failed first, with
the sentence those who failed were shown most often), the score distribution,
the final models' accuracies against the minimum, and the grading times.
"""

from __future__ import annotations

import html
import statistics
from pathlib import Path

import numpy as np

from autograder.pipeline.class_report import charts as class_charts
from autograder.pipeline.class_report.figures import ClassFigures, class_figures
from autograder.pipeline.export.grades_csv import write_csv
from autograder.pipeline.class_report.similarity import similarity_page

STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
         "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
         "img{max-width:100%}")
CHECK_COLUMNS = ["comprobacion", "superada_por", "entregas", "porcentaje", "frase_mas_repetida", "veces"]


def report_page(assignment: str) -> str:
    return f"{assignment}_informe.html"


def write_class_report(config, assignment: str, results, directory: Path) -> Path:
    """Write the report of ``assignment`` (every submission in the gradebook) into ``directory``; the page's path."""
    figures = class_figures(config, assignment, results)
    directory.mkdir(parents=True, exist_ok=True)
    write_csv(directory / f"{assignment}_comprobaciones.csv", CHECK_COLUMNS, [
        {"comprobacion": rate.check, "superada_por": rate.passed, "entregas": rate.total,
         "porcentaje": round(100 * rate.share), "frase_mas_repetida": rate.sentence or "", "veces": rate.times_shown}
        for rate in figures.rates
    ])
    sections = [_summary(figures), _checks(assignment, figures, directory), _scores(assignment, figures, directory),
                _accuracies(assignment, figures, directory), _times(assignment, figures, directory)]
    page = directory / report_page(assignment)
    page.write_text(
        f'<!DOCTYPE html>\n<html lang="es"><head><meta charset="utf-8"><title>Informe de {html.escape(assignment)}'
        f"</title><style>{STYLE}</style></head><body>\n<h1>Informe de la clase: {html.escape(assignment)}</h1>\n"
        f'<p>Entregas parecidas (una pista, no una nota): <a href="{similarity_page(assignment)}">'
        f"{similarity_page(assignment)}</a>.</p>\n" + "\n".join(sections) + "\n</body></html>\n",
        encoding="utf-8",
    )
    return page


def _summary(figures: ClassFigures) -> str:
    totals = figures.totals
    return _table("Resumen", ["medida", "valor"], [
        ("entregas", len(totals)),
        ("no corregibles en esta corrección (0 puntos)", figures.failures),
        ("pendientes de revisión manual", figures.pending),
        ("nota media", f"{statistics.fmean(totals):.2f}" if totals else "-"),
        ("mediana", f"{statistics.median(totals):.2f}" if totals else "-"),
        ("mínima / máxima", f"{min(totals):.2f} / {max(totals):.2f}" if totals else "-"),
        ("nota máxima posible", f"{figures.top:g}"),
    ], table_id="resumen")


def _checks(assignment: str, figures: ClassFigures, directory: Path) -> str:
    image = class_charts.pass_rate_chart(figures.rates, directory / f"{assignment}_comprobaciones.png")
    rows = [(rate.check, f"{rate.passed} de {rate.total}", f"{100 * rate.share:.0f} %",
             f"{rate.sentence} ({rate.times_shown})" if rate.sentence else "-") for rate in figures.rates]
    return (f"<h2>Comprobaciones automáticas: qué parte de la clase las supera</h2>\n{_image(image)}\n"
            f'<p>Las que más falla la clase van primero. También en <a href="{assignment}_comprobaciones.csv">'
            f"{assignment}_comprobaciones.csv</a>.</p>\n"
            + _table(None, ["comprobación", "la superan", "porcentaje",
                            "frase más repetida a quienes no la superan (veces)"], rows, table_id="comprobaciones"))


def _scores(assignment: str, figures: ClassFigures, directory: Path) -> str:
    image = class_charts.score_histogram(figures.totals, figures.top, directory / f"{assignment}_histograma.png")
    bins = class_charts.score_bins(figures.top)
    counts, _ = np.histogram(figures.totals, bins=bins)
    rows = [(f"{low:g} – {high:g}", int(count)) for low, high, count in zip(bins, bins[1:], counts)]
    return (f"<h2>Distribución de las notas</h2>\n{_image(image)}\n"
            + _table(None, ["nota (intervalo de un punto; el último incluye la máxima)", "entregas"], rows,
                     table_id="histograma"))


def _accuracies(assignment: str, figures: ClassFigures, directory: Path) -> str:
    title = "<h2>Exactitud de los modelos finales</h2>\n"
    if not figures.accuracies:
        return title + "<p>Ninguna entrega llegó a medir la exactitud de su modelo final.</p>\n"
    image = class_charts.accuracy_chart(figures.accuracies, directory / f"{assignment}_exactitud.png")
    rows = [(figure["student"], class_charts.accuracy_label(figure), f"{figure['value']:.4f}",
             f"{figure['minimum']:.2f}") for figure in figures.accuracies]
    return (title + f"{_image(image)}\n<p>Medida por el corrector, fuera del kernel, con sus propios datos y "
            "etiquetas; la marca roja es el mínimo exigido en el perfil de datos de la corrección.</p>\n"
            + _details("Exactitud de cada entrega", _table(
                None, ["alumno", "modelo (partición)", "exactitud", "mínimo"], rows, table_id="exactitud")))


def _times(assignment: str, figures: ClassFigures, directory: Path) -> str:
    seconds = figures.seconds
    image = class_charts.time_histogram(list(seconds.values()), directory / f"{assignment}_tiempos.png")
    rows = [(student, f"{value:.0f} s") for student, value in sorted(seconds.items(), key=lambda item: -item[1])]
    return (f"<h2>Tiempo de corrección</h2>\n{_image(image)}\n<p>Total: {sum(seconds.values()) / 60:.1f} min de "
            "trabajo de corrección; una entrega ya corregida conserva el tiempo de su corrección.</p>\n"
            + _details("Tiempo de cada entrega (de más a menos)",
                       _table(None, ["alumno", "tiempo"], rows, table_id="tiempos")))


def _image(path: Path) -> str:
    return f'<p><img src="{html.escape(path.name)}" alt="{html.escape(path.stem)}"></p>'


def _details(summary: str, content: str) -> str:
    return f"<details><summary>{html.escape(summary)}</summary>\n{content}</details>\n"


def _table(title: str | None, header: list[str], rows, *, table_id: str) -> str:
    head = f"<h2>{html.escape(title)}</h2>\n" if title else ""
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row) + "</tr>\n" for row in rows
    )
    columns = "".join(f"<th>{html.escape(name)}</th>" for name in header)
    return f'{head}<table id="{table_id}">\n<tr>{columns}</tr>\n{cells}</table>\n'
