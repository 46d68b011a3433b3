"""Revoked JWT ids; expired entries can be pruned (an expired token is refused anyway)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from store.coltypes import utcnow
from store.models import RevokedTokenRow
from store.repositories.base import Repository


class RevokedTokenRepository(Repository):
    async def revoke(self, jti: str, expires_at: datetime) -> None:
        """Revoke a token id until ``expires_at`` (idempotent: revoking twice keeps the first entry)."""
        values = {"jti": jti, "expires_at": expires_at, "revoked_at": utcnow()}
        await self.session.execute(self.insert_ignoring_conflicts(RevokedTokenRow, values))

    async def is_revoked(self, jti: str) -> bool:
        stmt = select(RevokedTokenRow.jti).where(RevokedTokenRow.jti == jti)
        return (await self.session.execute(stmt)).first() is not None

    async def prune_expired(self, now: datetime | None = None) -> int:
        """Delete the entries whose token has expired by ``now``; returns how many were deleted."""
        stmt = delete(RevokedTokenRow).where(RevokedTokenRow.expires_at <= (now or utcnow()))
        result = await self.session.execute(stmt)
        return int(result.rowcount)  # type: ignore[attr-defined]
