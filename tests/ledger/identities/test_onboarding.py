"""Onboarding against the embedded ledger over real HTTP, with the store on SQLite and PostgreSQL: each party
gets a Canton-style party (as allocated, stored as given) and a user whose rights are exactly that party;
onboarding again, or racing, changes nothing; an existing user's party is read back, never guessed."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid

import httpx
import pytest

from ledger.identities import LedgerIdentities, LedgerOnboarding, PartyRef
from ledger.identities.naming import ledger_user_id, party_hint
from ledger.identities.onboarding import own_rights
from ledger.identities.store_book import StoreIdentityBook
from ledger.jsonapi_client import JsonApiClient, UserRight
from ledger.testing import LedgerProcess
from ontology.contract import PartyRole
from store.database import Database
from tests.ledger.identities.conftest import OPERATOR, TOKENS, client_of

FINGERPRINT = "1220" + hashlib.sha256(b"lso-identities-test").hexdigest()


def _uid() -> str:
    return uuid.uuid4().hex[:8]


async def _parties_with_hint(operator: JsonApiClient, hint: str) -> list[str]:
    return [p.identifier for p in await operator.parties() if p.identifier.split("::", 1)[0] == hint]


async def test_a_party_gets_a_canton_style_party_and_a_user_for_that_party_only(
    ledger: LedgerProcess, db: Database, operator: JsonApiClient, identities: LedgerIdentities
) -> None:
    who = PartyRef(role=PartyRole.SUPPLIER, platform_id=f"SUP-{_uid()}", display_name="Sandberg Laser AB")
    identity = await identities.ensure(who)

    hint = party_hint(who.role, who.platform_id)
    assert identity.party == f"{hint}::{FINGERPRINT}", "the id the ledger allocated, Canton-style"
    assert identity.party != hint
    listed = {p.identifier: p for p in await operator.parties()}
    assert listed[identity.party].display_name == "Sandberg Laser AB"

    user = await operator.user(identity.user_id)
    assert user is not None and user.primary_party == identity.party
    assert sorted(await operator.user_rights(identity.user_id)) == sorted(own_rights(identity.party))
    assert sorted(own_rights(identity.party)) == [
        UserRight("CanActAs", identity.party),
        UserRight("CanReadAs", identity.party),
    ]

    async with db.transaction() as repos:
        stored = await repos.ledger_identities.get(PartyRole.SUPPLIER, who.platform_id)
    assert stored is not None
    assert (stored.ledger_party, stored.ledger_user, stored.display_name, stored.created_by) == (
        identity.party,
        identity.user_id,
        "Sandberg Laser AB",
        "tests",
    ), "stored exactly as the ledger allocated it"


async def test_the_users_own_token_sees_only_its_party(
    ledger: LedgerProcess, identities: LedgerIdentities
) -> None:
    identity = await identities.ensure(PartyRef(role=PartyRole.MANUFACTURER, platform_id=str(uuid.uuid4())))
    headers = {"Authorization": f"Bearer {await TOKENS.token(identity.user_id)}"}
    async with httpx.AsyncClient(base_url=ledger.info.json_api, headers=headers, timeout=10) as http:
        me = (await http.get("/v1/user")).json()["result"]
        rights = (await http.get("/v1/user/rights")).json()["result"]
    assert me == {"userId": identity.user_id, "primaryParty": identity.party}
    assert sorted(r["type"] for r in rights) == ["CanActAs", "CanReadAs"]
    assert {r["party"] for r in rights} == {identity.party}


async def test_onboarding_again_changes_nothing(
    ledger: LedgerProcess, db: Database, operator: JsonApiClient, identities: LedgerIdentities
) -> None:
    who = PartyRef(role=PartyRole.CUSTOMER, platform_id=str(uuid.uuid4()), display_name="Carla")
    first = await identities.ensure(who)
    again = await identities.ensure(who)
    # a fresh service on the same store, and one whose store has never heard of the party: both read it back
    other = await LedgerIdentities(StoreIdentityBook(db), LedgerOnboarding(operator)).ensure(who)
    assert first == again == other
    assert await _parties_with_hint(operator, party_hint(who.role, who.platform_id)) == [first.party]
    async with db.transaction() as repos:
        assert [r.platform_id for r in await repos.ledger_identities.list_all(PartyRole.CUSTOMER)].count(
            who.platform_id
        ) == 1


async def test_onboarding_with_an_empty_store_reads_the_ledgers_user_back(
    ledger: LedgerProcess, db: Database, operator: JsonApiClient, identities: LedgerIdentities
) -> None:
    who = PartyRef(role=PartyRole.SUPPLIER, platform_id=f"SUP-{_uid()}")
    first = await identities.ensure(who)

    class EmptyBook(StoreIdentityBook):
        async def find(self, role: PartyRole, platform_id: str) -> None:
            return None

    again = await LedgerIdentities(EmptyBook(db), LedgerOnboarding(operator)).ensure(who)
    assert again == first
    assert await _parties_with_hint(operator, party_hint(who.role, who.platform_id)) == [first.party]


async def test_an_existing_users_party_is_read_back_and_its_rights_made_exact(
    ledger: LedgerProcess,
    operator: JsonApiClient,
    identities: LedgerIdentities,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The user existed already (made by hand, or by an onboarding that crashed before storing): its primary
    party is used, whatever its hint; rights beyond its own party are revoked."""
    who = PartyRef(role=PartyRole.MANUFACTURER, platform_id=str(uuid.uuid4()))
    elsewhere = (await operator.allocate_party(f"elsewhere-{_uid()}")).identifier
    stranger = (await operator.allocate_party(f"stranger-{_uid()}")).identifier
    user_id = ledger_user_id(who.role, who.platform_id)
    await operator.create_user(
        user_id,
        primary_party=elsewhere,
        rights=[
            UserRight("CanActAs", elsewhere),
            UserRight("CanReadAs", stranger),
            UserRight("CanActAs", stranger),
            UserRight("ParticipantAdmin"),
        ],
    )
    with caplog.at_level(logging.WARNING, logger="ledger.identities.onboarding"):
        identity = await identities.ensure(who)
    assert identity.party == elsewhere, "read back from the user, never derived from the hint"
    assert identity.user_id == user_id
    assert sorted(await operator.user_rights(user_id)) == sorted(own_rights(elsewhere))
    assert any("revoked" in r.message and stranger in r.message for r in caplog.records)
    assert await _parties_with_hint(operator, party_hint(who.role, who.platform_id)) == []


