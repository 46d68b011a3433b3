"""What a supplier's part costs, and the seller's negotiation space for a call for proposals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from agents.negotiation import NegotiationSpace, seller_space
from federation.pricing import PriceModel
from ontology.negotiation import CallForProposals
from ontology.policy import SupplierPolicy, to_cents
from ontology.process import ProcessKind
from ontology.product import RequiredPart
from ontology.supplier import Capability

PriceModels = Mapping[ProcessKind, PriceModel]


def cost_of(part: RequiredPart, policy: SupplierPolicy, price_models: PriceModels) -> Decimal:
    """The supplier's cost: its price model for the part's process if it has one, else its policy's rates."""
    model = price_models.get(part.process)
    return model.estimate(part) if model is not None else policy.cost_of(part)


def reservation_price(cost: Decimal, policy: SupplierPolicy) -> Decimal:
    return max(policy.min_price, to_cents(cost * (1 + policy.min_margin)))


def opening_price(cost: Decimal, policy: SupplierPolicy) -> Decimal:
    return max(reservation_price(cost, policy), to_cents(cost * (1 + policy.target_margin)))


def earliest_delivery(today: date, policy: SupplierPolicy, capability: Capability) -> date:
    return today + timedelta(days=max(policy.lead_time_days, capability.lead_time_days))


def space_for(
    cfp: CallForProposals,
    *,
    today: date,
    policy: SupplierPolicy,
    capability: Capability,
    price_models: PriceModels,
) -> NegotiationSpace:
    """Prices from reservation to opening, dates from the earliest possible to the one asked,
    qualities from the required one up to the best this capability reaches."""
    cost = cost_of(cfp.part, policy, price_models)
    return seller_space(
        reservation_price=reservation_price(cost, policy),
        opening_price=opening_price(cost, policy),
        earliest=earliest_delivery(today, policy, capability),
        latest=cfp.delivery_date,
        required_quality=cfp.part.quality,
        max_quality=capability.max_quality,
    )


def hours_of(part: RequiredPart) -> float:
    return part.total_machine_minutes / 60.0


def hours_available(
    today: date, until: date, policy: SupplierPolicy, capability: Capability, booked: float
) -> float:
    """Machine hours free between ``today`` and ``until`` (at least one week's worth counted)."""
    weekly = min(policy.capacity_hours_per_week, capability.capacity_hours_per_week)
    weeks = max(1, (until - today).days) / 7.0
    return max(0.0, weekly * max(1.0, weeks) - booked)
