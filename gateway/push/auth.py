"""Verifying the token a WebSocket offers (it cannot use the bearer dependency of the routes)."""

from __future__ import annotations

from gateway.core.principal import Principal
from gateway.core.tokens import InvalidToken, TokenService
from store.database import Database


async def verify_token(tokens: TokenService, db: Database, token: str) -> Principal:
    """The user behind ``token``; :class:`InvalidToken` when it is bad, expired or revoked."""
    user = tokens.verify(token)
    async with db.transaction(flush_acl_log=False) as repos:
        if await repos.revoked_tokens.is_revoked(user.token_id):
            raise InvalidToken("the token has been revoked")
    return user
