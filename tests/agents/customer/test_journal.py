"""The customer agent keeps its side of each order's conversation in the store and takes an open quotation up
again after a restart.

Offline (a migrated SQLite store, the order protocol's machines driven by hand): the journal writes the
snapshot and reads it back after a "restart" (a new journal); :func:`~agents.customer.journal.resumable`
resumes a conversation evaluating the quotation of an order still ``quoted`` before its deadline, or waiting
for the manufacturer's answer while its order is not past ``quoted``, and nothing else (finished, the order
moved on, the time to answer ran out, unreadable).

Over the embedded pyjabber (the manufacturer a probe played by hand): a customer agent given a store writes
the snapshot when the quotation arrives; a new agent on the same account and store asks the decision source
again and the order is contracted in the same conversation; a conversation whose time ran out or whose order
moved on is marked finished, not resumed; a quotation sent while the agent was away is read back from the
message log; an agent given no store writes nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from agents.customer.agent import CustomerAgent, CustomerTimings
from agents.customer.decisions import Decision, QueueDecisions
from agents.customer.journal import CustomerJournal, NotResumed, resumable
from common.settings import Settings
from ontology.common import Ping
from ontology.contract import ContractCommitted
from ontology.order import Order, OrderStatus
from ontology.process import ProcessKind
from ontology.product import Product, RequiredPart
from ontology.quotation import Quotation, QuotationLine
from protocols.acl import AclMessage
from protocols.contract_net import ContractNetInitiatorState
from protocols.order_request import OrderInitiator
from protocols.performative import Performative, ProtocolName
from store.database import Database
from store.enums import Direction, NegotiationRole, UserRole
from store.product_rows import new_product_row
from store.records import NegotiationState, NewAclMessage
from tests.agents.probe import Probe
from tests.gateway.world import advance
from tests.stores import store_with_users
from tests.xmpp_accounts import started

CUSTOMER, MANUFACTURER = "customer-journal", "manufacturer-journal"
ME, MAKER = "customers@localhost", "maker@localhost"
WAIT = 10.0
_S = ContractNetInitiatorState
PRODUCT = Product(
    id="stool-journal",
    manufacturer_id=MANUFACTURER,
    name="Stool",
    base_cost=Decimal(40),
    base_parts=(RequiredPart(part_id="assembly", process=ProcessKind.ASSEMBLY, machine_minutes=10),),
)


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def an_order() -> Order:
    return Order(
        customer_id=CUSTOMER,
        manufacturer_id=MANUFACTURER,
        product_id=PRODUCT.id,
        delivery_date=datetime.now(UTC).date() + timedelta(days=30),
    )


def quotation_of(order: Order, price: str = "120.00") -> Quotation:
    return Quotation(
        order_id=order.id,
        lines=(QuotationLine(part_id="all", price=Decimal(price)),),
        total_price=Decimal(price),
        delivery_date=order.delivery_date,
        valid_until=datetime.now(UTC) + timedelta(seconds=WAIT),
    )


def new_machine(patience: timedelta = timedelta(hours=1)) -> OrderInitiator:
    return OrderInitiator(
        me=ME,
        patience=patience,
        content_types={Performative.PROPOSE: (Quotation,), Performative.INFORM: (ContractCommitted,)},
    )


def quoted_machine(order: Order, patience: timedelta = timedelta(hours=1)) -> OrderInitiator:
    """The customer's side of ``order``'s conversation once the manufacturer quoted: evaluating."""
    machine = new_machine(patience)
    now = datetime.now(UTC)
    (request,) = machine.start(order, [MAKER], now=now, reply_by=now + timedelta(minutes=2))
    machine.handle(request.create_reply(Performative.AGREE, Ping()), now)
    machine.handle(request.create_reply(Performative.PROPOSE, quotation_of(order), reply_by=now), now)
    assert machine.state is _S.EVALUATING
    return machine


def state_of(machine: OrderInitiator, order: Order) -> NegotiationState:
    """The row the journal writes of ``machine``."""
    return NegotiationState(
        agent_jid=ME,
        conversation_id=machine.conversation_id,
        role=NegotiationRole.INITIATOR,
        protocol=ProtocolName.ORDER.value,
        state_name=str(machine.state),
        state=machine.snapshot_json(),
        order_id=str(order.id),
    )


def in_status(order: Order, status: OrderStatus) -> Order:
    return order.model_copy(update={"status": status})


async def order_store(directory: Path, *orders: Order) -> Database:
    """A store with the order's users and product, and ``orders`` (received), as the gateway stores them."""
    db = await store_with_users(
        directory, ((CUSTOMER, UserRole.CUSTOMER), (MANUFACTURER, UserRole.MANUFACTURER))
    )
    async with db.transaction() as repos:
        await repos.products.add(new_product_row(PRODUCT))
        for order in orders:
            await repos.orders.add_order(order)
    return db


