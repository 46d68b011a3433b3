"""Quotations to the customer and the customer's counter-offers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from pydantic import ValidationError

from ontology import CounterOffer, Quotation, QuotationLine

ORDER = uuid4()
MADE = datetime(2030, 5, 1, 12, tzinfo=UTC)


def quotation(**changes: object) -> Quotation:
    fields: dict[str, object] = {
        "order_id": ORDER,
        "lines": (
            QuotationLine(part_id="frame", price=Decimal("150.10")),
            QuotationLine(part_id="assembly", description="in house", price=Decimal("49.90")),
        ),
        "total_price": Decimal("200.00"),
        "delivery_date": date(2030, 6, 1),
        "created_at": MADE,
        "valid_until": MADE + timedelta(days=2),
    }
    fields.update(changes)
    return Quotation.model_validate(fields)


def test_total_must_equal_the_lines() -> None:
    assert quotation().total_price == Decimal("200")
    with pytest.raises(
        ValidationError, match=r"quotation total 200\.01 differs from the sum of its lines 200\.00"
    ):
        quotation(total_price=Decimal("200.01"))


def test_lines_are_unique_and_present() -> None:
    line = QuotationLine(part_id="frame", price=Decimal(1))
    with pytest.raises(ValidationError, match="'frame' more than once"):
        quotation(lines=(line, line), total_price=Decimal(2))
    with pytest.raises(ValidationError, match="at least 1 item"):
        quotation(lines=(), total_price=Decimal(0))


def test_validity() -> None:
    q = quotation()
    assert q.is_valid_at(MADE + timedelta(days=2))
    assert not q.is_valid_at(MADE + timedelta(days=2, microseconds=1))
    with pytest.raises(ValidationError, match=r"valid until .* before it was made"):
        quotation(valid_until=MADE - timedelta(seconds=1))


def test_counter_offer_matches_its_quotation() -> None:
    q = quotation()
    counter = CounterOffer(order_id=ORDER, quotation_id=q.id, price=Decimal("180"))
    counter.check_against(q)
    with pytest.raises(ValueError, match="not quotation"):
        counter.check_against(quotation())
    with pytest.raises(ValueError, match="counter-offer is in USD, the quotation in EUR"):
        counter.model_copy(update={"currency": "USD"}).check_against(q)


def test_counter_offer_price_is_money() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        CounterOffer(order_id=ORDER, quotation_id=uuid4(), price=Decimal("-5"))
