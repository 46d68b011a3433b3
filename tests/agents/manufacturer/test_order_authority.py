"""Who may order from a manufacturer agent, over XMPP (the embedded pyjabber).

The manufacturer runs in its own process (``python -m agents.manufacturer``) on a SQLite store the test
reads too; the test's probes, each bound in that store (or not at all), send it ``lso-order`` requests, so
every message crosses the XMPP server and the manufacturer believes only the sender the server stamped.
A refused request leaves nothing in the store: no order, no status history, no ACL log row, no snapshot.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from agents.runtime.child_process import ChildProcess, spawn
from common.settings import Settings
from ontology.codec import Content, decode
from ontology.common import Ping, Reason
from ontology.console import StartSourcing
from ontology.order import Order, OrderStatus
from ontology.policy import ManufacturerPolicy
from ontology.process import ProcessKind
from ontology.product import Product, RequiredPart
from protocols.acl import AclMessage
from protocols.performative import Performative, ProtocolName
from store.database import Database
from store.enums import AgentRole, UserRole
from tests.agents.probe import Probe
from tests.stores import store_with_users
from tests.xmpp_accounts import bind, create_account, started

CUSTOMER, OTHER_CUSTOMER = "customer-auth", "customer-auth-2"
MANUFACTURER, OTHER_MANUFACTURER = "manufacturer-auth", "manufacturer-auth-2"
CHAIR = Product(
    id="chair-auth",
    manufacturer_id=MANUFACTURER,
    name="Chair",
    base_cost=Decimal(50),
    base_parts=(RequiredPart(part_id="assembly", process=ProcessKind.ASSEMBLY, machine_minutes=30),),
)
POLICY = ManufacturerPolicy(
    capacity_hours_per_week=1000,
    own_processes=frozenset({ProcessKind.ASSEMBLY}),
    margin=Decimal("0.2"),
    production_days=1,
)
WAIT = 20.0


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


@dataclass
class World:
    db: Database
    manufacturer: str
    own: Probe
    """Bound to exactly the customer."""
    bridge: Probe
    """Bound to every customer (``*``), like the gateway's ``customers@``."""
    neighbour: Probe
    """Bound to another customer."""
    stranger: Probe
    """Bound to nothing."""
    console: Probe
    """The manufacturer's configured console."""


async def prepared_store(directory: Path) -> tuple[str, Database]:
    db = await store_with_users(
        directory,
        (
            (CUSTOMER, UserRole.CUSTOMER),
            (OTHER_CUSTOMER, UserRole.CUSTOMER),
            (MANUFACTURER, UserRole.MANUFACTURER),
            (OTHER_MANUFACTURER, UserRole.MANUFACTURER),
        ),
    )
    return f"sqlite+aiosqlite:///{directory / 'lso.db'}", db


async def start_manufacturer(settings: Settings, directory: Path, url: str, console: str) -> ChildProcess:
    name = unique("manufacturer")
    await create_account(settings, name)
    catalogue = directory / "catalogue.json"
    catalogue.write_text(json.dumps([CHAIR.model_dump(mode="json")]))
    policy = directory / "policy.json"
    policy.write_text(POLICY.model_dump_json())
    timings = directory / "timings.json"
    timings.write_text(json.dumps({"quotation_validity": 30.0, "production": 0.0}))
    domain = settings.xmpp_domain
    args = ["--name", name, "--manufacturer-id", MANUFACTURER, "--catalogue", str(catalogue)]
    args += ["--policy", str(policy), "--timings", str(timings), "--console", console]
    args += ["--matchmaker", f"nobody@{domain}", "--contract", f"nobody@{domain}"]
    env = {"LSO_DATABASE_URL": url}
    return await spawn("agents.manufacturer", args, settings, extra_env=env, ready_timeout=60)


