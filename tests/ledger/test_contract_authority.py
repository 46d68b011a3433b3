"""Who may have a CommitAgreement committed, and for which order: the contract agent's admission check
against a real (SQLite, migrated) store, without XMPP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from agents.contract.authority import (
    NOT_THE_ACCEPTED_QUOTATION,
    NOT_THE_NEGOTIATED_NETWORK,
    ORDER_TERMS_DIFFER,
    ORDER_UNKNOWN,
    WRONG_STATUS,
    Admitted,
    authorise,
)
from agents.manufacturer.flow import as_contracting
from agents.runtime.directory import StaticDirectory
from agents.runtime.refusals import NOT_AUTHORISED
from ontology.codec import decode, encode
from ontology.common import Reason
from ontology.contract import CommitAgreement
from ontology.order import OrderStatus
from store.database import Database
from store.enums import ANY_PARTY, AgentRole
from store.migrate import upgrade
from tests.ledger.examples import (
    CREATED,
    StoredParties,
    add_parties,
    move_order,
    priced,
    request_of,
    store_request,
    with_network,
)

MAKER_JID = "maker@localhost"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.engine'}"
    await upgrade(url)
    database = await Database.open(url)
    yield database
    await database.close()


@pytest.fixture
async def parties(db: Database) -> StoredParties:
    return (await add_parties(db, "a"))[0]


def directory(parties: StoredParties) -> StaticDirectory:
    return StaticDirectory(
        [
            (MAKER_JID, AgentRole.MANUFACTURER, parties.manufacturer),
            ("other@localhost", AgentRole.MANUFACTURER, "maker-b"),
            ("proxy@localhost", AgentRole.MANUFACTURER, ANY_PARTY),
            ("customers@localhost", AgentRole.CUSTOMER, ANY_PARTY),
        ]
    )


def wire(request: CommitAgreement) -> CommitAgreement:
    """``request`` as the contract agent decodes it from a message."""
    return decode(encode(request), CommitAgreement)


async def verdict(
    db: Database, parties: StoredParties, request: CommitAgreement, sender: str = MAKER_JID
) -> Admitted | Reason:
    return await authorise(directory(parties), db, sender, wire(request))


async def test_the_manufacturers_own_request_for_the_stored_order_is_admitted(
    db: Database, parties: StoredParties
) -> None:
    request = request_of(parties)
    await store_request(db, request)
    assert await verdict(db, parties, request) == Admitted(status=OrderStatus.CONFIRMED)


async def test_the_manufacturer_agents_request_from_the_store_passes_at_every_step(
    db: Database, parties: StoredParties
) -> None:
    """What ``OrderFlow._contract`` sends: the order as the store holds it (contracting, or as it was then
    once contracted), the quotation and network it stored (JSON in the store, Decimals as strings)."""
    request = request_of(parties)
    await store_request(db, request)
    order = request.order
    for status in (OrderStatus.CONTRACTING, OrderStatus.CONTRACTED):
        await move_order(db, order.id, status)
        order = order.transition(status, parties.manufacturer, at=CREATED + timedelta(hours=1))
        sent = CommitAgreement(
            order=as_contracting(order) if status is OrderStatus.CONTRACTED else order,
            network=request.network,
            quotation=request.quotation,
        )
        found = await verdict(db, parties, sent)
        assert found == Admitted(status=status)
        assert found.reuse_only is (status is OrderStatus.CONTRACTED)


@pytest.mark.parametrize(
    "sender", ["outsider@localhost", "other@localhost", "proxy@localhost", "customers@localhost"]
)
async def test_only_the_jid_bound_to_the_orders_manufacturer_itself(
    db: Database, parties: StoredParties, sender: str
) -> None:
    request = request_of(parties)
    await store_request(db, request)
    found = await verdict(db, parties, request, sender)
    assert isinstance(found, Reason) and found.reason == NOT_AUTHORISED
    assert sender in (found.detail or "")


async def test_an_order_the_store_does_not_hold_or_of_another_manufacturer(
    db: Database, parties: StoredParties
) -> None:
    found = await verdict(db, parties, request_of(parties))
    assert isinstance(found, Reason) and found.reason == ORDER_UNKNOWN

    other = (await add_parties(db, "b"))[0]
    theirs = request_of(other)
    await store_request(db, theirs)
    claimed = theirs.model_copy(
        update={"order": theirs.order.model_copy(update={"manufacturer_id": parties.manufacturer})}
    )
    found = await verdict(db, parties, claimed)
    assert isinstance(found, Reason) and found.reason == ORDER_UNKNOWN


@pytest.mark.parametrize(
    "status",
    [OrderStatus.QUOTED, OrderStatus.COUNTERED, OrderStatus.NEGOTIATING],
)
async def test_an_order_not_waiting_for_its_contract(
    db: Database, parties: StoredParties, status: OrderStatus
) -> None:
    request = request_of(parties)
    await store_request(db, request, status=OrderStatus.QUOTED if status is OrderStatus.COUNTERED else status)
    if status is OrderStatus.COUNTERED:
        await move_order(db, request.order.id, status)
    found = await verdict(db, parties, request)
    assert isinstance(found, Reason) and found.reason == WRONG_STATUS


async def test_an_ended_order(db: Database, parties: StoredParties) -> None:
    request = request_of(parties)
    await store_request(db, request)
    await move_order(db, request.order.id, OrderStatus.CANCELLED)
    found = await verdict(db, parties, request)
    assert isinstance(found, Reason) and found.reason == WRONG_STATUS


@pytest.mark.parametrize(
    "change",
    [{"quantity": 3}, {"product_id": "bike-b"}, {"customer_id": "cust-a-2"}],
)
async def test_order_terms_other_than_the_stored_ones(
    db: Database, parties: StoredParties, change: dict[str, object]
) -> None:
    request = request_of(parties)
    await store_request(db, request)
    other = request.model_copy(update={"order": request.order.model_copy(update=change)})
    found = await verdict(db, parties, other)
    assert isinstance(found, Reason) and found.reason == ORDER_TERMS_DIFFER


async def test_a_quotation_other_than_the_accepted_one(db: Database, parties: StoredParties) -> None:
    request = request_of(parties)
    await store_request(db, request)
    found = await verdict(db, parties, priced(request, "1.00"))
    assert isinstance(found, Reason) and found.reason == NOT_THE_ACCEPTED_QUOTATION
    same_total = priced(request, "420.00")  # equal prices, but another quotation (its lines)
    assert same_total.quotation != request.quotation
    found = await verdict(db, parties, same_total)
    assert isinstance(found, Reason) and found.reason == NOT_THE_ACCEPTED_QUOTATION


async def test_a_network_other_than_the_negotiated_one(db: Database, parties: StoredParties) -> None:
    request = request_of(parties)
    await store_request(db, request)
    found = await verdict(db, parties, with_network(request, "1.00"))
    assert isinstance(found, Reason) and found.reason == NOT_THE_NEGOTIATED_NETWORK


async def test_no_stored_quotation_or_network(db: Database, parties: StoredParties) -> None:
    request = request_of(parties)
    async with db.transaction() as repos:
        await repos.orders.add_order(request.order)
    found = await verdict(db, parties, request)
    assert isinstance(found, Reason) and found.reason == NOT_THE_ACCEPTED_QUOTATION
    async with db.transaction() as repos:
        await repos.orders.set_quotation(str(request.order.id), request.quotation)
    found = await verdict(db, parties, request)
    assert isinstance(found, Reason) and found.reason == NOT_THE_NEGOTIATED_NETWORK
