"""Contracting without XMPP, each party committing its own step through dazl with its own ledger user's token:
retries while the ledger is down (dazl reconnects), the order's status and contract ids in the platform's
store (SQLite, migrated), failure on refusal, on another agreement on the ledger and on a party without a
ledger identity."""

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
    PARTY_NOT_ONBOARDED,
    CommitRetry,
    Contracting,
    StoreOrderTracker,
)
from ledger.commit import ORDER_AGREEMENT, AgreementCommitter
from ledger.identities import LedgerIdentities, LedgerOnboarding, SignedUserTokens
from ledger.identities import PartySessions as IdentitySessions
from ledger.identities.store_book import StoreIdentityBook
from ledger.jsonapi_client import JsonApiClient, static_token
from ledger.lifecycle import OrderKey, SourcedSessions, TokenSessions
from ledger.testing import LedgerProcess, hs256_token
from ontology.common import Reason
from ontology.contract import CommitAgreement, ContractCommitted, PartyRole
from ontology.order import OrderStatus
from store.database import Database
from store.enums import UserRole
from store.migrate import upgrade
from store.records import NewProduct, NewUser, UserRecord
from tests.ledger.examples import commit_request, move_order, priced, status_of
from tests.ledger.party_sessions import Identity, connector, onboard, onboard_all, sessions

SECRET = "contracting-test-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    process = LedgerProcess(
        tmp_path_factory.mktemp("contracting"), secret=SECRET, env={"LSO_LEDGER_PARTY_IDS": "canton"}
    )
    process.start()
    yield process
    process.stop()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.engine'}"
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


Identities = dict[tuple[PartyRole, str], Identity]


@pytest.fixture(scope="module")
async def suppliers(ledger: LedgerProcess) -> Identities:
    return await onboard_all(ledger, SECRET, {"s1": PartyRole.SUPPLIER, "s2": PartyRole.SUPPLIER})


async def identities_of(
    ledger: LedgerProcess, suppliers: Identities, customer: UserRecord, maker: UserRecord
) -> Identities:
    """The order's parties onboarded: its customer and manufacturer (store users) and the suppliers."""
    found = dict(suppliers)
    for role, user in ((PartyRole.CUSTOMER, customer), (PartyRole.MANUFACTURER, maker)):
        found[(role, str(user.id))] = await onboard(ledger, SECRET, role, str(user.id))
    return found


def contracting(
    ledger: LedgerProcess, db: Database, identities: Identities
) -> tuple[Contracting, TokenSessions]:
    parties = sessions(ledger, SECRET, identities)
    retry = CommitRetry(first_delay=0.1, max_delay=0.3, deadline=timedelta(seconds=20))
    return Contracting(AgreementCommitter(parties), retry, StoreOrderTracker(db)), parties


async def test_waits_contracting_while_the_ledger_is_down_then_contracted(
    ledger: LedgerProcess, db: Database, suppliers: Identities
) -> None:
    request, customer, maker = await stored_request(db)
    work, client = contracting(ledger, db, await identities_of(ledger, suppliers, customer, maker))
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


async def test_refusal_fails_the_order(ledger: LedgerProcess, db: Database, suppliers: Identities) -> None:
    """The customer's session holds the manufacturer's user token: the ledger refuses the customer's order."""
    ledger.start()
    request, customer, maker = await stored_request(db)
    identities = await identities_of(ledger, suppliers, customer, maker)
    key = (PartyRole.CUSTOMER, str(customer.id))
    identities[key] = Identity(
        identities[key].party, identities[(PartyRole.MANUFACTURER, str(maker.id))].user_id
    )
    work, client = contracting(ledger, db, identities)
    result = await work.commit(request)
    await client.aclose()
    assert isinstance(result, Reason) and "refused" in result.reason
    async with db.transaction() as repos:
        assert (await repos.orders.require(str(request.order.id))).status == OrderStatus.FAILED


async def test_a_party_without_a_ledger_identity_fails_the_order_in_words(
    ledger: LedgerProcess, db: Database, suppliers: Identities
) -> None:
    ledger.start()
    request, customer, maker = await stored_request(db)
    identities = await identities_of(ledger, suppliers, customer, maker)
    del identities[(PartyRole.SUPPLIER, "s2")]
    work, client = contracting(ledger, db, identities)
    result = await work.commit(request)
    await client.aclose()
    assert isinstance(result, Reason) and result.reason == PARTY_NOT_ONBOARDED
    assert result.detail == "supplier s2 has no ledger party and user (it is not onboarded)"
    assert await status_of(db, request.order.id) == OrderStatus.FAILED