async def customer_rows(db: Database, order: Order) -> list[NegotiationState]:
    async with db.transaction() as repos:
        states = await repos.negotiations.by_order(str(order.id))
    return [state for state in states if state.role == NegotiationRole.INITIATOR]


# ----------------------------------------------------------------- offline


async def test_the_journal_writes_the_snapshot_and_a_restarted_one_reads_it_back(tmp_path: Path) -> None:
    order = an_order()
    db = await order_store(tmp_path, order)
    try:
        machine = quoted_machine(order)
        journal = CustomerJournal(db, ME)
        await journal.save(machine, str(order.id))
        assert journal.kept(machine.conversation_id)
        await journal.save(machine, str(order.id))  # a second write of the same state: the next version
        (row,) = await customer_rows(db, order)
        assert (row.agent_jid, row.protocol, row.state_name, row.round) == (ME, "lso-order", "evaluating", 1)
        assert (row.finished, row.version, row.deadline) == (False, 2, machine.next_deadline)

        restarted = CustomerJournal(db, ME)
        assert await CustomerJournal(db, "someone-else@localhost").unfinished() == []
        (state,) = await restarted.unfinished()
        await advance(db, str(order.id), OrderStatus.QUOTED)
        stored = await restarted.order(str(order.id))
        assert stored is not None and stored.status is OrderStatus.QUOTED
        restored = resumable(state, stored, datetime.now(UTC))
        assert isinstance(restored, OrderInitiator), restored
        assert restored.state is _S.EVALUATING
        assert restored.conversation_id == machine.conversation_id
        assert restored.proposals == machine.proposals
        assert restored.next_deadline == machine.next_deadline, "the stored deadline is kept"

        await restarted.save(restored, str(order.id), finished=True)  # the conversation ended
        assert not restarted.kept(machine.conversation_id)
        assert await CustomerJournal(db, ME).unfinished() == []
        (row,) = await customer_rows(db, order)
        assert (row.finished, row.version) == (True, 3)
    finally:
        await db.close()


async def test_a_stale_version_is_read_again_and_the_newest_snapshot_wins(tmp_path: Path) -> None:
    order = an_order()
    db = await order_store(tmp_path, order)
    try:
        machine = quoted_machine(order)
        first, second = CustomerJournal(db, ME), CustomerJournal(db, ME)
        await first.save(machine, str(order.id))
        (state,) = await second.unfinished()
        await second.mark_finished(state, "expired")
        await first.save(machine, str(order.id), finished=True)
        (row,) = await customer_rows(db, order)
        assert (row.finished, row.state_name, row.version) == (True, "evaluating", 3)
    finally:
        await db.close()


def test_a_conversation_evaluating_the_quotation_of_a_quoted_order_is_resumed() -> None:
    order = an_order()
    machine = quoted_machine(order)
    restored = resumable(state_of(machine, order), in_status(order, OrderStatus.QUOTED), datetime.now(UTC))
    assert isinstance(restored, OrderInitiator)
    assert (restored.state, restored.participants, restored.round) == (_S.EVALUATING, (MAKER,), 1)


def test_a_finished_conversation_is_not_resumed() -> None:
    order = an_order()
    machine = quoted_machine(order)
    machine.award([], now=datetime.now(UTC), reject_reason="declined")
    found = resumable(state_of(machine, order), in_status(order, OrderStatus.QUOTED), datetime.now(UTC))
    assert found == NotResumed("no-award", "it had ended (no-award)")


def test_a_conversation_waiting_for_the_manufacturers_answer_is_resumed_until_its_order_moves_on() -> None:
    order = an_order()
    machine = new_machine()
    now = datetime.now(UTC)
    machine.start(order, [MAKER], now=now, reply_by=now + timedelta(minutes=2))
    for status in (OrderStatus.RECEIVED, OrderStatus.NEGOTIATING, OrderStatus.QUOTED):
        found = resumable(state_of(machine, order), in_status(order, status), now)
        assert isinstance(found, OrderInitiator) and found.state is _S.COLLECTING, status
    found = resumable(state_of(machine, order), in_status(order, OrderStatus.FAILED), now)
    assert found == NotResumed("order-moved-on", "its order is failed now")


