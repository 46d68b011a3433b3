"""The supply network of one order: its cost and its delivery slack (rows of ``metrics-orders.csv``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from simulation.metrics.delivery import delivery_slack_days
from simulation.metrics.negotiation import NegotiationMetrics


class OrderMetrics(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: str
    negotiations: int
    parts: int
    parts_agreed: int
    complete: bool
    """Every part of the order has an agreed supplier."""
    supply_network_cost: Decimal | None
    """Sum of the agreed prices of the order's negotiations; ``None`` when none agreed."""
    requested_delivery: date
    """The earliest delivery date requested in the order's negotiations."""
    latest_agreed_delivery: date | None
    delivery_slack_days: int | None
    """Requested delivery minus the latest agreed part delivery, in days (positive: early)."""


def _order(order_id: str, rows: list[NegotiationMetrics]) -> OrderMetrics:
    agreed = [r for r in rows if r.agreed]
    prices = [r.price for r in agreed if r.price is not None]
    deliveries = [r.agreed_delivery for r in agreed if r.agreed_delivery is not None]
    requested = min(r.requested_delivery for r in rows)
    latest = max(deliveries) if deliveries else None
    parts = {r.part_id for r in rows}
    parts_agreed = {r.part_id for r in agreed}
    return OrderMetrics(
        order_id=order_id,
        negotiations=len(rows),
        parts=len(parts),
        parts_agreed=len(parts_agreed),
        complete=parts_agreed == parts,
        supply_network_cost=sum(prices, Decimal(0)) if prices else None,
        requested_delivery=requested,
        latest_agreed_delivery=latest,
        delivery_slack_days=delivery_slack_days(requested, latest) if latest else None,
    )


def order_metrics(negotiations: Iterable[NegotiationMetrics]) -> list[OrderMetrics]:
    """One row per order, in the order the orders first appear."""
    by_order: dict[str, list[NegotiationMetrics]] = {}
    for row in negotiations:
        by_order.setdefault(row.order_id, []).append(row)
    return [_order(order_id, rows) for order_id, rows in by_order.items()]
