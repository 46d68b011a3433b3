"""Restarts on Prosody after the contract was committed: no order is left stuck.

* The contract agent committed the agreement (and recorded the order ``contracted`` in the order's
  store, which it shares with the manufacturer), but the manufacturer died before it told the
  customer. Restarted, it asks again (the contract agent is idempotent: the same contracts), tells the
  customer, then produces, invoices and is paid.
* The manufacturer died while the order was ``in_production``. Restarted, it produces it (the order
  goes on to ``produced``, ``invoiced``, ``paid``), it does not leave it in production.

Processes: the matchmaker, the supplier proxies, the ledger and the contract agent run on their own;
the manufacturer (both runs, same account and store) and the customer run in this process. "Dying" is
the manufacturer agent stopping with its order task cancelled mid-step (nothing more is written).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from agents.customer.agent import CustomerAgent, OrderEvent
from agents.customer.decisions import PolicyDecisions
from agents.manufacturer.agent import ManufacturerAgent
from agents.manufacturer.contracting import ContractAgentStep, ContractStep
from agents.manufacturer.requests import Opened
from agents.runtime.child_process import ChildProcess
from common.settings import Settings
from ledger.testing import LedgerProcess
from ontology.common import Reason
from ontology.console import OrderStatusNotice
from ontology.contract import CommitAgreement, ContractCommitted
from ontology.order import OrderStatus
from ontology.policy import CustomerPolicy
from store.database import Database
from tests.agents.e2e.world import (
    CUSTOMER_FAST,
    FAST,
    bike_maker,
    contract_agent,
    enrol_customer,
    enrol_manufacturer,
    order_for,
    order_store,
    order_task_done,
    unique,
)

pytestmark = pytest.mark.prosody

CUSTOMER = "customer-production"
MANUFACTURER = "manufacturer-production"
WAIT = 60.0


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """The order's store: the manufacturer's and the contract agent's."""
    async with order_store(tmp_path, CUSTOMER, MANUFACTURER) as store:
        yield store


@pytest.fixture
async def contract(prosody_settings: Settings, ledger: LedgerProcess, db: Database) -> AsyncIterator[str]:
    async with contract_agent(prosody_settings, ledger, db, CUSTOMER, MANUFACTURER) as jid:
        yield jid


class DiesAfterCommit:
    """The real contract step; once the contract agent answered, the manufacturer never gets to it."""

    def __init__(self, step: ContractStep) -> None:
        self.step = step
        self.committed: asyncio.Future[ContractCommitted] = asyncio.get_running_loop().create_future()

    async def commit(
        self, request: CommitAgreement, opened: Opened | None = None
    ) -> ContractCommitted | Reason:
        result = await self.step.commit(request, opened)
        assert isinstance(result, ContractCommitted), result
        self.committed.set_result(result)
        await asyncio.Event().wait()  # dies here: stopped (cancelled) before anything else happens
        raise AssertionError("unreachable")


def manufacturer(
    settings: Settings,
    db: Database,
    name: str,
    matchmaker: str,
    proxies: str,
    contract: str,
    *,
    production: timedelta = FAST.production,
    dies_after_commit: bool = False,
) -> tuple[ManufacturerAgent, DiesAfterCommit | None]:
    agent = bike_maker(
        settings,
        db,
        MANUFACTURER,
        name=name,
        matchmaker=matchmaker,
        proxies=proxies,
        contract_agent=contract,
        timings=replace(FAST, production=production),
    )
    dying = None
    if dies_after_commit:
        dying = DiesAfterCommit(ContractAgentStep(agent, contract, FAST.contract))
        agent.contract_step = dying
    return agent, dying


async def statuses(db: Database, order_id: str) -> list[OrderStatus]:
    async with db.transaction() as repos:
        order = await repos.orders.load_order(order_id)
    assert order is not None
    return [change.to_status for change in order.history]


