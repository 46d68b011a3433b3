"""End to end over XMPP (pyjabber): a manufacturer whose policy leaves every step to its console.

As the gateway does, the test stores the product (not in the agent's catalogue), the order (status
received) and then a policy with ``auto_accept``/``auto_source``/``auto_produce``/``auto_invoice``
off (after the agent started with an automatic one) before the customer's agent sends the order.
The console (an agent in this process) accepts the order, starts sourcing, reports production
progress and raises the invoice with FIPA requests; requests that do not fit (wrong status, unknown
order, another manufacturer's order, a stranger's request, a step nobody waits for) are refused
with the reason. Both the console and the customer's agent hear every status change.

Processes: the matchmaker, the supplier proxies, the ledger and the contract agent run on their
own; the manufacturer, the customer and the console run in this process.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from agents.customer.agent import CustomerAgent, OrderEvent
from agents.customer.decisions import PolicyDecisions
from agents.manufacturer.agent import ManufacturerAgent
from agents.manufacturer.notices import notice_message
from agents.runtime.child_process import ChildProcess
from common.settings import Settings
from ledger.testing import LedgerProcess
from ontology.codec import Content
from ontology.common import Done, Reason
from ontology.console import OrderDecision, OrderStatusNotice, ProductionProgress, RaiseInvoice, StartSourcing
from ontology.order import Order, OrderStatus
from ontology.policy import CustomerPolicy
from protocols.performative import Performative
from store.database import Database
from store.enums import PolicyKind, UserRole
from store.records import NewProduct, NewUser
from tests.agents.e2e.world import (
    CUSTOMER_FAST,
    FAST,
    console_request,
    enrol_customer,
    enrol_manufacturer,
    manufacturer_policy,
    next_notice,
    open_store,
    order_for,
    product,
    start_contract_agent,
    unique,
)
from tests.agents.probe import Probe
from tests.order_statuses import TO_PAID
from tests.xmpp_accounts import started

CUSTOMER = "customer-console"
MANUFACTURER = "manufacturer-console"
OTHER = "manufacturer-other"
WAIT = 60.0

pytestmark = pytest.mark.parametrize("xmpp", ["pyjabber"], indirect=True)


async def gateway_writes(db: Database, manufacturer_jid: str, *orders: Order) -> None:
    """What the gateway stores: a second manufacturer, the bike (options JSON with base parts), the
    orders (received), and a policy that leaves every step to the console."""
    bike = product(MANUFACTURER)
    manual = manufacturer_policy().model_copy(
        update={"auto_accept": False, "auto_source": False, "auto_produce": False, "auto_invoice": False}
    )
    async with db.transaction() as repos:
        await repos.users.add(
            NewUser(
                id=OTHER,
                email=f"{OTHER}@example.org",
                display_name=OTHER,
                role=UserRole.MANUFACTURER,
                password_hash="x",
            )
        )
        data = bike.model_dump(mode="json")
        for product_id, maker in (("bike", MANUFACTURER), ("other-bike", OTHER)):
            await repos.products.add(
                NewProduct(
                    id=product_id,
                    manufacturer_id=maker,
                    name=bike.name,
                    description=bike.description,
                    options={"options": data["options"], "base_parts": data["base_parts"]},
                    base_price=bike.base_cost,
                    currency=bike.currency,
                )
            )
        for order in orders:
            await repos.orders.add_order(order)
        await repos.policies.put(manufacturer_jid, PolicyKind.MANUFACTURER, manual)


async def refused(console: Probe, manufacturer: str, content: Content) -> Reason:
    performative, answer = await console_request(console, manufacturer, content)
    assert performative is Performative.REFUSE and isinstance(answer, Reason), (performative, answer)
    return answer


async def done(console: Probe, manufacturer: str, content: Content) -> None:
    performative, answer = await console_request(console, manufacturer, content)
    assert performative is Performative.INFORM and isinstance(answer, Done), (performative, answer)


async def test_the_console_drives_every_manual_step_and_everyone_hears_every_status(
    xmpp: Settings, tmp_path: Path, matchmaker: str, proxies: ChildProcess, ledger: LedgerProcess
) -> None:
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)
    contract = await start_contract_agent(xmpp, ledger, db, (CUSTOMER, MANUFACTURER))
    console = Probe(unique("console"), xmpp)
    stranger = Probe(unique("stranger"), xmpp)
    events: list[OrderEvent] = []
    paid = asyncio.Event()

    def follow(event: OrderEvent) -> None:
        events.append(event)
        if isinstance(event.content, OrderStatusNotice) and event.content.status is OrderStatus.PAID:
            paid.set()

    manufacturer = ManufacturerAgent(
        unique("manufacturer"),
        xmpp,
        db=db,
        catalogue={},
        matchmaker=matchmaker,
        contract_agent=contract.ready_line,
        manufacturer_id=MANUFACTURER,
        timings=FAST,
        supplier_agent=lambda supplier: f"{proxies.ready_line}/{supplier.id}",
        consoles=[console.address],
    )
    customer = CustomerAgent(
        unique("customer"),
        xmpp,
        decisions=PolicyDecisions(CustomerPolicy(accept_at_most=100_000)),
        timings=CUSTOMER_FAST,
        on_event=follow,
    )
    order = order_for(CUSTOMER, MANUFACTURER)
    other = order_for(CUSTOMER, OTHER).model_copy(update={"product_id": "other-bike"})
    oid, me = str(order.id), manufacturer.address
    async with db.transaction() as repos:
        await repos.policies.put(me, PolicyKind.MANUFACTURER, manufacturer_policy())
    try:
        await enrol_manufacturer(xmpp, db, me, MANUFACTURER)
        await enrol_customer(xmpp, db, customer.address, CUSTOMER)
        await manufacturer.start()
        await customer.start()
        await started(console, party="console", db=db)  # the gateway's console agent is a platform service
        await started(stranger, role=None)  # an account bound to nothing
        await gateway_writes(db, me, order, other)

        why = await refused(console, me, OrderDecision(order_id=order.id, accept=True))
        assert why.reason == "not-awaited" and oid in (why.detail or ""), why
        why = await refused(console, me, OrderDecision(order_id=other.id, accept=True))
        assert why.reason == "not-this-manufacturer", why
        why = await refused(console, me, StartSourcing(order_id=uuid.uuid4()))
        assert why.reason == "unknown-order", why

        handle = customer.place_order(order, me)
        await next_notice(console, oid, OrderStatus.RECEIVED)
        why = await refused(stranger, me, OrderDecision(order_id=order.id, accept=True))
        assert why.reason == "not-a-console", why
        # A notice about the order from anyone but its manufacturer is ignored by the customer's agent.
        spoofed = OrderStatusNotice(order_id=order.id, status=OrderStatus.FAILED, note="spoofed")
        forged = notice_message(stranger.address, [customer.address], spoofed)
        assert forged is not None
        stranger.send_acl(forged)
        why = await refused(console, me, StartSourcing(order_id=order.id))
        assert why.reason == "wrong-status" and why.detail == f"order {oid} is received, not accepted", why
        await done(console, me, OrderDecision(order_id=order.id, accept=True))
        await next_notice(console, oid, OrderStatus.ACCEPTED)
        await asyncio.sleep(0.5)
        status = await manufacturer.journal.current_status(oid)
        assert status is OrderStatus.ACCEPTED, "sourcing must wait for the console"
        await done(console, me, StartSourcing(order_id=order.id))
        quoted = await next_notice(console, oid, OrderStatus.QUOTED)
        assert quoted.price is not None and quoted.currency == "EUR"

        async with asyncio.timeout(WAIT):
            outcome = await handle.outcome
        assert outcome.status == "contracted", outcome
        assert outcome.quotation is not None and quoted.price == outcome.quotation.total_price
        await next_notice(console, oid, OrderStatus.IN_PRODUCTION)
        why = await refused(console, me, RaiseInvoice(order_id=order.id))
        assert why.reason == "wrong-status", why
        await done(console, me, ProductionProgress(order_id=order.id, percent=40, note="frame welded"))
        progress = await next_notice(console, oid, OrderStatus.IN_PRODUCTION)
        assert progress.progress == 40 and "frame welded" in progress.note
        performative, answer = await console_request(
            console, me, ProductionProgress(order_id=order.id, percent=30)
        )
        assert performative is Performative.FAILURE and isinstance(answer, Reason)
        assert answer.reason == "progress-backwards"
        await done(console, me, ProductionProgress(order_id=order.id, percent=100))
        produced = await next_notice(console, oid, OrderStatus.PRODUCED)
        assert produced.progress == 100
        await asyncio.sleep(0.5)
        assert await manufacturer.journal.current_status(oid) is OrderStatus.PRODUCED
        await done(console, me, RaiseInvoice(order_id=order.id))
        invoiced = await next_notice(console, oid, OrderStatus.INVOICED)
        assert invoiced.price == outcome.quotation.total_price
        async with asyncio.timeout(WAIT):
            payment = await handle.payment
        await next_notice(console, oid, OrderStatus.PAID)
        assert payment.amount == outcome.quotation.total_price

        # The same order again is a duplicate now that it is past received.
        again = customer.place_order(order, me)
        async with asyncio.timeout(WAIT):
            repeated = await again.outcome
        assert repeated.status == "refused" and "duplicate-order" in repeated.reason, repeated
        stored = await manufacturer.journal.load_order(oid)
        assert stored is not None and stored.status is OrderStatus.PAID
        notes = [c.note for c in stored.history if c.from_status == c.to_status]
        assert notes == ["Production is 40 % done. frame welded"]
        async with asyncio.timeout(10):
            await paid.wait()  # the customer's notice may come a moment after the console's
    finally:
        for agent in (stranger, console, customer, manufacturer):
            await agent.stop()
        await contract.stop()
        await db.close()

    statuses = [
        e.content.status for e in events if e.kind == "status" and isinstance(e.content, OrderStatusNotice)
    ]
    assert all(e.detail != "spoofed" for e in events)
    expected = [OrderStatus.RECEIVED, *TO_PAID]
    # in production twice: when production starts, then with the 40 % progress
    expected.insert(expected.index(OrderStatus.IN_PRODUCTION), OrderStatus.IN_PRODUCTION)
    assert statuses == expected
