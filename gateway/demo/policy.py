"""The demo manufacturer's agent policy: it assembles, inspects and packs; it sources the rest."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ontology.policy import ManufacturerPolicy, NegotiationStrategy
from ontology.process import ProcessKind
from ontology.product import Product

#: What the demo manufacturer does in its own workshop.
OWN_PROCESSES = frozenset({ProcessKind.ASSEMBLY, ProcessKind.QUALITY_INSPECTION, ProcessKind.PACKAGING})


def processes_of(products: Iterable[Product]) -> frozenset[ProcessKind]:
    """Every process a part of ``products`` may need, whatever the customer chooses."""
    found: set[ProcessKind] = set()
    for product in products:
        found.update(part.process for part in product.base_parts)
        for option in product.options:
            for choice in option.choices:
                found.update(part.process for part in choice.parts)
    return frozenset(found)


def demo_policy(products: Iterable[Product]) -> ManufacturerPolicy:
    """Automatic all the way (the console can still drive each step once auto_* is switched off)."""
    return ManufacturerPolicy(
        capacity_hours_per_week=80,
        own_processes=OWN_PROCESSES,
        sourced_processes=processes_of(products) - OWN_PROCESSES,
        margin=Decimal("0.25"),
        strategy=NegotiationStrategy.BOULWARE,
        deadline_seconds=20,
        max_rounds=3,
        production_days=3,
        max_suppliers_per_part=5,
    )
