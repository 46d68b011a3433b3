"""Uploaded files: stored with their size and SHA-256, read back by id, attached to orders, cleaned up."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, select, update

from store.coltypes import new_id, utcnow
from store.models.uploads import UploadRow
from store.records.uploads import NewUpload, UploadRecord
from store.repositories.base import Repository

_COLUMNS = (
    UploadRow.id,
    UploadRow.owner_id,
    UploadRow.name,
    UploadRow.media_type,
    UploadRow.size,
    UploadRow.sha256,
    UploadRow.order_id,
    UploadRow.created_at,
)


class UploadRepository(Repository):
    async def add(self, new: NewUpload) -> UploadRecord:
        row = UploadRow(
            id=new_id(),
            owner_id=new.owner_id,
            name=new.name,
            media_type=new.media_type,
            size=len(new.content),
            sha256=hashlib.sha256(new.content).hexdigest(),
            content=new.content,
            order_id=None,
            created_at=utcnow(),
        )
        self.session.add(row)
        await self.session.flush()
        return UploadRecord.model_validate(row)

    async def get(self, upload_id: str) -> UploadRecord | None:
        """The upload's record, without reading its bytes."""
        found = (await self.session.execute(select(*_COLUMNS).where(UploadRow.id == upload_id))).one_or_none()
        return None if found is None else UploadRecord.model_validate(found._asdict())

    async def content(self, upload_id: str) -> bytes | None:
        return (
            await self.session.execute(select(UploadRow.content).where(UploadRow.id == upload_id))
        ).scalar()

    async def attach(self, upload_ids: list[str], order_id: str) -> None:
        """Mark the uploads as taken by ``order_id`` (the first order that took one keeps it)."""
        if upload_ids:
            await self.session.execute(
                update(UploadRow)
                .where(UploadRow.id.in_(upload_ids), UploadRow.order_id.is_(None))
                .values(order_id=order_id)
            )

    async def delete_unattached(self, created_before: datetime) -> int:
        """Delete the uploads no order took that were uploaded before ``created_before``; how many."""
        result = await self.session.execute(
            delete(UploadRow).where(UploadRow.order_id.is_(None), UploadRow.created_at < created_before)
        )
        return int(getattr(result, "rowcount", 0) or 0)