async def test_racing_onboardings_end_with_one_party_one_user_one_row(
    ledger: LedgerProcess, db: Database, operator: JsonApiClient
) -> None:
    """Six onboardings of one party at once, each its own service and operator client (as six processes)."""
    who = PartyRef(role=PartyRole.SUPPLIER, platform_id=f"SUP-{_uid()}", display_name="Racer")
    clients = [client_of(ledger, OPERATOR) for _ in range(6)]
    try:
        services = [LedgerIdentities(StoreIdentityBook(db), LedgerOnboarding(c)) for c in clients]
        results = await asyncio.gather(*(s.ensure(who) for s in services))
    finally:
        for client in clients:
            await client.aclose()
    assert len(set(results)) == 1
    (identity,) = set(results)
    assert await _parties_with_hint(operator, party_hint(who.role, who.platform_id)) == [identity.party]
    assert sorted(await operator.user_rights(identity.user_id)) == sorted(own_rights(identity.party))
    async with db.transaction() as repos:
        rows = [r for r in await repos.ledger_identities.list_all() if r.platform_id == who.platform_id]
    assert [(r.ledger_party, r.ledger_user) for r in rows] == [(identity.party, identity.user_id)]


async def test_distinct_platform_ids_never_share_a_party(identities: LedgerIdentities) -> None:
    """Ids that sanitise alike (case, characters a hint cannot hold) get parties and users of their own."""
    base = _uid()
    ids = [f"Sup {base}", f"sup-{base}", f"SUP-{base}", f"sup_{base}", f"sup/{base}"]
    got = [await identities.ensure(PartyRef(role=PartyRole.SUPPLIER, platform_id=i)) for i in ids]
    assert len({g.party for g in got}) == len(ids)
    assert len({g.user_id for g in got}) == len(ids)
