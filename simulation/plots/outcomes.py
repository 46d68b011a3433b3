"""Outcomes of one negotiation against its Pareto frontier and Nash point, in utility space."""

from __future__ import annotations

from pathlib import Path

from simulation.metrics.nash import nash_point
from simulation.metrics.pareto import pareto_frontier
from simulation.metrics.utility_space import feasible_points, outcome_point, reservation_point
from simulation.plots.canvas import new_figure, save_png
from simulation.results import NegotiationResult


def plot_outcomes(result: NegotiationResult, path: Path) -> Path:
    """Scatter of the sampled outcome space, the frontier line, the Nash point, reservation utilities,
    and the agreement (or the disagreement point (0, 0) when there is none)."""
    figure = new_figure(6, 6)
    axes = figure.subplots()
    axes.set_title(f"Outcomes: {result.id}")
    axes.set_xlabel("utility to the buyer")
    axes.set_ylabel("utility to the seller")
    axes.set_xlim(-0.02, 1.02)
    axes.set_ylim(-0.02, 1.02)
    axes.set_aspect("equal")
    space = [(p.buyer, p.seller) for p in result.outcome_space]
    if space:
        axes.scatter([p[0] for p in space], [p[1] for p in space], s=12, color="lightgrey", label="outcomes")
    points = feasible_points(result)
    frontier = pareto_frontier(points)
    if frontier:
        axes.plot(
            [p[0] for p in frontier],
            [p[1] for p in frontier],
            color="tab:red",
            marker=".",
            label="Pareto frontier",
        )
    reservation = reservation_point(result)
    axes.axvline(reservation[0], color="grey", linestyle="--", linewidth=1)
    axes.axhline(reservation[1], color="grey", linestyle="--", linewidth=1, label="reservation")
    nash = nash_point(points, reservation)
    if nash is not None:
        axes.plot(
            [nash[0]],
            [nash[1]],
            marker="D",
            markersize=9,
            color="tab:purple",
            linestyle="",
            label="Nash point",
        )
    outcome = outcome_point(result)
    axes.plot(
        [outcome[0]],
        [outcome[1]],
        marker="*" if result.agreed else "X",
        markersize=15,
        color="tab:green" if result.agreed else "black",
        linestyle="",
        label="agreement" if result.agreed else "no agreement (0, 0)",
    )
    axes.legend(loc="lower left", fontsize="small")
    return save_png(figure, path)
