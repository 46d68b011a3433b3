"""Step 1 of the EFPF flow: an access token from the identity provider (Keycloak password grant).

The token is cached and renewed before it expires (with the refresh token when there is one, else
with the password again). :class:`BearerAuth` puts it on requests and, when a service answers 401,
gets a fresh token and tries once more.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import httpx

from federation.errors import AuthenticationFailed, MalformedResponse, UnexpectedResponse
from federation.http import RetryPolicy, check_status, json_body, send
from federation.settings import FederationSettings

log = logging.getLogger(__name__)

#: OAuth error codes by which Keycloak says "these credentials are wrong".
CREDENTIAL_ERRORS = frozenset({"invalid_grant", "invalid_client", "unauthorized_client"})
#: Never renew before this fraction of a token's lifetime has passed.
MIN_LIFETIME_USED = 0.75


@dataclass(frozen=True)
class AccessToken:
    """A token and, on the client's clock, when to renew it and when it expires."""

    value: str = field(repr=False)
    expires_in: float
    obtained_at: float
    renew_at: float
    refresh_token: str | None = field(default=None, repr=False)
    refresh_expires_at: float | None = None

    @property
    def expires_at(self) -> float:
        return self.obtained_at + self.expires_in


class IdentityClient:
    """Gets, caches and renews the platform's EFPF access token."""

    def __init__(
        self,
        settings: FederationSettings,
        http: httpx.AsyncClient,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._http = http
        self._clock = clock
        self._policy = RetryPolicy.from_settings(settings)
        self._current: AccessToken | None = None
        self._lock = asyncio.Lock()
        #: How many tokens were obtained (password and refresh grants), for logs and tests.
        self.grants = 0

    @property
    def current(self) -> AccessToken | None:
        return self._current

    async def token(self) -> str:
        """A valid access token: the cached one, or a renewed one once it is due."""
        cached = self._current
        if cached is not None and self._clock() < cached.renew_at:
            return cached.value
        async with self._lock:
            cached = self._current
            if cached is not None and self._clock() < cached.renew_at:
                return cached.value
            self._current = await self._renew(cached)
            return self._current.value

    def invalidate(self, rejected: str | None = None) -> None:
        """Forget the cached token (only if it is ``rejected``, if given: another caller may have renewed)."""
        if self._current is not None and (rejected is None or self._current.value == rejected):
            self._current = None

    def auth(self) -> BearerAuth:
        return BearerAuth(self)

    async def _renew(self, previous: AccessToken | None) -> AccessToken:
        if (
            previous is not None
            and previous.refresh_token is not None
            and previous.refresh_expires_at is not None
            and self._clock() < previous.refresh_expires_at
        ):
            try:
                return await self._grant(
                    {"grant_type": "refresh_token", "refresh_token": previous.refresh_token}
                )
            except (AuthenticationFailed, UnexpectedResponse) as exc:
                log.info("refreshing the EFPF token failed (%s); logging in again", exc.message)
        return await self._grant(
            {
                "grant_type": "password",
                "username": self._settings.username,
                "password": self._settings.password.get_secret_value(),
            }
        )

    async def _grant(self, form: dict[str, str]) -> AccessToken:
        settings = self._settings
        form = {**form, "client_id": settings.client_id}
        if settings.client_secret is not None:
            form["client_secret"] = settings.client_secret.get_secret_value()
        grant = form["grant_type"]
        what = f"EFPF token request ({grant} grant)"
        started = self._clock()
        response = await send(
            self._http, "POST", settings.token_url, data=form, policy=self._policy, what=what
        )
        if response.status_code in (400, 401):
            error, description = _oauth_error(response)
            if response.status_code == 401 or error in CREDENTIAL_ERRORS:
                who = f"user {settings.username!r}" if grant == "password" else "the refresh token"
                raise AuthenticationFailed(
                    f"the identity provider refused {who} of client {settings.client_id!r}: "
                    f"{description or error or 'no reason given'}",
                    url=settings.token_url,
                    status=response.status_code,
                )
        check_status(response, what)
        token = _parse_token(json_body(response, what), started, settings.token_renew_margin_seconds, what)
        self.grants += 1
        log.debug("EFPF token obtained (%s grant), valid %.0f s", grant, token.expires_in)
        return token


class BearerAuth(httpx.Auth):
    """httpx auth flow: ``Authorization: Bearer <token>``; on a 401, one retry with a fresh token."""

    def __init__(self, identity: IdentityClient) -> None:
        self._identity = identity

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("BearerAuth works with httpx.AsyncClient only")

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._identity.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        log.info("%s answered 401: authenticating again", request.url.copy_with(query=None))
        self._identity.invalidate(token)
        request.headers["Authorization"] = f"Bearer {await self._identity.token()}"
        yield request


def _oauth_error(response: httpx.Response) -> tuple[str, str]:
    try:
        body: Any = response.json()
    except ValueError:
        return "", response.text[:200]
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("error") or ""), str(body.get("error_description") or "")


def _parse_token(body: Any, obtained_at: float, margin: float, what: str) -> AccessToken:
    if not isinstance(body, dict):
        raise MalformedResponse(f"{what}: the token response is not a JSON object")
    value = body.get("access_token")
    expires_in = body.get("expires_in")
    if not isinstance(value, str) or not value:
        raise MalformedResponse(f"{what}: the token response has no access_token")
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
        raise MalformedResponse(f"{what}: the token response has no positive expires_in: {expires_in!r}")
    token_type = body.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise MalformedResponse(f"{what}: token_type {token_type!r} is not Bearer")
    lifetime = float(expires_in)
    renew_after = max(lifetime - margin, lifetime * MIN_LIFETIME_USED)
    refresh = body.get("refresh_token")
    refresh_in = body.get("refresh_expires_in")
    refresh_expires_at: float | None = None
    if isinstance(refresh, str) and refresh:
        refresh_lifetime = (
            float(refresh_in) if isinstance(refresh_in, int | float) and refresh_in > 0 else 0.0
        )
        # Keycloak: 0 means "as long as the session"; give it the access token's lifetime to be safe.
        refresh_expires_at = obtained_at + (refresh_lifetime or lifetime) * MIN_LIFETIME_USED
    else:
        refresh = None
    return AccessToken(
        value=value,
        expires_in=lifetime,
        obtained_at=obtained_at,
        renew_at=obtained_at + renew_after,
        refresh_token=refresh,
        refresh_expires_at=refresh_expires_at,
    )


__all__ = ["AccessToken", "BearerAuth", "IdentityClient"]
