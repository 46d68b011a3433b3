"""Records of revoked tokens."""

from __future__ import annotations

from datetime import datetime

from store.enums import UserRole
from store.records.base import Record


class RevokedToken(Record):
    jti: str
    expires_at: datetime
    revoked_at: datetime


class TokenCheck(Record):
    """What a bearer-token check reads in one query: is the token revoked, and the current roles of
    its user and (if any) its API client (None when they no longer exist)."""

    revoked: bool
    user_role: UserRole | None
    client_role: UserRole | None = None
