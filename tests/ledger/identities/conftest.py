"""Fixtures of the identity tests: a real ``python -m ledger`` with HS256 auth, Canton-style party ids and
the operator configured as ``lso run`` configures it (ParticipantAdmin only); the platform store on SQLite
and on a fresh PostgreSQL database; the operator's JSON API client and the identity service over both."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from ledger.identities import LedgerIdentities, LedgerOnboarding, SignedUserTokens, user_token_provider
from ledger.identities.store_book import StoreIdentityBook
from ledger.jsonapi_client import JsonApiClient
from ledger.testing import LedgerProcess
from store.database import Database
from tests.ledger.storages import STORAGES, storage_url

SECRET = "identities-test-secret-0123456789abcdef0123456789"
OPERATOR = "lso-operator"
TOKENS = SignedUserTokens(SECRET, lifetime=600)


@pytest.fixture(scope="module")
async def ledger(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LedgerProcess]:
    env = {
        "LSO_LEDGER_AUTH_USERS": json.dumps({OPERATOR: {"admin": True}}),
        "LSO_LEDGER_PARTY_IDS": "canton",
        "LSO_LEDGER_LEDGER_ID": "lso-identities-test",
    }
    process = LedgerProcess(tmp_path_factory.mktemp("identities") / "ledger", secret=SECRET, env=env)
    await process.astart()
    try:
        yield process
    finally:
        await process.astop()


@pytest.fixture(params=STORAGES)
async def db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    """The platform's store, migrated: a SQLite file or a fresh PostgreSQL database."""
    async with storage_url(request.param, tmp_path_factory.mktemp("store")) as url:
        database = await Database.open(url, migrate=True)
        try:
            yield database
        finally:
            await database.close()


def client_of(ledger: LedgerProcess, user: str) -> JsonApiClient:
    """A JSON API client holding tokens of ``user`` only."""
    return JsonApiClient(ledger.info.json_api, user_token_provider(TOKENS, user))


@pytest.fixture
async def operator(ledger: LedgerProcess) -> AsyncIterator[JsonApiClient]:
    async with client_of(ledger, OPERATOR) as client:
        yield client


@pytest.fixture
def identities(db: Database, operator: JsonApiClient) -> LedgerIdentities:
    return LedgerIdentities(StoreIdentityBook(db), LedgerOnboarding(operator), actor="tests")
