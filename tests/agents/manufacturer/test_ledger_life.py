"""An order's life on a real embedded ledger after its contract, the manufacturer's steps taken with its own
session, the customer's and suppliers' with theirs; ledger time static, moved by Daml's TimeService.

Parts: a late one (3 days) is received and its penalty claimed from its supplier, the plan moves past the
quoted date and the customer is told the new date; an on-time one noted. Then produced, invoiced on the
ledger (the store's row mirrors it), the customer's payment claim confirmed (the store's payment row mirrors
claim and receipt), shipped with the policy's carrier, delivered (3 days late: a note in words), every
supplier paid -> completed. A restart mid-way resumes from the ledger and the store, doing nothing twice.
Manual receipt of parts (ConfirmParts) and the StartProduction override, its reason kept in the history.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from agents.manufacturer.agent import ManufacturerAgent
from agents.manufacturer.console import Pending
from agents.manufacturer.flow import OrderFlow
from agents.manufacturer.ledger_contract import LedgerContractStep
from agents.manufacturer.ledger_life import LedgerLife
from agents.manufacturer.options import LedgerSeat
from agents.manufacturer.recovery import recover
from agents.manufacturer.settings import Timings
from common.settings import Settings
from ledger.lifecycle import InvoiceKey, OrderKey, PartyLedger, SupplyKey
from ledger.testing import LedgerProcess
from ontology.billing import Invoice, Payment
from ontology.common import Reason
from ontology.console import ConfirmParts, PaymentReceived, ShipOrder, StartProduction
from ontology.contract import CommitAgreement, ContractCommitted, PartyRole
from ontology.order import ORDER_TRANSITIONS, OrderStatus
from ontology.payment import BankTransfer, transfer_reference
from ontology.policy import ManufacturerPolicy
from ontology.product import Product
from protocols.order_request import OrderParticipant
from store.database import Database
from store.enums import NegotiationRole, UserRole
from tests.agents.manufacturer.ledger_support import (
    SUPPLIER_TERMS,
    World,
    a_request,
    static_ledger,
    supplier_jid,
)
from tests.cli.order_story import NOT_WORDS
from tests.ledger.v2_support import advance_to
from tests.stores import store_with_users

_S = OrderStatus
POLICY = ManufacturerPolicy(
    capacity_hours_per_week=100,
    margin=Decimal("0.2"),
    production_days=10,
    supplier_penalty=SUPPLIER_TERMS,
    carrier="DHL",
)
TIMINGS = Timings(
    ledger_poll=timedelta(seconds=0.05), production=timedelta(0), contract=timedelta(seconds=20)
)
BIKE = Product(id="bike", manufacturer_id="m1", name="Bike", base_cost=Decimal(100))
WAIT = 30.0
CUSTOMER_AGENT = "c1-agent@test"


@pytest.fixture
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    """A ledger of its own per test: each moves ledger time forward as it needs."""
    process = static_ledger(tmp_path_factory.mktemp("manufacturer-life"))
    process.start()
    yield process
    process.stop()


@pytest.fixture
async def world(ledger: LedgerProcess) -> AsyncIterator[World]:
    opened = await World.open(ledger)
    yield opened
    await opened.sessions.aclose()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await store_with_users(tmp_path, (("c1", UserRole.CUSTOMER), ("m1", UserRole.MANUFACTURER)))
    yield database
    await database.close()


@pytest.fixture
def customer_pays(world: World, monkeypatch: pytest.MonkeyPatch) -> list[Invoice]:
    """The customer's agent, asked to pay an invoice: claims the payment on the ledger as the customer and
    answers with its claim's contract id."""
    asked: list[Invoice] = []

    async def pay(life: LedgerLife, invoice: Invoice) -> Payment | Reason:
        asked.append(invoice)
        customer = await world.sessions.session(PartyRole.CUSTOMER, "c1")
        assert invoice.contract_id is not None
        claim = await customer.claim_payment(InvoiceKey(life.ledger.party, str(invoice.id)), "SEPA-42")
        return Payment(
            invoice_id=invoice.id,
            amount=invoice.total,
            currency=invoice.currency,
            reference="SEPA-42",
            claim_contract_id=claim.contract_id,
        )

    monkeypatch.setattr(LedgerLife, "request_payment", pay)
    return asked


