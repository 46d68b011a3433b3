"""Restarts on Prosody after the contract was committed: no order is left stuck.

* The contract agent committed the agreement (and, as the platform's contract agent does with its
  store tracker, recorded the order ``contracted``), but the manufacturer died before it told the
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
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from agents.contract_agent import StoreOrderTracker
from agents.customer.agent import CustomerAgent, OrderEvent
from agents.customer.decisions import PolicyDecisions
from agents.manufacturer.agent import ManufacturerAgent
from agents.manufacturer.contracting import ContractAgentStep, ContractStep
from agents.manufacturer.requests import Opened
from agents.runtime.child_process import ChildProcess, spawn
from core.settings import Settings
from federation.dataset.loader import load_shipped
from federation.service.serve import RunningService
from ledger.commit import ledger_party
from ledger.testing import LedgerProcess, hs256_token
from ontology.common import Reason
from ontology.console import OrderStatusNotice
from ontology.contract import CommitAgreement, ContractCommitted
from ontology.order import OrderStatus
from ontology.policy import CustomerPolicy
from store.database import Database
from tests.agents.e2e.world import (
    CUSTOMER_FAST,
    FAST,
    federation,
    manufacturer_policy,
    open_store,
    order_for,
    product,
    start_matchmaker,
    start_proxies,
    unique,
)

pytestmark = pytest.mark.prosody

REPO_ROOT = Path(__file__).resolve().parents[3]
SECRET = "production-test-secret-0123456789abcdef"
CUSTOMER = "customer-production"
MANUFACTURER = "manufacturer-production"
WAIT = 60.0


@pytest.fixture(scope="module")
def efpf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    yield from federation(tmp_path_factory.mktemp("efpf-production"))


@pytest.fixture(scope="module")
async def matchmaker(prosody_settings: Settings, efpf: RunningService) -> AsyncIterator[str]:
    child = await start_matchmaker(prosody_settings, efpf)
    yield child.ready_line
    await child.stop()


@pytest.fixture(scope="module")
async def proxies(prosody_settings: Settings) -> AsyncIterator[ChildProcess]:
    child = await start_proxies(prosody_settings)
    yield child
    await child.stop()


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    process = LedgerProcess(tmp_path_factory.mktemp("production-ledger"), secret=SECRET, grpc=False)
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
async def contract_agent(prosody_settings: Settings, ledger: LedgerProcess) -> AsyncIterator[str]:
    everyone = [CUSTOMER, MANUFACTURER, *(record.id for record in load_shipped().suppliers)]
    token = hs256_token(SECRET, act_as=[ledger_party(p) for p in everyone], admin=True)
    env = {"LSO_LEDGER_JSON_API_URL": ledger.info.json_api, "LSO_LEDGER_CLIENT_TOKEN": token}
    child = await spawn(
        "agents.contract_agent",
        ["--name", unique("contract")],
        prosody_settings,
        extra_env=env,
        cwd=REPO_ROOT,
    )
    yield child.ready_line
    await child.stop()


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
    agent = ManufacturerAgent(
        name,
        settings,
        db=db,
        catalogue={"bike": product(MANUFACTURER)},
        matchmaker=matchmaker,
        contract_agent=contract,
        policy=manufacturer_policy(),
        manufacturer_id=MANUFACTURER,
        timings=replace(FAST, production=production),
        supplier_agent=lambda supplier: f"{proxies}/{supplier.id}",
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
    prosody_settings: Settings, tmp_path: Path, matchmaker: str, proxies: ChildProcess, contract_agent: str
) -> None:
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)
    name = unique("manufacturer")
    first, dying = manufacturer(
        prosody_settings, db, name, matchmaker, proxies.ready_line, contract_agent, dies_after_commit=True
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
        await first.start()
        await customer.start()
        handle = customer.place_order(order, first.address)
        async with asyncio.timeout(WAIT):
            committed = await dying.committed
        # What the platform's contract agent records in the shared store once it committed.
        tracker = StoreOrderTracker(db)
        await tracker.committed(committed)
        await tracker.status(order.id, OrderStatus.CONTRACTED, "agreement on the ledger")
        await first.stop()  # dies before telling the customer
        assert not handle.outcome.done()

        second, _ = manufacturer(prosody_settings, db, name, matchmaker, proxies.ready_line, contract_agent)
        await second.start()
        async with asyncio.timeout(WAIT):
            outcome = await handle.outcome
            payment = await handle.payment
        assert outcome.status == "contracted", outcome
        assert outcome.committed is not None
        assert outcome.committed.contract_ids == committed.contract_ids  # the same contracts, not new ones
        assert outcome.quotation is not None and payment.amount == outcome.quotation.total_price
        task = second.order_task(oid)
        if task is not None:
            async with asyncio.timeout(10):
                await task
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
        await db.close()


async def test_an_order_in_production_when_the_manufacturer_died_is_produced_after_the_restart(
    prosody_settings: Settings, tmp_path: Path, matchmaker: str, proxies: ChildProcess, contract_agent: str
) -> None:
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)
    name = unique("manufacturer")
    slow, _ = manufacturer(
        prosody_settings,
        db,
        name,
        matchmaker,
        proxies.ready_line,
        contract_agent,
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

        second, _ = manufacturer(prosody_settings, db, name, matchmaker, proxies.ready_line, contract_agent)
        await second.start()
        async with asyncio.timeout(WAIT):
            payment = await handle.payment
        assert outcome.quotation is not None and payment.amount == outcome.quotation.total_price
        task = second.order_task(oid)
        if task is not None:
            async with asyncio.timeout(10):
                await task
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
        await db.close()
