"""The customer's decision sources, no network."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from agents.customer.decisions import CallbackDecisions, Decision, PolicyDecisions, QueueDecisions
from ontology.billing import Invoice, InvoiceLine
from ontology.order import Order
from ontology.policy import CustomerDecision, CustomerPolicy
from ontology.quotation import Quotation, QuotationLine

NOW = datetime(2030, 1, 7, 12, tzinfo=UTC)
ORDER = Order(
    customer_id="c",
    manufacturer_id="m",
    product_id="p",
    delivery_date=NOW.date() + timedelta(days=30),
    created_at=NOW,
)


def quotation(price: str, days: int = 30) -> Quotation:
    return Quotation(
        order_id=ORDER.id,
        lines=(QuotationLine(part_id="p", price=Decimal(price)),),
        total_price=Decimal(price),
        delivery_date=NOW.date() + timedelta(days=days),
        created_at=NOW,
        valid_until=NOW + timedelta(hours=1),
    )


async def test_policy_accepts_counters_then_declines() -> None:
    source = PolicyDecisions(CustomerPolicy(accept_at_most=Decimal("100"), max_counters=1))
    assert (await source.decide(ORDER, quotation("90"), 0)).kind is CustomerDecision.ACCEPT
    counter = await source.decide(ORDER, quotation("120"), 0)
    assert counter.kind is CustomerDecision.COUNTER and counter.counter is not None
    assert counter.counter.price == Decimal("100")  # min(accept_at_most, 0.9 * 120 = 108)
    declined = await source.decide(ORDER, quotation("120"), 1)
    assert declined.kind is CustomerDecision.DECLINE and declined.reason


async def test_callback_and_queue_sources_wait_for_someone_outside() -> None:
    async def accept(order: Order, q: Quotation, counters: int) -> Decision:
        return Decision.accept()

    assert (await CallbackDecisions(accept).decide(ORDER, quotation("1"), 0)).kind is CustomerDecision.ACCEPT
    queue = QueueDecisions()
    waiting = asyncio.create_task(queue.decide(ORDER, quotation("5"), 0))
    async with asyncio.timeout(2):
        _order, seen, _counters = await queue.quotations.get()
    queue.answer(seen.id, Decision.decline("too dear"))
    async with asyncio.timeout(2):
        decided = await waiting
    assert decided.kind is CustomerDecision.DECLINE and decided.reason == "too dear"


def test_a_counter_decision_needs_its_counter_offer() -> None:
    with pytest.raises(ValueError):
        Decision(CustomerDecision.COUNTER)


async def test_default_payment_pays_the_invoice_in_full() -> None:
    invoice = Invoice(
        order_id=ORDER.id,
        issuer="m",
        payer="c",
        lines=(InvoiceLine(description="x", quantity=2, unit_price=Decimal("10")),),
        total=Decimal("20"),
        due_date=datetime.now(UTC).date() + timedelta(days=30),
    )
    payment = await PolicyDecisions(CustomerPolicy(accept_at_most=Decimal(1))).pay(ORDER.id, invoice)
    assert not isinstance(payment, str)
    payment.check_against(invoice)


async def test_a_simulated_customer_confirms_a_delivery_at_once() -> None:
    policy = PolicyDecisions(CustomerPolicy(accept_at_most=1000))
    async with asyncio.timeout(1):
        await policy.confirm_delivery(ORDER.id, None)
