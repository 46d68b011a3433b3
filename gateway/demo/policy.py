"""The demo manufacturer's agent policy: it assembles, inspects and packs; it sources the rest."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ontology.payment import BankTransfer
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


#: Where the demo's customers transfer to (a well-known example IBAN, no real account). Transfers are taken
#: as received at once: nobody watches a demo's account (a real manufacturer switches ``confirm_by_hand`` on).
DEMO_BANK_ACCOUNT = BankTransfer(
    account_holder="Demo manufacturer",
    iban="DE89370400440532013000",
    bic="COBADEFFXXX",
    confirm_by_hand=False,
)


def demo_policy(products: Iterable[Product]) -> ManufacturerPolicy:
    """Automatic all the way, payments included (the console can still drive each step once auto_* is
    switched off, and confirm each transfer once ``payment.confirm_by_hand`` is on)."""
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
        payment=DEMO_BANK_ACCOUNT,
    )
