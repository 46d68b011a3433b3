"""Uploaded files in the store (SQLite and PostgreSQL): size and SHA-256 computed, bytes read on their own,
attached to the first order that takes them, unattached old ones cleaned up."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from store import Database
from store.coltypes import utcnow
from store.records import NewUpload, OrderRecord
from tests.store.conftest import Parties

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4


async def test_an_upload_is_stored_with_its_size_and_digest(db: Database, parties: Parties) -> None:
    async with db.transaction() as repos:
        record = await repos.uploads.add(
            NewUpload(
                owner_id=parties.customer.id, name="bracket.pdf", media_type="application/pdf", content=PDF
            )
        )
    assert (record.size, record.sha256, record.order_id) == (len(PDF), hashlib.sha256(PDF).hexdigest(), None)
    async with db.transaction() as repos:
        assert await repos.uploads.get(record.id) == record
        assert await repos.uploads.content(record.id) == PDF
        assert await repos.uploads.get("nothing") is None
        assert await repos.uploads.content("nothing") is None


async def test_the_first_order_keeps_an_upload_and_only_unattached_old_ones_are_deleted(
    db: Database, parties: Parties, order: OrderRecord
) -> None:
    async with db.transaction() as repos:
        kept = await repos.uploads.add(
            NewUpload(owner_id=parties.customer.id, name="a.pdf", media_type="application/pdf", content=PDF)
        )
        loose = await repos.uploads.add(
            NewUpload(owner_id=parties.customer.id, name="b.pdf", media_type="application/pdf", content=PDF)
        )
        await repos.uploads.attach([kept.id], order.id)
        await repos.uploads.attach([], order.id)
    async with db.transaction() as repos:
        assert (await repos.uploads.get(kept.id)).order_id == order.id  # type: ignore[union-attr]
        assert await repos.uploads.delete_unattached(utcnow() - timedelta(days=1)) == 0, "too young"
        assert await repos.uploads.delete_unattached(utcnow() + timedelta(seconds=1)) == 1
        assert await repos.uploads.get(loose.id) is None
        assert await repos.uploads.get(kept.id) is not None
