"""The bike world: a bike made of a milled aluminium frame and a leather seat cover (both sourced) and
assembled in-house, a manufacturer's policy that sources them, an order for it and fast timings.

Scenarios name the bike as ``builtin: bike``; the benchmarks and the end-to-end tests order it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ontology.customisation import Customisation
from ontology.order import Order
from ontology.policy import ManufacturerPolicy, NegotiationStrategy
from ontology.process import ProcessKind
from ontology.product import Choice, Product, ProductOption, RequiredPart

CUSTOMER_ID = "customer-bench"
MANUFACTURER_ID = "manufacturer-bench"
"""The parties of the bike world unless a caller names its own."""

FRAME = RequiredPart(
    part_id="frame", process=ProcessKind.CNC_MILLING, material="aluminium", machine_minutes=90
)
COVER = RequiredPart(part_id="cover", process=ProcessKind.TEXTILE_CUTTING_SEWING, material="leather")
ASSEMBLY = RequiredPart(part_id="assembly", process=ProcessKind.ASSEMBLY, machine_minutes=60)
SOURCED_PARTS = ("frame", "cover")
"""The bike's parts the manufacturer sources (assembly is its own work)."""

#: Manufacturer timings (seconds; :class:`~agents.manufacturer.settings.Timings` fields).
TIMINGS = {
    "matchmaking": 20.0,
    "evaluation": 10.0,
    "supplier_result": 10.0,
    "quotation_validity": 60.0,
    "contract": 30.0,
    "production": 0.2,
    "payment": 15.0,
}


def product(manufacturer_id: str = MANUFACTURER_ID) -> Product:
    """A bike: a milled aluminium frame and a leather seat cover (both sourced), assembled in-house."""
    return Product(
        id="bike",
        manufacturer_id=manufacturer_id,
        name="Lot-size-one bike",
        base_cost=Decimal("120.00"),
        base_parts=(FRAME, ASSEMBLY),
        options=(
            ProductOption(
                id="seat",
                label="Seat",
                choices=(Choice(id="leather", label="Leather", cost_delta=Decimal("15"), parts=(COVER,)),),
                default="leather",
            ),
        ),
    )


def manufacturer_policy(
    suppliers_per_part: int = 10,
    deadline_seconds: float = 5.0,
    max_rounds: int = 2,
    capacity_hours_per_week: float = 10_000,
) -> ManufacturerPolicy:
    """Sources frame and cover from up to ``suppliers_per_part`` candidates each, in ``max_rounds`` rounds."""
    return ManufacturerPolicy(
        capacity_hours_per_week=capacity_hours_per_week,
        own_processes=frozenset({ProcessKind.ASSEMBLY}),
        sourced_processes=frozenset({ProcessKind.CNC_MILLING, ProcessKind.TEXTILE_CUTTING_SEWING}),
        margin=Decimal("0.20"),
        strategy=NegotiationStrategy.BOULWARE,
        deadline_seconds=deadline_seconds,
        max_rounds=max_rounds,
        production_days=1,
        max_suppliers_per_part=suppliers_per_part,
    )


def order_for(
    customer_id: str = CUSTOMER_ID, manufacturer_id: str = MANUFACTURER_ID, days: int = 120
) -> Order:
    """An order of the bike with a leather seat, to be delivered in ``days`` days."""
    return Order(
        customer_id=customer_id,
        manufacturer_id=manufacturer_id,
        product_id="bike",
        customisation=Customisation(choices={"seat": "leather"}),
        delivery_date=date.today() + timedelta(days=days),
    )
