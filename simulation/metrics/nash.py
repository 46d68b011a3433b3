"""The Nash bargaining point: the outcome maximising the product of both sides' gains."""

from __future__ import annotations

import math
from collections.abc import Iterable

from simulation.metrics.utility_space import Point


def nash_product(point: Point, disagreement: Point) -> float:
    """(u_buyer - d_buyer) * (u_seller - d_seller)."""
    return (point[0] - disagreement[0]) * (point[1] - disagreement[1])


def nash_point(points: Iterable[Point], disagreement: Point) -> Point | None:
    """The point at least as good as ``disagreement`` to both sides with the largest Nash product.

    Ties go to the first such point. ``None`` when no point is individually rational.
    """
    best: Point | None = None
    best_product = -math.inf
    d_buyer, d_seller = disagreement
    for point in points:
        buyer, seller = point
        if buyer >= d_buyer and seller >= d_seller:
            product = (buyer - d_buyer) * (seller - d_seller)
            if product > best_product:
                best, best_product = point, product
    return best


def distance_to_nash(point: Point, nash: Point | None) -> float | None:
    """Euclidean distance in utility space from ``point`` to the Nash point (``None`` without one)."""
    if nash is None:
        return None
    return math.hypot(point[0] - nash[0], point[1] - nash[1])
