"""Ledger tokens from the identity provider: the local federation service issues RS256 tokens, the ledger
verifies them with the service's JWKS and maps the platform's account to its parties."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pydantic import SecretStr

from agents.contract_agent import IdentityTokens
from federation.service.serve import RunningService, ServiceThread
from federation.settings import ADMIN_PASSWORD, ADMIN_USER, MATCHMAKER_USER, FederationSettings
from ledger import samples
from ledger.commit import ORDER_AGREEMENT, AgreementCommitter
from ledger.commit_dazl import DazlCommitLedger
from ledger.engine.templates import MODULE
from ledger.jsonapi_client import JsonApiClient, LedgerAuthError
from ledger.lifecycle import StaticIdentities, TokenSessions
from ledger.testing import LedgerProcess
from ontology.contract import PartyRole
from tests.ledger.examples import commit_request


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    settings = FederationSettings(
        _env_file=None, service_port=0, service_data_dir=tmp_path_factory.mktemp("efpf")
    )
    with ServiceThread(settings) as running:
        yield running


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory, federation: RunningService) -> Iterator[LedgerProcess]:
    realm = federation.client_settings().realm
    env = {
        "LSO_LEDGER_AUTH_JWKS_URL": f"{federation.url}/auth/realms/{realm}/protocol/openid-connect/certs",
        "LSO_LEDGER_AUTH_USERS": json.dumps(
            {MATCHMAKER_USER: {"actAs": ["c1", "m1", "s1", "s2"], "admin": True}}
        ),
    }
    process = LedgerProcess(tmp_path_factory.mktemp("idp-ledger"), env=env)
    process.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # these tests name parties by their hints
    process.env.pop("LSO_LEDGER_AUTH_DISABLED")
    process.start()
    yield process
    process.stop()


async def test_commit_with_identity_provider_tokens(
    federation: RunningService, ledger: LedgerProcess
) -> None:
    """The contract agent's commit over gRPC with dazl: the identity provider's token (no DAML claims) names
    its user in ``sub``, and the commands carry that user as their application id, as Daml requires."""
    tokens = IdentityTokens(federation.client_settings(FederationSettings(_env_file=None)))
    roles = {
        "c1": PartyRole.CUSTOMER,
        "m1": PartyRole.MANUFACTURER,
        "s1": PartyRole.SUPPLIER,
        "s2": PartyRole.SUPPLIER,
    }
    identities = StaticIdentities({(role, party): _Account(party) for party, role in roles.items()})
    sessions = TokenSessions(
        identities,
        _IdpTokens(tokens),
        lambda token: DazlCommitLedger(f"http://{ledger.info.grpc}", token, timeout=5.0, application_id=None),
    )
    try:
        async with JsonApiClient(ledger.info.json_api, tokens) as client:
            for party in roles:
                await client.ensure_party(party)
            committed = await AgreementCommitter(sessions).commit(commit_request())
            found = await client.query([ORDER_AGREEMENT], {"orderId": str(committed.order_id)})
        assert [c.contract_id for c in found] == [committed.order_contract_id]
    finally:
        await sessions.aclose()
        await tokens.aclose()


@dataclass(frozen=True)
class _Account:
    """The identity provider's account acts for every party here (one ledger user)."""

    party: str
    user_id: str = MATCHMAKER_USER


@dataclass(frozen=True)
class _IdpTokens:
    tokens: IdentityTokens

    async def token(self, user_id: str) -> str:
        return await self.tokens()


async def test_unmapped_account_and_bad_password_refused(
    federation: RunningService, ledger: LedgerProcess
) -> None:
    base = FederationSettings(_env_file=None)
    wrong = IdentityTokens(federation.client_settings(base, password=SecretStr("wrong")))
    other = IdentityTokens(
        federation.client_settings(base, username=ADMIN_USER, password=SecretStr(ADMIN_PASSWORD))
    )
    try:
        async with JsonApiClient(ledger.info.json_api, wrong) as client:
            with pytest.raises(LedgerAuthError):
                await client.packages()
        async with JsonApiClient(ledger.info.json_api, other) as client:
            # a valid token of the identity provider, but of an account that is no user of the ledger:
            # refused outright (Daml: PERMISSION_DENIED), not even packages (issue 14, item 11)
            with pytest.raises(LedgerAuthError) as listing:
                await client.packages()
            assert listing.value.status == 403
            with pytest.raises(LedgerAuthError) as refused:
                await client.create(f"{MODULE}:CustomerOrder", samples.customer_order(), act_as=["c1"])
            assert refused.value.status == 403
    finally:
        await wrong.aclose()
        await other.aclose()
