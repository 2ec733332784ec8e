"""The class report's charts (PNG, matplotlib's Agg backend): each takes the figures and writes one image."""

from __future__ import annotations

import collections
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (the backend is chosen first)
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

COLOR, THRESHOLD_COLOR = "#3b6ea5", "#c0392b"


def score_bins(top: float) -> np.ndarray:
    """Bins of one point from 0 to the maximum score (the last one closed)."""
    return np.arange(0, max(1, math.ceil(top)) + 1, dtype=float)


def pass_rate_chart(rates, path: Path) -> Path:
    """One horizontal bar per check: the share of submissions that got its points, most failed on top."""
    figure, axes = plt.subplots(figsize=(8, 0.4 * len(rates) + 1.2))
    axes.barh([rate.check for rate in rates], [rate.share for rate in rates], color=COLOR)
    axes.invert_yaxis()
    axes.set(xlim=(0, 1), xlabel="entregas que la superan", title="Comprobaciones automáticas")
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    return _save(figure, path)


def score_histogram(totals: list[float], top: float, path: Path) -> Path:
    """How many submissions got each score, in bins of one point; whole-number counts."""
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.hist(totals, bins=score_bins(top), color=COLOR, edgecolor="white")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set(title="Distribución de las notas", xlabel=f"nota (sobre {top:g})", ylabel="entregas")
    return _save(figure, path)


def accuracy_chart(accuracies: list[dict], path: Path) -> Path:
    """Each final model's accuracy as a dot, one row per model and split, with the minimum as a red mark."""
    rows = collections.defaultdict(list)
    for figure in accuracies:
        rows[accuracy_label(figure), figure["minimum"]].append(figure["value"])
    figure, axes = plt.subplots(figsize=(8, 0.6 * len(rows) + 1.5))
    for position, ((_, minimum), values) in enumerate(rows.items()):
        jitter = np.linspace(-0.15, 0.15, len(values)) if len(values) > 1 else [0.0]
        axes.scatter(values, position + np.asarray(jitter), color=COLOR, alpha=0.7, zorder=2)
        axes.vlines(minimum, position - 0.35, position + 0.35, color=THRESHOLD_COLOR, linewidth=2, zorder=3,
                    label="mínimo exigido" if position == 0 else None)
    axes.set_yticks(range(len(rows)), [label for label, _ in rows])
    axes.invert_yaxis()
    axes.set(xlabel="exactitud", title="Exactitud de los modelos finales")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _save(figure, path)


def accuracy_label(figure: dict) -> str:
    return f"{figure['of']} ({figure['split']})"


def time_histogram(seconds: list[float], path: Path) -> Path:
    """How many submissions took each time to grade, in minutes; whole-number counts."""
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.hist([value / 60 for value in seconds], bins=10, color=COLOR, edgecolor="white")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set(title="Tiempo de corrección por entrega", xlabel="minutos", ylabel="entregas")
    return _save(figure, path)


def _save(figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path