@pytest.fixture(scope="module")
async def world(
    pyjabber_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    settings = pyjabber_settings
    directory = tmp_path_factory.mktemp("order-authority")
    url, db = await prepared_store(directory)
    probes: list[Probe] = []

    async def probe(name: str, role: AgentRole | None, party: str | None = None) -> Probe:
        agent = await started(Probe(unique(name), settings), role=role, party=party, db=db)
        probes.append(agent)
        return agent

    try:
        own = await probe("own", AgentRole.CUSTOMER, CUSTOMER)
        bridge = await probe("customers", AgentRole.CUSTOMER, "*")
        neighbour = await probe("neighbour", AgentRole.CUSTOMER, OTHER_CUSTOMER)
        stranger = await probe("stranger", None)
        console = await probe("console", AgentRole.PLATFORM, "console")
        child = await start_manufacturer(settings, directory, url, console.address)
        await bind(db, child.ready_line, AgentRole.MANUFACTURER, MANUFACTURER)
        try:
            yield World(db, child.ready_line, own, bridge, neighbour, stranger, console)
        finally:
            await child.stop()
    finally:
        for agent in probes:
            await agent.stop()
        await db.close()


def an_order(customer_id: str = CUSTOMER, manufacturer_id: str = MANUFACTURER) -> Order:
    return Order(
        customer_id=customer_id,
        manufacturer_id=manufacturer_id,
        product_id=CHAIR.id,
        delivery_date=datetime.now(UTC).date() + timedelta(days=30),
    )


async def ask(
    probe: Probe, world: World, content: Content, protocol: ProtocolName = ProtocolName.ORDER
) -> AclMessage:
    """Open a conversation with the manufacturer; its first answer."""
    message = AclMessage.build(
        Performative.REQUEST,
        probe.address,
        world.manufacturer,
        content,
        protocol=protocol,
        conversation_id=str(uuid.uuid4()),
        reply_by=datetime.now(UTC) + timedelta(seconds=WAIT),
    )
    probe.send_acl(message)
    return await probe.next_message(message.conversation_id, wait=WAIT)


def refusal(answer: AclMessage) -> Reason:
    assert answer.performative is Performative.REFUSE, answer
    return decode(answer.content, Reason)


async def acl_rows(db: Database, conversation_id: str | None, order_id: str | None = None) -> int:
    async with db.transaction() as repos:
        rows = await repos.acl.conversation(conversation_id) if conversation_id else []
        by_order = await repos.acl.by_order(order_id) if order_id else []
    return len(rows) + len(by_order)


async def logged_so_far(world: World) -> None:
    """Return once everything the manufacturer logged before now is in the store: a console request it
    answers (and logs, in order, after whatever it logged before) shows up in the log."""
    answer = await ask(world.console, world, StartSourcing(order_id=uuid.uuid4()), ProtocolName.REQUEST)
    assert refusal(answer).reason == "unknown-order"
    async with asyncio.timeout(WAIT):
        while await acl_rows(world.db, answer.conversation_id) < 2:  # noqa: ASYNC110 (another process)
            await asyncio.sleep(0.05)


async def assert_nothing_stored(world: World, order: Order, *conversation_ids: str | None) -> None:
    await logged_so_far(world)
    order_id = str(order.id)
    async with world.db.transaction() as repos:
        assert await repos.orders.get(order_id) is None
        assert await repos.orders.history(order_id) == []
        assert await repos.negotiations.by_order(order_id) == []
    for cid in conversation_ids:
        assert await acl_rows(world.db, cid) == 0, cid
    assert await acl_rows(world.db, None, order_id) == 0


async def test_an_order_from_a_sender_not_acting_for_its_customer_is_refused_and_leaves_nothing(
    world: World,
) -> None:
    order = an_order()
    answers = [await ask(probe, world, order) for probe in (world.stranger, world.neighbour, world.console)]
    for probe, answer in zip((world.stranger, world.neighbour, world.console), answers, strict=True):
        why = refusal(answer)
        assert why.reason == "not-authorised", why
        assert why.detail == f"{probe.address} does not act for the customer of this order"
        assert answer.sender == world.manufacturer and answer.protocol == ProtocolName.ORDER
    await assert_nothing_stored(world, order, *(a.conversation_id for a in answers))


async def test_the_bridge_cannot_create_an_order_the_gateway_did_not_store(world: World) -> None:
    order = an_order()
    why = refusal(await ask(world.bridge, world, order))
    assert why.reason == "not-authorised"
    bridge = world.bridge.address
    assert why.detail == f"{bridge} places orders the platform stored, and no order {order.id} is stored"
    await assert_nothing_stored(world, order)


async def test_the_bridge_places_an_order_the_gateway_stored_and_only_as_stored(world: World) -> None:
    order = an_order()
    async with world.db.transaction() as repos:
        await repos.orders.add_order(order)  # the gateway stores an app order before its bridge sends it
    claimed = order.model_copy(update={"customer_id": OTHER_CUSTOMER})
    why = refusal(await ask(world.bridge, world, claimed))
    assert why.reason == "not-authorised"
    assert why.detail == f"the stored order {order.id} has another customer, product or manufacturer"
    answer = await ask(world.bridge, world, order)
    assert answer.performative is Performative.AGREE, answer
    async with world.db.transaction() as repos:
        record = await repos.orders.get(str(order.id))
        history = await repos.orders.history(str(order.id))
    assert record is not None and record.customer_id == CUSTOMER
    assert [change.to_status for change in history][:1] == [OrderStatus.ACCEPTED]


async def test_a_sender_bound_to_exactly_the_customer_places_a_new_order(world: World) -> None:
    order = an_order()
    answer = await ask(world.own, world, order)
    assert answer.performative is Performative.AGREE, answer
    async with world.db.transaction() as repos:
        record = await repos.orders.get(str(order.id))
        history = await repos.orders.history(str(order.id))
    assert record is not None and record.customer_id == CUSTOMER and record.manufacturer_id == MANUFACTURER
    assert [change.to_status for change in history][:1] == [OrderStatus.ACCEPTED]
    await logged_so_far(world)
    assert await acl_rows(world.db, answer.conversation_id) >= 2  # the request and the agree


async def test_an_order_for_another_manufacturer_is_refused_even_from_its_customer(world: World) -> None:
    order = an_order(manufacturer_id=OTHER_MANUFACTURER)
    answers = [await ask(probe, world, order) for probe in (world.own, world.bridge)]
    for answer in answers:
        why = refusal(answer)
        assert why.reason == "not-authorised"
        assert f"is for manufacturer {OTHER_MANUFACTURER}" in (why.detail or "")
    await assert_nothing_stored(world, order, *(a.conversation_id for a in answers))


async def test_a_request_that_is_not_an_order_is_not_understood_and_not_stored(world: World) -> None:
    answer = await ask(world.stranger, world, Ping())
    assert answer.performative is Performative.NOT_UNDERSTOOD, answer
    await logged_so_far(world)
    assert await acl_rows(world.db, answer.conversation_id) == 0


async def test_a_console_request_from_anyone_but_a_console_is_refused_and_not_stored(world: World) -> None:
    answer = await ask(world.own, world, StartSourcing(order_id=uuid.uuid4()), ProtocolName.REQUEST)
    why = refusal(answer)
    assert why.reason == "not-a-console"
    assert why.detail == f"{world.own.address} is not a console of {world.manufacturer}"
    await logged_so_far(world)
    assert await acl_rows(world.db, answer.conversation_id) == 0
