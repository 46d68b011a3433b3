"""Per-party ledger sessions for the commit and lifecycle tests: each platform party onboarded as the
operator does it (a party allocated through ``/v1/parties/allocate``, its id as the ledger answers it; a user
with CanActAs + CanReadAs that party only, through ``/v1/user/create``, both with an admin token), and
sessions whose clients carry HS256 user tokens (``sub`` = the party's user) of one user each."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import httpx
import jwt

from ledger.commit_dazl import DazlCommitLedger
from ledger.jsonapi_client import JsonApiClient, RetryPolicy, TokenProvider
from ledger.lifecycle import LedgerCalls, PartyLedger, StaticIdentities, TokenSessions
from ledger.testing import LedgerProcess, hs256_token
from ontology.contract import PartyRole

Transport = Literal["dazl", "json"]


@dataclass(frozen=True)
class Identity:
    party: str
    user_id: str


def user_token(secret: str, user_id: str) -> str:
    """A Daml 2.x user token: the user's rights come from the ledger's user management."""
    claims = {"sub": user_id, "scope": "daml_ledger_api", "exp": int(time.time() + 3600)}
    return jwt.encode(claims, secret, algorithm="HS256")


class UserTokens:
    """``PartyTokens``: HS256 tokens of one user each."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    async def token(self, user_id: str) -> str:
        return user_token(self.secret, user_id)


async def onboard(ledger: LedgerProcess, secret: str, role: PartyRole, platform_id: str) -> Identity:
    """A new ledger party and user for ``platform_id`` (the id the ledger allocates, never the hint)."""
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as http:
        return await _onboard(http, secret, role, platform_id)


async def onboard_many(
    ledger: LedgerProcess, secret: str, parties: Sequence[tuple[PartyRole, str]]
) -> dict[tuple[PartyRole, str], Identity]:
    """:func:`onboard` each of ``parties``, a few at a time over one connection pool."""
    found: dict[tuple[PartyRole, str], Identity] = {}
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=30) as http:
        for start in range(0, len(parties), 16):
            batch = parties[start : start + 16]
            made = await asyncio.gather(*(_onboard(http, secret, role, pid) for role, pid in batch))
            found.update(zip(batch, made, strict=True))
    return found


async def _onboard(http: httpx.AsyncClient, secret: str, role: PartyRole, platform_id: str) -> Identity:
    admin = {"Authorization": f"Bearer {hs256_token(secret, admin=True)}"}
    unique = uuid.uuid4().hex[:6]
    hint = re.sub(r"[^A-Za-z0-9_-]", "_", f"{role}-{platform_id}")[:80] + f"-{unique}"
    allocated = await http.post("/v1/parties/allocate", json={"identifierHint": hint}, headers=admin)
    assert allocated.status_code == 200, allocated.text
    party = allocated.json()["result"]["identifier"]
    user_id = f"lso-{hint}".lower()
    rights = [{"type": "CanActAs", "party": party}, {"type": "CanReadAs", "party": party}]
    created = await http.post(
        "/v1/user/create", json={"userId": user_id, "primaryParty": party, "rights": rights}, headers=admin
    )
    assert created.status_code == 200, created.text
    return Identity(party, user_id)


async def onboard_all(
    ledger: LedgerProcess, secret: str, parties: Mapping[str, PartyRole]
) -> dict[tuple[PartyRole, str], Identity]:
    """Every ``{platform id: role}`` onboarded."""
    return {(role, pid): await onboard(ledger, secret, role, pid) for pid, role in parties.items()}


def connector(
    ledger: LedgerProcess, transport: Transport, timeout: float = 5.0
) -> Callable[[TokenProvider], LedgerCalls]:
    """New clients of ``transport`` to ``ledger``, each with one token provider."""

    def connect(token: TokenProvider) -> LedgerCalls:
        if transport == "dazl":
            return DazlCommitLedger(f"http://{ledger.info.grpc}", token, timeout=timeout, application_id=None)
        retry = RetryPolicy(attempts=2, backoff=0.05)
        return JsonApiClient(ledger.info.json_api, token, timeout=timeout, retry=retry)

    return connect


def sessions(
    ledger: LedgerProcess,
    secret: str,
    identities: Mapping[tuple[PartyRole, str], Identity],
    transport: Transport = "dazl",
    *,
    connect: Callable[[TokenProvider], LedgerCalls] | None = None,
) -> TokenSessions:
    return TokenSessions(
        StaticIdentities(identities), UserTokens(secret), connect or connector(ledger, transport)
    )


async def session_of(
    all_sessions: TokenSessions, identities: Mapping[tuple[PartyRole, str], Identity], platform_id: str
) -> PartyLedger:
    role = next(role for (role, pid) in identities if pid == platform_id)
    return await all_sessions.session(role, platform_id)
