"""What every repository shares: the session, and dialect-aware SQL helpers."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert, ReturningInsert

from store.errors import StoreError
from store.models.base import Base

RowT = TypeVar("RowT", bound=Base)


class Repository:
    """A repository works inside the caller's transaction: it flushes, it never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect_name(self) -> str:
        return self.session.get_bind().dialect.name

    def insert_ignoring_conflicts(self, entity: type[RowT], values: dict[str, Any]) -> ReturningInsert[RowT]:
        """``INSERT ... ON CONFLICT DO NOTHING RETURNING *``: no row comes back when a unique key clashes.

        Unlike catching an ``IntegrityError`` this keeps the transaction usable on PostgreSQL.
        """
        name = self.dialect_name
        if name == "postgresql":
            return postgresql.insert(entity).values(values).on_conflict_do_nothing().returning(entity)
        if name == "sqlite":
            return sqlite.insert(entity).values(values).on_conflict_do_nothing().returning(entity)
        raise StoreError(f"unsupported database dialect {name!r} (use SQLite or PostgreSQL)")

    def insert_ignoring_conflicts_many(self, entity: type[RowT]) -> Insert:
        """``INSERT ... ON CONFLICT DO NOTHING`` without values, to execute with many parameter sets."""
        name = self.dialect_name
        if name == "postgresql":
            return postgresql.insert(entity).on_conflict_do_nothing()
        if name == "sqlite":
            return sqlite.insert(entity).on_conflict_do_nothing()
        raise StoreError(f"unsupported database dialect {name!r} (use SQLite or PostgreSQL)")
