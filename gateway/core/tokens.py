"""The gateway's own JWTs (HS256): issued at login, verified on every protected request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt

from gateway.core.principal import Principal
from store.enums import UserRole

ISSUER = "lso-gateway"
ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The token is missing, malformed, badly signed, expired or otherwise unacceptable."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    token_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TokenService:
    secret: bytes
    lifetime: timedelta = timedelta(days=7)

    def __post_init__(self) -> None:
        if len(self.secret) < 32:
            raise ValueError("the token signing key must be at least 32 bytes")

    def issue(
        self, user_id: str, role: UserRole, *, client_id: str | None = None, now: datetime | None = None
    ) -> IssuedToken:
        """A token for ``user_id``; ``client_id`` names the API client it is issued to, if any."""
        issued = now or datetime.now(UTC)
        expires = issued + self.lifetime
        token_id = uuid4().hex
        claims: dict[str, str | int] = {
            "iss": ISSUER,
            "sub": user_id,
            "role": str(role),
            "jti": token_id,
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
        }
        if client_id is not None:
            claims["cid"] = client_id
        token = jwt.encode(claims, self.secret, algorithm=ALGORITHM)
        return IssuedToken(token, token_id, datetime.fromtimestamp(int(expires.timestamp()), UTC))

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "jti", "iss"]},
            )
            role = UserRole(str(claims.get("role")))
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("the token has expired") from exc
        except (jwt.InvalidTokenError, ValueError) as exc:
            raise InvalidToken(f"the token is not valid: {exc}") from exc
        return Principal(
            user_id=str(claims["sub"]),
            role=role,
            token_id=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
            client_id=str(claims["cid"]) if claims.get("cid") is not None else None,
        )
