"""Shared by the user management and not-found tests: a real ``python -m ledger`` (LedgerProcess) on SQLite or
on a fresh PostgreSQL database, HS256 tokens of both shapes, and small HTTP helpers."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest

from ledger.grpc.auth import V2_SCOPE
from ledger.testing import LedgerProcess, hs256_token
from tests.ledger.storages import STORAGES, process_database

SECRET = "users-test-secret-0123456789abcdef-0123"
#: One configured user (``LSO_LEDGER_AUTH_USERS``): the platform's operator, as ``lso run`` configures it.
OPERATOR = "lso-operator"


def user_token(user: str, *, audience: bool = False, expires_in: float = 600) -> str:
    """A 2.x user token: ``sub`` + ``scope: daml_ledger_api`` (or the audience-based form)."""
    payload: dict[str, Any] = {"sub": user, "exp": int(time.time() + expires_in)}
    if audience:
        payload["aud"] = "https://daml.com/jwt/aud/participant/lso-embedded-participant"
    else:
        payload["scope"] = V2_SCOPE
    return jwt.encode(payload, SECRET, algorithm="HS256")


def custom_token(*act_as: str, admin: bool = False, read_as: tuple[str, ...] = ()) -> str:
    """A 1.x custom-claims token (what the platform's tests and older clients use)."""
    return hs256_token(SECRET, act_as=act_as, read_as=read_as, admin=admin)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def allocate(ledger: LedgerProcess, *parties: str) -> None:
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as http:
        for party in parties:
            response = await http.post(
                "/v1/parties/allocate",
                json={"identifierHint": party},
                headers=bearer(custom_token(admin=True)),
            )
            assert response.status_code == 200, response.text


def ledger_fixture(directory: str) -> Any:
    """The module's ``ledger`` fixture: a ledger with HS256 auth and the operator configured, on each storage
    (its data under ``directory``); stopped afterwards."""

    @pytest.fixture(scope="module", params=STORAGES)
    async def ledger(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> AsyncIterator[LedgerProcess]:
        async with process_database(request.param, "lso_users_test") as url:
            settings = {
                "LSO_LEDGER_AUTH_USERS": json.dumps({OPERATOR: {"admin": True, "actAsAnyParty": True}})
            }
            data = tmp_path_factory.mktemp(directory) / "ledger"
            process = LedgerProcess(data, secret=SECRET, database_url=url, env=settings)
            process.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # these tests name parties by their hints
            await process.astart()
            try:
                yield process
            finally:
                await process.astop()

    return ledger
