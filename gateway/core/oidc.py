"""Tokens of an external OpenID Connect provider (EFPF's Keycloak, the local federation service):
verified against the provider's JWKS, read for the caller's e-mail address and roles."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt

from gateway.core.config import GatewaySettings
from gateway.core.jwks import JwksCache, JwksUnavailable, UnknownKey
from gateway.core.tokens import InvalidToken
from store.enums import UserRole


class IdentityProviderUnavailable(Exception):
    """The external provider's keys cannot be fetched: tokens cannot be checked right now."""


@dataclass(frozen=True, slots=True)
class ExternalIdentity:
    email: str
    roles: tuple[str, ...]
    token_id: str
    expires_at: datetime
    subject: str


def claim(claims: dict[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of the claims (``realm_access.roles``), or None."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _roles(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.replace(",", " ").split())
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    return ()


def role_for(roles: tuple[str, ...], *, allow_admin: bool) -> UserRole:
    """The local role of a user first seen with ``roles``: admin only when allowed, else
    manufacturer, researcher or customer (the default)."""
    names = {role.lower() for role in roles}
    if allow_admin and UserRole.ADMIN.value in names:
        return UserRole.ADMIN
    for role in (UserRole.MANUFACTURER, UserRole.RESEARCHER, UserRole.CUSTOMER):
        if role.value in names:
            return role
    return UserRole.CUSTOMER


class ExternalTokenVerifier:
    def __init__(self, settings: GatewaySettings, http: httpx.AsyncClient) -> None:
        if not settings.oidc_issuer or not settings.oidc_jwks_url:
            raise ValueError("external tokens need both oidc_issuer and oidc_jwks_url")
        self.issuer = settings.oidc_issuer
        self.settings = settings
        self.jwks = JwksCache(
            settings.oidc_jwks_url,
            http,
            max_age=settings.oidc_jwks_cache_seconds,
            min_refetch=settings.oidc_jwks_min_refetch_seconds,
        )

    async def verify(self, token: str, header: dict[str, Any]) -> ExternalIdentity:
        settings = self.settings
        algorithm = header.get("alg")
        if (
            algorithm not in settings.oidc_algorithms
            or algorithm in (None, "none")
            or str(algorithm).startswith("HS")
        ):
            raise InvalidToken(f"the token's algorithm {algorithm!r} is not accepted")
        kid = header.get("kid")
        try:
            key = await self.jwks.key(str(kid) if kid is not None else None)
        except UnknownKey as exc:
            raise InvalidToken(str(exc)) from exc
        except JwksUnavailable as exc:
            raise IdentityProviderUnavailable(str(exc)) from exc
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[str(algorithm)],
                issuer=self.issuer,
                audience=settings.oidc_audience,
                leeway=settings.oidc_leeway_seconds,
                options={
                    "require": ["exp", "iss", "sub"],
                    "verify_aud": settings.oidc_audience is not None,
                },
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("the token has expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token is not valid: {exc}") from exc
        email = claim(claims, settings.oidc_email_claim)
        if not isinstance(email, str) or "@" not in email or len(email) > 320 or "\x00" in email:
            raise InvalidToken(f"the token carries no e-mail address in {settings.oidc_email_claim!r}")
        jti = claims.get("jti")
        plain = isinstance(jti, str) and 0 < len(jti) <= 200 and jti.isprintable()
        token_id = str(jti) if plain else hashlib.sha256(token.encode()).hexdigest()
        return ExternalIdentity(
            email=email,
            roles=_roles(claim(claims, settings.oidc_roles_claim)),
            token_id=f"ext:{token_id}"[:255],
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
            subject=str(claims["sub"]),
        )
