"""Stores for tests: a migrated SQLite database with the users an order needs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path

from store.database import Database
from store.enums import UserRole
from store.records import NewUser


async def add_users(db: Database, users: Iterable[tuple[str, UserRole]]) -> None:
    """Users with these ids and roles (e-mail ``<id>@example.org``, no usable password)."""
    async with db.transaction() as repos:
        for user_id, role in users:
            await repos.users.add(
                NewUser(
                    id=user_id,
                    email=f"{user_id}@example.org",
                    display_name=user_id,
                    role=role,
                    password_hash="x",
                )
            )


async def store_with_users(directory: Path, users: Iterable[tuple[str, UserRole]] = ()) -> Database:
    """A migrated SQLite store in ``directory`` (``lso.db``) holding ``users``."""
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    db = await Database.open(f"sqlite+aiosqlite:///{directory / 'lso.db'}", migrate=True)
    await add_users(db, users)
    return db
