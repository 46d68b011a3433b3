"""An order's flow against a stand-in for its agent (no XMPP): the customer's request taken and quoted, a
refused order, a declined quotation, an accepted one contracted (also when the contract step could not tell
at first whether it committed)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

import pytest

from agents.manufacturer import flow as flow_module
from agents.manufacturer.contracting import pending
from agents.manufacturer.flow import OrderFlow, customer_side
from agents.manufacturer.order_estimate import SupplierPrices, dataset_records, estimate_order
from agents.manufacturer.requests import Opened
from ontology.billing import Invoice, InvoiceLine
from ontology.codec import decode
from ontology.common import Reason
from ontology.contract import CommitAgreement, ContractCommitted
from ontology.customisation import Customisation
from ontology.events import EventCode, HistoryEvent, day
from ontology.order import Order, OrderStatus
from ontology.policy import ManufacturerPolicy
from ontology.process import ProcessKind
from ontology.product import RequiredPart
from ontology.quotation import AcceptQuotation, Quotation
from protocols.acl import AclMessage
from protocols.performative import Performative
from tests.agents.manufacturer.fake_host import MAKER, MANUFACTURER, WAIT, CommitAtOnce, FakeHost
from tests.agents.manufacturer.order_support import (
    BIKE,
    CUSTOMER,
    CUSTOMER_AGENT,
    an_order,
    request_of,
    stored_at,
)

_S = OrderStatus


def start(host: FakeHost, order: Order) -> tuple[OrderFlow, asyncio.Task[None]]:
    """The order's flow, started as the agent starts it for the customer's request."""
    opening = request_of(order)
    machine = customer_side(opening, me=MAKER, patience=host.timings.quotation_validity)
    conversation = host.open_conversation(machine, opening=opening)
    flow = OrderFlow(host, conversation, order, may_create=True)
    return flow, host.run(str(order.id), flow.run())


async def quoted(host: FakeHost, order: Order) -> tuple[OrderFlow, asyncio.Task[None], AclMessage]:
    flow, task = start(host, order)
    return flow, task, await host.next_sent(Performative.PROPOSE)


async def accepted(host: FakeHost, order: Order) -> tuple[asyncio.Task[None], Quotation, AclMessage]:
    """The order quoted, its quotation accepted: the flow, the quotation, and what the customer was told."""
    flow, task, proposal = await quoted(host, order)
    quotation = decode(proposal.content, Quotation)
    accept = proposal.create_reply(
        Performative.ACCEPT_PROPOSAL, AcceptQuotation(order_id=order.id, quotation_id=quotation.id)
    )
    flow.conversation.deliver(accept)
    return task, quotation, await host.next_sent(Performative.INFORM)


async def test_an_order_request_is_taken_agreed_and_quoted(host: FakeHost) -> None:
    order = an_order()
    order_id = str(order.id)
    flow, task, proposal = await quoted(host, order)
    assert host.customers[order_id] == CUSTOMER_AGENT, "the customer's agent hears the order's notices"
    assert [m.performative for m in host.sent] == [Performative.AGREE, Performative.PROPOSE]
    assert all(m.receivers == (CUSTOMER_AGENT,) for m in host.sent)
    quotation = decode(proposal.content, Quotation)
    assert quotation.order_id == order.id and quotation.total_price > BIKE.base_cost
    record = await host.journal.order_record(order_id)
    assert record is not None and record.status == _S.QUOTED
    assert record.quotation is not None and Quotation.model_validate(record.quotation) == quotation
    assert host.statuses(order_id) == [_S.RECEIVED, _S.ACCEPTED, _S.SOURCING, _S.NEGOTIATING, _S.QUOTED]
    assert not task.done(), "the flow waits for the customer's answer"
    assert flow.conversation.machine.state == "quoted"


async def test_an_order_the_manufacturer_cannot_make_is_refused_and_rejected(host: FakeHost) -> None:
    order = an_order(customisation=Customisation(choices={"colour": "blue"}))  # the bike has no options
    order_id = str(order.id)
    _, task = start(host, order)
    await asyncio.wait_for(task, WAIT)
    [refusal] = host.sent
    assert refusal.performative is Performative.REFUSE and refusal.receivers == (CUSTOMER_AGENT,)
    assert decode(refusal.content, Reason).reason == "invalid-customisation"
    assert await host.journal.current_status(order_id) is _S.REJECTED
    assert host.statuses(order_id) == [_S.RECEIVED, _S.REJECTED]


async def test_a_declined_quotation_ends_the_order_declined(host: FakeHost) -> None:
    order = an_order()
    order_id = str(order.id)
    flow, task, proposal = await quoted(host, order)
    decline = proposal.create_reply(Performative.REJECT_PROPOSAL, Reason(reason="too-expensive"))
    flow.conversation.deliver(decline)
    await asyncio.wait_for(task, WAIT)
    assert await host.journal.current_status(order_id) is _S.DECLINED
    assert host.statuses(order_id)[-1] is _S.DECLINED
    assert isinstance(host.contract_step, CommitAtOnce) and not host.contract_step.asked


async def test_an_accepted_quotation_is_contracted_and_the_customer_told(host: FakeHost) -> None:
    order = an_order()
    order_id = str(order.id)
    task, quotation, told = await accepted(host, order)
    assert told.receivers == (CUSTOMER_AGENT,)
    assert decode(told.content, ContractCommitted).order_contract_id == f"#{order_id}:0"
    assert isinstance(host.contract_step, CommitAtOnce)
    [asked] = host.contract_step.asked
    assert asked.quotation == quotation and asked.order.status is _S.CONTRACTING
    statuses = host.statuses(order_id)
    assert statuses[statuses.index(_S.QUOTED) :][:4] == [
        _S.QUOTED,
        _S.CONFIRMED,
        _S.CONTRACTING,
        _S.CONTRACTED,
    ]
    task.cancel()


WELDED = BIKE.model_copy(
    update={
        "id": "welded-bike",
        "base_parts": (
            RequiredPart(part_id="frame", process=ProcessKind.WELDING, material="steel", machine_minutes=60),
        ),
    }
)
SOURCING = ManufacturerPolicy(
    capacity_hours_per_week=40,
    margin=Decimal("0.2"),
    sourced_processes=frozenset({ProcessKind.WELDING}),
    production_days=1,
)


async def sells_the_welded_bike(host: FakeHost) -> date:
    """The host sells a bike whose frame it buys; the earliest delivery of its estimate (the shipped
    supplier data set's quickest welders), which lies after the own work's."""
    host.catalogue[WELDED.id] = WELDED
    await host.journal.publish([WELDED])
    host.policy = SOURCING
    prices = SupplierPrices(dataset_records())
    shown = estimate_order(WELDED, Customisation(), 1, SOURCING, prices, 0, date.today())
    assert shown.earliest > date.today() + timedelta(days=SOURCING.production_days)
    return shown.earliest


async def test_a_date_before_the_estimates_earliest_is_refused_with_that_date(host: FakeHost) -> None:
    earliest = await sells_the_welded_bike(host)
    order = an_order(product_id=WELDED.id, delivery_date=earliest - timedelta(days=1))
    _, task = start(host, order)
    await asyncio.wait_for(task, WAIT)
    [refusal] = host.sent
    assert refusal.performative is Performative.REFUSE
    reason = decode(refusal.content, Reason)
    assert reason.reason == "infeasible-delivery-date" and earliest.isoformat() in (reason.detail or "")
    rejected = host.notices[-1]
    assert rejected.status is _S.REJECTED
    assert rejected.event == HistoryEvent.of(EventCode.DATE_TOO_SOON, earliest_delivery=earliest)
    assert rejected.note.endswith(f"the earliest delivery it can promise is {day(earliest)}.")


async def test_an_accepted_order_is_told_the_earliest_date_its_estimate_showed(host: FakeHost) -> None:
    earliest = await sells_the_welded_bike(host)
    order = an_order(product_id=WELDED.id, delivery_date=earliest + timedelta(days=10))
    _, task = start(host, order)
    await host.next_sent(Performative.AGREE)
    accepted = next(n for n in host.notices if n.status is _S.ACCEPTED)
    assert accepted.event == HistoryEvent.of(EventCode.ACCEPTED, earliest_delivery=earliest)
    task.cancel()


async def test_billing_again_after_a_restart_keeps_the_one_invoice_and_one_move(host: FakeHost) -> None:
    """The invoice and the move to invoiced are one transaction; billing an order that has its issued invoice
    already (a restart between the two used to add a second one) gives that invoice back."""
    order = await stored_at(host, _S.PRODUCED)
    due = date.today() + timedelta(days=30)

    def invoice() -> Invoice:
        line = InvoiceLine(description="Bike", quantity=2, unit_price=Decimal("60.00"))
        return Invoice(
            order_id=order.id,
            issuer=MANUFACTURER,
            payer=CUSTOMER,
            lines=(line,),
            total=Decimal("120.00"),
            due_date=due,
        )

    raised = HistoryEvent.of(EventCode.INVOICE_RAISED, total=Decimal("120.00"), currency="EUR", due_date=due)
    first = await host.journal.raise_invoice(invoice(), raised)
    again = await host.journal.raise_invoice(invoice(), raised)
    assert again.id == first.id and again.total == Decimal("120.00")
    async with host.db.transaction() as repos:
        rows = await repos.invoices.by_order(str(order.id))
        history = await repos.orders.history(str(order.id))
    assert [row.id for row in rows] == [str(first.id)]
    assert [change.event for change in history if change.to_status == _S.INVOICED] == ["invoice-raised"]


class LedgerAwayFirst(CommitAtOnce):
    """A contract step whose first ``away`` answers say the commit may still land (the ledger away)."""

    def __init__(self, away: int) -> None:
        super().__init__()
        self.away = away

    async def commit(
        self, request: CommitAgreement, opened: Opened | None = None
    ) -> ContractCommitted | Reason:
        if len(self.asked) < self.away:
            self.asked.append(request)
            return pending("the ledger was unreachable while accepting the order")
        return await super().commit(request, opened)


async def test_an_order_whose_commit_may_still_land_is_not_failed_but_asked_again(
    host: FakeHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the contract step cannot tell whether it committed, the order stays contracting (the customer
    reads why, once) and the step is asked again until it answers for certain."""
    monkeypatch.setattr(flow_module, "COMMIT_RETRY_FIRST", 0.01)
    host.contract_step = LedgerAwayFirst(away=3)
    order = an_order()
    order_id = str(order.id)
    task, _, told = await accepted(host, order)
    assert decode(told.content, ContractCommitted).order_contract_id == f"#{order_id}:0"
    assert len(host.contract_step.asked) == 4
    statuses = host.statuses(order_id)
    assert _S.FAILED not in statuses
    assert statuses[statuses.index(_S.CONFIRMED) :][:3] == [_S.CONFIRMED, _S.CONTRACTING, _S.CONTRACTED]
    noted = await host.journal.events_noted(order_id)
    assert noted[EventCode.CONTRACT_WAITING] == 1, "the customer reads once that signing waits"
    task.cancel()
