"""Histogram of the time to agreement over a run's negotiations."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.ticker import MaxNLocator

from simulation.metrics.stats import percentile
from simulation.plots.canvas import new_figure, note, save_png


def plot_latency(seconds: Sequence[float], path: Path, bins: int = 30) -> Path:
    """Histogram of ``seconds`` (time to agreement of each agreed negotiation), median and p95 marked."""
    figure = new_figure(7, 4)
    axes = figure.subplots()
    axes.set_title(f"Time to agreement ({len(seconds)} agreements)")
    if not seconds:
        note(axes, "no agreements")
        return save_png(figure, path)
    values = list(seconds)
    axes.hist(values, bins=bins, color="tab:blue", edgecolor="white")
    for q, style in ((50, "--"), (95, ":")):
        value = percentile(values, q)
        axes.axvline(value, color="black", linestyle=style, linewidth=1, label=f"p{q} {value:.3g} s")
    axes.legend(fontsize="small")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("seconds from the first move to the agreement")
    axes.set_ylabel("negotiations")
    return save_png(figure, path)