@pytest.mark.parametrize("status", [OrderStatus.FAILED, OrderStatus.CONFIRMED, OrderStatus.DECLINED])
def test_a_conversation_whose_order_moved_on_is_not_resumed(status: OrderStatus) -> None:
    order = an_order()
    found = resumable(state_of(quoted_machine(order), order), in_status(order, status), datetime.now(UTC))
    assert found == NotResumed("order-not-quoted", f"its order is {status} now, no longer quoted")
    missing = resumable(state_of(quoted_machine(order), order), None, datetime.now(UTC))
    assert isinstance(missing, NotResumed) and missing.note == "no-order"


def test_a_conversation_whose_time_to_answer_ran_out_is_not_resumed() -> None:
    order = an_order()
    machine = quoted_machine(order, patience=timedelta(seconds=30))
    deadline = machine.next_deadline
    assert deadline is not None
    quoted = in_status(order, OrderStatus.QUOTED)
    assert isinstance(
        resumable(state_of(machine, order), quoted, deadline - timedelta(seconds=1)), OrderInitiator
    )
    found = resumable(state_of(machine, order), quoted, deadline + timedelta(seconds=1))
    assert isinstance(found, NotResumed) and found.note == "expired"
    assert found.why.startswith("the time to answer the quotation ran out at ")


def test_an_unreadable_snapshot_is_not_resumed() -> None:
    order = an_order()
    state = state_of(quoted_machine(order), order).evolve(state={"kind": "nonsense"})
    found = resumable(state, in_status(order, OrderStatus.QUOTED), datetime.now(UTC))
    assert isinstance(found, NotResumed) and found.note == "unreadable"


# ----------------------------------------------------------------- over XMPP


def customer_agent(
    name: str,
    settings: Settings,
    decisions: QueueDecisions,
    db: Database | None,
    decision_seconds: float = 60,
) -> CustomerAgent:
    agent = CustomerAgent(
        name,
        settings,
        decisions=decisions,
        timings=CustomerTimings(
            quotation=timedelta(seconds=WAIT),
            decision=timedelta(seconds=decision_seconds),
            contract=timedelta(seconds=WAIT),
        ),
    )
    if db is not None:
        agent.store = db
    return agent


async def stop(*agents: CustomerAgent | None) -> None:
    for agent in agents:
        if agent is not None and agent.is_alive():
            await agent.stop()


@pytest.fixture
async def maker(pyjabber_settings: Settings) -> AsyncIterator[Probe]:
    probe = await started(Probe(unique("manufacturer"), pyjabber_settings), role=None)
    try:
        yield probe
    finally:
        await probe.stop()


async def quote(maker: Probe, db: Database, order: Order) -> tuple[AclMessage, AclMessage]:
    """Play the manufacturer: take the order's request, move the order to ``quoted`` (as the manufacturer's
    agent stores it) and propose; the request and the proposal."""
    request = await maker.next_message(wait=WAIT)
    assert request.performative is Performative.REQUEST and request.protocol == ProtocolName.ORDER
    maker.send_acl(request.create_reply(Performative.AGREE, Ping()))
    await advance(db, str(order.id), OrderStatus.QUOTED)
    quotation = quotation_of(order)
    proposal = request.create_reply(Performative.PROPOSE, quotation, reply_by=quotation.valid_until)
    maker.send_acl(proposal)
    return request, proposal


async def test_a_quotation_waiting_for_an_answer_is_answered_after_the_customer_agent_restarts(
    pyjabber_settings: Settings, tmp_path: Path, maker: Probe
) -> None:
    order = an_order()
    db = await order_store(tmp_path, order)
    name = unique("customers")
    before, after = QueueDecisions(), QueueDecisions()
    first = await started(customer_agent(name, pyjabber_settings, before, db), role=None)
    second: CustomerAgent | None = None
    try:
        first.place_order(order, maker.address)
        request, proposal = await quote(maker, db, order)
        async with asyncio.timeout(WAIT):
            _order, quotation, counters = await before.quotations.get()
        (row,) = await customer_rows(db, order)  # written before the decision source was asked
        assert (row.agent_jid, row.conversation_id) == (first.address, request.conversation_id)
        assert (row.state_name, row.finished, row.round) == ("evaluating", False, 1)
        await first.stop()  # the quotation is not answered

        second = customer_agent(name, pyjabber_settings, after, db)
        await second.start()
        handle = second.orders[order.id]
        assert handle.resumed and handle.manufacturer == maker.address
        assert handle.conversation_id == request.conversation_id
        assert [q.id for q in handle.quotations] == [quotation.id]
        async with asyncio.timeout(WAIT):
            asked_order, asked, counters = await after.quotations.get()
        assert (asked_order.id, asked_order.status, asked.id, counters) == (
            order.id,
            OrderStatus.QUOTED,
            quotation.id,
            0,
        )
        after.answer(quotation.id, Decision.accept())
        accepted = await maker.next_message(request.conversation_id, wait=WAIT)
        assert accepted.performative is Performative.ACCEPT_PROPOSAL
        assert accepted.in_reply_to == proposal.reply_with
        committed = ContractCommitted(order_id=order.id, order_contract_id="#order:0")
        maker.send_acl(accepted.create_reply(Performative.INFORM, committed))
        async with asyncio.timeout(WAIT):
            outcome = await handle.outcome
        assert outcome.status == "contracted", outcome
        assert outcome.committed == committed and outcome.quotation == quotation
        (row,) = await customer_rows(db, order)
        assert (row.state_name, row.finished) == ("completed", True)
    finally:
        await stop(second, first)
        await db.close()


