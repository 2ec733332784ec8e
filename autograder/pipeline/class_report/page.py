"""The class report of one assignment: ``calificaciones/<práctica>_informe.html``, its charts and its check table.

One HTML page an instructor opens from the file manager: a summary, the
share of the class that passes each autograded check (most failed first, with
the sentence those who failed were shown most often), the score distribution,
the final models' accuracies against the minimum, and the grading times.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import numpy as np

from autograder.pipeline.class_report import charts as class_charts
from autograder.pipeline.class_report.figures import ClassFigures, class_figures
from autograder.pipeline.class_report.similarity import similarity_page
from autograder.pipeline.csv_file import write_csv
from autograder.pipeline.page_templates import render_page

CHECK_COLUMNS = ["comprobacion", "superada_por", "entregas", "porcentaje", "frase_mas_repetida", "veces"]


def report_page(assignment: str) -> str:
    return f"{assignment}_informe.html"


def write_class_report(config, assignment: str, results, directory: Path) -> Path:
    """Write the report of ``assignment`` (every submission in the gradebook) into ``directory``; the page's path."""
    figures = class_figures(config, assignment, results)
    directory.mkdir(parents=True, exist_ok=True)
    checks_csv = f"{assignment}_comprobaciones.csv"
    write_csv(directory / checks_csv, CHECK_COLUMNS, [
        {"comprobacion": rate.check, "superada_por": rate.passed, "entregas": rate.total,
         "porcentaje": round(100 * rate.share), "frase_mas_repetida": rate.sentence or "", "veces": rate.times_shown}
        for rate in figures.rates
    ])
    page = directory / report_page(assignment)
    page.write_text(render_page(
        "class_report/class_report.html.j2", assignment=assignment, similarity_page=similarity_page(assignment),
        checks_csv=checks_csv, charts=_charts(assignment, figures, directory), summary=_summary(figures),
        checks=_checks(figures), scores=_scores(figures), accuracies=_accuracies(figures),
        minutes=f"{sum(figures.seconds.values()) / 60:.1f}", times=_times(figures),
    ), encoding="utf-8")
    return page


def _charts(assignment: str, figures: ClassFigures, directory: Path) -> dict[str, Path]:
    """Each chart of the report, drawn beside it (the accuracies' only when some submission measured one)."""
    def path(name: str) -> Path:
        return directory / f"{assignment}_{name}.png"

    charts = {"checks": class_charts.pass_rate_chart(figures.rates, path("comprobaciones")),
              "scores": class_charts.score_histogram(figures.totals, figures.top, path("histograma"))}
    if figures.accuracies:
        charts["accuracies"] = class_charts.accuracy_chart(figures.accuracies, path("exactitud"))
    charts["times"] = class_charts.time_histogram(list(figures.seconds.values()), path("tiempos"))
    return charts


def _summary(figures: ClassFigures) -> list[tuple]:
    totals = figures.totals
    return [
        ("entregas", len(totals)),
        ("no corregibles en esta corrección (0 puntos)", figures.failures),
        ("pendientes de revisión manual", figures.pending),
        ("nota media", f"{statistics.fmean(totals):.2f}" if totals else "-"),
        ("mediana", f"{statistics.median(totals):.2f}" if totals else "-"),
        ("mínima / máxima", f"{min(totals):.2f} / {max(totals):.2f}" if totals else "-"),
        ("nota máxima posible", f"{figures.top:g}"),
    ]


def _checks(figures: ClassFigures) -> list[tuple]:
    return [(rate.check, f"{rate.passed} de {rate.total}", f"{100 * rate.share:.0f} %",
             f"{rate.sentence} ({rate.times_shown})" if rate.sentence else "-") for rate in figures.rates]


def _scores(figures: ClassFigures) -> list[tuple]:
    bins = class_charts.score_bins(figures.top)
    counts, _ = np.histogram(figures.totals, bins=bins)
    return [(f"{low:g} – {high:g}", int(count)) for low, high, count in zip(bins, bins[1:], counts)]


def _accuracies(figures: ClassFigures) -> list[tuple]:
    return [(figure["student"], class_charts.accuracy_label(figure), f"{figure['value']:.4f}",
             f"{figure['minimum']:.2f}") for figure in figures.accuracies]


def _times(figures: ClassFigures) -> list[tuple]:
    """Each submission's grading time, longest first."""
    longest_first = sorted(figures.seconds.items(), key=lambda item: -item[1])
    return [(student, f"{value:.0f} s") for student, value in longest_first]
