"""Per-assignment grade report: a histogram of the total scores (PNG) and a summary table (Markdown)."""

from __future__ import annotations

import statistics
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (the backend is chosen first)

from autograder.pipeline.course import open_gradebook  # noqa: E402


def write_report(config, assignment: str, results, directory: Path) -> tuple[Path, Path]:
    """``<assignment>_histograma.png`` and ``<assignment>_resumen.md`` from the gradebook's scores."""
    with open_gradebook(config) as gradebook:
        submissions = list(gradebook.assignment_submissions(assignment))
        totals = [submission.score for submission in submissions]
        top = max((submission.max_score for submission in submissions), default=0.0)
        pending = sum(submission.needs_manual_grade for submission in submissions)
    directory.mkdir(parents=True, exist_ok=True)
    histogram = directory / f"{assignment}_histograma.png"
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.hist(totals, bins=[step * top / 20 for step in range(21)] if top else 10, color="#3b6ea5", edgecolor="white")
    axes.set(title=f"{assignment}: distribución de las notas", xlabel=f"nota (sobre {top:g})", ylabel="entregas")
    figure.savefig(histogram, dpi=100, bbox_inches="tight")
    plt.close(figure)
    rows = [
        ("entregas", f"{len(totals)}"),
        ("no corregibles (0 puntos)", f"{sum(1 for result in results if result.failure)}"),
        ("pendientes de revisión manual", f"{pending}"),
        ("nota media", f"{statistics.fmean(totals):.2f}" if totals else "-"),
        ("mediana", f"{statistics.median(totals):.2f}" if totals else "-"),
        ("mínima / máxima", f"{min(totals):.2f} / {max(totals):.2f}" if totals else "-"),
        ("nota máxima posible", f"{top:g}"),
    ]
    table = directory / f"{assignment}_resumen.md"
    table.write_text(
        f"# Resumen de {assignment}\n\n| medida | valor |\n|---|---|\n"
        + "".join(f"| {name} | {value} |\n" for name, value in rows)
        + f"\n![histograma]({histogram.name})\n",
        encoding="utf-8",
    )
    return histogram, table
