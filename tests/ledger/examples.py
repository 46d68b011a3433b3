"""A confirmed order with a two-supplier network, as the contract agent receives it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from ontology import (
    ORDER_TRANSITIONS,
    CommitAgreement,
    Order,
    OrderStatus,
    Penalty,
    Quotation,
    QuotationLine,
    SupplyNetwork,
)
from tests.ontology.examples import offer, part

CREATED = datetime(2030, 5, 1, tzinfo=UTC)


def commit_request(
    customer: str = "c1",
    manufacturer: str = "m1",
    suppliers: tuple[str, str] = ("s1", "s2"),
    product: str = "bike",
) -> CommitAgreement:
    order = Order(
        customer_id=customer,
        manufacturer_id=manufacturer,
        product_id=product,
        quantity=2,
        delivery_date=date(2030, 7, 1),
        created_at=CREATED,
    )
    path = ORDER_TRANSITIONS.path(OrderStatus.RECEIVED, OrderStatus.CONFIRMED)
    assert path is not None
    for target in path[1:]:
        order = order.transition(target, manufacturer, at=CREATED)
    first, second = suppliers
    network = (
        SupplyNetwork(order_id=order.id)
        .with_assignment(part("frame"), offer("frame", first, "100.50", 10, order_id=order.id))
        .with_assignment(part("wheels"), offer("wheels", second, "40.25", 14, order_id=order.id))
        .with_assignment(part("paint"), offer("paint", first, "9.25", 3, order_id=order.id))
    )
    quotation = Quotation(
        order_id=order.id,
        lines=(QuotationLine(part_id="bike", price=Decimal("420")),),
        total_price=Decimal("420"),
        delivery_date=date(2030, 6, 20),
        created_at=CREATED,
        valid_until=CREATED + timedelta(days=3),
    )
    return CommitAgreement(
        order=order, network=network, quotation=quotation, penalty=Penalty(per_day_late=Decimal(5))
    )