async def test_a_contract_committed_before_the_manufacturer_died_ends_contracted_then_paid(
    prosody_settings: Settings, db: Database, matchmaker: str, proxies: ChildProcess, contract: str
) -> None:
    name = unique("manufacturer")
    first, dying = manufacturer(
        prosody_settings, db, name, matchmaker, proxies.ready_line, contract, dies_after_commit=True
    )
    assert dying is not None
    customer = CustomerAgent(
        unique("customer"),
        prosody_settings,
        decisions=PolicyDecisions(CustomerPolicy(accept_at_most=100_000)),
        timings=CUSTOMER_FAST,
    )
    second: ManufacturerAgent | None = None
    order = order_for(CUSTOMER, MANUFACTURER)
    oid = str(order.id)
    try:
        await enrol_manufacturer(prosody_settings, db, name, MANUFACTURER)
        await enrol_customer(prosody_settings, db, customer.address, CUSTOMER)
        await first.start()
        await customer.start()
        handle = customer.place_order(order, first.address)
        async with asyncio.timeout(WAIT):
            committed = await dying.committed
        async with db.transaction() as repos:  # the contract agent recorded it in the order's store
            record = await repos.orders.require(oid)
        assert record.status == OrderStatus.CONTRACTED, record.status
        assert set(record.contract_ids) == set(committed.contract_ids)
        await first.stop()  # dies before telling the customer
        assert not handle.outcome.done()

        second, _ = manufacturer(prosody_settings, db, name, matchmaker, proxies.ready_line, contract)
        await second.start()
        async with asyncio.timeout(WAIT):
            outcome = await handle.outcome
            payment = await handle.payment
        assert outcome.status == "contracted", outcome
        assert outcome.committed is not None
        # the same order agreement, not a new one; the customer never hears of the supply agreements
        assert outcome.committed.contract_ids == (committed.order_contract_id,)
        assert outcome.quotation is not None and payment.amount == outcome.quotation.total_price
        await order_task_done(second, oid)
        history = await statuses(db, oid)
        assert history[-5:] == [
            OrderStatus.CONTRACTED,
            OrderStatus.IN_PRODUCTION,
            OrderStatus.PRODUCED,
            OrderStatus.INVOICED,
            OrderStatus.PAID,
        ], history
        assert OrderStatus.FAILED not in history
    finally:
        await customer.stop()
        for agent in (first, second):
            if agent is not None and agent.is_alive():
                await agent.stop()


async def test_an_order_in_production_when_the_manufacturer_died_is_produced_after_the_restart(
    prosody_settings: Settings, db: Database, matchmaker: str, proxies: ChildProcess, contract: str
) -> None:
    name = unique("manufacturer")
    slow, _ = manufacturer(
        prosody_settings,
        db,
        name,
        matchmaker,
        proxies.ready_line,
        contract,
        production=timedelta(hours=1),
    )
    in_production = asyncio.Event()

    def follow(event: OrderEvent) -> None:
        if isinstance(event.content, OrderStatusNotice) and event.content.status is OrderStatus.IN_PRODUCTION:
            in_production.set()

    customer = CustomerAgent(
        unique("customer"),
        prosody_settings,
        decisions=PolicyDecisions(CustomerPolicy(accept_at_most=100_000)),
        timings=CUSTOMER_FAST,
        on_event=follow,
    )
    second: ManufacturerAgent | None = None
    order = order_for(CUSTOMER, MANUFACTURER)
    oid = str(order.id)
    try:
        await enrol_manufacturer(prosody_settings, db, name, MANUFACTURER)
        await enrol_customer(prosody_settings, db, customer.address, CUSTOMER)
        await slow.start()
        await customer.start()
        handle = customer.place_order(order, slow.address)
        async with asyncio.timeout(WAIT):
            outcome = await handle.outcome
        assert outcome.status == "contracted", outcome
        async with asyncio.timeout(10):
            await in_production.wait()
        await slow.stop()  # dies an hour before the bike is done
        assert (await statuses(db, oid))[-1] is OrderStatus.IN_PRODUCTION

        second, _ = manufacturer(prosody_settings, db, name, matchmaker, proxies.ready_line, contract)
        await second.start()
        async with asyncio.timeout(WAIT):
            payment = await handle.payment
        assert outcome.quotation is not None and payment.amount == outcome.quotation.total_price
        await order_task_done(second, oid)
        history = await statuses(db, oid)
        assert history[-4:] == [
            OrderStatus.IN_PRODUCTION,
            OrderStatus.PRODUCED,
            OrderStatus.INVOICED,
            OrderStatus.PAID,
        ], history
    finally:
        await customer.stop()
        for agent in (slow, second):
            if agent is not None and agent.is_alive():
                await agent.stop()
