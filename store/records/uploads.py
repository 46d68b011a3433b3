"""Records of uploaded files (without their bytes: those are read on their own)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from store.records.base import NewRecord, Record


class NewUpload(NewRecord):
    owner_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    media_type: str = Field(min_length=1, max_length=100)
    content: bytes


class UploadRecord(Record):
    id: str
    owner_id: str
    name: str
    media_type: str
    size: int
    sha256: str
    order_id: str | None
    created_at: datetime
