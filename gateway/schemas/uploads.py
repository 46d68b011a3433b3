"""Bodies of uploaded files: what a customer learns of a file it uploaded."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ontology.product import MediaType
from store.records import UploadRecord


class UploadPublic(BaseModel):
    """A stored file: give its ``id`` as a file option's value in ``files`` of ``POST /orders``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5b0e3c9a-2f7d-4e1b-9c8a-6d5e4f3a2b1c",
                    "name": "bracket.step",
                    "media_type": "model/step",
                    "size": 48213,
                    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                    "created_at": "2026-12-14T10:00:00Z",
                }
            ]
        }
    )

    id: str
    name: str = Field(description="the file's name as uploaded (without any folder)")
    media_type: MediaType = Field(description="what the file is, judged by its content")
    size: int = Field(description="bytes")
    sha256: str = Field(description="SHA-256 of the content, lower-case hex")
    created_at: datetime

    @classmethod
    def of(cls, record: UploadRecord) -> UploadPublic:
        return cls.model_validate(record.model_dump(include=set(cls.model_fields)))
