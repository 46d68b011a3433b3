"""Bearer-token authentication of the JSON API, sharing the Ledger API's JWT verifier
(``ledger.grpc.auth``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ledger.grpc.auth import OPEN, V1_NAMESPACE, AuthError, Claims, JwtVerifier, TokenVerifier, UserRights
from ledger.settings import LedgerSettings, UserGrant

__all__ = [
    "OPEN",
    "AuthError",
    "Claims",
    "JwtVerifier",
    "PlatformJwtVerifier",
    "TokenVerifier",
    "build_verifier",
    "claims_from_header",
]


@dataclass
class PlatformJwtVerifier(JwtVerifier):
    """A :class:`JwtVerifier` that also knows users of an identity provider's tokens (Keycloak, the local
    federation service): a token without DAML claims whose ``sub`` is not a known user is matched by its
    ``preferred_username``."""

    def claims(self, payload: Mapping[str, Any]) -> Claims:
        name = payload.get("preferred_username")
        if (
            V1_NAMESPACE not in payload
            and payload.get("sub") not in self.users
            and isinstance(name, str)
            and name in self.users
        ):
            rights = self.users[name]
            return Claims(
                act_as=rights.act_as,
                read_as=rights.read_as,
                admin=rights.admin,
                any_party=rights.any_party,
                user_id=name,
                application_id=name,
            )
        return super().claims(payload)


def _rights(grant: UserGrant | list[str]) -> UserRights:
    if isinstance(grant, list):
        return UserRights(act_as=frozenset(grant))
    return UserRights(
        act_as=frozenset(grant.act_as),
        read_as=frozenset(grant.read_as),
        admin=grant.admin,
        any_party=grant.act_as_any_party,
    )


async def build_verifier(settings: LedgerSettings) -> TokenVerifier | None:
    """The verifier the settings describe (None when authentication is disabled).

    Exactly one of ``auth_secret``, ``auth_public_key_file``, ``auth_jwks_url`` must be set otherwise."""
    if settings.auth_disabled:
        return None
    users = {user: _rights(grant) for user, grant in settings.auth_users.items()}
    verifier = PlatformJwtVerifier(audience=settings.auth_audience, users=users)
    if settings.auth_public_key_file is not None:
        verifier.public_key = settings.auth_public_key_file.read_text()
    elif settings.auth_jwks_url:
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.get(settings.auth_jwks_url)
            response.raise_for_status()
        verifier.jwks = response.json()
    elif settings.auth_secret is not None:
        verifier.secret = settings.auth_secret.get_secret_value()
    else:
        raise ValueError(
            "the ledger needs LSO_LEDGER_AUTH_SECRET, LSO_LEDGER_AUTH_PUBLIC_KEY_FILE or "
            "LSO_LEDGER_AUTH_JWKS_URL "
            "(or LSO_LEDGER_AUTH_DISABLED=true for tests)"
        )
    return verifier


def claims_from_header(verifier: TokenVerifier | None, authorization: str | None, ledger_id: str) -> Claims:
    """The claims of an ``Authorization: Bearer`` header; raises :class:`AuthError` (-> 401)."""
    if verifier is None:
        return OPEN
    if not authorization:
        raise AuthError("missing Authorization header")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("the Authorization header is not 'Bearer <token>'")
    claims = verifier.verify(token.strip())
    if claims.ledger_id is not None and claims.ledger_id != ledger_id:
        raise AuthError(f"the token is for ledger {claims.ledger_id!r}, this is {ledger_id!r}")
    return claims
