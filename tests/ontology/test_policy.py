"""Agent policies."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from pydantic import ValidationError

from ontology import (
    CustomerDecision,
    CustomerPolicy,
    IssueWeights,
    ManufacturerPolicy,
    NegotiationStrategy,
    ProcessKind,
    Quotation,
    QuotationLine,
    RequiredPart,
    ReservationValues,
    SupplierPolicy,
)

P = ProcessKind


def manufacturer(**changes: object) -> ManufacturerPolicy:
    fields: dict[str, object] = {
        "capacity_hours_per_week": 60,
        "own_processes": {P.ASSEMBLY, P.PAINTING},
        "sourced_processes": {P.CNC_MILLING, P.WELDING},
        "margin": Decimal("0.25"),
        "strategy": NegotiationStrategy.BOULWARE,
        "weights": IssueWeights(price=0.7, delivery=0.2, quality=0.1),
        "reservation": ReservationValues(
            max_part_price=Decimal(500), part_price_limits={"frame": Decimal(250)}, delivery_slack_days=2
        ),
        "production_days": 5,
    }
    fields.update(changes)
    return ManufacturerPolicy.model_validate(fields)


class TestManufacturer:
    def test_processes_are_either_own_or_sourced(self) -> None:
        with pytest.raises(
            ValidationError, match="process\\(es\\) welding are listed both as own and as sourced"
        ):
            manufacturer(own_processes={P.WELDING})

    def test_split(self) -> None:
        parts = [
            RequiredPart(part_id="frame", process=P.CNC_MILLING),
            RequiredPart(part_id="assembly", process=P.ASSEMBLY),
            RequiredPart(part_id="pcb", process=P.PCB_ASSEMBLY),
        ]
        split = manufacturer().split(parts)
        assert [p.part_id for p in split.in_house] == ["assembly"]
        assert [p.part_id for p in split.sourced] == ["frame"]
        assert [p.part_id for p in split.unsupported] == ["pcb"]

    def test_margin(self) -> None:
        assert manufacturer().price_with_margin(Decimal("100.02")) == Decimal(
            "125.03"
        )  # 125.025 rounds half up
        assert manufacturer(margin=Decimal("1.5")).price_with_margin(Decimal(10)) == Decimal("25.00")
        for bad in ("-0.1", "11"):
            with pytest.raises(ValidationError, match="margin"):
                manufacturer(margin=Decimal(bad))

    def test_reservation_values(self) -> None:
        policy = manufacturer()
        assert policy.reservation.max_price_for("frame") == Decimal(250)
        assert policy.reservation.max_price_for("wheels") == Decimal(500)
        assert ReservationValues().max_price_for("frame") is None
        assert policy.latest_part_delivery(date(2030, 6, 30)) == date(2030, 6, 27)

    def test_weights_and_limits(self) -> None:
        with pytest.raises(ValidationError, match="sum to 1"):
            manufacturer(weights={"price": 0.7, "delivery": 0.7, "quality": 0})
        with pytest.raises(ValidationError, match="max_rounds"):
            manufacturer(max_rounds=0)
        with pytest.raises(ValidationError, match="deadline_seconds"):
            manufacturer(deadline_seconds=0)
        with pytest.raises(ValidationError, match="capacity_hours_per_week"):
            manufacturer(capacity_hours_per_week=-1)
        with pytest.raises(ValidationError, match="strategy"):
            manufacturer(strategy="random")

    def test_json_round_trip_with_sorted_processes(self) -> None:
        policy = manufacturer()
        wire = json.loads(policy.model_dump_json())
        assert wire["own_processes"] == ["assembly", "painting"]
        assert wire["margin"] == "0.25"
        assert ManufacturerPolicy.model_validate_json(policy.model_dump_json()) == policy

    def test_unknown_fields_are_refused(self) -> None:
        with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
            manufacturer(margine=Decimal("0.2"))


class TestSupplier:
    policy = SupplierPolicy(
        hourly_rate=Decimal(60),
        setup_cost=Decimal(20),
        min_margin=Decimal("0.10"),
        target_margin=Decimal("0.40"),
        capacity_hours_per_week=40,
        lead_time_days=7,
    )
    part = RequiredPart(part_id="frame", process=P.CNC_MILLING, machine_minutes=45, quantity=2)

    def test_prices(self) -> None:
        assert self.policy.cost_of(self.part) == Decimal(110)  # 20 + 60 * 90 / 60
        assert self.policy.reservation_price(self.part) == Decimal("121.00")
        assert self.policy.opening_price(self.part) == Decimal("154.00")

    def test_min_price_is_a_floor(self) -> None:
        floored = self.policy.model_copy(update={"min_price": Decimal(200)})
        assert floored.reservation_price(self.part) == Decimal(200)
        assert floored.opening_price(self.part) == Decimal(200)

    def test_target_margin_not_below_minimum(self) -> None:
        with pytest.raises(ValidationError, match=r"target margin 0\.05 is below the minimum margin 0\.10"):
            SupplierPolicy.model_validate(self.policy.model_dump() | {"target_margin": Decimal("0.05")})

    def test_earliest_delivery(self) -> None:
        assert self.policy.earliest_delivery(date(2030, 6, 1)) == date(2030, 6, 8)


class TestCustomer:
    policy = CustomerPolicy(
        accept_at_most=Decimal(400),
        decline_above=Decimal(600),
        counter_factor=Decimal("0.8"),
        max_counters=2,
        delivery_slack_days=3,
    )
    wanted = date(2030, 7, 1)

    def quotation(self, price: str, delivery: date | None = None, currency: str = "EUR") -> Quotation:
        made = datetime(2030, 6, 1, tzinfo=UTC)
        return Quotation(
            order_id=uuid4(),
            lines=(QuotationLine(part_id="bike", price=Decimal(price)),),
            currency=currency,
            total_price=Decimal(price),
            delivery_date=delivery or self.wanted,
            created_at=made,
            valid_until=made + timedelta(days=1),
        )

    @pytest.mark.parametrize(
        ("price", "days_late", "counters", "decision"),
        [
            ("400", 0, 0, CustomerDecision.ACCEPT),
            ("399.99", 3, 2, CustomerDecision.ACCEPT),
            ("400", 4, 0, CustomerDecision.COUNTER),
            ("400", 4, 2, CustomerDecision.DECLINE),
            ("500", 0, 1, CustomerDecision.COUNTER),
            ("500", 0, 2, CustomerDecision.DECLINE),
            ("600.01", 0, 0, CustomerDecision.DECLINE),
        ],
    )
    def test_decide(self, price: str, days_late: int, counters: int, decision: CustomerDecision) -> None:
        q = self.quotation(price, self.wanted + timedelta(days=days_late))
        assert self.policy.decide(q, self.wanted, counters) is decision

    def test_counter(self) -> None:
        assert self.policy.counter_price(Decimal(450)) == Decimal("360.00")
        assert self.policy.counter_price(Decimal(550)) == Decimal(400)
        q = self.quotation("450")
        counter = self.policy.counter(q, self.wanted)
        counter.check_against(q)
        assert (counter.price, counter.delivery_date) == (Decimal("360.00"), self.wanted)

    def test_limits_are_consistent(self) -> None:
        with pytest.raises(
            ValidationError, match="decline_above \\(300\\) is below accept_at_most \\(400\\)"
        ):
            CustomerPolicy(accept_at_most=Decimal(400), decline_above=Decimal(300))
        with pytest.raises(ValidationError, match="counter_factor"):
            CustomerPolicy(accept_at_most=Decimal(400), counter_factor=Decimal("1.2"))

    def test_currency_mismatch(self) -> None:
        with pytest.raises(ValueError, match="quotation is in USD, this customer pays in EUR"):
            self.policy.decide(self.quotation("100", currency="USD"), self.wanted)
