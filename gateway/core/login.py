"""Checking credentials: people by e-mail and password (with the failed-login lock), machines by
client id and secret."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gateway.core.config import GatewaySettings
from gateway.core.passwords import hash_password_async, needs_rehash, verify_password_async
from store.database import Database
from store.records import UserCredentials
from store.records.clients import ApiClientCredentials

log = logging.getLogger(__name__)

MAX_IDENTIFIER = 320
MAX_SECRET = 256


class LoginFailed(Exception):
    """Wrong e-mail or password (deliberately not saying which)."""


class AccountLocked(Exception):
    """Too many failed logins: the account refuses logins for ``retry_after`` more seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    max_attempts: int
    lock_for: timedelta

    @classmethod
    def of(cls, settings: GatewaySettings) -> LoginPolicy:
        return cls(settings.login_max_attempts, timedelta(seconds=settings.login_lock_seconds))


async def check_password(db: Database, policy: LoginPolicy, email: str, password: str) -> UserCredentials:
    """The user's credentials when ``password`` is right; :class:`AccountLocked` while the account is
    locked (the password is then not even checked); :class:`LoginFailed` otherwise (counted)."""
    if not email or len(email) > MAX_IDENTIFIER or len(password) > MAX_SECRET or "\x00" in email:
        await verify_password_async(None, password[:MAX_SECRET])
        raise LoginFailed
    async with db.transaction() as repos:
        user = await repos.users.credentials(email)
    now = datetime.now(UTC)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(max(1, math.ceil((user.locked_until - now).total_seconds())))
    if not await verify_password_async(user.password_hash if user else None, password):
        if user is not None:
            async with db.transaction() as repos:
                counted = await repos.users.record_failed_login(
                    user.id, max_attempts=policy.max_attempts, lock_for=policy.lock_for
                )
            if counted.locked_until is not None and counted.locked_until > now:
                log.warning("user %s locked until %s after failed logins", user.id, counted.locked_until)
        raise LoginFailed
    assert user is not None  # an unknown account never passes the check above
    if user.failed_login_count or user.locked_until is not None:
        async with db.transaction() as repos:
            await repos.users.record_successful_login(user.id)
    if needs_rehash(user.password_hash):  # argon2 parameters were raised since it was hashed
        new_hash = await hash_password_async(password)
        async with db.transaction() as repos:
            await repos.users.set_password_hash(user.id, new_hash)
    return user


async def check_client(db: Database, client_id: str, secret: str) -> ApiClientCredentials | None:
    """The client's credentials when ``secret`` is its secret, else None (same cost either way)."""
    client = None
    if client_id and len(client_id) <= 64 and len(secret) <= MAX_SECRET and "\x00" not in client_id:
        async with db.transaction() as repos:
            client = await repos.api_clients.credentials(client_id)
    if not await verify_password_async(client.secret_hash if client else None, secret[:MAX_SECRET]):
        return None
    return client
