"""Quotation pricing: own cost + network cost + margin, lines summing to the total, counters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from agents.manufacturer.pricing import (
    CostLine,
    answer_counter,
    build_quotation,
    cost_lines,
    first_price,
    floor_price,
    quoted_delivery,
    scale_lines,
)
from ontology.negotiation import Offer
from ontology.network import Assignment, SupplyNetwork
from ontology.order import Order
from ontology.penalty import Penalty
from ontology.policy import LatePenaltyTerms, ManufacturerPolicy
from ontology.process import ProcessKind
from ontology.product import Product, RequiredPart
from ontology.quotation import CounterOffer

NOW = datetime(2030, 1, 7, 12, tzinfo=UTC)
TODAY = NOW.date()
FRAME = RequiredPart(part_id="frame", process=ProcessKind.CNC_MILLING)
COVER = RequiredPart(part_id="cover", process=ProcessKind.TEXTILE_CUTTING_SEWING)
POLICY = ManufacturerPolicy(capacity_hours_per_week=40, margin=Decimal("0.20"), production_days=2)
PRODUCT = Product(
    id="bike", manufacturer_id="m", name="Bike", base_cost=Decimal("100"), base_parts=(FRAME, COVER)
)
ORDER = Order(
    customer_id="c",
    manufacturer_id="m",
    product_id="bike",
    delivery_date=TODAY + timedelta(days=30),
    created_at=NOW,
)


def offer(part: RequiredPart, price: str, days: int) -> Offer:
    return Offer(
        order_id=ORDER.id,
        part_id=part.part_id,
        supplier_id=f"s-{part.part_id}",
        price=Decimal(price),
        delivery_date=TODAY + timedelta(days=days),
        valid_until=NOW + timedelta(minutes=5),
    )


NETWORK = SupplyNetwork(
    order_id=ORDER.id,
    assignments=(
        Assignment(part=FRAME, offer=offer(FRAME, "200.00", 20)),
        Assignment(part=COVER, offer=offer(COVER, "33.33", 25)),
    ),
)


def test_cost_lines_are_own_work_then_each_sourced_part() -> None:
    lines = cost_lines(ORDER, PRODUCT, Decimal("100"), NETWORK)
    assert [(line.part_id, line.cost) for line in lines] == [
        ("bike:in-house", Decimal("100")),
        ("frame", Decimal("200.00")),
        ("cover", Decimal("33.33")),
    ]


def test_first_price_is_cost_plus_margin_and_lines_sum_to_it() -> None:
    lines = cost_lines(ORDER, PRODUCT, Decimal("100"), NETWORK)
    total = first_price(POLICY, lines)
    assert total == Decimal("400.00")  # 333.33 * 1.2 = 399.996
    quotation = build_quotation(ORDER, lines, total, ORDER.delivery_date, now=NOW, currency="EUR")
    assert quotation.total_price == total
    assert sum(line.price for line in quotation.lines) == total
    assert quotation.valid_until > quotation.created_at


def test_scaled_lines_absorb_rounding_in_the_last_line() -> None:
    lines = [
        CostLine("a", "", Decimal("1")),
        CostLine("b", "", Decimal("1")),
        CostLine("c", "", Decimal("1")),
    ]
    scaled = scale_lines(lines, Decimal("10.00"))
    assert [line.price for line in scaled] == [Decimal("3.33"), Decimal("3.33"), Decimal("3.34")]


def test_quoted_delivery_is_requested_date_unless_parts_or_own_work_are_later() -> None:
    assert quoted_delivery(ORDER, NETWORK, POLICY, TODAY) == ORDER.delivery_date
    late = SupplyNetwork(
        order_id=ORDER.id, assignments=(Assignment(part=FRAME, offer=offer(FRAME, "1", 40)),)
    )
    assert quoted_delivery(ORDER, late, POLICY, TODAY) == TODAY + timedelta(days=42)
    assert quoted_delivery(ORDER, NETWORK, POLICY, TODAY + timedelta(days=31)) == TODAY + timedelta(days=31)


def test_a_counter_is_met_down_to_the_floor_of_half_the_margin() -> None:
    lines = cost_lines(ORDER, PRODUCT, Decimal("100"), NETWORK)
    quotation = build_quotation(
        ORDER, lines, first_price(POLICY, lines), ORDER.delivery_date, now=NOW, currency="EUR"
    )
    floor = floor_price(POLICY, lines)
    assert floor == Decimal("366.66")
    generous = CounterOffer(order_id=ORDER.id, quotation_id=quotation.id, price=Decimal("380"))
    stingy = CounterOffer(order_id=ORDER.id, quotation_id=quotation.id, price=Decimal("300"))
    assert answer_counter(POLICY, lines, generous, quotation) == Decimal("380.00")
    assert answer_counter(POLICY, lines, stingy, quotation) == floor
    at_floor = build_quotation(ORDER, lines, floor, ORDER.delivery_date, now=NOW, currency="EUR", round=2)
    stingy_again = CounterOffer(order_id=ORDER.id, quotation_id=at_floor.id, price=Decimal("300"))
    assert answer_counter(POLICY, lines, stingy_again, at_floor) is None


def test_a_counter_to_another_quotation_is_refused() -> None:
    lines = cost_lines(ORDER, PRODUCT, Decimal("100"), NETWORK)
    quotation = build_quotation(ORDER, lines, Decimal("400"), date(2030, 2, 6), now=NOW, currency="EUR")
    with pytest.raises(ValueError, match="counter-offer answers"):
        answer_counter(
            POLICY, lines, CounterOffer(order_id=ORDER.id, quotation_id=uuid4(), price=Decimal(1)), quotation
        )


def test_the_quotation_offers_the_policys_late_penalty_as_a_share_of_its_total() -> None:
    """Default policy: 0.5 % of the total a day late, at most 10 %; none when the policy offers none."""
    lines = cost_lines(ORDER, PRODUCT, Decimal("100"), NETWORK)
    terms = POLICY.customer_penalty
    assert terms == LatePenaltyTerms(percent_per_day=Decimal("0.5"), cap_percent=Decimal(10))
    quotation = build_quotation(
        ORDER, lines, Decimal("421.37"), ORDER.delivery_date, now=NOW, currency="EUR", penalty=terms
    )
    assert quotation.penalty == Penalty(per_day_late=Decimal("2.11"), cap=Decimal("42.14"))
    assert quotation.penalty.amount(30) == Decimal("42.14")  # capped
    plain = build_quotation(ORDER, lines, Decimal("421.37"), ORDER.delivery_date, now=NOW, currency="EUR")
    assert plain.penalty is None
    uncapped = LatePenaltyTerms(percent_per_day=Decimal(1))
    assert uncapped.penalty_for(Decimal("0.40")) is None  # rounds to nothing a day: no penalty at all
    assert uncapped.penalty_for(Decimal("100")) == Penalty(per_day_late=Decimal(1))
    # the policy's terms, as they are stored and read back
    stored = ManufacturerPolicy.model_validate_json(POLICY.model_dump_json())
    assert (stored.customer_penalty, stored.supplier_penalty) == (
        POLICY.customer_penalty,
        POLICY.supplier_penalty,
    )
    assert stored.auto_receive_parts and stored.auto_ship and stored.carrier == "Own delivery"
    with pytest.raises(ValueError, match="greater than 0"):
        LatePenaltyTerms(percent_per_day=Decimal(0))
