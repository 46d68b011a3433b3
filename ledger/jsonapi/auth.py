"""Bearer-token authentication of the JSON API, sharing the Ledger API's JWT verifier
(``ledger.grpc.auth``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import httpx

from ledger.engine.users import ACT_AS, ADMIN, ANY_PARTY, READ_AS, Right, UserStore
from ledger.grpc.auth import (
    OPEN,
    V1_NAMESPACE,
    AuthError,
    Claims,
    JwtVerifier,
    TokenVerifier,
    UnknownUser,
    UserDirectory,
    UserRights,
    user_claims,
)
from ledger.settings import LedgerSettings, UserGrant

__all__ = [
    "OPEN",
    "AuthError",
    "Claims",
    "JwtVerifier",
    "PlatformJwtVerifier",
    "TokenVerifier",
    "UnknownUser",
    "build_verifier",
    "claims_from_header",
    "seed_users",
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
            claims = user_claims(name, self.users[name])
            subject = payload.get("sub")
            # the application id of a user's commands is the token's ``sub`` (what dazl sends, as Daml has it)
            return replace(claims, application_id=subject) if isinstance(subject, str) and subject else claims
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


def _grant_rights(grant: UserGrant | list[str]) -> tuple[list[Right], str]:
    """The store's rights of a configured user, and its primary party (its first actAs party)."""
    rights = _rights(grant)
    acting = grant if isinstance(grant, list) else grant.act_as
    listed = [Right(ACT_AS, p) for p in sorted(rights.act_as)] + [
        Right(READ_AS, p) for p in sorted(rights.read_as)
    ]
    listed += [Right(ADMIN)] if rights.admin else []
    listed += [Right(ANY_PARTY)] if rights.any_party else []
    return listed, (acting[0] if acting else "")


async def seed_users(store: UserStore, settings: LedgerSettings) -> None:
    """Ensure the configured users (``auth_users``) exist with at least their configured rights (the
    participant admin ``participant_admin`` is ensured by the store itself)."""
    for user, grant in settings.auth_users.items():
        rights, primary = _grant_rights(grant)
        await store.ensure(user, rights, primary_party=primary)


async def build_verifier(settings: LedgerSettings, users: UserStore | None = None) -> TokenVerifier | None:
    """The verifier the settings describe (None when authentication is disabled); user tokens take their
    rights from ``users`` (default: the configured ``auth_users`` only, fixed).

    Exactly one of ``auth_secret``, ``auth_public_key_file``, ``auth_jwks_url`` must be set otherwise."""
    if settings.auth_disabled:
        return None
    directory: Mapping[str, UserRights] = (
        UserDirectory(users)
        if users is not None
        else {user: _rights(grant) for user, grant in settings.auth_users.items()}
    )
    verifier = PlatformJwtVerifier(audience=settings.auth_audience, users=directory)
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
