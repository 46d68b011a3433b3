"""Step 1 over real HTTP: Keycloak-shaped tokens, RS256 JWTs checked against the published JWKS,
caching, renewal before expiry, one re-authentication on a 401, wrong credentials."""

from __future__ import annotations

import asyncio
import time

import httpx
import jwt
import pytest
from pydantic import SecretStr

from federation.errors import AuthenticationFailed, FederationUnavailable, MalformedResponse, NotFound
from federation.http import make_http_client
from federation.identity import IdentityClient
from federation.matchmaking import EfpfMatchmaker
from federation.registry import RegistryClient
from federation.settings import ADMIN_ROLE, FederationSettings
from tests.federation.conftest import Control


async def test_password_grant_issues_an_rs256_jwt_verifiable_with_the_jwks(
    settings: FederationSettings,
) -> None:
    async with make_http_client(settings) as http:
        token = await IdentityClient(settings, http).token()
        jwks = (
            await http.get(f"{settings.identity_url}/realms/{settings.realm}/protocol/openid-connect/certs")
        ).json()
        discovery = (
            await http.get(
                f"{settings.identity_url}/realms/{settings.realm}/.well-known/openid-configuration"
            )
        ).json()
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    [key] = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    claims = jwt.decode(
        token,
        jwt.PyJWK(key).key,
        algorithms=["RS256"],
        issuer=discovery["issuer"],
        audience="account",
    )
    assert claims["preferred_username"] == settings.username
    assert claims["typ"] == "Bearer"
    assert claims["exp"] - claims["iat"] == 300
    assert ADMIN_ROLE not in claims["realm_access"]["roles"]
    assert discovery["jwks_uri"].endswith("/protocol/openid-connect/certs")


async def test_the_token_is_cached(settings: FederationSettings, control: Control) -> None:
    async with make_http_client(settings) as http:
        identity = IdentityClient(settings, http)
        first = await asyncio.gather(*(identity.token() for _ in range(5)))
        assert len(set(first)) == 1
        assert await identity.token() == first[0]
    assert identity.grants == 1
    assert control.counters()["grant:password"] == 1


async def test_an_expiring_token_is_renewed_before_it_expires(
    settings: FederationSettings, control: Control
) -> None:
    control.token_lifetime(2)
    async with EfpfMatchmaker(settings) as matchmaker:
        first = await matchmaker.identity.token()
        current = matchmaker.identity.current
        assert current is not None and current.expires_in == 2
        assert current.renew_at - current.obtained_at == pytest.approx(1.5)
        await asyncio.sleep(1.6)
        # Due for renewal: the next call through the clients gets a new token, not a 401.
        services = await matchmaker.registry.services()
        second = await matchmaker.identity.token()
    assert services and second != first
    counters = control.counters()
    assert counters["grant:password"] == 1
    assert counters["grant:refresh_token"] == 1
    assert counters["registry"] == 1  # no 401 and retry


async def test_an_expired_token_rejected_by_the_server_is_renewed_once(
    settings: FederationSettings, control: Control
) -> None:
    """The client's clock says the token is fresh; the server says it expired: re-authenticate, retry."""
    control.token_lifetime(1)
    fake_now = [0.0]
    async with make_http_client(settings) as http:
        identity = IdentityClient(settings, http, clock=lambda: fake_now[0])
        registry = RegistryClient(settings, http, identity.auth())
        old = await identity.token()
        expires = jwt.decode(old, options={"verify_signature": False})["exp"]
        await asyncio.sleep(max(0.0, expires - time.time()) + 0.05)  # expired for the server only
        page = await registry.page()
        assert page.total >= 1
        assert await identity.token() != old
    assert identity.grants == 2


async def test_a_revoked_token_gets_one_reauthentication(
    settings: FederationSettings, control: Control
) -> None:
    async with EfpfMatchmaker(settings) as matchmaker:
        before = await matchmaker.identity.token()
        control.revoke_tokens()
        assert await matchmaker.search_base_url(refresh=True)
        assert await matchmaker.identity.token() != before
        # Refresh tokens were revoked too: the client fell back to the password grant.
        assert control.counters()["grant:password"] == 2


async def test_a_service_that_keeps_rejecting_tokens_is_bad_credentials(
    settings: FederationSettings, control: Control
) -> None:
    """A token the service never accepts (signed by another key): one retry, then AuthenticationFailed."""
    forged = jwt.encode({"sub": "x"}, "a key that is not the realm key, 32+ bytes", algorithm="HS256")
    calls: list[str] = []

    async def forged_token() -> str:
        calls.append(forged)
        return forged

    async with make_http_client(settings) as http:
        identity = IdentityClient(settings, http)
        identity.token = forged_token  # type: ignore[method-assign]
        with pytest.raises(AuthenticationFailed) as caught:
            await RegistryClient(settings, http, identity.auth()).page()
    assert caught.value.status == 401
    assert len(calls) == 2
    assert control.counters()["registry"] == 2


async def test_a_wrong_password_is_a_typed_error(settings: FederationSettings) -> None:
    wrong = settings.model_copy(update={"password": SecretStr("not-the-password")})
    async with EfpfMatchmaker(wrong) as matchmaker:
        with pytest.raises(AuthenticationFailed) as caught:
            await matchmaker.search_base_url()
    assert "Invalid user credentials" in str(caught.value)
    assert caught.value.reason == "efpf-bad-credentials"


async def test_an_unknown_user_and_an_unknown_client_are_bad_credentials(
    settings: FederationSettings,
) -> None:
    for update in ({"username": "nobody"}, {"client_id": "someone-else"}):
        async with make_http_client(settings) as http:
            with pytest.raises(AuthenticationFailed):
                await IdentityClient(settings.model_copy(update=update), http).token()


async def test_an_unknown_realm_is_not_found(settings: FederationSettings) -> None:
    async with make_http_client(settings) as http:
        with pytest.raises(NotFound):
            await IdentityClient(settings.model_copy(update={"realm": "nowhere"}), http).token()


async def test_token_endpoint_failures(settings: FederationSettings, control: Control) -> None:
    async with make_http_client(settings) as http:
        control.fault("token", count=1, status=503)
        assert await IdentityClient(settings, http).token()  # retried
        control.fault("token", mode="malformed")
        with pytest.raises(MalformedResponse):
            await IdentityClient(settings, http).token()
        control.fault("token", mode="wrong-shape")
        with pytest.raises(MalformedResponse, match="access_token"):
            await IdentityClient(settings, http).token()
        control.fault("token", count=3)
        with pytest.raises(FederationUnavailable, match="3 tries"):
            await IdentityClient(settings, http).token()


async def test_token_request_speaks_keycloak(settings: FederationSettings) -> None:
    """The raw endpoint, as any OAuth client would call it."""
    async with httpx.AsyncClient() as http:
        missing = await http.post(settings.token_url, data={"client_id": settings.client_id})
        unsupported = await http.post(
            settings.token_url, data={"client_id": settings.client_id, "grant_type": "client_credentials"}
        )
        ok = await http.post(
            settings.token_url,
            data={
                "grant_type": "password",
                "client_id": settings.client_id,
                "username": settings.username,
                "password": settings.password.get_secret_value(),
            },
        )
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")
    assert (unsupported.status_code, unsupported.json()["error"]) == (400, "unsupported_grant_type")
    body = ok.json()
    assert {"access_token", "expires_in", "refresh_token", "refresh_expires_in", "token_type"} <= body.keys()
    assert body["token_type"] == "Bearer"
