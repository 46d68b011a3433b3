"""Party tokens: minted user tokens (embedded) and configured ones (production), each for one user only; the
ledger takes them as that user and nobody else."""

from __future__ import annotations

import asyncio
import stat
import uuid
from pathlib import Path

import jwt
import pytest
from pydantic import SecretStr

from ledger.identities import (
    ConfiguredPartyTokens,
    LedgerIdentities,
    NoPartyToken,
    PartyRef,
    SignedUserTokens,
    user_token_provider,
)
from ledger.identities.tokens import load_or_create_secret
from ledger.jsonapi_client import JsonApiClient, LedgerAuthError
from ledger.testing import LedgerProcess
from ontology.contract import PartyRole
from tests.ledger.identities.conftest import SECRET, TOKENS


async def test_minted_tokens_are_user_tokens_of_that_user() -> None:
    tokens = SignedUserTokens(SECRET, lifetime=120)
    token = await tokens.token("lso-supplier-x")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["sub"] == "lso-supplier-x" and claims["scope"] == "daml_ledger_api"
    assert "https://daml.com/ledger-api" not in claims, "no custom claims: the ledger's user rights apply"
    assert await tokens.token("lso-supplier-x") == token, "cached while fresh"
    assert await tokens.token("lso-supplier-y") != token


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32"):
        SignedUserTokens("too-short")


def test_the_secret_file_is_made_once_mode_600(tmp_path: Path) -> None:
    path = tmp_path / "d" / "ledger-token.secret"
    secret = load_or_create_secret(path)
    assert len(secret) >= 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == secret
    path.write_text("short\n")
    assert load_or_create_secret(path) not in (secret, "short")


async def test_configured_tokens_inline_then_files_rotated_in_place(tmp_path: Path) -> None:
    tokens = ConfiguredPartyTokens({"alice": SecretStr("inline-token")}, tmp_path)
    assert await tokens.token("alice") == "inline-token"
    (tmp_path / "bob.jwt").write_text("first\n")
    assert await tokens.token("bob") == "first"
    (tmp_path / "bob.jwt").write_text("second\n")
    assert await tokens.token("bob") == "second", "read on every request"
    for nobody in ("carol", "../bob", ".hidden"):
        with pytest.raises(NoPartyToken):
            await tokens.token(nobody)
    with pytest.raises(NoPartyToken, match="LSO_LEDGER_PARTY_TOKENS"):
        await ConfiguredPartyTokens().token("alice")


async def test_a_configured_token_file_is_the_users_authority_on_the_ledger(
    ledger: LedgerProcess, identities: LedgerIdentities, tmp_path: Path
) -> None:
    """Production's path: the party's token comes from its file, the ledger takes it as that user."""
    one = await identities.ensure(
        PartyRef(role=PartyRole.SUPPLIER, platform_id=f"SUP-{uuid.uuid4().hex[:6]}")
    )
    other = await identities.ensure(
        PartyRef(role=PartyRole.SUPPLIER, platform_id=f"SUP-{uuid.uuid4().hex[:6]}")
    )
    (tmp_path / f"{one.user_id}.jwt").write_text(await TOKENS.token(one.user_id))
    configured = ConfiguredPartyTokens(directory=tmp_path)
    async with JsonApiClient(ledger.info.json_api, user_token_provider(configured, one.user_id)) as client:
        assert await client.query(["LotSizeOne.Contract:SupplyProposal"]) == []
        with pytest.raises(LedgerAuthError):
            await client.query(["LotSizeOne.Contract:SupplyProposal"], readers=[other.party])
    async with JsonApiClient(ledger.info.json_api, user_token_provider(configured, other.user_id)) as client:
        with pytest.raises(NoPartyToken):
            await client.query(["LotSizeOne.Contract:SupplyProposal"])


async def test_a_token_of_an_unknown_user_is_refused(ledger: LedgerProcess) -> None:
    async with JsonApiClient(ledger.info.json_api, user_token_provider(TOKENS, "lso-nobody")) as client:
        with pytest.raises(LedgerAuthError) as refused:
            await asyncio.wait_for(client.query(["LotSizeOne.Contract:SupplyProposal"]), 10)
    assert refused.value.status == 403
