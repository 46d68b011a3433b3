"""Points in utility space: (utility to the buyer, utility to the seller)."""

from __future__ import annotations

from simulation.results import NegotiationResult

Point = tuple[float, float]
"""(buyer utility, seller utility)."""

DISAGREEMENT: Point = (0.0, 0.0)
"""What both sides get without an agreement, as recorded in :class:`NegotiationResult`."""


def outcome_point(result: NegotiationResult) -> Point:
    """The utilities the negotiation ended with: the agreement's, or :data:`DISAGREEMENT` without one."""
    if not result.agreed:
        return DISAGREEMENT
    return (result.buyer_utility, result.seller_utility)


def feasible_points(result: NegotiationResult) -> list[Point]:
    """The recorded sample of the outcome space, plus the agreement point when there is one."""
    points = [(p.buyer, p.seller) for p in result.outcome_space]
    if result.agreed:
        points.append((result.buyer_utility, result.seller_utility))
    return points


def reservation_point(result: NegotiationResult) -> Point:
    """The reservation utilities of both sides: the disagreement point of the Nash bargaining solution."""
    return (result.buyer_reservation_utility, result.seller_reservation_utility)
