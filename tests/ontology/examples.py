"""Hand-made example models shared by the ontology tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from ontology import (
    Capability,
    Choice,
    Location,
    Offer,
    ProcessKind,
    Product,
    ProductOption,
    QualityLevel,
    RequiredPart,
    Supplier,
)


def bike() -> Product:
    """A customisable bike: frame material (required), colour (required, default), bell (optional)."""
    return Product(
        id="bike",
        manufacturer_id="m1",
        name="City bike",
        base_cost=Decimal("200.00"),
        base_parts=(
            RequiredPart(part_id="assembly", process=ProcessKind.ASSEMBLY, machine_minutes=45),
            RequiredPart(
                part_id="wheels",
                process=ProcessKind.CNC_TURNING,
                material="steel",
                quantity=2,
                machine_minutes=20,
            ),
        ),
        options=(
            ProductOption(
                id="frame",
                label="Frame",
                choices=(
                    Choice(
                        id="alu",
                        label="Aluminium",
                        cost_delta=Decimal("80.00"),
                        parts=(
                            RequiredPart(
                                part_id="frame",
                                process=ProcessKind.CNC_MILLING,
                                material="aluminium-6061",
                                machine_minutes=90,
                                quality=QualityLevel.PREMIUM,
                            ),
                            RequiredPart(
                                part_id="frame-welds", process=ProcessKind.WELDING, machine_minutes=30
                            ),
                        ),
                    ),
                    Choice(
                        id="steel",
                        label="Steel",
                        cost_delta=Decimal("-20.00"),
                        parts=(
                            RequiredPart(
                                part_id="frame",
                                process=ProcessKind.LASER_CUTTING,
                                material="steel",
                                machine_minutes=40,
                            ),
                        ),
                    ),
                ),
            ),
            ProductOption(
                id="colour",
                label="Colour",
                default="black",
                choices=(
                    Choice(id="black", label="Black"),
                    Choice(
                        id="red",
                        label="Red",
                        cost_delta=Decimal("15.50"),
                        parts=(
                            RequiredPart(part_id="paint", process=ProcessKind.PAINTING, machine_minutes=10),
                        ),
                    ),
                ),
            ),
            ProductOption(
                id="bell",
                label="Bell",
                required=False,
                choices=(Choice(id="brass", label="Brass bell", cost_delta=Decimal("9.99")),),
            ),
        ),
    )


BERLIN = Location(country="DE", city="Berlin", latitude=52.52, longitude=13.405)
MUNICH = Location(country="DE", city="München", latitude=48.137, longitude=11.575)
MILLING = Capability(
    process=ProcessKind.CNC_MILLING,
    materials=("Aluminium-6061", "steel"),
    max_quality=QualityLevel.STANDARD,
    capacity_hours_per_week=80,
    lead_time_days=5,
)


def supplier(**changes: object) -> Supplier:
    fields: dict[str, object] = {
        "id": "s1",
        "name": "Fräserei Schmidt",
        "agent": "s1-proxy@localhost",
        "location": BERLIN,
        "capabilities": (MILLING,),
        "certifications": ("ISO 9001", "ISO 14001"),
        "rating": 4.5,
    }
    fields.update(changes)
    return Supplier.model_validate(fields)


ORDER = uuid4()


def part(part_id: str) -> RequiredPart:
    return RequiredPart(part_id=part_id, process=ProcessKind.CNC_MILLING)


def offer(
    part_id: str, supplier_id: str, price: str, day: int, order_id: UUID = ORDER, currency: str = "EUR"
) -> Offer:
    return Offer(
        order_id=order_id,
        part_id=part_id,
        supplier_id=supplier_id,
        price=Decimal(price),
        currency=currency,
        delivery_date=date(2030, 6, day),
        valid_until=datetime(2030, 5, 1, tzinfo=UTC),
    )
