"""Who is calling: a bearer token turned into a :class:`Principal`, or refused.

The gateway's own tokens (HS256) and, when configured, an external OpenID Connect provider's tokens
(RS256/ES256, checked against its JWKS) are accepted. Every request checks in the database that the
token is not revoked and that its user (and API client) still exist; the role comes from the
database, so a changed role takes effect at once. Nothing is cached, so a revoked token is refused
by every gateway process sharing the database as soon as the revocation is committed.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt

from gateway.core.oidc import ExternalIdentity, ExternalTokenVerifier, role_for
from gateway.core.passwords import NO_PASSWORD
from gateway.core.principal import Principal
from gateway.core.tokens import ISSUER, InvalidToken, TokenService
from store.database import Database
from store.errors import ConflictError
from store.records import NewUser, UserRecord
from store.repositories import RevokedTokenRepository

log = logging.getLogger(__name__)

MAX_TOKEN_LENGTH = 8192


class Authenticator:
    def __init__(
        self, db: Database, tokens: TokenService, external: ExternalTokenVerifier | None = None
    ) -> None:
        self.db = db
        self.tokens = tokens
        self.external = external
        self.allow_external_admin = external.settings.oidc_allow_admin if external else False

    async def authenticate(self, token: str) -> Principal:
        """The caller behind ``token``; :class:`InvalidToken` if it must be refused."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("the token is too long")
        header, issuer = _peek(token)
        if issuer == ISSUER:
            return await self._local(token)
        if self.external is not None and issuer == self.external.issuer:
            return await self._external(await self.external.verify(token, header))
        raise InvalidToken("the token is not from an accepted issuer")

    async def _local(self, token: str) -> Principal:
        principal = self.tokens.verify(token)
        async with self.db.sessionmaker() as session:
            check = await RevokedTokenRepository(session).check(
                principal.token_id, principal.user_id, principal.client_id
            )
        if check.revoked:
            raise InvalidToken("the token has been revoked")
        if check.user_role is None:
            raise InvalidToken("the token's user no longer exists")
        role = check.user_role
        if principal.client_id is not None:
            if check.client_role is None:
                raise InvalidToken("the token's API client no longer exists")
            role = check.client_role
        return Principal(
            user_id=principal.user_id,
            role=role,
            token_id=principal.token_id,
            expires_at=principal.expires_at,
            client_id=principal.client_id,
        )

    async def _external(self, identity: ExternalIdentity) -> Principal:
        async with self.db.transaction() as repos:
            if await repos.revoked_tokens.is_revoked(identity.token_id):
                raise InvalidToken("the token has been revoked")
            user = await repos.users.get_by_email(identity.email)
        if user is None:
            user = await self._first_sight(identity)
        return Principal(
            user_id=user.id,
            role=user.role,
            token_id=identity.token_id,
            expires_at=identity.expires_at,
            external=True,
        )

    async def _first_sight(self, identity: ExternalIdentity) -> UserRecord:
        """Create the local user of an external identity (racing requests: the first one wins)."""
        role = role_for(identity.roles, allow_admin=self.allow_external_admin)
        new = NewUser(
            email=identity.email,
            display_name=identity.email[:200],
            role=role,
            password_hash=NO_PASSWORD,
        )
        try:
            async with self.db.transaction() as repos:
                user = await repos.users.add(new)
            log.info("created %s user %s for external subject %s", role, user.id, identity.subject)
            return user
        except ConflictError:
            async with self.db.transaction() as repos:
                existing = await repos.users.get_by_email(identity.email)
            if existing is None:  # pragma: no cover - the conflicting row vanished again
                raise InvalidToken("the token's user cannot be created") from None
            return existing


def _peek(token: str) -> tuple[dict[str, Any], str | None]:
    """The header and issuer of a token, unverified (only to pick the verifier)."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"the token is not valid: {exc}") from exc
    issuer = claims.get("iss")
    return header, issuer if isinstance(issuer, str) else None
