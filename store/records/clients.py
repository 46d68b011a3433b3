"""Records of API clients. :class:`ApiClientRecord` never carries the secret hash;
:class:`ApiClientCredentials` does."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from store.enums import UserRole
from store.records.base import NewRecord, Record


class NewApiClient(NewRecord):
    client_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=200)
    secret_hash: str = Field(min_length=1, max_length=255)
    role: UserRole
    owner_user_id: str = Field(min_length=1, max_length=64)


class ApiClientRecord(Record):
    client_id: str
    name: str
    role: UserRole
    owner_user_id: str
    created_at: datetime


class ApiClientCredentials(ApiClientRecord):
    """What a client-credentials check needs."""

    secret_hash: str
