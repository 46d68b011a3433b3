"""Supplier bookings: the machine hours each supplier proxy booked, written through by the proxy host
(upserted and deleted in batches) and read back when it starts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from store.coltypes import utcnow
from store.errors import StoreError
from store.models.bookings import SupplierBookingRow
from store.records.bookings import NewSupplierBooking, SupplierBookingRecord
from store.repositories.base import Repository

#: Values bound in one ``IN (...)`` at most (SQLite's oldest limit is 999 parameters a statement).
CHUNK = 500
#: Columns an upsert replaces in a stored row (everything but its key, id and creation time).
REPLACED = (
    "requester",
    "order_id",
    "part_id",
    "hours",
    "delivery_date",
    "state",
    "held_until",
    "price",
    "currency",
    "quantity",
    "updated_at",
)

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SupplierBookingRepository(Repository):
    async def upsert_many(self, bookings: Iterable[NewSupplierBooking]) -> int:
        """Store ``bookings``: a new (supplier, offer) is inserted, a stored one replaced (its ``created_at``
        kept); of several for the same key the last counts. How many rows were written."""
        latest = {(b.supplier_id, b.offer_id): b for b in bookings}
        if not latest:
            return 0
        now = utcnow()
        rows = [
            {**b.model_dump(mode="python"), "state": str(b.state), "created_at": now, "updated_at": now}
            for b in latest.values()
        ]
        connection = await self.session.connection()
        await connection.execute(self._upsert(), rows)
        return len(rows)

    async def delete_many(self, keys: Iterable[tuple[str, str]]) -> int:
        """Delete the bookings of these (supplier id, offer id); keys not stored are ignored. How many rows
        were deleted."""
        offers: dict[str, set[str]] = {}
        for supplier_id, offer_id in keys:
            offers.setdefault(supplier_id, set()).add(offer_id)
        connection = await self.session.connection()
        deleted = 0
        for supplier_id, offer_ids in offers.items():
            for chunk in _chunks(sorted(offer_ids)):
                stmt = delete(SupplierBookingRow).where(
                    SupplierBookingRow.supplier_id == supplier_id, SupplierBookingRow.offer_id.in_(chunk)
                )
                deleted += (await connection.execute(stmt)).rowcount
        return deleted

    async def list_all(self, supplier_ids: Iterable[str] | None = None) -> list[SupplierBookingRecord]:
        """Every stored booking (of ``supplier_ids`` only, when given), by supplier, oldest first."""
        base = select(SupplierBookingRow).execution_options(populate_existing=True)
        if supplier_ids is None:
            statements = [base]
        else:
            wanted = sorted(set(supplier_ids))
            statements = [base.where(SupplierBookingRow.supplier_id.in_(chunk)) for chunk in _chunks(wanted)]
        found = [
            SupplierBookingRecord.model_validate(row)
            for stmt in statements
            for row in await self.session.scalars(stmt)
        ]
        return sorted(found, key=lambda r: (r.supplier_id, r.created_at, r.offer_id))

    async def get(self, supplier_id: str, offer_id: str) -> SupplierBookingRecord | None:
        stmt = select(SupplierBookingRow).where(
            SupplierBookingRow.supplier_id == supplier_id, SupplierBookingRow.offer_id == offer_id
        )
        row = (await self.session.scalars(stmt.execution_options(populate_existing=True))).one_or_none()
        return None if row is None else SupplierBookingRecord.model_validate(row)

    def _upsert(self) -> Insert:
        """``INSERT ... ON CONFLICT (supplier_id, offer_id) DO UPDATE``, to execute with many parameters."""
        name = self.dialect_name
        keys = [SupplierBookingRow.supplier_id, SupplierBookingRow.offer_id]
        if name == "postgresql":
            pg = postgresql.insert(SupplierBookingRow)
            replaced: dict[str, Any] = {column: pg.excluded[column] for column in REPLACED}
            return pg.on_conflict_do_update(index_elements=keys, set_=replaced)
        if name == "sqlite":
            lite = sqlite.insert(SupplierBookingRow)
            replaced = {column: lite.excluded[column] for column in REPLACED}
            return lite.on_conflict_do_update(index_elements=keys, set_=replaced)
        raise StoreError(f"unsupported database dialect {name!r} (use SQLite or PostgreSQL)")
