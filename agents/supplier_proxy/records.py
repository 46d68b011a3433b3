"""Supplier proxies from the federation's supplier data set: price models and a default policy."""

from __future__ import annotations

import zlib
from decimal import Decimal

from agents.supplier_proxy.pricing import PriceModels
from federation.dataset.schema import SupplierRecord
from ontology.policy import NegotiationStrategy, SupplierPolicy

_STRATEGIES = tuple(NegotiationStrategy)


def price_models_of(record: SupplierRecord) -> PriceModels:
    """The record's price model per process."""
    return {capability.process: capability.price for capability in record.capabilities}


def default_policy(
    record: SupplierRecord,
    *,
    min_margin: Decimal = Decimal("0.05"),
    target_margin: Decimal = Decimal("0.30"),
    max_rounds: int = 3,
    strategy: NegotiationStrategy | None = None,
) -> SupplierPolicy:
    """A plausible policy for a data-set supplier (its strategy picked from its id when not given)."""
    first = record.capabilities[0]
    chosen = strategy or _STRATEGIES[zlib.crc32(record.id.encode()) % len(_STRATEGIES)]
    return SupplierPolicy(
        strategy=chosen,
        currency=record.currency,
        hourly_rate=first.price.hourly_rate,
        setup_cost=first.price.setup_cost,
        min_margin=min_margin,
        target_margin=target_margin,
        capacity_hours_per_week=max(c.capacity_hours_per_week for c in record.capabilities),
        lead_time_days=min(c.lead_time_days for c in record.capabilities),
        max_rounds=max_rounds,
    )