async def maker_agent(world: World, db: Database, policy: ManufacturerPolicy = POLICY) -> ManufacturerAgent:
    maker = await world.sessions.session(PartyRole.MANUFACTURER, "m1")
    agent = ManufacturerAgent(
        "maker-life",
        Settings(_env_file=None),
        db=db,
        catalogue={BIKE.id: BIKE},
        matchmaker="matchmaker@test",
        policy=policy,
        manufacturer_id="m1",
        timings=TIMINGS,
        ledger=LedgerSeat(maker, world.lookup, supplier_jid=supplier_jid),
    )
    assert isinstance(agent.contract_step, LedgerContractStep)
    agent.contract_step.sign = world.sign  # the suppliers' agents sign through their own sessions
    return agent


async def contracted(world: World, agent: ManufacturerAgent) -> tuple[CommitAgreement, ContractCommitted]:
    """An order confirmed, signed by the customer, committed by the agent's contract step, stored
    contracted."""
    request = a_request()
    await world.place(request)
    await agent.journal.publish([BIKE])
    fresh = request.order.model_copy(update={"status": _S.RECEIVED, "history": ()})
    await agent.journal.add_order(fresh)
    order_id = str(request.order.id)
    path = ORDER_TRANSITIONS.path(_S.RECEIVED, _S.CONTRACTING)
    assert path is not None
    for status in path[1:]:
        await agent.journal.status(order_id, status)
    await agent.journal.set_quotation(order_id, request.quotation)
    await agent.journal.set_network(order_id, request.network)
    committed = await agent.contract_step.commit(request)
    assert isinstance(committed, ContractCommitted), committed
    await agent.journal.status(order_id, _S.CONTRACTED)
    # the customer's order conversation as saved (a restart finds the customer's agent in it)
    machine = OrderParticipant(
        me=agent.address, initiator=CUSTOMER_AGENT, conversation_id=f"{order_id}/order"
    )
    await agent.journal.save_machine(machine, NegotiationRole.PARTICIPANT, order_id)
    return request, committed


def run_life(
    agent: ManufacturerAgent, request: CommitAgreement, committed: ContractCommitted | None
) -> asyncio.Task[None]:
    conversation = SimpleNamespace(machine=SimpleNamespace(initiator=CUSTOMER_AGENT))
    flow = OrderFlow(agent, conversation, request.order)  # type: ignore[arg-type]
    return asyncio.create_task(flow._produce_and_bill(request.quotation, committed))


async def reach(
    agent: ManufacturerAgent, order_id: str, status: OrderStatus, task: asyncio.Task[None]
) -> None:
    async with asyncio.timeout(WAIT):
        while await agent.journal.current_status(order_id) is not status:
            if task.done():
                task.result()
                raise AssertionError(f"the flow ended before {status}")
            await asyncio.sleep(0.05)


async def notes(agent: ManufacturerAgent, order_id: str) -> list[str]:
    order = await agent.journal.load_order(order_id)
    assert order is not None
    return [change.note for change in order.history]


async def sessions_of(world: World) -> tuple[PartyLedger, PartyLedger, PartyLedger, PartyLedger]:
    s = world.sessions
    return (
        await s.session(PartyRole.CUSTOMER, "c1"),
        await s.session(PartyRole.MANUFACTURER, "m1"),
        await s.session(PartyRole.SUPPLIER, "s1"),
        await s.session(PartyRole.SUPPLIER, "s2"),
    )


