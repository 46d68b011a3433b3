"""What the gateway reads to estimate a product's price and dates: the manufacturer's policy, its queue and
recent accepted offers from the store, the federation's supplier data set (see
:mod:`agents.manufacturer.order_estimate`, which the manufacturer agent uses too)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from agents.manufacturer.order_estimate import StoreFacts, SupplierPrices, dataset_records, read_facts
from ontology.policy import ManufacturerPolicy
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
