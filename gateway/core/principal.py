"""Who is calling: the authenticated user behind a request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store.enums import UserRole


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    role: UserRole
    token_id: str
    """The ``jti`` of the token the request carried (what logout revokes)."""
    expires_at: datetime
