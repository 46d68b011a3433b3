"""Revoked tokens: revoke, check, prune the expired ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from store import Database


async def test_revoke_is_idempotent_and_checked(db: Database) -> None:
    expires = datetime.now(UTC) + timedelta(days=7)
    async with db.transaction() as repos:
        await repos.revoked_tokens.revoke("jti-1", expires)
        await repos.revoked_tokens.revoke("jti-1", expires)
    async with db.transaction() as repos:
        assert await repos.revoked_tokens.is_revoked("jti-1")
        assert not await repos.revoked_tokens.is_revoked("jti-2")


async def test_prune_deletes_only_expired_entries(db: Database) -> None:
    now = datetime(2030, 1, 1, 12, tzinfo=UTC)
    async with db.transaction() as repos:
        await repos.revoked_tokens.revoke("old", now - timedelta(seconds=1))
        await repos.revoked_tokens.revoke("exactly-now", now)
        await repos.revoked_tokens.revoke("fresh", now + timedelta(seconds=1))
        # an expiry in another time zone is compared as the same instant
        await repos.revoked_tokens.revoke(
            "tz", (now + timedelta(hours=1)).astimezone(timezone(timedelta(hours=-5)))
        )
    async with db.transaction() as repos:
        assert await repos.revoked_tokens.prune_expired(now) == 2
    async with db.transaction() as repos:
        assert not await repos.revoked_tokens.is_revoked("old")
        assert not await repos.revoked_tokens.is_revoked("exactly-now")
        assert await repos.revoked_tokens.is_revoked("fresh")
        assert await repos.revoked_tokens.is_revoked("tz")
        assert await repos.revoked_tokens.prune_expired(now) == 0
