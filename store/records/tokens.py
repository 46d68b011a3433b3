"""Records of revoked tokens."""

from __future__ import annotations

from datetime import datetime

from store.records.base import Record


class RevokedToken(Record):
    jti: str
    expires_at: datetime
    revoked_at: datetime
