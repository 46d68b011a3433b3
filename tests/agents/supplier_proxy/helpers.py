"""A supplier, its policy and calls for proposals for the proxy tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from federation.pricing import PriceModel
from ontology.negotiation import CallForProposals
from ontology.policy import NegotiationStrategy, SupplierPolicy
from ontology.process import ProcessKind, QualityLevel
from ontology.product import RequiredPart
from ontology.supplier import Capability, Location, Supplier

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
TODAY = T0.date()
ORDER = UUID("12345678-1234-5678-1234-567812345678")

SUPPLIER = Supplier(
    id="SUP-1",
    name="Laser & Co",
    location=Location(country="DE", city="Bremen", latitude=53.08, longitude=8.8),
    capabilities=(
        Capability(
            process=ProcessKind.LASER_CUTTING,
            materials=("steel", "aluminium"),
            max_quality=QualityLevel.PREMIUM,
            capacity_hours_per_week=40,
            lead_time_days=3,
        ),
    ),
)
PRICE = PriceModel(setup_cost=Decimal("20"), hourly_rate=Decimal("60"))


def policy(strategy: NegotiationStrategy = NegotiationStrategy.LINEAR, max_rounds: int = 3) -> SupplierPolicy:
    return SupplierPolicy(
        strategy=strategy,
        hourly_rate=Decimal("60"),
        setup_cost=Decimal("20"),
        min_margin=Decimal("0.05"),
        target_margin=Decimal("0.40"),
        capacity_hours_per_week=40,
        lead_time_days=2,
        max_rounds=max_rounds,
    )


def part(**changes: object) -> RequiredPart:
    fields: dict[str, object] = {
        "part_id": "frame",
        "process": ProcessKind.LASER_CUTTING,
        "material": "steel",
        "machine_minutes": 60.0,
        "quantity": 2,
    }
    fields.update(changes)
    return RequiredPart.model_validate(fields)


def cfp(
    round_number: int = 1,
    target: str | None = None,
    delivery: date | None = None,
    **part_changes: object,
) -> CallForProposals:
    return CallForProposals(
        order_id=ORDER,
        part=part(**part_changes),
        delivery_date=delivery or TODAY + timedelta(days=14),
        reply_by=T0 + timedelta(seconds=10),
        round=round_number,
        target_price=None if target is None else Decimal(target),
    )
