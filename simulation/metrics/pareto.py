"""The Pareto frontier of a set of utility points, and the distance of an outcome to it."""

from __future__ import annotations

import math
from collections.abc import Iterable

from simulation.metrics.utility_space import Point


def pareto_frontier(points: Iterable[Point]) -> list[Point]:
    """The points no other point dominates (at least as good to both sides, better to one).

    Duplicates appear once; the result is sorted by the seller's utility, ascending (so the buyer's
    utility descends along it).
    """
    frontier: list[Point] = []
    best_seller = -math.inf
    for buyer, seller in sorted(points, reverse=True):
        if seller > best_seller:
            frontier.append((buyer, seller))
            best_seller = seller
    return frontier


def distance_to_frontier(point: Point, frontier: Iterable[Point]) -> float | None:
    """Euclidean distance from ``point`` to the nearest frontier point; 0 on the frontier.

    The outcome space is a discrete sample, so the distance is to the nearest Pareto-optimal
    outcome (as Genius and NegMAS measure it), not to a line between them. ``None`` for an empty
    frontier.
    """
    distances = [math.hypot(point[0] - f[0], point[1] - f[1]) for f in frontier]
    return min(distances) if distances else None
