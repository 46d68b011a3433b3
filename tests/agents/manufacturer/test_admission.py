"""Who may order from a manufacturer agent, and what it keeps about orders, with no network.

The agent's admission checks are asked directly (the wire tests are in ``test_order_authority.py``); the
bindings are the store's, the same store the agent writes its orders to.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from agents.manufacturer.agent import ManufacturerAgent
from agents.runtime.conversation_behaviour import ConversationBehaviour
from agents.runtime.refusals import refuse
from common.settings import Settings
from ontology.common import Ping, Reason
from ontology.console import OrderDecision
from ontology.order import Order, OrderStatus
from ontology.policy import ManufacturerPolicy
from ontology.product import Product
from protocols.acl import AclMessage
from protocols.order_request import OrderParticipant
from protocols.performative import Performative, ProtocolName
from store.database import Database
from store.enums import ANY_PARTY, AgentRole, Direction, UserRole
from store.records import NewBinding
from tests.stores import add_users

JID = "maker@localhost"
CUSTOMER, OTHER_CUSTOMER, MANUFACTURER, OTHER_MANUFACTURER = "c", "c2", "m", "m2"
PRODUCT = Product(id="p", manufacturer_id=MANUFACTURER, name="P", base_cost=Decimal(1))
OWN = "own@localhost"
BRIDGE = "customers@localhost"
NEIGHBOUR = "neighbour@localhost"
STRANGER = "stranger@localhost"
CONSOLE = "console@localhost"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'lso.db'}", migrate=True)
    await add_users(
        database,
        (
            (CUSTOMER, UserRole.CUSTOMER),
            (OTHER_CUSTOMER, UserRole.CUSTOMER),
            (MANUFACTURER, UserRole.MANUFACTURER),
            (OTHER_MANUFACTURER, UserRole.MANUFACTURER),
        ),
    )
    async with database.transaction() as repos:
        for jid, party in ((OWN, CUSTOMER), (BRIDGE, ANY_PARTY), (NEIGHBOUR, OTHER_CUSTOMER)):
            await repos.bindings.bind(
                NewBinding(jid=jid, role=AgentRole.CUSTOMER, party_id=party, created_by="tests")
            )
    yield database
    await database.close()


@pytest.fixture
async def agent(db: Database) -> ManufacturerAgent:
    manufacturer = ManufacturerAgent(
        JID,
        Settings(_env_file=None),
        db=db,
        catalogue={PRODUCT.id: PRODUCT},
        matchmaker="mm@localhost",
        contract_agent="contract@localhost",
        policy=ManufacturerPolicy(capacity_hours_per_week=10, margin=Decimal("0.1")),
        manufacturer_id=MANUFACTURER,
        consoles=[CONSOLE],
    )
    await manufacturer.journal.publish([PRODUCT])
    return manufacturer


def an_order(**changes: object) -> Order:
    order = Order(
        customer_id=CUSTOMER,
        manufacturer_id=MANUFACTURER,
        product_id=PRODUCT.id,
        delivery_date=datetime.now(UTC).date() + timedelta(days=9),
    )
    return order.model_copy(update=changes)


def request(
    sender: str, content: Order | Ping, performative: Performative = Performative.REQUEST
) -> AclMessage:
    return AclMessage.build(
        performative, sender, JID, content, protocol=ProtocolName.ORDER, conversation_id=str(uuid.uuid4())
    )


def refused(reason: Reason | None) -> str:
    assert reason is not None
    assert reason.reason == "not-authorised", reason
    return reason.detail or ""


async def test_the_agent_reads_its_bindings_from_the_store_it_writes_orders_to(
    agent: ManufacturerAgent, db: Database
) -> None:
    assert agent.store is db
    assert await agent.directory.acts_for_exactly(OWN, AgentRole.CUSTOMER, CUSTOMER)


async def test_a_sender_acting_for_exactly_the_customer_may_place_a_new_order(
    agent: ManufacturerAgent,
) -> None:
    message = request(OWN, an_order())
    assert await agent._admit_order(message) is None
    assert message.conversation_id in agent._may_create


async def test_a_sender_acting_for_another_customer_or_for_nobody_is_refused(
    agent: ManufacturerAgent,
) -> None:
    for sender in (NEIGHBOUR, STRANGER, CONSOLE):
        message = request(sender, an_order())
        detail = refused(await agent._admit_order(message))
        assert detail == f"{sender} does not act for the customer of this order"
        assert message.conversation_id not in agent._may_create


async def test_an_order_for_another_manufacturer_is_refused_whoever_sends_it(
    agent: ManufacturerAgent,
) -> None:
    order = an_order(manufacturer_id=OTHER_MANUFACTURER)
    for sender in (OWN, BRIDGE):
        detail = refused(await agent._admit_order(request(sender, order)))
        assert detail == (
            f"order {order.id} is for manufacturer {OTHER_MANUFACTURER}, "
            f"and {JID} takes orders for {MANUFACTURER} only"
        )


async def test_the_bridge_places_only_orders_the_gateway_stored_while_received(
    agent: ManufacturerAgent, db: Database
) -> None:
    order = an_order()
    detail = refused(await agent._admit_order(request(BRIDGE, order)))
    assert detail == f"{BRIDGE} places orders the platform stored, and no order {order.id} is stored"
    async with db.transaction() as repos:
        await repos.orders.add_order(order)
    message = request(BRIDGE, order)
    assert await agent._admit_order(message) is None
    assert message.conversation_id not in agent._may_create, "the bridge never creates an order"
    for changed in (
        order.model_copy(update={"customer_id": OTHER_CUSTOMER}),
        order.model_copy(update={"product_id": "another"}),
    ):
        detail = refused(await agent._admit_order(request(BRIDGE, changed)))
        assert detail == f"the stored order {order.id} has another customer, product or manufacturer"
    async with db.transaction() as repos:
        await repos.orders.change_status(str(order.id), OrderStatus.ACCEPTED, actor="tests")
    detail = refused(await agent._admit_order(request(BRIDGE, order)))
    assert detail == f"the stored order {order.id} is accepted, not received"


async def test_what_is_not_an_order_request_is_left_to_the_responder(agent: ManufacturerAgent) -> None:
    """Not understood (by the responder) rather than refused: a decode failure is no authority question."""
    assert await agent._admit_order(request(STRANGER, Ping())) is None
    assert await agent._admit_order(request(STRANGER, an_order(), Performative.CFP)) is None
    assert not agent._may_create


async def test_only_the_consoles_open_requests(agent: ManufacturerAgent) -> None:
    step = OrderDecision(order_id=uuid.uuid4(), accept=True)
    message = AclMessage.build(
        Performative.REQUEST, STRANGER, JID, step, protocol=ProtocolName.REQUEST, conversation_id="c1"
    )
    assert await agent.desk.admit(message) == Reason(
        reason="not-a-console", detail=f"{STRANGER} is not a console of {JID}"
    )
    console = message.model_copy(update={"sender": CONSOLE})
    assert await agent.desk.admit(console) is None


class _Open:
    """A conversation the agent has open."""

    def __init__(self, conversation_id: str) -> None:
        self.conversation_id = conversation_id

    def deliver(self, message: AclMessage) -> None:
        del message


def test_what_the_agent_keeps_about_an_order_goes_once_no_flow_runs_for_it(agent: ManufacturerAgent) -> None:
    """An order's conversations, customer and last status go; one still open goes when it closes."""
    for n in range(3):
        order_id = f"o{n}"
        agent.follow(order_id, OWN)
        assert agent.followers.announcing(order_id, OrderStatus.QUOTED, changed=True)
        agent.track(f"{order_id}/status", order_id)
        agent.track(f"{order_id}/talk", order_id)
    agent.journal._remember("o0/talk", 3)
    still_open = _Open("o1/talk")
    agent.register_conversation(still_open)
    for n in range(3):
        agent.forget(f"o{n}")
    assert agent.orders_in_memory == {
        "customers": 0,
        "announced": 0,
        "conversations": 1,
        "orders tracked": 1,
        "flows": 0,
        "admitted": 0,
    }
    tracked = {cid: agent.orders.order_of(cid) for n in range(3) for cid in (f"o{n}/status", f"o{n}/talk")}
    assert {cid: order for cid, order in tracked.items() if order} == {"o1/talk": "o1"}
    assert "o0/talk" not in agent.journal._versions
    agent.unregister_conversation("o1/talk", still_open)
    assert agent.orders_in_memory["conversations"] == agent.orders_in_memory["orders tracked"] == 0


def test_only_messages_of_the_agents_conversations_are_queued_for_the_acl_log(
    agent: ManufacturerAgent,
) -> None:
    """What an outsider sends outside any conversation of the agent, or into one it is no party of, is not
    queued for the store; a conversation's parties' messages are, under their order when tracked."""
    opening = request(OWN, an_order())
    agent._log(opening, Direction.IN)
    assert agent._log_queue.empty()
    machine = OrderParticipant.for_message(opening, me=JID)
    agent.register_conversation(ConversationBehaviour(machine))
    intruder = opening.model_copy(update={"sender": STRANGER})
    agent._log(intruder, Direction.IN)
    agent._log(refuse(JID, intruder, "not-authorised"), Direction.OUT)
    assert agent._log_queue.empty()
    agent._log(opening, Direction.IN)
    agent.track(opening.conversation_id or "", "o9")
    agent._log(refuse(JID, opening, "duplicate-order"), Direction.OUT)
    logged = [agent._log_queue.get_nowait() for _ in range(agent._log_queue.qsize())]
    assert [(m.performative, d, o) for m, d, o in logged] == [
        (Performative.REQUEST, Direction.IN, None),
        (Performative.REFUSE, Direction.OUT, "o9"),
    ]
