"""`lso run`'s onboarding, against a real embedded ledger over HTTP: before its agents start, every
manufacturer it runs and every supplier of its data set has its own ledger party and user (stored in the
platform's database); customers get theirs on their first session; a second start onboards nothing new."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cli.ledger_identities import (
    LedgerAuthority,
    OnboardingFailed,
    minted_authority,
    party_sessions,
    platform_parties,
    platform_secret,
)
from common.settings import Settings
from federation.dataset.generator import generate
from federation.settings import FederationSettings
from gateway.demo import seed_demo_database
from ledger.identities import SignedUserTokens, user_token_provider
from ledger.identities.onboarding import own_rights
from ledger.identities.store_book import StoreIdentityBook
from ledger.jsonapi_client import JsonApiClient
from ledger.settings import LedgerSettings
from ledger.testing import LedgerProcess
from ontology.contract import PartyRole
from store.database import Database
from store.migrate import upgrade

LEDGER_ID = "lso-run-onboarding-test"
FINGERPRINT = "1220" + hashlib.sha256(LEDGER_ID.encode()).hexdigest()


@pytest.fixture
async def world(
    tmp_path: Path,
) -> AsyncIterator[tuple[Settings, LedgerProcess, Database, FederationSettings]]:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    secret = platform_secret(settings)
    env = {
        "LSO_LEDGER_AUTH_USERS": json.dumps({settings.ledger_operator_user: {"admin": True}}),
        "LSO_LEDGER_PARTY_IDS": "canton",
        "LSO_LEDGER_LEDGER_ID": LEDGER_ID,
    }
    dataset = tmp_path / "suppliers.json"
    dataset.write_text(generate(seed=7, count=5).model_dump_json())
    federation = FederationSettings(_env_file=None, service_dataset=dataset)
    url = settings.resolved_database_url
    await upgrade(url)
    await seed_demo_database(url, xmpp_domain=settings.xmpp_domain)
    db = await Database.open(url)
    ledger = LedgerProcess(tmp_path / "ledger", secret=secret, env=env, grpc=False)
    await ledger.astart()
    try:
        yield settings, ledger, db, federation
    finally:
        await ledger.astop()
        await db.close()


async def test_the_platforms_parties_are_onboarded_before_its_agents_start(
    world: tuple[Settings, LedgerProcess, Database, FederationSettings],
) -> None:
    settings, process, db, federation = world
    ledger = LedgerSettings(_env_file=None, json_api_url=process.info.json_api)
    authority = minted_authority(settings, platform_secret(settings))
    parties = await platform_parties(settings, db, federation)
    roles = [p.role for p in parties]
    assert roles.count(PartyRole.MANUFACTURER) == 1 and roles.count(PartyRole.SUPPLIER) == 5

    async with party_sessions(settings, ledger, db, authority, parties, actor="lso run") as sessions:
        stored = await sessions.identities.book.all()
        assert sorted((i.role, i.platform_id) for i in stored) == sorted(
            (p.role, p.platform_id) for p in parties
        )
        assert authority.operator is not None
        async with JsonApiClient(process.info.json_api, authority.operator) as operator:
            for identity in stored:
                assert identity.party.endswith(f"::{FINGERPRINT}")
                assert sorted(await operator.user_rights(identity.user_id)) == sorted(
                    own_rights(identity.party)
                )
            before = len(await operator.parties())

            customer = str(uuid.uuid4())
            session = await sessions.session_for(PartyRole.CUSTOMER, customer)
            assert session.party == f"customer-{customer}::{FINGERPRINT}"
            assert len(await operator.parties()) == before + 1, "a customer is onboarded on its first session"

    async with party_sessions(settings, ledger, db, authority, parties, actor="lso run") as again:
        assert await again.identities.book.all() == await sessions.identities.book.all()
    async with JsonApiClient(process.info.json_api, authority.operator) as operator:
        assert len(await operator.parties()) == before + 1, "a second start allocates nothing"


async def test_a_ledger_that_refuses_the_onboarding_ends_the_start_with_its_reason(
    world: tuple[Settings, LedgerProcess, Database, FederationSettings],
) -> None:
    settings, process, db, federation = world
    ledger = LedgerSettings(_env_file=None, json_api_url=process.info.json_api)
    tokens = SignedUserTokens(platform_secret(settings))
    not_the_operator = LedgerAuthority(user_token_provider(tokens, "lso-nobody"), tokens)
    parties = await platform_parties(settings, db, federation)
    with pytest.raises(OnboardingFailed, match=r"onboarding the platform's parties .* failed: HTTP 403"):
        async with party_sessions(settings, ledger, db, not_the_operator, parties, actor="lso run"):
            pass
    assert await StoreIdentityBook(db).all() == []
