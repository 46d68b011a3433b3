"""Contracting without XMPP, committing through dazl: retries while the ledger is down (dazl reconnects),
the order's status and contract ids in the platform's store (SQLite, migrated), failure on refusal and on
another agreement on the ledger."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from agents.contract_agent import (
    AGREEMENT_CONFLICT,
    AGREEMENT_MISSING,
    CommitRetry,
    Contracting,
    StoreOrderTracker,
)
from ledger.commit import ORDER, ORDER_AGREEMENT, AgreementCommitter
from ledger.commit_dazl import DazlCommitLedger
from ledger.testing import LedgerProcess, hs256_token
from ontology.common import Reason
from ontology.contract import CommitAgreement, ContractCommitted
from ontology.order import OrderStatus
from store.database import Database
from store.enums import UserRole
from store.migrate import upgrade
from store.records import NewProduct, NewUser, UserRecord
from tests.ledger.examples import commit_request, move_order, priced, status_of

SECRET = "contracting-test-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    process = LedgerProcess(tmp_path_factory.mktemp("contracting"), secret=SECRET)
    process.start()
    yield process
    process.stop()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    await upgrade(url)
    database = await Database.open(url)
    yield database
    await database.close()


async def stored_request(db: Database) -> tuple[CommitAgreement, UserRecord, UserRecord]:
    async with db.transaction() as repos:
        customer = await repos.users.add(
            NewUser(email="c@example.org", display_name="C", role=UserRole.CUSTOMER, password_hash="x")
        )
        maker = await repos.users.add(
            NewUser(email="m@example.org", display_name="M", role=UserRole.MANUFACTURER, password_hash="x")
        )
        product = await repos.products.add(
            NewProduct(manufacturer_id=maker.id, name="Bike", base_price=Decimal("420"))
        )
    request = commit_request(customer=str(customer.id), manufacturer=str(maker.id), product=str(product.id))
    async with db.transaction() as repos:
        await repos.orders.add_order(request.order)
    return request, customer, maker


def contracting(
    ledger: LedgerProcess, db: Database, parties: list[str]
) -> tuple[Contracting, DazlCommitLedger]:
    token = hs256_token(SECRET, act_as=parties, admin=True)
    client = DazlCommitLedger(f"http://127.0.0.1:{ledger.grpc_port}", token, timeout=1.0)
    retry = CommitRetry(first_delay=0.1, max_delay=0.3, deadline=timedelta(seconds=20))
    return Contracting(AgreementCommitter(client), retry, StoreOrderTracker(db)), client


async def test_waits_contracting_while_the_ledger_is_down_then_contracted(
    ledger: LedgerProcess, db: Database
) -> None:
    request, customer, maker = await stored_request(db)
    work, client = contracting(ledger, db, [str(customer.id), str(maker.id), "s1", "s2"])
    await ledger.astop()
    task = asyncio.create_task(work.commit(request))
    await asyncio.sleep(1.0)
    async with db.transaction() as repos:
        assert (await repos.orders.require(str(request.order.id))).status == OrderStatus.CONTRACTING
    assert not task.done()
    await ledger.astart()
    result = await asyncio.wait_for(task, 20)
    await client.aclose()
    assert isinstance(result, ContractCommitted)
    async with db.transaction() as repos:
        record = await repos.orders.require(str(request.order.id))
        history = await repos.orders.history(str(request.order.id))
    assert record.status == OrderStatus.CONTRACTED
    assert sorted(record.contract_ids) == sorted(result.contract_ids)
    assert {OrderStatus.CONTRACTING, OrderStatus.CONTRACTED} <= {h.to_status for h in history}


async def test_refusal_fails_the_order(ledger: LedgerProcess, db: Database) -> None:
    ledger.start()
    request, _customer, maker = await stored_request(db)
    work, client = contracting(ledger, db, [str(maker.id)])  # not the customer
    result = await work.commit(request)
    await client.aclose()
    assert isinstance(result, Reason) and "refused" in result.reason
    async with db.transaction() as repos:
        assert (await repos.orders.require(str(request.order.id))).status == OrderStatus.FAILED


async def test_a_different_agreement_on_the_ledger_fails_the_order(
    ledger: LedgerProcess, db: Database
) -> None:
    ledger.start()
    request, customer, maker = await stored_request(db)
    work, client = contracting(ledger, db, [str(customer.id), str(maker.id), "s1", "s2"])
    forged = await work.committer.commit(priced(request, "1.00"))
    result = await work.commit(request)
    await client.aclose()
    assert isinstance(result, Reason) and result.reason == AGREEMENT_CONFLICT
    assert f"a different agreement for order {request.order.id} is on the ledger" in (result.detail or "")
    async with db.transaction() as repos:
        record = await repos.orders.require(str(request.order.id))
    assert record.status == OrderStatus.FAILED
    assert forged.order_contract_id not in record.contract_ids and record.contract_ids == []


async def test_a_contracted_order_is_only_handed_its_agreement_back(
    ledger: LedgerProcess, db: Database
) -> None:
    ledger.start()
    request, customer, maker = await stored_request(db)
    await move_order(db, request.order.id, OrderStatus.CONTRACTING, OrderStatus.CONTRACTED)
    work, client = contracting(ledger, db, [str(customer.id), str(maker.id), "s1", "s2"])
    missing = await work.commit(request, existing_only=True)
    assert isinstance(missing, Reason) and missing.reason == AGREEMENT_MISSING
    assert await work.committer.client.query([ORDER], {"orderId": str(request.order.id)}) == []
    assert await status_of(db, request.order.id) == OrderStatus.CONTRACTED  # not failed

    committed = await work.committer.commit(request)
    again = await work.commit(request, existing_only=True)
    await client.aclose()
    assert isinstance(again, ContractCommitted) and again.contract_ids == committed.contract_ids
    assert await status_of(db, request.order.id) == OrderStatus.CONTRACTED


async def test_concurrent_commits_of_one_order_make_one_set_and_leave_no_lock(
    ledger: LedgerProcess, db: Database
) -> None:
    ledger.start()
    request, customer, maker = await stored_request(db)
    work, client = contracting(ledger, db, [str(customer.id), str(maker.id), "s1", "s2"])
    first, second = await asyncio.gather(work.commit(request), work.commit(request))
    found = await client.query([ORDER_AGREEMENT], {"orderId": str(request.order.id)})
    await client.aclose()
    assert isinstance(first, ContractCommitted) and isinstance(second, ContractCommitted)
    assert first.contract_ids == second.contract_ids
    assert [c.contract_id for c in found] == [first.order_contract_id]
    assert work.orders_under_way == 0
