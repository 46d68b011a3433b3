"""Agreement rate and mean utilities by strategy pair: heat maps for tournaments, bars otherwise."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from simulation.metrics.pairs import PairMetrics
from simulation.plots.canvas import new_figure, note, save_png

_VALUES = (
    ("agreement rate", "agreement_rate"),
    ("mean utility to the buyer", "mean_buyer_utility"),
    ("mean utility to the seller", "mean_seller_utility"),
)


def _heat_maps(pairs: Sequence[PairMetrics]) -> Figure:
    buyers = sorted({p.buyer_strategy for p in pairs})
    sellers = sorted({p.seller_strategy for p in pairs})
    by_pair = {(p.buyer_strategy, p.seller_strategy): p for p in pairs}
    figure = new_figure(4.5 * len(_VALUES), 1.5 + 0.6 * max(len(buyers), 3))
    for axes, (title, field) in zip(figure.subplots(1, len(_VALUES)), _VALUES, strict=True):
        grid = [
            [float(getattr(by_pair[(b, s)], field)) if (b, s) in by_pair else math.nan for s in sellers]
            for b in buyers
        ]
        image = axes.imshow(grid, vmin=0, vmax=1, cmap="viridis", aspect="auto")
        for row, values in enumerate(grid):
            for column, value in enumerate(values):
                if not math.isnan(value):
                    colour = "black" if value > 0.6 else "white"
                    axes.text(column, row, f"{value:.2f}", ha="center", va="center", color=colour)
        axes.set_title(title)
        axes.set_xticks(range(len(sellers)), sellers, rotation=30, ha="right")
        axes.set_yticks(range(len(buyers)), buyers)
        axes.set_xlabel("seller strategy")
        axes.set_ylabel("buyer strategy")
        figure.colorbar(image, ax=axes, shrink=0.8)
    return figure


def _bars(pairs: Sequence[PairMetrics]) -> Figure:
    figure = new_figure(max(6.0, 1.8 * len(pairs)), 4.5)
    axes = figure.subplots()
    width = 0.8 / len(_VALUES)
    for index, (title, field) in enumerate(_VALUES):
        positions = [i + (index - (len(_VALUES) - 1) / 2) * width for i in range(len(pairs))]
        axes.bar(positions, [float(getattr(p, field)) for p in pairs], width=width, label=title)
    labels = [f"{p.buyer_strategy}\nvs {p.seller_strategy}" for p in pairs]
    axes.set_xticks(range(len(pairs)), labels)
    axes.set_ylim(0, 1.05)
    axes.set_xlabel("buyer strategy vs seller strategy")
    axes.legend(fontsize="small")
    return figure


def plot_pairs(pairs: Sequence[PairMetrics], path: Path, tournament: bool) -> Path:
    if not pairs:
        figure = new_figure(6, 4)
        note(figure.subplots(), "no negotiations")
    else:
        figure = _heat_maps(pairs) if tournament else _bars(pairs)
    figure.suptitle("Agreement rate and mean utility by strategy pair")
    return save_png(figure, path)
