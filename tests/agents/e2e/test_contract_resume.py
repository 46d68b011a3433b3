"""Restart on Prosody, the manufacturer in its own process, killed during the contract step.

The customer accepted the quotation; the manufacturer asked the contract agent (which is not up yet)
to commit, and is killed while the order is ``contracting``. The contract agent comes up; the
manufacturer, restarted, resumes the order from its snapshot instead of failing it: it sends the
CommitAgreement again (the contract agent is idempotent), informs the customer of the contracts, then
produces, invoices and is paid.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from agents.customer.agent import CustomerAgent
from agents.customer.decisions import PolicyDecisions
from agents.runtime.child_process import ChildProcess, spawn
from core.settings import Settings
from federation.dataset.loader import load_shipped
from federation.service.serve import RunningService
from ledger.commit import ledger_party
from ledger.testing import LedgerProcess, hs256_token
from ontology.order import OrderStatus
from ontology.policy import CustomerPolicy
from tests.agents.e2e.test_restart import manufacturer_command, reached, status_of
from tests.agents.e2e.world import (
    CUSTOMER_FAST,
    federation,
    open_store,
    order_for,
    start_matchmaker,
    start_proxies,
    unique,
)

pytestmark = pytest.mark.prosody

REPO_ROOT = Path(__file__).resolve().parents[3]
SECRET = "resume-test-secret-0123456789abcdef"
CUSTOMER = "customer-resume"
MANUFACTURER = "manufacturer-restart"  # the name manufacturer_command gives the catalogue's product


@pytest.fixture(scope="module")
def efpf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    yield from federation(tmp_path_factory.mktemp("efpf-resume"))


@pytest.fixture(scope="module")
async def matchmaker(prosody_settings: Settings, efpf: RunningService) -> AsyncIterator[str]:
    child = await start_matchmaker(prosody_settings, efpf)
    yield child.ready_line
    await child.stop()


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    process = LedgerProcess(tmp_path_factory.mktemp("resume-ledger"), secret=SECRET, grpc=False)
    process.start()
    yield process
    process.stop()


async def start_contract_agent(settings: Settings, ledger: LedgerProcess, name: str) -> ChildProcess:
    everyone = [CUSTOMER, MANUFACTURER, *(record.id for record in load_shipped().suppliers)]
    token = hs256_token(SECRET, act_as=[ledger_party(p) for p in everyone], admin=True)
    env = {
        "LSO_LEDGER_JSON_API_URL": ledger.info.json_api,
        "LSO_LEDGER_CLIENT_TOKEN": token,
        "LSO_LEDGER_CLIENT_RETRIES": "2",
        "LSO_LEDGER_CLIENT_BACKOFF": "0.05",
        "LSO_LEDGER_COMMIT_RETRY_DELAY": "0.1",
        "LSO_LEDGER_COMMIT_RETRY_MAX_DELAY": "0.5",
        "LSO_LEDGER_COMMIT_DEADLINE": "20",
    }
    return await spawn("agents.contract_agent", ["--name", name], settings, extra_env=env, cwd=REPO_ROOT)


async def test_an_order_interrupted_while_contracting_is_committed_after_a_restart(
    prosody_settings: Settings, tmp_path: Path, matchmaker: str, ledger: LedgerProcess
) -> None:
    contract_name = unique("contract")
    contract_jid = f"{contract_name}@{prosody_settings.xmpp_domain}"
    proxies = await start_proxies(prosody_settings)
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)
    args, env = manufacturer_command(
        tmp_path, matchmaker, proxies.ready_line, deadline_seconds=3, contract=contract_jid
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
        contract = await start_contract_agent(prosody_settings, ledger, contract_name)
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
        assert set(record.contract_ids) == set(outcome.committed.contract_ids)
        statuses = [c.to_status for c in history]
        assert OrderStatus.FAILED not in statuses
        assert statuses[statuses.index(OrderStatus.CONTRACTING) :] == [
            OrderStatus.CONTRACTING,
            OrderStatus.CONTRACTED,
            OrderStatus.IN_PRODUCTION,
            OrderStatus.PRODUCED,
            OrderStatus.INVOICED,
            OrderStatus.PAID,
        ]
        assert await status_of(db, order_id) == OrderStatus.PAID
    finally:
        for child in (first, second, contract):
            if child is not None:
                await child.stop()
        await customer.stop()
        await proxies.stop()
        await db.close()
