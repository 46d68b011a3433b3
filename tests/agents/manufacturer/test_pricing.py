"""Quotation pricing: own cost + network cost + margin, one customer line (quantity x unit price)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from agents.manufacturer.pricing import (
    answer_counter,
    build_quotation,
    cost_lines,
    first_price,
    floor_price,
    product_words,
    quoted_delivery,
    revised_quotation,
    unit_price,
)
from ontology.billing import Invoice, InvoiceLine, invoice_lines
from ontology.customisation import Customisation
from ontology.negotiation import Offer
from ontology.network import Assignment, SupplyNetwork
from ontology.order import Order
from ontology.penalty import Penalty
from ontology.policy import LatePenaltyTerms, ManufacturerPolicy
from ontology.process import ProcessKind
from ontology.product import Choice, Product, ProductOption, RequiredPart
from ontology.quotation import CounterOffer, QuotationLine

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


def test_first_price_is_cost_plus_margin_on_one_customer_line() -> None:
    lines = cost_lines(ORDER, PRODUCT, Decimal("100"), NETWORK)
    total = first_price(POLICY, lines)
    assert total == Decimal("400.00")  # 333.33 * 1.2 = 399.996
    quotation = build_quotation(ORDER, PRODUCT, total, ORDER.delivery_date, now=NOW, currency="EUR")
    assert quotation.total_price == total
    [line] = quotation.lines
    assert (line.part_id, line.description, line.quantity, line.unit_price, line.price) == (
        "bike",
        "Bike",
        1,
        total,
        total,
    )
    assert quotation.valid_until > quotation.created_at


def test_the_customer_line_is_the_product_in_words_with_quantity_and_unit_price() -> None:
    """Quantity 2: unit price x 2 = the line's price = the total; no supplier, part or cost on it."""
    product = PRODUCT.model_copy(
        update={
            "options": (
                ProductOption(
                    id="colour",
                    label="Colour",
                    default="red",
                    choices=(Choice(id="red", label="Signal red"), Choice(id="blue", label="Ocean blue")),
                ),
            )
        }
    )
    order = ORDER.model_copy(
        update={"quantity": 2, "customisation": Customisation(choices={"colour": "blue"})}
    )
    lines = cost_lines(order, product, Decimal("200"), NETWORK)
    quotation = build_quotation(
        order, product, Decimal("1001.01"), ORDER.delivery_date, now=NOW, currency="EUR"
    )
    [line] = quotation.lines
    assert line.description == "Bike: Colour Ocean blue" == product_words(product, order.customisation)
    assert (line.quantity, line.unit_price, line.price) == (2, Decimal("500.51"), Decimal("1001.02"))
    assert line.unit_price is not None and line.unit_price * 2 == line.price == quotation.total_price
    text = quotation.model_dump_json()
    for private in ("s-frame", "s-cover", "200.00", "33.33", "frame", "cover", "in-house"):
        assert private not in text
    assert first_price(POLICY, lines) == Decimal("520.00")


def test_unit_prices_are_whole_cents_rounded_up() -> None:
    assert unit_price(Decimal("10.00"), 3) == Decimal("3.34")
    assert unit_price(Decimal("10.02"), 3) == Decimal("3.34")
    assert unit_price(Decimal("0.01"), 7) == Decimal("0.01")
    with pytest.raises(ValueError, match="at least 1"):
        unit_price(Decimal(1), 0)


def test_a_line_with_a_quantity_has_a_unit_price_whose_multiple_is_its_price() -> None:
    with pytest.raises(ValueError, match="not its price"):
        QuotationLine(part_id="bike", quantity=2, unit_price=Decimal("5.00"), price=Decimal("10.01"))
    with pytest.raises(ValueError, match="not both"):
        QuotationLine(part_id="bike", quantity=2, price=Decimal("10.00"))
    whole = QuotationLine(part_id="bike", price=Decimal("10.01"))
    assert (whole.quantity, whole.unit_price) == (None, None)


