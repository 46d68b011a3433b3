"""The console desk against a stand-in for its agent (no XMPP): a console's step taken by the order's flow
(the order moves on, its followers hear it, the console is told it was done), and steps refused."""

from __future__ import annotations

import asyncio

from agents.manufacturer.console import NOT_AWAITED, WRONG_STATUS
from agents.manufacturer.flow import OrderFlow
from agents.manufacturer.resumption import PRODUCTION, Resumption
from agents.runtime.conversation_behaviour import ConversationBehaviour
from ontology.billing import Invoice
from ontology.codec import Content, decode
from ontology.common import Reason
from ontology.console import ProductionProgress
from ontology.order import Order, OrderStatus
from protocols.acl import AclMessage
from protocols.order_request import OrderParticipant
from protocols.performative import Performative, ProtocolName
from tests.agents.manufacturer.fake_host import MAKER, WAIT, FakeHost
from tests.agents.manufacturer.order_support import CUSTOMER_AGENT, POLICY, opening, stored_at
from tests.ledger.examples import commit_request

CONSOLE = "console@test"
_S = OrderStatus


def console_request(step: Content) -> AclMessage:
    return opening(CONSOLE, step, ProtocolName.REQUEST)


def to_console(host: FakeHost, after: int) -> list[AclMessage]:
    return [m for m in host.sent[after:] if m.receivers == (CONSOLE,)]


def producing(host: FakeHost, order: Order) -> asyncio.Task[None]:
    """The flow of a contracted order, resumed: production waits for the console's progress reports."""
    quotation = commit_request().quotation.model_copy(update={"order_id": order.id})
    machine = OrderParticipant(me=MAKER, initiator=CUSTOMER_AGENT, conversation_id=f"{order.id}/order")
    point = Resumption(PRODUCTION, order, machine, quotation, network=None, product=None)
    flow = OrderFlow(host, ConversationBehaviour(machine), order)
    return host.run(str(order.id), flow.resume(point))


async def test_a_console_reports_production_done_and_the_order_moves_on(host: FakeHost) -> None:
    host.policy = POLICY.model_copy(update={"auto_produce": False})
    order = await stored_at(host, _S.CONTRACTED)
    order_id = str(order.id)
    task = producing(host, order)
    async with asyncio.timeout(WAIT):
        while not host.desk.waits_for(order_id, ProductionProgress):  # noqa: ASYNC110 (the flow opens its gate)
            await asyncio.sleep(0.01)
    assert await host.journal.current_status(order_id) is _S.IN_PRODUCTION
    before = len(host.sent)
    host.desk.open_request(console_request(ProductionProgress(order_id=order.id, percent=100)))

    invoice = await host.next_sent(Performative.REQUEST, after=before)
    assert invoice.receivers == (CUSTOMER_AGENT,) and decode(invoice.content, Invoice).order_id == order.id
    assert [m.performative for m in to_console(host, before)] == [Performative.AGREE, Performative.INFORM]
    assert await host.journal.current_status(order_id) is _S.INVOICED
    produced = [n for n in host.notices if n.status is _S.PRODUCED]
    assert [n.progress for n in produced] == [100], "the followers hear it is produced, once"
    assert host.statuses(order_id)[-3:] == [_S.IN_PRODUCTION, _S.PRODUCED, _S.INVOICED]
    assert host.tracked[invoice.conversation_id or ""] == order_id
    task.cancel()


async def test_a_step_no_flow_waits_for_is_refused_with_the_reason(host: FakeHost) -> None:
    contracted = await stored_at(host, _S.CONTRACTED)
    in_production = await stored_at(host, _S.IN_PRODUCTION)
    for order, reason in ((contracted, WRONG_STATUS), (in_production, NOT_AWAITED)):
        before = len(host.sent)
        host.desk.open_request(console_request(ProductionProgress(order_id=order.id, percent=10)))
        refusal = await host.next_sent(Performative.REFUSE, after=before)
        assert refusal.receivers == (CONSOLE,)
        assert decode(refusal.content, Reason).reason == reason
    assert await host.journal.current_status(str(in_production.id)) is _S.IN_PRODUCTION
    assert not host.notices