async def test_quotations_whose_time_ran_out_or_whose_order_moved_on_are_not_resumed(
    pyjabber_settings: Settings, tmp_path: Path, maker: Probe
) -> None:
    late, failed, untold = an_order(), an_order(), an_order()
    db = await order_store(tmp_path, late, failed, untold)
    name = unique("customers")
    before, after = QueueDecisions(), QueueDecisions()
    first = await started(customer_agent(name, pyjabber_settings, before, db, decision_seconds=3), role=None)
    unkept = await started(
        customer_agent(unique("customers"), pyjabber_settings, QueueDecisions(), None), role=None
    )
    second: CustomerAgent | None = None
    try:
        for order in (failed, late):  # the agent stops well before the time to answer them runs out
            first.place_order(order, maker.address)
            await quote(maker, db, order)
            async with asyncio.timeout(WAIT):
                await before.quotations.get()
        unkept.place_order(untold, maker.address)  # an agent given no store keeps nothing there
        await quote(maker, db, untold)
        await first.stop()
        await unkept.stop()
        await advance(db, str(failed.id), OrderStatus.FAILED)  # as the manufacturer's recovery may do
        await asyncio.sleep(3.5)  # the time to answer the late one runs out

        second = customer_agent(name, pyjabber_settings, after, db)
        await second.start()
        assert second.orders == {}
        assert after.quotations.empty()
        (late_row,) = await customer_rows(db, late)
        (failed_row,) = await customer_rows(db, failed)
        assert (late_row.finished, late_row.state_name) == (True, "expired")
        assert (failed_row.finished, failed_row.state_name) == (True, "order-not-quoted")
        assert await customer_rows(db, untold) == []
    finally:
        await stop(second, first, unkept)
        await db.close()


async def test_a_quotation_sent_while_the_customer_agent_was_away_is_read_back_from_the_message_log(
    pyjabber_settings: Settings, tmp_path: Path, maker: Probe
) -> None:
    """The customer agent stopped after requesting the order; the manufacturer agreed and proposed meanwhile
    (its agent logged what it sent). A new customer agent finds the order quoted, reads the quotation back
    from the log, asks the decision source, and its acceptance answers the very proposal the manufacturer
    sent."""
    order = an_order()
    db = await order_store(tmp_path, order)
    name = unique("customers")
    decisions = QueueDecisions()
    first = await started(customer_agent(name, pyjabber_settings, QueueDecisions(), db), role=None)
    second: CustomerAgent | None = None
    try:
        first.place_order(order, maker.address)
        request = await maker.next_message(wait=WAIT)
        (row,) = await customer_rows(db, order)
        assert (row.state_name, row.finished) == ("collecting", False), "kept before any quotation"
        await first.stop()

        quotation = quotation_of(order)
        sent = [
            request.create_reply(Performative.AGREE, Ping()),
            request.create_reply(Performative.PROPOSE, quotation, reply_by=quotation.valid_until),
        ]
        async with db.transaction() as repos:  # what the manufacturer's agent logs as it sends
            for message in sent:
                logged = NewAclMessage.from_message(
                    message, agent_jid=maker.address, direction=Direction.OUT, order_id=str(order.id)
                )
                await repos.acl.log(logged)
        await advance(db, str(order.id), OrderStatus.QUOTED)

        second = customer_agent(name, pyjabber_settings, decisions, db)
        await second.start()
        async with asyncio.timeout(WAIT):
            _order, asked, counters = await decisions.quotations.get()
        assert (asked.id, counters) == (quotation.id, 0)
        decisions.answer(quotation.id, Decision.accept())
        accepted = await maker.next_message(request.conversation_id, wait=WAIT)
        assert accepted.performative is Performative.ACCEPT_PROPOSAL
        assert accepted.in_reply_to == sent[1].reply_with
    finally:
        await stop(second, first)
        await db.close()