async def test_a_late_part_to_a_completed_order_with_a_restart_on_the_way(
    world: World, db: Database, customer_pays: list[Invoice]
) -> None:
    agent = await maker_agent(world, db)
    request, committed = await contracted(world, agent)
    order_id = str(request.order.id)
    customer, maker, s1, s2 = await sessions_of(world)
    key1 = SupplyKey(maker.party, order_id, s1.party)
    key2 = SupplyKey(maker.party, order_id, s2.party)
    order_key = OrderKey(maker.party, order_id)

    # s1 (agreed for 10 June 2030) ships 3 days late, s2 (14 June) on time
    await advance_to(world.ledger, date(2030, 6, 13))
    await s1.ship(key1, "UPS", "S1-0001")
    await s2.ship(key2, "GLS", "S2-0001")
    task = run_life(agent, request, committed)
    await reach(agent, order_id, _S.SHIPPED, task)
    task.cancel()  # the manufacturer's agent stops here (a restart follows)
    await asyncio.gather(task, return_exceptions=True)

    history = await notes(agent, order_id)
    assert "A part arrived 3 days late; the supplier's agreed late-delivery penalty is claimed." in history
    assert "A part arrived on 13 June 2030." in history
    assert "A part arrived 3 days late: delivery moves from 20 June 2030 to 23 June 2030." in history
    private = [n for n in history if "s1" in n or "s2" in n or "€2.20" in n]
    assert not private, "the customer reads the history: no supplier, nor what it owes"
    assert "Production started." in history
    assert "Shipped with DHL, reference LSO-1001." in history  # the order's number
    (claim,) = await maker.penalty_claims(order_id)
    assert (claim.data.claimant, claim.data.liable, claim.data.amount) == (
        maker.party,
        s1.party,
        Decimal("2.2"),
    )
    supply1 = await maker.supply_agreement(key1)
    assert supply1 is not None and supply1.data.penalty_claimed and supply1.data.receipt is not None

    # invoiced on the ledger at the agreed price; the store mirrors the invoice and the confirmed payment
    (asked,) = customer_pays
    assert asked.total == request.quotation.total_price and asked.contract_id is not None
    async with db.transaction() as repos:
        (row,) = await repos.invoices.by_order(order_id)
        payment = await repos.payments.for_invoice(row.id)
    assert row.id == str(asked.id) and row.ledger_contract_id == asked.contract_id and row.status == "paid"
    receipt = await maker.payment_receipt(InvoiceKey(maker.party, row.id))
    assert receipt is not None and receipt.data.amount == request.quotation.total_price
    assert payment is not None and payment.ledger_contract_id == receipt.contract_id
    assert payment.ledger_claim_contract_id is not None and payment.reference == "SEPA-42"
    agreement = await maker.order_agreement(order_key)
    assert agreement is not None and agreement.data.shipment is not None
    assert (agreement.data.shipment.carrier, agreement.data.invoice_id) == ("DHL", row.id)

    # a restart: the new agent's recovery resumes the shipped order from the ledger and the store; the
    # customer confirms delivery 3 days late
    again = await maker_agent(world, db)
    assert await recover(again) == []
    resumed = again.order_task(order_id)
    assert resumed is not None and again.followers.customer_of(order_id) == CUSTOMER_AGENT
    task = resumed
    await advance_to(world.ledger, date(2030, 6, 23))
    await customer.confirm_receipt(order_key)
    await reach(again, order_id, _S.DELIVERED, task)
    assert (
        "Delivered on 23 June 2030, 3 days late; the customer may claim a penalty of €15.00."
        in await notes(again, order_id)
    )

    # each supplier invoices its supply; the manufacturer claims each payment, each supplier confirms
    due = date(2030, 7, 31)
    invoices = [await s1.raise_invoice(key1, "S1-INV", due), await s2.raise_invoice(key2, "S2-INV", due)]
    async with asyncio.timeout(WAIT):
        for supplier, invoice in zip((s1, s2), invoices, strict=True):
            ikey = InvoiceKey(supplier.party, invoice.data.invoice_id)
            while await supplier.payment_claim(ikey) is None:  # noqa: ASYNC110 (polls the ledger)
                await asyncio.sleep(0.05)
            await supplier.confirm_payment(ikey)
    await reach(again, order_id, _S.COMPLETED, task)
    await asyncio.wait_for(task, WAIT)
    history = await notes(again, order_id)
    assert "Suppliers paid: 1 of 2." in history and "Suppliers paid: 2 of 2." in history
    assert not [n for n in history if "€109.75" in n or "€40.25" in n], "supplier prices stay private"
    assert history[-1] == "The order is complete."
    assert not [n for n in history if NOT_WORDS.search(n)], "the history is in words: no id, hash or jargon"
    # nothing twice: one invoice, one payment, one penalty claim, the customer asked to pay once
    assert len(customer_pays) == 1 and len(await maker.penalty_claims(order_id)) == 1
    async with db.transaction() as repos:
        assert len(await repos.invoices.by_order(order_id)) == 1


