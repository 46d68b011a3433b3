"""Restart on Prosody, the manufacturer in its own process, killed during the contract step.

The customer accepted the quotation; the manufacturer asked the contract agent (which is not up yet)
to commit, and is killed while the order is ``contracting``. The contract agent comes up; the
manufacturer, restarted, resumes the order from its snapshot instead of failing it: it sends the
CommitAgreement again (the contract agent is idempotent), informs the customer of the contracts, then
produces, invoices and is paid.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from agents.customer.agent import CustomerAgent
from agents.customer.decisions import PolicyDecisions
from agents.runtime.child_process import ChildProcess, spawn
from common.settings import Settings
from ledger.testing import LedgerProcess
from ontology.order import OrderStatus
from ontology.policy import CustomerPolicy
from tests.agents.e2e.world import (
    CUSTOMER_FAST,
    enrol_customer,
    enrol_manufacturer,
    manufacturer_command,
    open_store,
    order_for,
    reached,
    start_contract_agent,
    start_proxies,
    status_of,
    unique,
)
from tests.order_statuses import TO_PAID

pytestmark = pytest.mark.prosody

CUSTOMER = "customer-resume"
MANUFACTURER = "manufacturer-resume"


async def test_an_order_interrupted_while_contracting_is_committed_after_a_restart(
    prosody_settings: Settings, tmp_path: Path, matchmaker: str, ledger: LedgerProcess
) -> None:
    contract_name = unique("contract")
    contract_jid = f"{contract_name}@{prosody_settings.xmpp_domain}"
    proxies = await start_proxies(prosody_settings)
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)
    name = unique("manufacturer")
    args, env = manufacturer_command(
        tmp_path,
        db,
        name,
        MANUFACTURER,
        matchmaker,
        proxies.ready_line,
        deadline_seconds=3,
        contract=contract_jid,
    )
    customer = CustomerAgent(
        unique("customer"),
        prosody_settings,
        decisions=PolicyDecisions(CustomerPolicy(accept_at_most=100_000)),
        timings=CUSTOMER_FAST,
    )
    first: ChildProcess | None = None
    second: ChildProcess | None = None
    contract: ChildProcess | None = None
    await enrol_manufacturer(prosody_settings, db, name, MANUFACTURER)
    await enrol_customer(prosody_settings, db, customer.address, CUSTOMER)
    await customer.start()
    try:
        first = await spawn("agents.manufacturer", args, prosody_settings, extra_env=env)
        order = order_for(CUSTOMER, MANUFACTURER)
        order_id = str(order.id)
        handle = customer.place_order(order, first.ready_line)
        await reached(db, order_id, OrderStatus.CONTRACTING)  # the contract agent is not up: no answer
        await asyncio.sleep(0.5)  # the snapshots are saved
        first.process.kill()
        await first.stop()
        contract = await start_contract_agent(
            prosody_settings, ledger, db, (CUSTOMER, MANUFACTURER), name=contract_name
        )
        assert contract.ready_line == contract_jid
        second = await spawn("agents.manufacturer", args, prosody_settings, extra_env=env)
        async with asyncio.timeout(30):
            outcome = await handle.outcome
            assert outcome.status == "contracted", outcome
            payment = await handle.payment
        assert outcome.quotation is not None and outcome.committed is not None
        assert payment.amount == outcome.quotation.total_price
        await reached(db, order_id, OrderStatus.PAID, wait=10)
        async with db.transaction() as repos:
            record = await repos.orders.require(order_id)
            history = await repos.orders.history(order_id)
        assert outcome.committed.supply_contracts == ()  # the customer never hears of the suppliers
        assert record.contract_ids[0] == outcome.committed.order_contract_id
        assert len(record.contract_ids) >= 2, "the manufacturer keeps its supply agreements' ids"
        statuses = [c.to_status for c in history]
        assert OrderStatus.FAILED not in statuses
        contracting = OrderStatus.CONTRACTING
        assert statuses[statuses.index(contracting) :] == list(TO_PAID[TO_PAID.index(contracting) :])
        assert await status_of(db, order_id) == OrderStatus.PAID
    finally:
        for child in (first, second, contract):
            if child is not None:
                await child.stop()
        await customer.stop()
        await proxies.stop()
        await db.close()