def test_invoice_lines_are_the_quotation_lines() -> None:
    order = ORDER.model_copy(update={"quantity": 3})
    quotation = build_quotation(
        order, PRODUCT, Decimal("100.00"), ORDER.delivery_date, now=NOW, currency="EUR"
    )
    lines = invoice_lines(quotation)
    assert lines == (InvoiceLine(description="Bike", quantity=3, unit_price=Decimal("33.34")),)
    invoice = Invoice(
        order_id=order.id,
        issuer="m",
        payer="c",
        lines=lines,
        total=quotation.total_price,
        issued_at=NOW,
        due_date=TODAY,
    )
    assert invoice.total == Decimal("100.02") == sum(line.amount for line in invoice.lines)
    legacy = quotation.model_copy(
        update={"lines": (QuotationLine(part_id="all", description="", price=quotation.total_price),)}
    )
    assert invoice_lines(legacy) == (InvoiceLine(description="all", unit_price=Decimal("100.02")),)


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
        ORDER, PRODUCT, first_price(POLICY, lines), ORDER.delivery_date, now=NOW, currency="EUR"
    )
    floor = floor_price(POLICY, lines)
    assert floor == Decimal("366.66")
    generous = CounterOffer(order_id=ORDER.id, quotation_id=quotation.id, price=Decimal("380"))
    stingy = CounterOffer(order_id=ORDER.id, quotation_id=quotation.id, price=Decimal("300"))
    assert answer_counter(POLICY, lines, generous, quotation) == Decimal("380.00")
    assert answer_counter(POLICY, lines, stingy, quotation) == floor
    at_floor = revised_quotation(quotation, floor, now=NOW)
    assert (at_floor.round, at_floor.total_price, at_floor.delivery_date) == (
        2,
        floor,
        quotation.delivery_date,
    )
    assert at_floor.lines[0].description == quotation.lines[0].description
    stingy_again = CounterOffer(order_id=ORDER.id, quotation_id=at_floor.id, price=Decimal("300"))
    assert answer_counter(POLICY, lines, stingy_again, at_floor) is None


def test_a_revised_quotation_keeps_whole_cent_unit_prices() -> None:
    """Quantity 3: a counter of 380.00 is met at 380.01 (3 x 126.67), and the next round sums the same way."""
    order = ORDER.model_copy(update={"quantity": 3})
    lines = cost_lines(order, PRODUCT, Decimal("100"), NETWORK)
    quotation = build_quotation(
        order, PRODUCT, Decimal("400.00"), ORDER.delivery_date, now=NOW, currency="EUR"
    )
    assert quotation.total_price == Decimal("400.02")
    counter = CounterOffer(order_id=order.id, quotation_id=quotation.id, price=Decimal("380"))
    total = answer_counter(POLICY, lines, counter, quotation)
    assert total == Decimal("380.01")
    revised = revised_quotation(quotation, total, now=NOW)
    [line] = revised.lines
    assert (line.quantity, line.unit_price, line.price, revised.total_price) == (
        3,
        Decimal("126.67"),
        Decimal("380.01"),
        Decimal("380.01"),
    )
    close = CounterOffer(order_id=order.id, quotation_id=revised.id, price=Decimal("380.00"))
    assert answer_counter(POLICY, lines, close, revised) is None  # 380.00 rounds up to 380.01 again


def test_a_counter_to_another_quotation_is_refused() -> None:
    lines = cost_lines(ORDER, PRODUCT, Decimal("100"), NETWORK)
    quotation = build_quotation(ORDER, PRODUCT, Decimal("400"), date(2030, 2, 6), now=NOW, currency="EUR")
    with pytest.raises(ValueError, match="counter-offer answers"):
        answer_counter(
            POLICY, lines, CounterOffer(order_id=ORDER.id, quotation_id=uuid4(), price=Decimal(1)), quotation
        )


def test_the_quotation_offers_the_policys_late_penalty_as_a_share_of_its_total() -> None:
    """Default policy: 0.5 % of the total a day late, at most 10 %; none when the policy offers none."""
    terms = POLICY.customer_penalty
    assert terms == LatePenaltyTerms(percent_per_day=Decimal("0.5"), cap_percent=Decimal(10))
    quotation = build_quotation(
        ORDER, PRODUCT, Decimal("421.37"), ORDER.delivery_date, now=NOW, currency="EUR", penalty=terms
    )
    assert quotation.penalty == Penalty(per_day_late=Decimal("2.11"), cap=Decimal("42.14"))
    assert quotation.penalty.amount(30) == Decimal("42.14")  # capped
    plain = build_quotation(ORDER, PRODUCT, Decimal("421.37"), ORDER.delivery_date, now=NOW, currency="EUR")
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
