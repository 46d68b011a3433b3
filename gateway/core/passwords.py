"""Password (and client secret) hashing with argon2id, at the cost ``LSO_GATEWAY_PASSWORD_HASH_*`` sets;
verification runs off the event loop."""

from __future__ import annotations

import asyncio
from functools import cache, lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gateway.core.config import GatewaySettings

_hasher: PasswordHasher | None = None
"""A hasher set in place of the configured one (tests); None: :func:`_configured`."""


@cache
def _configured() -> PasswordHasher:
    settings = GatewaySettings()
    return PasswordHasher(
        time_cost=settings.password_hash_time_cost,
        memory_cost=settings.password_hash_memory_kib,
        parallelism=settings.password_hash_parallelism,
    )


def hasher() -> PasswordHasher:
    """The hasher of the process: the configured cost, read once."""
    return _hasher or _configured()


#: Stored instead of a hash for users who never log in with a password (external identities).
NO_PASSWORD = "!no-password"


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other (older) argon2 parameters than the current ones."""
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hasher().hash("a password nobody has; verified when the account does not exist")


async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    """Verify in a worker thread. ``None`` (no such account) still costs one argon2 verification,
    so a wrong e-mail address takes about as long as a wrong password."""
    if password_hash is None or password_hash == NO_PASSWORD:
        await asyncio.to_thread(verify_password, _dummy_hash(), password)
        return False
    return await asyncio.to_thread(verify_password, password_hash, password)