async def test_a_different_agreement_on_the_ledger_fails_the_order(
    ledger: LedgerProcess, db: Database, suppliers: Identities
) -> None:
    ledger.start()
    request, customer, maker = await stored_request(db)
    work, client = contracting(ledger, db, await identities_of(ledger, suppliers, customer, maker))
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
    ledger: LedgerProcess, db: Database, suppliers: Identities
) -> None:
    ledger.start()
    request, customer, maker = await stored_request(db)
    await move_order(db, request.order.id, OrderStatus.CONTRACTING, OrderStatus.CONTRACTED)
    work, client = contracting(ledger, db, await identities_of(ledger, suppliers, customer, maker))
    missing = await work.commit(request, existing_only=True)
    assert isinstance(missing, Reason) and missing.reason == AGREEMENT_MISSING
    buyer = await client.session(PartyRole.CUSTOMER, str(customer.id))
    assert await buyer.customer_order(buyer.party, str(request.order.id)) is None
    assert await status_of(db, request.order.id) == OrderStatus.CONTRACTED  # not failed

    committed = await work.committer.commit(request)
    again = await work.commit(request, existing_only=True)
    await client.aclose()
    assert isinstance(again, ContractCommitted) and again.contract_ids == committed.contract_ids
    assert await status_of(db, request.order.id) == OrderStatus.CONTRACTED


async def test_concurrent_commits_of_one_order_make_one_set_and_leave_no_lock(
    ledger: LedgerProcess, db: Database, suppliers: Identities
) -> None:
    ledger.start()
    request, customer, maker = await stored_request(db)
    work, client = contracting(ledger, db, await identities_of(ledger, suppliers, customer, maker))
    first, second = await asyncio.gather(work.commit(request), work.commit(request))
    manufacturer = await client.session(PartyRole.MANUFACTURER, str(maker.id))
    found = await manufacturer.client.query([ORDER_AGREEMENT], {"orderId": str(request.order.id)})
    agreement = await manufacturer.order_agreement(OrderKey(manufacturer.party, str(request.order.id)))
    await client.aclose()
    assert isinstance(first, ContractCommitted) and isinstance(second, ContractCommitted)
    assert first.contract_ids == second.contract_ids
    assert [c.contract_id for c in found] == [first.order_contract_id]
    assert agreement is not None and agreement.contract_id == first.order_contract_id
    assert work.orders_under_way == 0


async def test_sessions_from_the_identity_service_commit_with_each_partys_own_user(
    ledger: LedgerProcess, db: Database
) -> None:
    """``lso run``'s sessions plug in: the identity service onboards every party on its first session
    (its own ledger party and user, kept in the store), and each step is signed with that user's token."""
    ledger.start()
    request, customer, maker = await stored_request(db)
    operator = JsonApiClient(ledger.info.json_api, static_token(hs256_token(SECRET, admin=True)))
    identities = LedgerIdentities(StoreIdentityBook(db), LedgerOnboarding(operator), actor="tests")
    parties = SourcedSessions(
        IdentitySessions(identities, SignedUserTokens(SECRET)), connector(ledger, "dazl")
    )
    retry = CommitRetry(first_delay=0.1, max_delay=0.3, deadline=timedelta(seconds=20))
    try:
        result = await Contracting(AgreementCommitter(parties), retry, StoreOrderTracker(db)).commit(request)
        assert isinstance(result, ContractCommitted)
        async with db.transaction() as repos:
            stored = await repos.ledger_identities.get(PartyRole.CUSTOMER, str(customer.id))
        assert stored is not None and "::" in stored.ledger_party
        buyer = await parties.session(PartyRole.CUSTOMER, str(customer.id))
        assert buyer.party == stored.ledger_party
        seller = await parties.session(PartyRole.MANUFACTURER, str(maker.id))
        agreement = await buyer.order_agreement(OrderKey(seller.party, str(request.order.id)))
        assert agreement is not None and agreement.contract_id == result.order_contract_id
        assert (agreement.data.customer, agreement.data.manufacturer) == (buyer.party, seller.party)
    finally:
        await parties.aclose()
        await operator.aclose()
