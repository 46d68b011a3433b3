"""Whom a customer agent listens to: invoices and status notices only from the manufacturer agent it sent
the order to (the stamped sender), and it forgets an order once the order is settled.

The customer agent and two probes (the manufacturer it orders from, and a stranger) log in to the embedded
pyjabber and run in this process; the manufacturer's side of the order protocol is played by hand.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from agents.customer.agent import SETTLED_REMEMBERED, CustomerAgent, CustomerTimings, OrderEvent, OrderHandle
from agents.customer.decisions import PolicyDecisions
from agents.manufacturer.notices import notice_message
from common.settings import Settings
from ontology.billing import Invoice, InvoiceLine, Payment
from ontology.codec import Content, decode
from ontology.common import Ping, Reason
from ontology.console import OrderStatusNotice
from ontology.contract import ContractCommitted
from ontology.lifecycle import ShipmentInfo
from ontology.order import Order, OrderStatus
from ontology.policy import CustomerPolicy
from ontology.quotation import AcceptQuotation, Quotation, QuotationLine
from protocols.acl import AclMessage
from protocols.performative import Performative, ProtocolName
from store.enums import AgentRole
from tests.agents.probe import Probe
from tests.xmpp_accounts import started

WAIT = 10.0


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


@dataclass
class Parties:
    customer: CustomerAgent
    manufacturer: Probe
    stranger: Probe
    events: list[OrderEvent] = field(default_factory=list)

    def statuses(self, order: Order) -> list[tuple[OrderStatus, str]]:
        return [
            (event.content.status, event.content.note)
            for event in self.events
            if event.order_id == order.id and isinstance(event.content, OrderStatusNotice)
        ]


@pytest.fixture
async def parties(pyjabber_settings: Settings) -> AsyncIterator[Parties]:
    events: list[OrderEvent] = []
    customer = CustomerAgent(
        unique("customer"),
        pyjabber_settings,
        decisions=PolicyDecisions(CustomerPolicy(accept_at_most=100_000)),
        timings=CustomerTimings(quotation=timedelta(seconds=WAIT), contract=timedelta(seconds=WAIT)),
        on_event=events.append,
    )
    manufacturer = Probe(unique("manufacturer"), pyjabber_settings)
    stranger = Probe(unique("stranger"), pyjabber_settings)
    agents = (customer, manufacturer, stranger)
    try:
        await started(customer, role=AgentRole.CUSTOMER, party="*")
        await started(manufacturer, role=AgentRole.MANUFACTURER, party="m")
        await started(stranger, role=None)
        yield Parties(customer, manufacturer, stranger, events)
    finally:
        for agent in agents:
            await agent.stop()


def an_order() -> Order:
    return Order(
        customer_id="c",
        manufacturer_id="m",
        product_id="p",
        delivery_date=datetime.now(UTC).date() + timedelta(9),
    )


def invoice_of(order: Order) -> Invoice:
    return Invoice(
        order_id=order.id,
        issuer="m",
        payer="c",
        lines=(InvoiceLine(description="the order", unit_price=Decimal(120)),),
        total=Decimal(120),
        due_date=datetime.now(UTC).date() + timedelta(days=30),
    )


async def request(sender: Probe, customer: CustomerAgent, content: Content) -> AclMessage:
    """Open a FIPA request with the customer agent; its first answer."""
    message = AclMessage.build(
        Performative.REQUEST,
        sender.address,
        customer.address,
        content,
        protocol=ProtocolName.REQUEST,
        conversation_id=str(uuid.uuid4()),
        reply_by=datetime.now(UTC) + timedelta(seconds=WAIT),
    )
    sender.send_acl(message)
    return await sender.next_message(message.conversation_id)


def notice(
    sender: Probe,
    customer: CustomerAgent,
    order: Order,
    status: OrderStatus,
    note: str,
    shipment: ShipmentInfo | None = None,
) -> None:
    content = OrderStatusNotice(order_id=order.id, status=status, note=note, shipment=shipment)
    message = notice_message(sender.address, [customer.address], content)
    assert message is not None
    sender.send_acl(message)


def refused_not_authorised(answer: AclMessage) -> str:
    assert answer.performative is Performative.REFUSE, answer
    why = decode(answer.content, Reason)
    assert why.reason == "not-authorised", why
    return why.detail or ""


async def contract(parties: Parties, order: Order) -> None:
    """Play the manufacturer: take the order, quote it, and confirm the contract once it is accepted."""
    manufacturer = parties.manufacturer
    opening = await manufacturer.next_message()
    assert opening.performative is Performative.REQUEST and opening.protocol == ProtocolName.ORDER
    now = datetime.now(UTC)
    quotation = Quotation(
        order_id=order.id,
        lines=(QuotationLine(part_id="all", price=Decimal(120)),),
        total_price=Decimal(120),
        delivery_date=order.delivery_date,
        valid_until=now + timedelta(seconds=WAIT),
    )
    manufacturer.send_acl(opening.create_reply(Performative.AGREE, Ping()))
    manufacturer.send_acl(
        opening.create_reply(Performative.PROPOSE, quotation, reply_by=quotation.valid_until)
    )
    accepted = await manufacturer.next_message(opening.conversation_id)
    assert accepted.performative is Performative.ACCEPT_PROPOSAL, accepted
    assert decode(accepted.content, AcceptQuotation).quotation_id == quotation.id
    committed = ContractCommitted(order_id=order.id, order_contract_id="#1:0")
    manufacturer.send_acl(accepted.create_reply(Performative.INFORM, committed))


async def test_only_the_manufacturer_of_an_open_order_bills_it_and_is_heard(parties: Parties) -> None:
    customer, manufacturer, stranger = parties.customer, parties.manufacturer, parties.stranger
    by = f"placed by {customer.address}"
    order = an_order()
    handle = customer.place_order(order, manufacturer.address)

    detail = refused_not_authorised(await request(stranger, customer, invoice_of(order)))
    assert detail == f"{stranger.address} is not the manufacturer agent of an open order {order.id} {by}"
    detail = refused_not_authorised(await request(stranger, customer, Ping()))
    assert detail == f"{stranger.address} is not the manufacturer agent of an order {customer.address} placed"
    notice(stranger, customer, order, OrderStatus.FAILED, "spoofed")
    notice(manufacturer, customer, order, OrderStatus.RECEIVED, "taken")

    await contract(parties, order)
    outcome = await handle.outcome
    assert outcome.status == "contracted", outcome
    assert order.id in customer.orders, "a contracted order waits for its invoice"

    other = an_order()
    detail = refused_not_authorised(await request(manufacturer, customer, invoice_of(other)))
    assert detail == f"{manufacturer.address} is not the manufacturer agent of an open order {other.id} {by}"

    invoice = invoice_of(order)
    answer = await request(manufacturer, customer, invoice)
    assert answer.performative is Performative.AGREE, answer
    paid = await manufacturer.next_message(answer.conversation_id)
    assert paid.performative is Performative.INFORM
    assert decode(paid.content, Payment).invoice_id == invoice.id
    assert (await handle.payment).invoice_id == invoice.id
    notice(manufacturer, customer, order, OrderStatus.PAID, "paid")
    await request(stranger, customer, Ping())  # the notice before was handled by now
    assert order.id in customer.orders, "a paid order waits for its shipment"

    notice(stranger, customer, order, OrderStatus.SHIPPED, "spoofed shipment")
    await request(stranger, customer, Ping())
    assert not handle.delivery.done(), "only the order's manufacturer ships it"
    shipped = ShipmentInfo(carrier="DHL", reference="1Z999", shipped_at=datetime.now(UTC))
    notice(manufacturer, customer, order, OrderStatus.SHIPPED, "Shipped with DHL", shipment=shipped)
    async with asyncio.timeout(WAIT):
        confirmed = await handle.delivery  # a simulated customer confirms at once; no ledger: only told
    assert confirmed.words == "Delivery confirmed" and confirmed.days_late is None
    assert any(e.kind == "delivered" and e.order_id == order.id for e in parties.events)
    assert order.id in customer.orders, "settled once the manufacturer says it is delivered"

    notice(manufacturer, customer, order, OrderStatus.DELIVERED, "Delivered")
    await request(stranger, customer, Ping())
    assert order.id not in customer.orders, "a delivered order is settled"
    detail = refused_not_authorised(await request(manufacturer, customer, invoice_of(order)))
    assert str(order.id) in detail, "a settled order is not billed again"
    assert parties.statuses(order) == [
        (OrderStatus.RECEIVED, "taken"),
        (OrderStatus.PAID, "paid"),
        (OrderStatus.SHIPPED, "Shipped with DHL"),
        (OrderStatus.DELIVERED, "Delivered"),
    ]


async def test_without_a_ledger_the_ledger_steps_are_skipped_and_that_is_logged_once(
    parties: Parties, caplog: pytest.LogCaptureFixture
) -> None:
    customer, manufacturer = parties.customer, parties.manufacturer
    caplog.set_level(logging.INFO, logger="agents.customer.agent")
    for _ in range(2):
        order = an_order()
        handle = customer.place_order(order, manufacturer.address)
        await contract(parties, order)
        assert (await handle.outcome).status == "contracted"
    skipped = [r for r in caplog.records if "ledger steps are skipped" in r.getMessage()]
    assert len(skipped) == 1, skipped


async def test_an_order_that_ends_without_a_contract_is_settled_at_once(parties: Parties) -> None:
    customer, manufacturer = parties.customer, parties.manufacturer
    order = an_order()
    handle = customer.place_order(order, manufacturer.address)
    opening = await manufacturer.next_message()
    notice(manufacturer, customer, order, OrderStatus.REJECTED, "no capacity")
    manufacturer.send_acl(opening.create_reply(Performative.REFUSE, Reason(reason="no-capacity")))
    assert (await handle.outcome).status == "refused"
    assert customer.orders == {}
    assert customer.manufacturer_of(order.id) == manufacturer.address
    notice(manufacturer, customer, order, OrderStatus.REJECTED, "again")
    await request(parties.stranger, customer, Ping())  # the notice before was handled by now
    assert parties.statuses(order) == [(OrderStatus.REJECTED, "no capacity"), (OrderStatus.REJECTED, "again")]


async def test_the_settled_orders_remembered_are_bounded(pyjabber_settings: Settings) -> None:
    customer = CustomerAgent(
        "bounded", pyjabber_settings, decisions=PolicyDecisions(CustomerPolicy(accept_at_most=1))
    )
    loop = asyncio.get_running_loop()
    first = an_order()
    for order in (first, *(an_order() for _ in range(SETTLED_REMEMBERED))):
        handle = OrderHandle(order, "m@localhost", loop.create_future(), loop.create_future())
        customer.orders[order.id] = handle
        customer._settle(handle)
    assert customer.orders == {}
    assert customer.manufacturer_of(first.id) is None
    assert len(customer._settled) == SETTLED_REMEMBERED