async def test_a_receipt_confirmed_on_the_ledger_before_a_restart_is_noted_once(
    world: World, db: Database, customer_pays: list[Invoice]
) -> None:
    """The agent stopped between its ConfirmReceipt and the note of it: the next run notes the part's arrival,
    and a run after that does not note it again."""
    agent = await maker_agent(world, db)
    request, committed = await contracted(world, agent)
    order_id = str(request.order.id)
    _, maker, s1, s2 = await sessions_of(world)
    await advance_to(world.ledger, date(2030, 6, 13))
    key2 = SupplyKey(maker.party, order_id, s2.party)
    await s2.ship(key2, "GLS", "S2-0003")
    await maker.confirm_receipt(key2)
    arrived = "A part arrived on 13 June 2030."

    async def noted(words: str) -> None:
        async with asyncio.timeout(WAIT):
            while not any(words in n for n in await notes(agent, order_id)):  # noqa: ASYNC110
                await asyncio.sleep(0.05)

    task = run_life(agent, request, committed)
    await noted(arrived)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    task = run_life(agent, request, committed)  # runs again: s1's late part is received and noted
    await s1.ship(SupplyKey(maker.party, order_id, s1.party), "UPS", "S1-0003")
    await noted("late-delivery penalty is claimed")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert (await notes(agent, order_id)).count(arrived) == 1


