"""The metrics of one bilateral negotiation (one row of ``metrics-negotiations.csv``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from simulation.metrics.delivery import delivery_slack_days
from simulation.metrics.nash import distance_to_nash, nash_point
from simulation.metrics.pareto import distance_to_frontier, pareto_frontier
from simulation.metrics.price import price_position
from simulation.metrics.utility_space import feasible_points, outcome_point, reservation_point
from simulation.metrics.welfare import social_welfare
from simulation.results import NegotiationResult


class NegotiationMetrics(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    negotiation_id: str
    order_id: str
    part_id: str
    buyer: str
    seller: str
    buyer_strategy: str
    seller_strategy: str
    repetition: int
    agreed: bool
    rounds: int
    messages: int
    time_to_agreement_seconds: float | None
    """Wall time from the first move to the agreement; ``None`` without one."""
    buyer_utility: float
    seller_utility: float
    social_welfare_sum: float
    """Buyer's plus seller's utility (utilitarian social welfare)."""
    pareto_distance: float | None
    """Distance of the outcome (the disagreement point (0, 0) without an agreement) to the frontier."""
    nash_distance: float | None
    """Distance of the outcome to the Nash point over the reservation utilities."""
    price: Decimal | None
    price_position: float | None
    """0 = at the seller's reservation price, 1 = at the buyer's."""
    requested_delivery: date
    agreed_delivery: date | None
    delivery_slack_days: int | None
    """Requested minus agreed delivery, in days (positive: early)."""


def negotiation_metrics(result: NegotiationResult) -> NegotiationMetrics:
    outcome = outcome_point(result)
    points = feasible_points(result)
    terms = result.agreement if result.agreed else None
    return NegotiationMetrics(
        negotiation_id=result.id,
        order_id=result.order_id,
        part_id=result.part_id,
        buyer=result.buyer,
        seller=result.seller,
        buyer_strategy=result.buyer_strategy,
        seller_strategy=result.seller_strategy,
        repetition=result.repetition,
        agreed=result.agreed,
        rounds=result.rounds,
        messages=result.messages,
        time_to_agreement_seconds=result.elapsed_seconds if result.agreed else None,
        buyer_utility=outcome[0],
        seller_utility=outcome[1],
        social_welfare_sum=social_welfare(*outcome),
        pareto_distance=distance_to_frontier(outcome, pareto_frontier(points)),
        nash_distance=distance_to_nash(outcome, nash_point(points, reservation_point(result))),
        price=terms.price if terms else None,
        price_position=(
            price_position(terms.price, result.seller_reservation_price, result.buyer_reservation_price)
            if terms
            else None
        ),
        requested_delivery=result.requested_delivery,
        agreed_delivery=terms.delivery_date if terms else None,
        delivery_slack_days=delivery_slack_days(result.requested_delivery, terms.delivery_date)
        if terms
        else None,
    )
