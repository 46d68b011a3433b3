"""Whether the manufacturer takes an order: product known, customisation valid, every part made or
sourced here, delivery date feasible given the production-time estimate and the queue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from agents.manufacturer.estimate import (
    ProductionEstimate,
    check_feasibility,
    estimate,
    machine_minutes,
)
from ontology.common import Reason
from ontology.customisation import Customisation, CustomisationError, required_parts
from ontology.events import HistoryEvent
from ontology.order import Order, OrderStatus
from ontology.policy import ManufacturerPolicy, PartSplit
from ontology.product import Product

UNKNOWN_PRODUCT = "unknown-product"
BAD_CUSTOMISATION = "invalid-customisation"
WRONG_MANUFACTURER = "wrong-manufacturer"

#: Orders whose own work occupies the machines (the queue of the estimate).
QUEUED = (OrderStatus.CONTRACTED, OrderStatus.IN_PRODUCTION)


class QueuedWork(Protocol):
    """What the queue needs of an order (an :class:`~ontology.order.Order` is one)."""

    @property
    def product_id(self) -> str: ...

    @property
    def customisation(self) -> Customisation: ...

    @property
    def quantity(self) -> int: ...


@dataclass(frozen=True)
class Refusal:
    """Why the manufacturer does not take an order (``reason``, told to the customer's agent), and for a
    delivery date it cannot take, the ``event`` the order's history records."""

    reason: Reason
    event: HistoryEvent | None = None


@dataclass(frozen=True)
class Assessment:
    """An order this manufacturer can take, and what it will take."""

    product: Product
    split: PartSplit
    production: ProductionEstimate
    latest_part_delivery: date


def queue_minutes(
    queued: Iterable[QueuedWork], catalogue: Mapping[str, Product], policy: ManufacturerPolicy
) -> float:
    """Machine minutes of the in-house parts of the queued orders (unknown products count 0)."""
    total = 0.0
    for order in queued:
        product = catalogue.get(order.product_id)
        if product is None:
            continue
        try:
            parts = required_parts(product, order.customisation, order.quantity)
        except ValueError:
            continue
        total += machine_minutes(policy.split(parts).in_house)
    return total


def assess(
    order: Order,
    manufacturer_id: str,
    catalogue: Mapping[str, Product],
    policy: ManufacturerPolicy,
    queued_minutes: float,
    today: date,
) -> Assessment | Refusal:
    """The assessment of ``order``, or why it is refused."""
    if order.manufacturer_id != manufacturer_id:
        return _refused(WRONG_MANUFACTURER, f"this is {manufacturer_id}, not {order.manufacturer_id}")
    product = catalogue.get(order.product_id)
    if product is None:
        return _refused(UNKNOWN_PRODUCT, f"no product {order.product_id!r} here")
    try:
        parts = order.required_parts(product)
    except (CustomisationError, ValueError) as exc:
        return _refused(BAD_CUSTOMISATION, str(exc))
    split = policy.split(parts)
    production = estimate(policy, split, queued_minutes)
    feasibility = check_feasibility(policy, split, production, order.delivery_date, today)
    if not feasibility.feasible or feasibility.latest_part_delivery is None:
        return Refusal(Reason(reason=feasibility.reason, detail=feasibility.detail), feasibility.event)
    return Assessment(product, split, production, feasibility.latest_part_delivery)


def _refused(reason: str, detail: str) -> Refusal:
    return Refusal(Reason(reason=reason, detail=detail))
