"""Tokens of an external OpenID Connect provider: the REAL local federation service (RS256 JWTs and
a JWKS over HTTP) stands in for EFPF's Keycloak. ES256 is checked against a JWKS served in process."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI
from pydantic import SecretStr

from federation.service.serve import RunningService, ServiceThread
from federation.settings import FederationSettings, ServiceUser
from gateway.core.config import GatewaySettings
from gateway.core.oidc import ExternalTokenVerifier
from gateway.core.tokens import InvalidToken
from store.enums import UserRole
from tests.gateway.auth_support import add_user, bearer, cheap_argon2, gateway, settings, snapshot

__all__ = ["cheap_argon2"]

pytestmark = pytest.mark.usefixtures("cheap_argon2")

SECRET_WORD = "external-secret"
ACCOUNTS = {
    "buyer@partner.example": ("user",),
    "maker@partner.example": ("user", "manufacturer"),
    "boss@partner.example": ("user", "admin"),
    "known@partner.example": ("user", "manufacturer"),
    "no-email-here": ("user",),
}


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    config = FederationSettings(
        _env_file=None,
        service_port=0,
        service_data_dir=tmp_path_factory.mktemp("idp"),
        service_test_controls=True,
        service_users=[
            ServiceUser(username=name, password=SecretStr(SECRET_WORD), roles=roles)
            for name, roles in ACCOUNTS.items()
        ],
    )
    with ServiceThread(config) as running:
        yield running


def realm(idp: RunningService) -> str:
    return f"{idp.url}/auth/realms/efpf"


def oidc_settings(idp: RunningService, **overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "oidc_issuer": realm(idp),
        "oidc_jwks_url": f"{realm(idp)}/protocol/openid-connect/certs",
        "oidc_audience": "account",
        "oidc_email_claim": "preferred_username",
        "oidc_roles_claim": "realm_access.roles",
        **overrides,
    }
    return settings(**values)


async def external_token(idp: RunningService, username: str) -> str:
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.post(
            f"{realm(idp)}/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "lso-platform",
                "username": username,
                "password": SECRET_WORD,
            },
        )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_signed(claims: dict[str, Any], header: dict[str, Any], hmac_key: bytes | None) -> str:
    """A JWT signed by hand (PyJWT rightly refuses to make these): HS256 with ``hmac_key``, or none."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    if hmac_key is None:
        return signing_input + "."
    signature = hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