async def test_parts_confirmed_by_the_console_and_production_started_before_every_part(
    world: World, db: Database, customer_pays: list[Invoice]
) -> None:
    policy = POLICY.model_copy(update={"auto_receive_parts": False, "auto_invoice": False})
    agent = await maker_agent(world, db, policy)
    request, committed = await contracted(world, agent)
    order_id = str(request.order.id)
    _, maker, s1, _ = await sessions_of(world)
    key1 = SupplyKey(maker.party, order_id, s1.party)
    task = run_life(agent, request, committed)
    desk = agent.desk
    async with asyncio.timeout(WAIT):
        while not desk.waits_for(order_id, ConfirmParts):  # noqa: ASYNC110 (the flow opens its gate)
            await asyncio.sleep(0.02)

    # nothing shipped yet: the console hears why
    early: Pending[ConfirmParts] = Pending(ConfirmParts(order_id=request.order.id))
    desk._gates[(order_id, ConfirmParts)].put(early)
    refused = await asyncio.wait_for(early.answered, WAIT)
    assert refused is not None and refused.reason == "nothing-shipped"

    await s1.ship(key1, "UPS", "S1-0002")
    confirmed: Pending[ConfirmParts] = Pending(ConfirmParts(order_id=request.order.id))
    desk._gates[(order_id, ConfirmParts)].put(confirmed)
    assert await asyncio.wait_for(confirmed.answered, WAIT) is None
    received = await maker.supply_agreement(key1)
    assert received is not None and received.data.receipt is not None

    # s2 has not shipped: production starts anyway, for the reason given
    start: Pending[StartProduction] = Pending(
        StartProduction(order_id=request.order.id, reason="the wheels come from our stock")
    )
    desk._gates[(order_id, StartProduction)].put(start)
    assert await asyncio.wait_for(start.answered, WAIT) is None
    await reach(agent, order_id, _S.PRODUCED, task)  # then waits for the console's RaiseInvoice
    history = await notes(agent, order_id)
    assert any(
        "Production started before 1 part arrived: the wheels come from our stock" in n for n in history
    )
    assert customer_pays == []
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_an_invoice_raised_on_the_ledger_before_a_restart_is_rebuilt_in_the_store(
    world: World, db: Database, customer_pays: list[Invoice]
) -> None:
    """The agent stopped after ``RaiseInvoice`` and before the store's row: resumed (produced), it invoices
    nothing new; the store's row is rebuilt from the ledger's invoice (same id, its contract id). Shipped
    on the console's ShipOrder (policy ``auto_ship`` off)."""
    agent = await maker_agent(world, db, POLICY.model_copy(update={"auto_ship": False}))
    request, _ = await contracted(world, agent)
    order_id = str(request.order.id)
    for status in (_S.IN_PRODUCTION, _S.PRODUCED):
        await agent.journal.status(order_id, status)
    _, maker, _, _ = await sessions_of(world)
    order_key = OrderKey(maker.party, order_id)
    invoice_id = str(uuid.uuid4())
    raised = await maker.raise_invoice(order_key, invoice_id, date.today() + timedelta(days=30))

    restarted = await maker_agent(world, db, POLICY.model_copy(update={"auto_ship": False}))
    task = run_life(restarted, request, None)
    await reach(restarted, order_id, _S.PAID, task)  # then waits for the console's ShipOrder
    async with db.transaction() as repos:
        (row,) = await repos.invoices.by_order(order_id)
    assert (row.id, row.ledger_contract_id, row.total) == (invoice_id, raised.contract_id, raised.data.amount)
    assert [str(i.id) for i in customer_pays] == [invoice_id]
    agreement = await maker.order_agreement(order_key)
    assert (
        agreement is not None and agreement.data.invoice_id == invoice_id and agreement.data.shipment is None
    )
    assert restarted.desk.waits_for(order_id, ShipOrder)

    # the console ships it with its carrier and reference
    ship: Pending[ShipOrder] = Pending(
        ShipOrder(order_id=request.order.id, carrier="DHL Express", reference="1Z9")
    )
    restarted.desk._gates[(order_id, ShipOrder)].put(ship)
    assert await asyncio.wait_for(ship.answered, WAIT) is None
    await reach(restarted, order_id, _S.SHIPPED, task)
    assert (await notes(restarted, order_id))[-1] == "Shipped with DHL Express, reference 1Z9."
    shipped = await maker.order_agreement(order_key)
    assert shipped is not None and shipped.data.shipment is not None
    assert (shipped.data.shipment.carrier, shipped.data.shipment.reference) == ("DHL Express", "1Z9")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_transfer_confirmed_by_hand_is_announced_then_paid_on_the_console(
    world: World, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Policy: bank transfers confirmed by hand. The customer's claim becomes an announced payment (the
    store's row, the invoice still open, a note) and the order stays invoiced until the console's
    PaymentReceived, which confirms the claim on the ledger -> paid; one before any claim is refused."""
    account = BankTransfer(account_holder="Maker One", iban="DE89370400440532013000")
    policy = POLICY.model_copy(update={"payment": account, "auto_ship": False})
    agent = await maker_agent(world, db, policy)
    request, _ = await contracted(world, agent)
    order_id = str(request.order.id)
    for status in (_S.IN_PRODUCTION, _S.PRODUCED):
        await agent.journal.status(order_id, status)
    transferred = asyncio.Event()

    async def pay(life: LedgerLife, invoice: Invoice) -> Payment | Reason:
        await transferred.wait()  # the customer announces its transfer when the test says so
        customer = await world.sessions.session(PartyRole.CUSTOMER, "c1")
        reference = transfer_reference(order_id)
        claim = await customer.claim_payment(InvoiceKey(life.ledger.party, str(invoice.id)), reference)
        return Payment(
            invoice_id=invoice.id,
            amount=invoice.total,
            currency=invoice.currency,
            reference=reference,
            claim_contract_id=claim.contract_id,
        )

    monkeypatch.setattr(LedgerLife, "request_payment", pay)
    task = run_life(agent, request, None)
    await reach(agent, order_id, _S.INVOICED, task)
    desk = agent.desk
    async with asyncio.timeout(WAIT):
        while not desk.waits_for(order_id, PaymentReceived):  # noqa: ASYNC110 (the flow opens its gate)
            await asyncio.sleep(0.02)
    early: Pending[PaymentReceived] = Pending(PaymentReceived(order_id=request.order.id))
    desk._gates[(order_id, PaymentReceived)].put(early)
    refused = await asyncio.wait_for(early.answered, WAIT)
    assert refused is not None and refused.reason == "nothing-announced"

    transferred.set()
    async with asyncio.timeout(WAIT):
        while True:
            async with db.transaction() as repos:
                (invoice,) = await repos.invoices.by_order(order_id)
                announced = await repos.payments.for_invoice(invoice.id)
            if announced is not None:
                break
            await asyncio.sleep(0.05)
    assert invoice.status == "issued" and announced.reference == transfer_reference(order_id)
    assert announced.ledger_claim_contract_id is not None and announced.ledger_contract_id is None
    assert await agent.journal.current_status(order_id) is _S.INVOICED
    assert any("announced" in note for note in await notes(agent, order_id))

    received: Pending[PaymentReceived] = Pending(PaymentReceived(order_id=request.order.id))
    desk._gates[(order_id, PaymentReceived)].put(received)
    assert await asyncio.wait_for(received.answered, WAIT) is None
    assert await agent.journal.current_status(order_id) is _S.PAID
    _, maker, _, _ = await sessions_of(world)
    receipt = await maker.payment_receipt(InvoiceKey(maker.party, invoice.id))
    assert receipt is not None
    async with db.transaction() as repos:
        assert (await repos.invoices.require(invoice.id)).status == "paid"
        paid = await repos.payments.for_invoice(invoice.id)
    assert paid is not None and (paid.id, paid.ledger_contract_id) == (announced.id, receipt.contract_id)
    assert not desk.waits_for(order_id, PaymentReceived) and desk.waits_for(order_id, ShipOrder)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
