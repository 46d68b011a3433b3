"""The gateway's console agent hears status notices only from accounts the store binds as a manufacturer's
agent; anyone else's are dropped (over the embedded pyjabber, all agents in this process)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agents.manufacturer.notices import notice_message
from common.settings import Settings
from gateway.bridge.console_agent import ConsoleAgent
from ontology.console import OrderStatusNotice
from ontology.order import OrderStatus
from store.database import Database
from store.enums import AgentRole
from tests.agents.probe import Probe
from tests.xmpp_accounts import started

WAIT = 10.0


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'lso.db'}", migrate=True)
    yield database
    await database.close()


async def test_only_a_manufacturers_agent_is_heard(pyjabber_settings: Settings, db: Database) -> None:
    heard: asyncio.Queue[tuple[OrderStatusNotice, str]] = asyncio.Queue()
    console = ConsoleAgent(unique("console"), pyjabber_settings)
    console.store = db
    console.on_notice = lambda notice, sender: heard.put_nowait((notice, sender))
    manufacturer = Probe(unique("manufacturer"), pyjabber_settings)
    customer = Probe(unique("customer"), pyjabber_settings)
    stranger = Probe(unique("stranger"), pyjabber_settings)
    agents = (console, manufacturer, customer, stranger)
    try:
        await started(console, db=db)
        await started(manufacturer, role=AgentRole.MANUFACTURER, party="m", db=db)
        await started(customer, role=AgentRole.CUSTOMER, party="*", db=db)
        await started(stranger, role=None)
        order_id = uuid.uuid4()
        for sender, status in (
            (stranger, OrderStatus.FAILED),
            (customer, OrderStatus.CANCELLED),
            (manufacturer, OrderStatus.ACCEPTED),
        ):
            message = notice_message(
                sender.address, [console.address], OrderStatusNotice(order_id=order_id, status=status)
            )
            assert message is not None
            sender.send_acl(message)
        async with asyncio.timeout(WAIT):
            notice, from_jid = await heard.get()
        assert (notice.status, from_jid) == (OrderStatus.ACCEPTED, manufacturer.address)
        assert heard.empty(), "notices are checked in the order they came"
    finally:
        for agent in agents:
            await agent.stop()
