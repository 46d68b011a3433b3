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
    client_id: str | None = None
    """The API client the token was issued to (client-credentials grant); None for a person."""
    external: bool = False
    """True when the token came from the external OpenID Connect provider."""
