"""Portable column types: timezone-aware UTC timestamps and money, identical on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator

#: Money amounts: 18 digits, 4 after the point (unit prices may carry fractions of a cent).
Money = Numeric(18, 4, asdecimal=True)

#: String primary keys (uuid4 text by default; products may also use readable slugs).
IdString = String(64)

#: JSON that stores Python ``None`` as SQL NULL (for nullable JSON columns).
NullableJSON = JSON(none_as_null=True)


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that only accepts aware datetimes and always returns aware UTC ones.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is stored as naive UTC
    text (which also sorts correctly) and made aware again when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @property
    def python_type(self) -> type[datetime]:
        return datetime
