"""Without a ledger, a manufacturer that confirms transfers by hand: the customer's payment is stored as
announced (the invoice still open, a note in the history) and recorded only on the console's
PaymentReceived; without a bank account in the policy it is recorded at once, as before."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from agents.manufacturer.agent import ManufacturerAgent
from agents.manufacturer.console import Pending
from agents.manufacturer.flow import OrderFlow
from common.settings import Settings
from ontology.billing import Invoice, InvoiceLine, Payment
from ontology.console import PaymentReceived
from ontology.events import EventCode, HistoryEvent
from ontology.order import ORDER_TRANSITIONS, Order, OrderStatus
from ontology.payment import BankTransfer, transfer_reference
from ontology.policy import ManufacturerPolicy
from ontology.product import Product
from store.database import Database
from store.enums import UserRole
from tests.stores import store_with_users

BIKE = Product(id="bike", manufacturer_id="m1", name="Bike", base_cost=Decimal(100))
POLICY = ManufacturerPolicy(capacity_hours_per_week=40, margin=Decimal("0.2"))
ACCOUNT = BankTransfer(account_holder="Maker One", iban="DE89370400440532013000")
WAIT = 10.0


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await store_with_users(tmp_path, (("c1", UserRole.CUSTOMER), ("m1", UserRole.MANUFACTURER)))
    yield database
    await database.close()


async def invoiced(db: Database, policy: ManufacturerPolicy) -> tuple[OrderFlow, Invoice, Payment]:
    """An invoiced order of an agent with ``policy``, its flow, its invoice and the customer's payment."""
    agent = ManufacturerAgent(
        "maker-by-hand",
        Settings(_env_file=None),
        db=db,
        catalogue={BIKE.id: BIKE},
        matchmaker="matchmaker@test",
        contract_agent="contracts@test",
        policy=policy,
        manufacturer_id="m1",
    )
    order = Order(
        customer_id="c1", manufacturer_id="m1", product_id="bike", delivery_date=date.today() + timedelta(30)
    )
    await agent.journal.publish([BIKE])
    await agent.journal.add_order(order)
    path = ORDER_TRANSITIONS.path(OrderStatus.RECEIVED, OrderStatus.PRODUCED)
    assert path is not None
    for status in path[1:]:
        await agent.journal.status(str(order.id), status)
    invoice = Invoice(
        order_id=order.id,
        issuer="m1",
        payer="c1",
        lines=(InvoiceLine(description="Bike", unit_price=Decimal(120)),),
        total=Decimal(120),
        due_date=date.today() + timedelta(14),
    )
    raised = HistoryEvent.of(
        EventCode.INVOICE_RAISED, total=invoice.total, currency=invoice.currency, due_date=invoice.due_date
    )
    await agent.journal.raise_invoice(invoice, raised)
    conversation = SimpleNamespace(machine=SimpleNamespace(initiator="c1-agent@test"))
    flow = OrderFlow(agent, conversation, order)  # type: ignore[arg-type]
    payment = Payment(invoice_id=invoice.id, amount=Decimal(120), reference=transfer_reference(order.id))
    return flow, invoice, payment


async def test_a_transfer_is_recorded_once_the_console_says_it_arrived(db: Database) -> None:
    flow, invoice, payment = await invoiced(db, POLICY.model_copy(update={"payment": ACCOUNT}))
    task = asyncio.create_task(flow._payment_received(payment))
    desk = flow.agent.desk
    async with asyncio.timeout(WAIT):
        while not desk.waits_for(flow.order_id, PaymentReceived):  # noqa: ASYNC110 (the flow opens its gate)
            await asyncio.sleep(0.01)
    async with db.transaction() as repos:
        announced = await repos.payments.for_invoice(str(invoice.id))
        assert (await repos.invoices.require(str(invoice.id))).status == "issued"
    assert announced is not None and announced.reference == payment.reference
    order = await flow.journal.load_order(flow.order_id)
    assert order is not None and "announced" in order.history[-1].note
    assert not task.done()

    received: Pending[PaymentReceived] = Pending(PaymentReceived(order_id=flow.order.id))
    desk._gates[(flow.order_id, PaymentReceived)].put(received)
    assert await asyncio.wait_for(task, WAIT) is received
    async with db.transaction() as repos:
        assert (await repos.invoices.require(str(invoice.id))).status == "paid"
        assert await repos.payments.for_invoice(str(invoice.id)) is not None
    assert not desk.waits_for(flow.order_id, PaymentReceived)


async def test_without_a_bank_account_the_payment_is_recorded_at_once(db: Database) -> None:
    flow, invoice, payment = await invoiced(db, POLICY)
    assert await asyncio.wait_for(flow._payment_received(payment), WAIT) is None
    async with db.transaction() as repos:
        assert (await repos.invoices.require(str(invoice.id))).status == "paid"
