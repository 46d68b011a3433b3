"""Per-party sessions, the API the contract agent builds its party ledgers from: the party as allocated and
a token of its own user; a customer is onboarded on its first session; without an operator, nothing is."""

from __future__ import annotations

import uuid

import jwt
import pytest

from ledger.identities import LedgerIdentities, MemoryIdentityBook, NotOnboarded, PartyRef, PartySessions
from ledger.identities.store_book import StoreIdentityBook
from ledger.testing import LedgerProcess
from ontology.contract import PartyRole
from store.database import Database
from tests.ledger.identities.conftest import SECRET, TOKENS


async def test_a_customer_is_onboarded_on_its_first_session(
    ledger: LedgerProcess, db: Database, identities: LedgerIdentities
) -> None:
    customer = str(uuid.uuid4())
    assert await identities.find(PartyRole.CUSTOMER, customer) is None
    sessions = PartySessions(identities, TOKENS)
    session = await sessions.session_for(PartyRole.CUSTOMER, customer, "Carla")
    assert session.party.startswith(f"customer-{customer}::1220")
    assert jwt.decode(await session.token(), SECRET, algorithms=["HS256"])["sub"] == session.user_id
    assert (await sessions.session_for(PartyRole.CUSTOMER, customer)).identity == session.identity
    stored = await identities.find(PartyRole.CUSTOMER, customer)
    assert stored is not None and stored.party == session.party and stored.display_name == "Carla"


async def test_without_an_operator_only_onboarded_parties_have_sessions(
    db: Database, identities: LedgerIdentities
) -> None:
    known = await identities.ensure(PartyRef(role=PartyRole.MANUFACTURER, platform_id=str(uuid.uuid4())))
    agent_side = PartySessions(LedgerIdentities(StoreIdentityBook(db), None), TOKENS)
    session = await agent_side.session_for(PartyRole.MANUFACTURER, known.platform_id)
    assert (session.party, session.user_id) == (known.party, known.user_id)
    with pytest.raises(NotOnboarded, match="operator token"):
        await agent_side.session_for(PartyRole.CUSTOMER, str(uuid.uuid4()))


async def test_sessions_over_a_memory_book(ledger: LedgerProcess, identities: LedgerIdentities) -> None:
    """What a test of the contract agent may build: the same onboarding, identities kept in memory."""
    assert identities.onboarding is not None
    sessions = PartySessions(LedgerIdentities(MemoryIdentityBook(), identities.onboarding), TOKENS)
    supplier = f"SUP-{uuid.uuid4().hex[:6]}"
    session = await sessions.session_for(PartyRole.SUPPLIER, supplier, "Laser AB")
    assert session.party.startswith(f"supplier-{supplier}::1220")
    assert (await sessions.session_for(PartyRole.SUPPLIER, supplier)).identity == session.identity
    assert await sessions.identities.book.all(PartyRole.SUPPLIER) == [session.identity]
    assert await sessions.identities.book.all(PartyRole.CUSTOMER) == []
