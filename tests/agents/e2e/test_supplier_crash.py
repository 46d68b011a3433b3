"""Fault on Prosody: a supplier-proxy host PROCESS dies (SIGKILL) mid-negotiation.

Two proxy hosts run in two OS processes; the manufacturer routes some suppliers to host A (which
kills itself at a known point) and the others to host B (which stays up):

* A dies when the cfp reaches its supplier (cfps sent, no answer): that supplier is dropped as silent
  at the cfp deadline and the part is awarded to a supplier of host B; the order is quoted (and the
  customer declines it: a defined end);
* A hosts every frame supplier and dies when the winner's ``accept-proposal`` reaches it: the winner
  never confirms, the renegotiation among the other (dead) frame suppliers gets no answer, and the
  order fails with the reason (the customer is told ``refuse``) - never an order without a status.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from agents.customer.agent import OrderOutcome
from agents.customer.decisions import PolicyDecisions
from common.settings import Settings
from ontology.network import SupplyNetwork
from ontology.order import OrderStatus
from ontology.policy import CustomerPolicy
from ontology.supplier import Supplier
from store.records import NegotiationState, OrderRecord
from tests.agents.e2e.world import (
    FAST,
    candidates,
    open_store,
    order_for,
    order_outcome,
    parties,
    start_proxies,
)

pytestmark = pytest.mark.prosody

CUSTOMER = "customer-crash"
MANUFACTURER = "manufacturer-crash"
WAIT = 45.0
#: An awarded supplier has 4 s to confirm (the test's default is 10 s).
TIMINGS = replace(FAST, supplier_result=timedelta(seconds=4))


async def run_order(
    settings: Settings,
    tmp_path: Path,
    matchmaker: str,
    on_a: set[str],
    *,
    crash_on_cfp: tuple[str, ...] = (),
    crash_on_accept: tuple[str, ...] = (),
) -> tuple[OrderOutcome, OrderRecord, list[NegotiationState], int | None, str]:
    """One order (declined by the customer if quoted) with the suppliers ``on_a`` on host A, the
    others on host B: the outcome, the stored order, its negotiations, A's exit code and A's JID."""
    host_a = await start_proxies(settings, crash_on_cfp=crash_on_cfp, crash_on_accept=crash_on_accept)
    host_b = await start_proxies(settings)
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)

    def route(supplier: Supplier) -> str:
        host = host_a if supplier.id in on_a else host_b
        return f"{host.ready_line}/{supplier.id}"

    try:
        async with parties(
            settings,
            db,
            customer_id=CUSTOMER,
            manufacturer_id=MANUFACTURER,
            matchmaker=matchmaker,
            proxies=host_b.ready_line,
            decisions=PolicyDecisions(CustomerPolicy(accept_at_most=1, max_counters=0)),
            contract_agent="nobody@localhost",
            route=route,
            timings=TIMINGS,
        ) as (manufacturer, customer):
            order = order_for(CUSTOMER, MANUFACTURER)
            _, outcome = await order_outcome(manufacturer, customer, order, WAIT)
            await manufacturer.flush_log()
        async with db.transaction() as repos:
            record = await repos.orders.require(str(order.id))
            negotiations = await repos.negotiations.by_order(str(order.id))
        async with asyncio.timeout(5):
            exit_code = await host_a.process.wait()  # A is dead by now
        return outcome, record, negotiations, exit_code, host_a.ready_line
    finally:
        await host_a.stop()
        await host_b.stop()
        await db.close()


def frame_negotiations(negotiations: list[NegotiationState]) -> list[NegotiationState]:
    return [
        n
        for n in negotiations
        if n.protocol == "fipa-iterated-contract-net"
        and n.role == "initiator"
        and '"part_id":"frame"' in n.state["rounds"][0]["content"]
    ]


async def test_a_supplier_host_killed_after_the_cfps_is_dropped_and_a_live_supplier_is_awarded(
    prosody_settings: Settings, tmp_path: Path, matchmaker: str
) -> None:
    frame = await candidates(prosody_settings, matchmaker)
    assert len(frame) >= 2, "the data set must offer two frame suppliers"
    dead = frame[0]
    outcome, record, negotiations, exit_code, host_a = await run_order(
        prosody_settings, tmp_path, matchmaker, {dead}, crash_on_cfp=(dead,)
    )
    assert exit_code == -signal.SIGKILL, "host A was killed by the cfp"
    assert outcome.status == "declined", outcome  # quoted, then declined by the customer
    assert record.status == OrderStatus.DECLINED
    assert record.supply_network is not None
    assignment = SupplyNetwork.model_validate(record.supply_network).assignment("frame")
    assert assignment is not None and assignment.supplier_id in frame and assignment.supplier_id != dead
    (negotiation,) = frame_negotiations(negotiations)
    assert f"{host_a}/{dead}" in negotiation.state["rounds"][0]["silent"]
    assert all(n.finished for n in negotiations), [(n.protocol, n.state_name) for n in negotiations]


async def test_a_supplier_host_killed_after_the_acceptance_fails_the_order_with_the_reason(
    prosody_settings: Settings, tmp_path: Path, matchmaker: str
) -> None:
    frame = await candidates(prosody_settings, matchmaker)
    assert len(frame) >= 2, "the data set must offer two frame suppliers"
    outcome, record, negotiations, exit_code, host_a = await run_order(
        prosody_settings, tmp_path, matchmaker, set(frame), crash_on_accept=tuple(frame)
    )
    assert exit_code == -signal.SIGKILL, "host A was killed by the accept-proposal"
    assert outcome.status == "refused", outcome
    assert "part-not-covered" in outcome.reason and "frame" in outcome.reason, outcome
    assert record.status == OrderStatus.FAILED
    first, *retries = frame_negotiations(negotiations)
    winner = list(first.state["accepted"])
    assert len(winner) == 1 and winner[0].startswith(f"{host_a}/")
    assert first.state["silent_winners"] == winner, "the dead winner never confirmed"
    assert retries, "the part was negotiated again without the dead winner"
    assert all(winner[0] not in r.state["rounds"][0]["cfps"] for r in retries)
    assert all(n.finished for n in negotiations), [(n.protocol, n.state_name) for n in negotiations]
