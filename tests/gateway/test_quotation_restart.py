"""An open quotation survives a restart of the gateway and of the manufacturer's agent (issue 18).

The gateway's real bridge (its customer and console agents) and a real manufacturer agent log in to the
embedded pyjabber and share one SQLite store, as `lso run` has them; the manufacturer makes a stool from its
own processes (no suppliers) and a stand-in contract step commits at once (no ledger). An order the app
stored is placed through the bridge and quoted; then the bridge and the manufacturer's agent stop while the
quotation waits for the customer's answer, and new ones start on the same store and accounts: the customer's
side first, then the manufacturer's (whichever comes up first, the order is still ``quoted``). The customer's
confirmation through the new bridge is taken: the order goes on to ``contracted``, in the conversation of
before.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from agents.manufacturer.agent import ManufacturerAgent
from agents.manufacturer.settings import Timings
from common.settings import Settings
from gateway.bridge.base import QuotationAnswer
from gateway.bridge.xmpp import XmppAgentBridge
from ontology.order import Order, OrderStatus
from ontology.policy import ManufacturerPolicy
from ontology.process import ProcessKind
from ontology.product import Product, RequiredPart
from store.database import Database
from store.enums import AgentRole, NegotiationRole, PolicyKind, UserRole
from tests.agents.manufacturer.fake_host import CommitAtOnce
from tests.gateway.bridge_agents import bridge_agents
from tests.stores import store_with_users
from tests.xmpp_accounts import started

CUSTOMER, MANUFACTURER = "customer-restart-quote", "manufacturer-restart-quote"
STOOL = Product(
    id="stool-restart-quote",
    manufacturer_id=MANUFACTURER,
    name="Stool",
    base_cost=Decimal(40),
    base_parts=(RequiredPart(part_id="assembly", process=ProcessKind.ASSEMBLY, machine_minutes=10),),
)
POLICY = ManufacturerPolicy(
    capacity_hours_per_week=1000,
    own_processes=frozenset({ProcessKind.ASSEMBLY}),
    margin=Decimal("0.2"),
    production_days=1,
)
TIMINGS = Timings(
    quotation_validity=timedelta(seconds=120),
    contract=timedelta(seconds=20),
    production=timedelta(seconds=0),
    payment=timedelta(seconds=30),
)
WAIT = 30.0


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def manufacturer(name: str, settings: Settings, db: Database) -> ManufacturerAgent:
    return ManufacturerAgent(
        name,
        settings,
        db=db,
        catalogue={STOOL.id: STOOL},
        matchmaker=f"nobody@{settings.xmpp_domain}",
        contract_step=CommitAtOnce(),
        policy=POLICY,
        manufacturer_id=MANUFACTURER,
        timings=TIMINGS,
    )


async def status_of(db: Database, order_id: str) -> str | None:
    async with db.transaction() as repos:
        record = await repos.orders.get(order_id)
    return None if record is None else record.status


async def customer_side(db: Database, order: Order, agent_jid: str) -> tuple[str, bool]:
    """The state name of the customer agent's conversation of ``order`` in the store, and whether finished."""
    async with db.transaction() as repos:
        states = await repos.negotiations.by_order(str(order.id))
    (ours,) = [s for s in states if s.agent_jid == agent_jid and s.role == NegotiationRole.INITIATOR]
    return ours.state_name, ours.finished


async def test_a_quotation_open_when_the_gateway_and_the_manufacturer_restart_is_confirmed_afterwards(
    pyjabber_settings: Settings, tmp_path: Path
) -> None:
    settings = pyjabber_settings
    db = await store_with_users(
        tmp_path, ((CUSTOMER, UserRole.CUSTOMER), (MANUFACTURER, UserRole.MANUFACTURER))
    )
    config = await bridge_agents(settings, db, answer_wait_seconds=WAIT)
    maker_name = unique("manufacturer")
    running: list[ManufacturerAgent | XmppAgentBridge] = []
    try:
        maker = await started(
            manufacturer(maker_name, settings, db), role=AgentRole.MANUFACTURER, party=MANUFACTURER, db=db
        )
        running.append(maker)
        async with db.transaction() as repos:
            await repos.policies.put(
                maker.address, PolicyKind.MANUFACTURER, POLICY, owner_user_id=MANUFACTURER
            )
        bridge = XmppAgentBridge(db, settings, config)
        await bridge.start()
        running.append(bridge)
        order = Order(
            customer_id=CUSTOMER,
            manufacturer_id=MANUFACTURER,
            product_id=STOOL.id,
            delivery_date=datetime.now(UTC).date() + timedelta(days=30),
        )
        async with db.transaction() as repos:  # the gateway stores the order before its agent places it
            await repos.orders.add_order(order)
        await bridge.place_order(order)
        quotation = await bridge.decisions.open_quotation(order.id, WAIT)  # asked, not answered
        conversation = bridge.customer.orders[order.id].conversation_id
        assert await status_of(db, str(order.id)) == OrderStatus.QUOTED
        assert await customer_side(db, order, bridge.customer_jid) == ("evaluating", False)

        for stopping in reversed(running):  # the platform goes down; the store stays
            await stopping.stop()
        running.clear()

        bridge = XmppAgentBridge(db, settings, config)
        await bridge.start()  # the customer's side comes up first: the order is still quoted
        running.append(bridge)
        maker = manufacturer(maker_name, settings, db)
        await maker.start()
        running.append(maker)
        handle = bridge.customer.orders[order.id]
        assert handle.resumed and handle.conversation_id == conversation
        assert [q.id for q in handle.quotations] == [quotation.id]

        await bridge.answer_quotation(order.id, QuotationAnswer.CONFIRM)  # POST /orders/{id}/confirm
        async with asyncio.timeout(WAIT):
            outcome = await handle.outcome
        assert outcome.status == "contracted", outcome
        assert outcome.committed is not None and outcome.committed.order_contract_id == f"#{order.id}:0"
        assert outcome.quotation is not None and outcome.quotation.id == quotation.id
        async with db.transaction() as repos:
            history = await repos.orders.history(str(order.id))
        statuses = [change.to_status for change in history]
        assert OrderStatus.CONTRACTED in statuses and OrderStatus.FAILED not in statuses, statuses
        assert await customer_side(db, order, bridge.customer_jid) == ("completed", True)
    finally:
        for agent in reversed(running):
            await agent.stop()
        await db.close()
