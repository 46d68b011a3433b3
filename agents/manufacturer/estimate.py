"""Production-time estimate of a lot-size-one order, and whether its delivery date can be met.

The manufacturer's own work is the machine minutes of the parts it makes itself (its own
processes), queued behind the orders already in production; it runs at ``capacity_hours_per_week``
spread over the seven days of a week. Sourced parts must arrive by
:meth:`~ontology.policy.ManufacturerPolicy.latest_part_delivery`; after the last part arrives the
manufacturer needs ``production_days`` to finish. No delivery date more than ``max_horizon_days`` ahead is
taken.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ontology.events import EventCode, HistoryEvent, days
from ontology.policy import ManufacturerPolicy, PartSplit
from ontology.product import RequiredPart

MINUTES_PER_DAY_PER_WEEKLY_HOUR = 60.0 / 7.0


@dataclass(frozen=True)
class ProductionEstimate:
    """How long the order's own work takes here, given the current queue."""

    own_minutes: float
    queue_minutes: float
    capacity_minutes_per_day: float
    own_days: int
    """Calendar days until the queue and this order's own work are done (at least 0)."""
    production_days: int
    """Days from the last sourced part to delivery (policy)."""

    @property
    def total_days(self) -> int:
        return self.own_days + self.production_days

    def earliest_delivery(self, today: date) -> date:
        """The earliest delivery date if sourced parts were available at once."""
        return today + timedelta(days=self.total_days)


def machine_minutes(parts: Iterable[RequiredPart]) -> float:
    return sum(part.total_machine_minutes for part in parts)


def estimate(policy: ManufacturerPolicy, split: PartSplit, queue_minutes: float) -> ProductionEstimate:
    """Estimate the own work of an order whose parts are ``split``, behind ``queue_minutes`` of work."""
    if queue_minutes < 0:
        raise ValueError("queue_minutes must not be negative")
    per_day = policy.capacity_hours_per_week * MINUTES_PER_DAY_PER_WEEKLY_HOUR
    own = machine_minutes(split.in_house)
    days = math.ceil((own + queue_minutes) / per_day - 1e-9) if own + queue_minutes > 0 else 0
    return ProductionEstimate(
        own_minutes=own,
        queue_minutes=queue_minutes,
        capacity_minutes_per_day=per_day,
        own_days=max(days, 0),
        production_days=policy.production_days,
    )


@dataclass(frozen=True)
class Feasibility:
    """Whether an order can be accepted; ``reason`` (a short code) and ``detail`` when it cannot, and for a
    date it cannot take the ``event`` its history records (the earliest or latest date it takes, in words)."""

    feasible: bool
    reason: str = ""
    detail: str = ""
    latest_part_delivery: date | None = None
    event: HistoryEvent | None = None


def too_soon(earliest: date, wanted: date, why: str) -> Feasibility:
    """A delivery date before the ``earliest`` the manufacturer can promise (``why``: what makes it so)."""
    return Feasibility(
        False,
        INFEASIBLE_DATE,
        f"the earliest delivery is {earliest.isoformat()}, after the requested {wanted.isoformat()}: {why}",
        event=HistoryEvent.of(EventCode.DATE_TOO_SOON, earliest_delivery=earliest),
    )


UNSUPPORTED_PROCESS = "unsupported-process"
INFEASIBLE_DATE = "infeasible-delivery-date"


def check_feasibility(
    policy: ManufacturerPolicy,
    split: PartSplit,
    production: ProductionEstimate,
    delivery_date: date,
    today: date,
) -> Feasibility:
    """Refuse parts nobody here handles, delivery dates the estimate cannot meet, and dates beyond the
    policy's horizon (``max_horizon_days`` after ``today``)."""
    if split.unsupported:
        names = ", ".join(f"{p.part_id!r} ({p.process})" for p in split.unsupported)
        return Feasibility(False, UNSUPPORTED_PROCESS, f"neither made nor sourced here: {names}")
    earliest = production.earliest_delivery(today)
    if earliest > delivery_date:
        return too_soon(
            earliest,
            delivery_date,
            f"{days(production.own_days)} of work in our workshop, the orders queued before it included, "
            f"and {days(production.production_days)} of production",
        )
    horizon = today + timedelta(days=policy.max_horizon_days)
    if delivery_date > horizon:
        return Feasibility(
            False,
            INFEASIBLE_DATE,
            f"we take orders for delivery up to {days(policy.max_horizon_days)} ahead: the latest delivery "
            f"date is {horizon.isoformat()}, before the requested {delivery_date.isoformat()}",
            event=HistoryEvent.of(EventCode.DATE_TOO_LATE, latest_delivery=horizon),
        )
    latest_part = policy.latest_part_delivery(delivery_date)
    if split.sourced and latest_part < today:
        return Feasibility(
            False,
            INFEASIBLE_DATE,
            f"sourced parts would have to arrive by {latest_part.isoformat()}, which is in the past",
        )
    return Feasibility(True, latest_part_delivery=latest_part)
