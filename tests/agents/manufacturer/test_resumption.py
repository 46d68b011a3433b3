"""What resuming an order reads from the store, stage by stage, and when the store lacks it."""

from __future__ import annotations

from agents.manufacturer.resumption import CONTRACTING, PRODUCTION, QUOTED, load_resumption
from ontology.order import Order, OrderStatus
from ontology.product import Product
from ontology.quotation import Quotation
from protocols.order_request import OrderParticipant
from store.enums import NegotiationRole
from tests.agents.manufacturer.fake_host import MAKER, FakeHost
from tests.agents.manufacturer.order_support import BIKE, CUSTOMER_AGENT, stored_at
from tests.ledger.examples import commit_request, network_for


async def catalogue(product_id: str) -> Product | None:
    return BIKE if product_id == BIKE.id else None


async def quoted(host: FakeHost) -> tuple[Order, Quotation, OrderParticipant]:
    """A quoted order with its quotation, and the customer's conversation, all stored."""
    order = await stored_at(host, OrderStatus.QUOTED)
    quotation = commit_request().quotation.model_copy(update={"order_id": order.id})
    await host.journal.set_quotation(str(order.id), quotation)
    machine = OrderParticipant(me=MAKER, initiator=CUSTOMER_AGENT, conversation_id=f"{order.id}/order")
    await host.journal.save_machine(machine, NegotiationRole.PARTICIPANT, str(order.id))
    return order, quotation, machine


async def test_production_reads_the_order_its_quotation_and_the_customers_conversation(
    host: FakeHost,
) -> None:
    order, quotation, machine = await quoted(host)
    point = await load_resumption(host.journal, catalogue, PRODUCTION, str(order.id))
    assert point is not None and point.stage is PRODUCTION
    assert (point.order.id, point.quotation) == (order.id, quotation)
    assert (
        point.machine.initiator == CUSTOMER_AGENT and point.machine.conversation_id == machine.conversation_id
    )
    assert point.network is None and point.product is None, "production needs neither"


async def test_the_quoted_and_contracting_stages_need_the_network_and_quoted_the_product(
    host: FakeHost,
) -> None:
    order, _, machine = await quoted(host)
    order_id = str(order.id)
    for stage in (QUOTED, CONTRACTING):
        assert await load_resumption(host.journal, catalogue, stage, order_id, machine) is None, "no network"
    network = network_for(order.id, ("s1", "s2"))
    await host.journal.set_network(order_id, network)
    contracting = await load_resumption(host.journal, catalogue, CONTRACTING, order_id, machine)
    assert contracting is not None and contracting.machine is machine
    assert contracting.network == network and contracting.product is None
    again = await load_resumption(host.journal, catalogue, QUOTED, order_id, machine)
    assert again is not None and again.network == network and again.product == BIKE

    async def nothing(product_id: str) -> Product | None:
        return None

    assert await load_resumption(host.journal, nothing, QUOTED, order_id, machine) is None, "no product"


async def test_nothing_is_resumed_without_a_quotation_or_a_conversation(host: FakeHost) -> None:
    order = await stored_at(host, OrderStatus.IN_PRODUCTION)
    order_id = str(order.id)
    assert await load_resumption(host.journal, catalogue, PRODUCTION, order_id) is None, "no quotation"
    quotation = commit_request().quotation.model_copy(update={"order_id": order.id})
    await host.journal.set_quotation(order_id, quotation)
    assert await load_resumption(host.journal, catalogue, PRODUCTION, order_id) is None, "no conversation"
