"""Fault on Prosody: a silent supplier proxy is dropped at the cfp deadline and the order still reaches
a quotation; the customer counters once over XMPP, gets a revised quotation, then declines."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.customer.decisions import PolicyDecisions
from common.settings import Settings
from ontology.order import OrderStatus
from ontology.policy import CustomerPolicy
from protocols.snapshot import parse_snapshot
from tests.agents.e2e.world import (
    candidates,
    open_store,
    order_for,
    order_outcome,
    parties,
    start_proxies,
)

pytestmark = pytest.mark.prosody

CUSTOMER = "customer-fault"
MANUFACTURER = "manufacturer-fault"
WAIT = 60.0


async def test_silent_supplier_is_dropped_and_the_order_is_still_quoted(
    prosody_settings: Settings, tmp_path: Path, matchmaker: str
) -> None:
    frame = await candidates(prosody_settings, matchmaker)
    assert len(frame) >= 2, "the data set must offer two frame suppliers"
    silent = frame[0]
    proxies = await start_proxies(prosody_settings, silent=(silent,))
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)
    decisions = PolicyDecisions(CustomerPolicy(accept_at_most=1, max_counters=1))
    try:
        async with parties(
            prosody_settings,
            db,
            customer_id=CUSTOMER,
            manufacturer_id=MANUFACTURER,
            matchmaker=matchmaker,
            proxies=proxies.ready_line,
            decisions=decisions,
            contract_agent="nobody@localhost",
        ) as (manufacturer, customer):
            order = order_for(CUSTOMER, MANUFACTURER)
            handle, outcome = await order_outcome(manufacturer, customer, order, WAIT)
            await manufacturer.flush_log()
        assert outcome.status == "declined", outcome
        assert len(handle.quotations) == 2
        first, revised = handle.quotations
        assert revised.round == 2 and revised.total_price < first.total_price
        async with db.transaction() as repos:
            stored = await repos.orders.load_order(str(order.id))
            negotiations = await repos.negotiations.by_order(str(order.id))
        assert stored is not None and stored.status is OrderStatus.DECLINED
        assert [c.to_status for c in stored.history][3:] == [
            OrderStatus.QUOTED,
            OrderStatus.COUNTERED,
            OrderStatus.QUOTED,
            OrderStatus.DECLINED,
        ]
        silent_address = f"{proxies.ready_line}/{silent}"
        dropped = []
        for state in negotiations:
            snapshot = parse_snapshot(state.state)
            rounds = getattr(snapshot, "rounds", [])
            dropped += [peer for r in rounds for peer in r.silent]
        assert silent_address in dropped
        assert all(n.finished for n in negotiations)
    finally:
        await proxies.stop()
        await db.close()
