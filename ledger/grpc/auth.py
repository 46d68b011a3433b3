"""Ledger API bearer tokens: JWT verification (HS256 secret, RS256/ES256 public key or JWKS) and DAML claims.

Two token shapes are understood, as the Ledger API defines them:

* 1.x "custom claims": ``{"https://daml.com/ledger-api": {"ledgerId", "applicationId", "actAs", "readAs",
  "admin"}, "exp": ...}``;
* 2.x "user" tokens: ``{"sub": USER, "scope": "daml_ledger_api", "exp": ...}``; the user's rights come
  from the server's user table (:class:`UserRights`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import jwt

V1_NAMESPACE = "https://daml.com/ledger-api"
V2_SCOPE = "daml_ledger_api"
ADMIN_USER = "participant_admin"


class AuthError(Exception):
    """The token is missing, malformed, badly signed, expired or not a DAML ledger token."""


@dataclass(frozen=True, slots=True)
class Claims:
    """What a verified token allows."""

    act_as: frozenset[str] = frozenset()
    read_as: frozenset[str] = frozenset()
    admin: bool = False
    application_id: str | None = None
    user_id: str | None = None
    ledger_id: str | None = None
    unrestricted: bool = False
    """Set only when the server runs without authentication: every party may act and read."""
    any_party: bool = False
    """The operator right (Canton 3's CanActAsAnyParty): may act and read as every party."""

    @property
    def readers(self) -> frozenset[str]:
        """Every party whose contracts the bearer may read (actAs implies readAs)."""
        return self.act_as | self.read_as

    def may_submit(self, act_as: Iterable[str], read_as: Iterable[str]) -> bool:
        acting = set(act_as)
        if self.any_party:
            return True
        return self.unrestricted or (acting <= self.act_as and set(read_as) <= self.readers | acting)

    def may_read(self, parties: Iterable[str]) -> bool:
        return self.unrestricted or self.any_party or set(parties) <= self.readers

    @property
    def is_admin(self) -> bool:
        return self.unrestricted or self.admin


#: Unrestricted claims, for a server started without authentication.
OPEN = Claims(admin=True, unrestricted=True)


@dataclass(frozen=True, slots=True)
class UserRights:
    """The rights of a 2.x user: parties it can act/read as, and whether it is a participant admin."""

    act_as: frozenset[str] = frozenset()
    read_as: frozenset[str] = frozenset()
    admin: bool = False
    any_party: bool = False


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Claims: ...


@dataclass
class JwtVerifier:
    """Verifies signature and expiry with PyJWT, then reads the DAML claims.

    Give ``secret`` (HS256), or ``public_key`` (PEM; RS256/ES256), or ``jwks`` (a JWKS document, keys
    picked by ``kid``). ``users`` maps 2.x user ids to their rights (``participant_admin`` is an admin).
    """

    secret: str | None = None
    public_key: str | None = None
    jwks: Mapping[str, Any] | None = None
    audience: str | None = None
    leeway_seconds: float = 0.0
    users: dict[str, UserRights] = field(default_factory=dict)

    def _key_and_algorithms(self, token: str) -> tuple[Any, list[str]]:
        if self.secret is not None:
            return self.secret, ["HS256"]
        if self.public_key is not None:
            return self.public_key, ["RS256", "ES256"]
        if self.jwks is not None:
            try:
                kid = jwt.get_unverified_header(token).get("kid")
            except jwt.PyJWTError as exc:
                raise AuthError(f"malformed token: {exc}") from exc
            for key in self.jwks.get("keys", []):
                if kid is None or key.get("kid") == kid:
                    return jwt.PyJWK(key).key, ["RS256", "ES256"]
            raise AuthError(f"no JWKS key {kid!r}")
        raise AuthError("no verification key configured")

    def verify(self, token: str) -> Claims:
        key, algorithms = self._key_and_algorithms(token)
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.audience,
                leeway=self.leeway_seconds,
                options={"require": ["exp"], "verify_aud": self.audience is not None},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("token expired") from exc
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from exc
        return self.claims(payload)

    def claims(self, payload: Mapping[str, Any]) -> Claims:
        custom = payload.get(V1_NAMESPACE)
        scopes = str(payload.get("scope", "")).split()
        if isinstance(custom, Mapping) and V2_SCOPE not in scopes:
            return Claims(
                act_as=frozenset(_strings(custom.get("actAs"))),
                read_as=frozenset(_strings(custom.get("readAs"))),
                admin=bool(custom.get("admin", False)),
                application_id=custom.get("applicationId"),
                ledger_id=custom.get("ledgerId"),
            )
        user = payload.get("sub")
        if not isinstance(user, str) or not user:
            raise AuthError("the token has neither DAML claims nor a subject")
        rights = self.users.get(user, UserRights(admin=user == ADMIN_USER))
        return Claims(
            act_as=rights.act_as,
            read_as=rights.read_as,
            any_party=rights.any_party,
            admin=rights.admin or user == ADMIN_USER,
            user_id=user,
            application_id=user,
        )


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def load_verifier(
    *, secret: str | None = None, public_key_file: str | None = None, jwks_file: str | None = None
) -> JwtVerifier:
    """A :class:`JwtVerifier` from a secret, a PEM file or a JWKS JSON file."""
    if public_key_file:
        return JwtVerifier(public_key=Path(public_key_file).read_text())
    if jwks_file:
        return JwtVerifier(jwks=json.loads(Path(jwks_file).read_text()))
    if secret:
        return JwtVerifier(secret=secret)
    raise ValueError("give a secret, a public key file or a JWKS file")
