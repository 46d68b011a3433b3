"""Storage layer: SQLAlchemy 2 async ORM models, repositories and Alembic migrations.

SQLite (``sqlite+aiosqlite``) by default, PostgreSQL (``postgresql+asyncpg``) by URL. Typical use::

    from store import Database

    db = await Database.open(url, migrate=True)
    async with db.transaction() as repos:  # one transaction: commit at the end, rollback on error
        order = await repos.orders.add(NewOrder(...))
        await repos.orders.change_status(order.id, "quoted", actor="manufacturer@localhost")
    await db.close()

Repositories take an :class:`~sqlalchemy.ext.asyncio.AsyncSession` and return frozen pydantic records
(:mod:`store.records`), never ORM objects.
"""

from __future__ import annotations

from store.database import Database
from store.engine import create_engine, session_factory, unit_of_work
from store.errors import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    PaymentError,
    StaleStateError,
    StoreError,
)
from store.repositories import Repositories

__all__ = [
    "ConflictError",
    "Database",
    "InvalidTransitionError",
    "NotFoundError",
    "PaymentError",
    "Repositories",
    "StaleStateError",
    "StoreError",
    "create_engine",
    "session_factory",
    "unit_of_work",
]
