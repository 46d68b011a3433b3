"""A recovery against a stand-in for its agent (no XMPP): each stored order is resumed through the one
``resume`` from the stage its status and its customer's conversation say, or ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agents.manufacturer.flow import customer_side
from agents.manufacturer.recovery import RESTARTED, recover
from agents.manufacturer.resumption import CONTRACTING, PRODUCTION, QUOTED
from ontology.codec import decode
from ontology.common import Reason
from ontology.order import Order, OrderStatus
from ontology.quotation import AcceptQuotation
from protocols.order_request import OrderParticipant, OrderRequestState
from protocols.performative import Performative
from store.enums import NegotiationRole
from tests.agents.manufacturer.fake_host import MAKER, FakeHost
from tests.agents.manufacturer.order_support import CUSTOMER_AGENT, request_of, stored_at
from tests.ledger.examples import commit_request

_S = OrderStatus


async def saved_conversation(host: FakeHost, order: Order, state: OrderRequestState) -> OrderParticipant:
    """The customer's order conversation as a previous run saved it, unfinished in ``state``."""
    now = datetime.now(UTC)
    opening = request_of(order)
    machine = customer_side(opening, me=MAKER, patience=timedelta(hours=1))
    machine.handle(opening, now)
    if state is not OrderRequestState.REQUESTED:
        machine.agree(now=now)
        quotation = commit_request().quotation.model_copy(update={"order_id": order.id})
        [proposal] = machine.propose(quotation, now=now, valid_until=now + timedelta(hours=1))
        if state is OrderRequestState.ACCEPTED:
            accept = AcceptQuotation(order_id=order.id, quotation_id=quotation.id)
            machine.handle(proposal.create_reply(Performative.ACCEPT_PROPOSAL, accept), now)
    assert machine.state is state
    await host.journal.save_machine(machine, NegotiationRole.PARTICIPANT, str(order.id))
    return machine


async def test_each_order_is_resumed_from_the_stage_it_stopped_at(host: FakeHost) -> None:
    quoted = await stored_at(host, _S.QUOTED)
    await saved_conversation(host, quoted, OrderRequestState.QUOTED)
    confirmed = await stored_at(host, _S.CONFIRMED)
    await saved_conversation(host, confirmed, OrderRequestState.ACCEPTED)
    in_production = await stored_at(host, _S.IN_PRODUCTION)

    assert await recover(host) == []
    resumed = {order_id: (stage, machine) for stage, order_id, machine in host.resumed}
    assert resumed.keys() == {str(quoted.id), str(confirmed.id), str(in_production.id)}
    stage, machine = resumed[str(quoted.id)]
    assert stage is QUOTED and machine is not None and machine.state is OrderRequestState.QUOTED
    stage, machine = resumed[str(confirmed.id)]
    assert stage is CONTRACTING and machine is not None and machine.state is OrderRequestState.ACCEPTED
    assert resumed[str(in_production.id)] == (PRODUCTION, None), "its conversation is read when resumed"
    assert host.customers == {str(quoted.id): CUSTOMER_AGENT, str(confirmed.id): CUSTOMER_AGENT}
    for order, status in ((quoted, _S.QUOTED), (confirmed, _S.CONFIRMED), (in_production, _S.IN_PRODUCTION)):
        assert await host.journal.current_status(str(order.id)) is status
    assert not host.sent and host.forgot_idle == 1


async def test_what_cannot_be_resumed_is_ended_and_failed(host: FakeHost) -> None:
    host.resumable = False
    received = await stored_at(host, _S.RECEIVED)
    await saved_conversation(host, received, OrderRequestState.REQUESTED)
    quoted = await stored_at(host, _S.QUOTED)
    await saved_conversation(host, quoted, OrderRequestState.QUOTED)
    in_production = await stored_at(host, _S.IN_PRODUCTION)
    produced = await stored_at(host, _S.PRODUCED)

    failed = await recover(host)
    assert sorted(failed) == sorted([str(received.id), str(quoted.id)])
    asked = [(stage.name, order_id) for stage, order_id, _ in host.resumed]
    assert asked[0] == (QUOTED.name, str(quoted.id)), "conversations first"
    assert sorted(asked[1:]) == sorted((PRODUCTION.name, str(o.id)) for o in (in_production, produced))
    for order in (received, quoted, in_production):
        assert await host.journal.current_status(str(order.id)) is _S.FAILED
    assert await host.journal.current_status(str(produced.id)) is _S.PRODUCED, "produced: it may not fail"
    [refusal] = host.sent  # the customer still waiting for an answer to its request hears why
    assert refusal.performative is Performative.REFUSE and refusal.receivers == (CUSTOMER_AGENT,)
    assert decode(refusal.content, Reason).reason == RESTARTED
    assert not await host.journal.unfinished(), "every conversation left open is ended"


async def test_on_the_ledger_an_accepted_order_is_never_failed_blindly(host: FakeHost) -> None:
    """Its customer's conversation ended (nothing to serve again), but the commit may have landed: with the
    manufacturer on the ledger the contract step is taken again, and the ledger decides; without a ledger
    the order fails as before."""
    contracting = await stored_at(host, _S.CONTRACTING)
    confirmed = await stored_at(host, _S.CONFIRMED)
    quoted = await stored_at(host, _S.QUOTED)
    host.ledger = object()  # type: ignore[assignment]  # only whether there is one matters here

    failed = await recover(host)
    assert failed == [str(quoted.id)]
    again = sorted((stage.name, order_id) for stage, order_id, _ in host.resumed)
    assert again == sorted((CONTRACTING.name, str(o.id)) for o in (contracting, confirmed))
    assert await host.journal.current_status(str(contracting.id)) is _S.CONTRACTING


async def test_without_a_ledger_an_interrupted_contract_step_fails(host: FakeHost) -> None:
    contracting = await stored_at(host, _S.CONTRACTING)
    assert await recover(host) == [str(contracting.id)]
    assert await host.journal.current_status(str(contracting.id)) is _S.FAILED
