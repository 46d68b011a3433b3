"""Records of users. :class:`UserRecord` never carries the password hash; :class:`UserCredentials` does."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from store.coltypes import new_id
from store.enums import UserRole
from store.records.base import NewRecord, Record


def normalise_email(email: str) -> str:
    """E-mail addresses are unique case-insensitively: stored trimmed and lower-cased."""
    return email.strip().lower()


class NewUser(NewRecord):
    id: str = Field(default_factory=new_id, min_length=1, max_length=64)
    email: str = Field(min_length=3, max_length=320)
    display_name: str = Field(min_length=1, max_length=200)
    role: UserRole
    password_hash: str = Field(min_length=1, max_length=255)

    @field_validator("email")
    @classmethod
    def _normalise(cls, value: str) -> str:
        value = normalise_email(value)
        if "@" not in value:
            raise ValueError(f"not an e-mail address: {value!r}")
        return value


class UserRecord(Record):
    id: str
    email: str
    display_name: str
    role: UserRole
    created_at: datetime
    failed_login_count: int
    locked_until: datetime | None


class UserCredentials(Record):
    """What a login check needs."""

    id: str
    email: str
    role: UserRole
    password_hash: str
    failed_login_count: int
    #: Until when a client that fails on this account waits (no account is locked: the column keeps
    #: its first name).
    locked_until: datetime | None
