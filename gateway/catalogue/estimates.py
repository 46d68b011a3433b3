"""What the gateway reads to estimate a product's price and dates: the manufacturer's policy, its queue and
recent accepted offers from the store, the federation's supplier data set (see
:mod:`agents.manufacturer.order_estimate`, which the manufacturer agent uses too); and whether an order's
delivery date is one that estimate offers (:func:`date_refused`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from agents.manufacturer.order_estimate import (
    EstimateError,
    StoreFacts,
    SupplierPrices,
    dataset_records,
    estimate_order,
    read_facts,
)
from ontology.events import day
from ontology.order import Order
from ontology.policy import ManufacturerPolicy
from ontology.product import Product
from store.enums import PolicyKind
from store.repositories import Repositories


@dataclass(frozen=True)
class EstimateBasis:
    """A manufacturer's policy, what its suppliers' parts cost, and its queue."""

    policy: ManufacturerPolicy
    prices: SupplierPrices
    facts: StoreFacts


async def policy_of(repos: Repositories, manufacturer_id: str) -> ManufacturerPolicy | None:
    """The policy of the manufacturer's agent (its first one, by agent address), None when it has none."""
    for record in await repos.policies.list_all(PolicyKind.MANUFACTURER):
        if record.owner_user_id == manufacturer_id:
            return ManufacturerPolicy.model_validate(record.policy)
    return None


async def basis_of(repos: Repositories, manufacturer_id: str) -> EstimateBasis | None:
    """Everything an estimate of the manufacturer's products needs; None when it has no agent policy."""
    policy = await policy_of(repos, manufacturer_id)
    if policy is None:
        return None
    facts = await read_facts(repos, manufacturer_id, policy)
    records = await asyncio.to_thread(dataset_records)
    return EstimateBasis(policy, SupplierPrices(records, facts.recent), facts)


async def date_refused(repos: Repositories, product: Product, order: Order, today: date) -> str | None:
    """Why the manufacturer would refuse ``order``'s delivery date, in words: a date outside the window its
    estimate shows (the earliest it can promise, its policy's horizon), which its agent refuses too; None
    when the date fits or no estimate can be made (the agent decides then)."""
    basis = await basis_of(repos, product.manufacturer_id)
    if basis is None:
        return None
    try:
        made = estimate_order(
            product,
            order.customisation,
            order.quantity,
            basis.policy,
            basis.prices,
            basis.facts.queued_minutes,
            today,
        )
    except (EstimateError, ValueError):
        return None
    if order.delivery_date < made.earliest:
        return f"the earliest delivery the manufacturer can promise for this order is {day(made.earliest)}"
    if order.delivery_date > made.latest:
        return f"the manufacturer takes orders for delivery up to {day(made.latest)}"
    return None