@pytest.fixture
async def gw(idp: RunningService, tmp_path: Path) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with gateway(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", tmp_path, oidc_settings(idp)) as pair:
        yield pair


async def test_an_external_user_is_created_on_first_sight(
    idp: RunningService, gw: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    app, client = gw
    headers = bearer(await external_token(idp, "buyer@partner.example"))
    first = await client.get("/me", headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["email"] == "buyer@partner.example"
    assert first.json()["role"] == "customer"
    again = await client.get("/me", headers=bearer(await external_token(idp, "buyer@partner.example")))
    assert again.json()["id"] == first.json()["id"]
    async with app.state.db.transaction() as repos:
        assert len(await repos.users.list_all()) == 1
    # the created user has no password: nobody logs in locally as them
    login = await client.post(
        "/auth/token", data={"grant_type": "password", "username": "buyer@partner.example", "password": ""}
    )
    assert login.status_code == 400


async def test_roles_come_from_the_role_claim_but_never_admin(
    idp: RunningService, gw: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    _app, client = gw
    maker = await client.get("/me", headers=bearer(await external_token(idp, "maker@partner.example")))
    assert maker.json()["role"] == "manufacturer"
    boss_headers = bearer(await external_token(idp, "boss@partner.example"))
    assert (await client.get("/me", headers=boss_headers)).json()["role"] == "customer"
    assert (await client.get("/auth/clients", headers=boss_headers)).status_code == 403


async def test_admin_from_outside_only_when_configured(idp: RunningService, tmp_path: Path) -> None:
    config = oidc_settings(idp, oidc_allow_admin=True)
    async with gateway(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}", tmp_path, config) as (_app, client):
        boss = bearer(await external_token(idp, "boss@partner.example"))
        assert (await client.get("/me", headers=boss)).json()["role"] == "admin"
        assert (await client.get("/auth/clients", headers=boss)).status_code == 200


async def test_a_known_e_mail_maps_to_the_local_user(
    idp: RunningService, gw: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    app, client = gw
    local = await add_user(app, "known@partner.example", UserRole.RESEARCHER)
    me = await client.get("/me", headers=bearer(await external_token(idp, "known@partner.example")))
    assert me.json()["id"] == local.id
    assert me.json()["role"] == "researcher"  # the stored role, not the token's


async def test_logout_revokes_an_external_token(
    idp: RunningService, gw: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    _app, client = gw
    headers = bearer(await external_token(idp, "buyer@partner.example"))
    assert (await client.post("/auth/logout", headers=headers)).status_code == 204
    refused = await client.get("/me", headers=headers)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


async def test_forged_and_misfit_external_tokens_are_refused(
    idp: RunningService, gw: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    app, client = gw
    genuine = await external_token(idp, "buyer@partner.example")
    claims = jwt.decode(genuine, options={"verify_signature": False})
    kid = jwt.get_unverified_header(genuine)["kid"]
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = idp.state.issuer._public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    forged = [
        jwt.encode(claims, impostor, algorithm="RS256", headers={"kid": kid}),
        jwt.encode({**claims, "aud": "someone-else"}, impostor, algorithm="RS256", headers={"kid": kid}),
        hand_signed(claims, {"alg": "HS256", "kid": kid}, public_pem),  # algorithm confusion
        hand_signed(claims, {"alg": "none", "kid": kid}, None),
        genuine[:-4] + ("AAAA" if not genuine.endswith("AAAA") else "BBBB"),
    ]
    before = await snapshot(app)
    for token in forged:
        answer = await client.get("/me", headers=bearer(token))
        assert answer.status_code == 401, answer.text
    no_email = await client.get("/me", headers=bearer(await external_token(idp, "no-email-here")))
    assert no_email.status_code == 401
    assert "e-mail" in no_email.json()["detail"]
    assert await snapshot(app) == before


async def test_the_audience_and_the_issuer_are_checked(idp: RunningService, tmp_path: Path) -> None:
    token = bearer(await external_token(idp, "buyer@partner.example"))
    for name, config in (
        ("aud", oidc_settings(idp, oidc_audience="lso-gateway")),
        ("iss", oidc_settings(idp, oidc_issuer="http://127.0.0.1:1/auth/realms/other")),
    ):
        url = f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}"
        async with gateway(url, tmp_path, config) as (_app, client):
            assert (await client.get("/me", headers=token)).status_code == 401


async def test_an_expired_external_token_is_refused(idp: RunningService, tmp_path: Path) -> None:
    control = httpx.AsyncClient(base_url=idp.url)
    try:
        (await control.put("/_test/token-lifetime", json={"access_seconds": 1})).raise_for_status()
        token = bearer(await external_token(idp, "buyer@partner.example"))
    finally:
        await control.post("/_test/reset")
        await control.aclose()
    await asyncio.sleep(2.1)
    config = oidc_settings(idp, oidc_leeway_seconds=0)
    async with gateway(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", tmp_path, config) as (_app, client):
        refused = await client.get("/me", headers=token)
        assert refused.status_code == 401
        assert "expired" in refused.json()["detail"]


async def test_unknown_key_ids_refetch_the_jwks_a_bounded_number_of_times(
    idp: RunningService, gw: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    app, client = gw
    genuine = await external_token(idp, "buyer@partner.example")
    assert (await client.get("/me", headers=bearer(genuine))).status_code == 200
    verifier: ExternalTokenVerifier = app.state.authenticator.external
    fetched = verifier.jwks.fetches
    claims = jwt.decode(genuine, options={"verify_signature": False})
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for index in range(20):
        forged = jwt.encode(claims, impostor, algorithm="RS256", headers={"kid": f"rotated-{index}"})
        answer = await client.get("/me", headers=bearer(forged))
        assert answer.status_code == 401
        assert "no signing key" in answer.json()["detail"]
    assert verifier.jwks.fetches - fetched <= 1
    assert (await client.get("/me", headers=bearer(genuine))).status_code == 200


async def test_an_unreachable_jwks_is_a_503(idp: RunningService, tmp_path: Path) -> None:
    config = oidc_settings(idp, oidc_jwks_url="http://127.0.0.1:9/certs", oidc_timeout_seconds=2)
    token = bearer(await external_token(idp, "buyer@partner.example"))
    async with gateway(f"sqlite+aiosqlite:///{tmp_path / 'u.db'}", tmp_path, config) as (_app, client):
        answer = await client.get("/me", headers=token)
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/problem+json"


async def test_es256_tokens_verify_against_an_ec_jwks() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwks = {"keys": [{**jwk, "kid": "ec-1", "alg": "ES256", "use": "sig"}]}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=jwks))
    config = GatewaySettings(
        _env_file=None,
        oidc_issuer="https://idp.example/realms/x",
        oidc_jwks_url="https://idp.example/realms/x/certs",
        oidc_audience="lso",
    )
    claims = {
        "iss": "https://idp.example/realms/x",
        "aud": "lso",
        "sub": "s-1",
        "exp": int(time.time()) + 60,
        "jti": "j-1",
        "email": "ec@partner.example",
        "realm_access": {"roles": ["researcher"]},
    }
    async with httpx.AsyncClient(transport=transport) as http:
        verifier = ExternalTokenVerifier(config, http)
        token = jwt.encode(claims, key, algorithm="ES256", headers={"kid": "ec-1"})
        identity = await verifier.verify(token, jwt.get_unverified_header(token))
        assert identity.email == "ec@partner.example"
        assert identity.roles == ("researcher",)
        other = ec.generate_private_key(ec.SECP256R1())
        forged = jwt.encode(claims, other, algorithm="ES256", headers={"kid": "ec-1"})
        with pytest.raises(InvalidToken):
            await verifier.verify(forged, jwt.get_unverified_header(forged))
