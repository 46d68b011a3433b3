"""Logout: a token's id is revoked until the token would expire; expired entries are pruned then."""

from __future__ import annotations

from gateway.core.principal import Principal
from store.database import Database


async def revoke(db: Database, principal: Principal) -> int:
    """Revoke the principal's token; returns how many expired entries were pruned meanwhile."""
    async with db.transaction() as repos:
        await repos.revoked_tokens.revoke(principal.token_id, principal.expires_at)
        return await repos.revoked_tokens.prune_expired()
