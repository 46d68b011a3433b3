"""Restart on Prosody, the manufacturer in its own process (``python -m agents.manufacturer``), killed:

* while negotiating with suppliers: restarted, it ends the customer's conversation (refuse with the
  reason), cancels the supplier negotiations and marks the order failed;
* while its quotation awaits the customer: restarted, it resumes the conversation from its snapshot
  and the customer's answer (decline) is taken.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from agents.customer.agent import CustomerAgent
from agents.customer.decisions import Decision, PolicyDecisions, QueueDecisions
from agents.manufacturer.recovery import RESTARTED
from agents.runtime.child_process import ChildProcess, spawn
from common.settings import Settings
from ontology.order import OrderStatus
from ontology.policy import CustomerPolicy
from tests.agents.e2e.world import (
    CUSTOMER_FAST,
    candidates,
    enrol_customer,
    enrol_manufacturer,
    manufacturer_command,
    open_store,
    order_for,
    reached,
    start_proxies,
    status_of,
    unique,
)

pytestmark = pytest.mark.prosody

CUSTOMER = "customer-restart"
MANUFACTURER = "manufacturer-restart"


async def test_a_manufacturer_killed_mid_negotiation_fails_the_order_with_a_reason_on_restart(
    prosody_settings: Settings, tmp_path: Path, matchmaker: str
) -> None:
    silent = await candidates(prosody_settings, matchmaker)
    proxies = await start_proxies(prosody_settings, silent=tuple(silent))
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)
    name = unique("manufacturer")
    args, env = manufacturer_command(
        tmp_path, db, name, MANUFACTURER, matchmaker, proxies.ready_line, deadline_seconds=30
    )
    customer = CustomerAgent(
        unique("customer"),
        prosody_settings,
        decisions=PolicyDecisions(CustomerPolicy(accept_at_most=100_000)),
        timings=CUSTOMER_FAST,
    )
    first: ChildProcess | None = None
    second: ChildProcess | None = None
    await enrol_manufacturer(prosody_settings, db, name, MANUFACTURER)
    await enrol_customer(prosody_settings, db, customer.address, CUSTOMER)
    await customer.start()
    try:
        first = await spawn("agents.manufacturer", args, prosody_settings, extra_env=env)
        order = order_for(CUSTOMER, MANUFACTURER)
        handle = customer.place_order(order, first.ready_line)
        await reached(db, str(order.id), OrderStatus.NEGOTIATING)
        await asyncio.sleep(0.5)  # the cfps are out
        first.process.kill()
        await first.stop()
        second = await spawn("agents.manufacturer", args, prosody_settings, extra_env=env)
        async with asyncio.timeout(20):
            outcome = await handle.outcome
        assert outcome.status == "refused", outcome
        assert RESTARTED in outcome.reason
        assert await status_of(db, str(order.id)) == OrderStatus.FAILED
        async with db.transaction() as repos:
            history = await repos.orders.history(str(order.id))
            negotiations = await repos.negotiations.by_order(str(order.id))
        assert (history[-1].event, history[-1].params) == ("failed", {"reason": RESTARTED})
        assert negotiations and all(n.finished for n in negotiations), [
            (n.protocol, n.state_name) for n in negotiations
        ]
        cancelled = [n for n in negotiations if n.state_name == "cancelled"]
        assert cancelled, "the supplier negotiations were cancelled"
    finally:
        for child in (first, second):
            if child is not None:
                await child.stop()
        await customer.stop()
        await proxies.stop()
        await db.close()


async def test_a_quoted_order_is_resumed_from_its_snapshot_after_a_restart(
    prosody_settings: Settings, tmp_path: Path, matchmaker: str
) -> None:
    proxies = await start_proxies(prosody_settings)
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)
    name = unique("manufacturer")
    args, env = manufacturer_command(
        tmp_path, db, name, MANUFACTURER, matchmaker, proxies.ready_line, deadline_seconds=3
    )
    decisions = QueueDecisions()
    customer = CustomerAgent(unique("customer"), prosody_settings, decisions=decisions, timings=CUSTOMER_FAST)
    first: ChildProcess | None = None
    second: ChildProcess | None = None
    await enrol_manufacturer(prosody_settings, db, name, MANUFACTURER)
    await enrol_customer(prosody_settings, db, customer.address, CUSTOMER)
    await customer.start()
    try:
        first = await spawn("agents.manufacturer", args, prosody_settings, extra_env=env)
        order = order_for(CUSTOMER, MANUFACTURER)
        handle = customer.place_order(order, first.ready_line)
        async with asyncio.timeout(30):
            _order, quotation, _counters = await decisions.quotations.get()
        await reached(db, str(order.id), OrderStatus.QUOTED)
        await asyncio.sleep(0.5)  # the snapshot of the proposal is saved
        first.process.kill()
        await first.stop()
        second = await spawn("agents.manufacturer", args, prosody_settings, extra_env=env)
        decisions.answer(quotation.id, Decision.decline("changed my mind"))
        async with asyncio.timeout(20):
            outcome = await handle.outcome
        assert outcome.status == "declined", outcome
        await reached(db, str(order.id), OrderStatus.DECLINED, wait=10)
        async with db.transaction() as repos:
            history = await repos.orders.history(str(order.id))
        assert (history[-1].event, history[-1].note) == ("quotation-declined", "The quotation was declined.")
    finally:
        for child in (first, second):
            if child is not None:
                await child.stop()
        await customer.stop()
        await proxies.stop()
        await db.close()
