"""Fault on Prosody: the XMPP server itself restarts in the middle of a negotiation.

The test runs its OWN Prosody (never the session's). The matchmaker and the supplier proxies run in
their own processes, the manufacturer and the customer in this one. One frame supplier is silent,
so the supplier round stays open until its cfp deadline; meanwhile Prosody is stopped and started
again on the same port with the same data. Every agent reconnects by itself
(:class:`~agents.runtime.platform_agent.PlatformAgent`'s reconnect policy); at the deadline the
silent supplier is dropped, the negotiation goes on over the new connections and the order reaches
a quotation (declined by the customer: a defined end), with no order left without a final status.

pyjabber loses messages to bare JIDs after a reconnect (see DESIGN.md): this test is Prosody-only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.customer.decisions import PolicyDecisions
from agents.runtime.prosody import ProsodyServer
from common.settings import Settings
from federation.service.serve import RunningService
from ontology.order import OrderStatus
from ontology.policy import CustomerPolicy
from tests.agents.conftest import own_prosody_settings
from tests.agents.e2e.world import (
    candidates,
    federation,
    manufacturer_policy,
    open_store,
    order_for,
    order_task_done,
    parties,
    start_matchmaker,
    start_proxies,
    status_of,
)
from tests.xmpp_servers import require_prosody

pytestmark = pytest.mark.prosody

CUSTOMER = "customer-xmpp-restart"
MANUFACTURER = "manufacturer-xmpp-restart"
WAIT = 45.0
#: The cfp window: the outage (about 1 s) and the reconnects fit well inside it.
DEADLINE_SECONDS = 8.0


@pytest.fixture
def own_prosody(tmp_path: Path) -> Iterator[tuple[ProsodyServer, Settings]]:
    require_prosody()
    with ProsodyServer() as server:
        yield server, own_prosody_settings(server, tmp_path / "data")


@pytest.fixture
def efpf(tmp_path: Path) -> Iterator[RunningService]:
    yield from federation(tmp_path / "efpf")


async def test_agents_reconnect_after_a_prosody_restart_and_the_order_ends_in_a_defined_status(
    own_prosody: tuple[ProsodyServer, Settings], tmp_path: Path, efpf: RunningService
) -> None:
    server, settings = own_prosody
    matchmaker = await start_matchmaker(settings, efpf)
    frame = await candidates(settings, matchmaker.ready_line)
    assert len(frame) >= 2, "the data set must offer two frame suppliers"
    proxies = await start_proxies(settings, silent=(frame[0],))
    db = await open_store(tmp_path / "store", CUSTOMER, MANUFACTURER)
    try:
        async with parties(
            settings,
            db,
            customer_id=CUSTOMER,
            manufacturer_id=MANUFACTURER,
            matchmaker=matchmaker.ready_line,
            proxies=proxies.ready_line,
            decisions=PolicyDecisions(CustomerPolicy(accept_at_most=1, max_counters=0)),
            contract_agent="nobody@localhost",
            policy=manufacturer_policy(deadline_seconds=DEADLINE_SECONDS),
        ) as (manufacturer, customer):
            order = order_for(CUSTOMER, MANUFACTURER)
            order_id = str(order.id)
            handle = customer.place_order(order, manufacturer.address)
            async with asyncio.timeout(20):
                while await status_of(db, order_id) != OrderStatus.NEGOTIATING:  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # the cfps are out, the live suppliers have proposed
            await asyncio.to_thread(server.stop, keep_data=True)
            await asyncio.sleep(1.0)
            await asyncio.to_thread(server.start)
            async with asyncio.timeout(WAIT):
                outcome = await handle.outcome
            await order_task_done(manufacturer, order_id)
            await manufacturer.flush_log()
            assert manufacturer.reconnects == 1 and customer.reconnects == 1
            assert not manufacturer.reconnecting and not customer.reconnecting
        assert outcome.status == "declined", outcome
        async with db.transaction() as repos:
            stored = await repos.orders.load_order(order_id)
            negotiations = await repos.negotiations.by_order(order_id)
        assert stored is not None and stored.status is OrderStatus.DECLINED
        statuses = [c.to_status for c in stored.history]
        assert statuses[-2:] == [OrderStatus.QUOTED, OrderStatus.DECLINED], statuses
        silent = [peer for n in negotiations for r in n.state.get("rounds", []) for peer in r["silent"]]
        assert f"{proxies.ready_line}/{frame[0]}" in silent
        assert all(n.finished for n in negotiations), [(n.protocol, n.state_name) for n in negotiations]
    finally:
        await proxies.stop()
        await matchmaker.stop()
        await db.close()
