"""Ledger API bearer tokens: JWT verification (HS256 secret, RS256/ES256 public key or JWKS) and DAML claims.

Two token shapes are understood, as the Ledger API defines them:

* 1.x "custom claims": ``{"https://daml.com/ledger-api": {"ledgerId", "applicationId", "actAs", "readAs",
  "admin"}, "exp": ...}``;
* 2.x "user" tokens: ``{"sub": USER, "scope": "daml_ledger_api", "exp": ...}``; the user's rights come
  from the server's user table (:class:`UserRights`, looked up on every request: see
  :class:`UserDirectory`). A token of a user the participant does not know, or of a deactivated user, is
  refused with :class:`UnknownUser` (Daml: PERMISSION_DENIED).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import jwt

from ledger.engine.users import ACT_AS, ADMIN, ANY_PARTY, IDP_ADMIN, READ_AS, UserStore
from ledger.engine.users import ADMIN_USER as ADMIN_USER

V1_NAMESPACE = "https://daml.com/ledger-api"
V2_SCOPE = "daml_ledger_api"


class AuthError(Exception):
    """The token is missing, malformed, badly signed, expired or not a DAML ledger token."""


class UnknownUser(AuthError):
    """A well-signed user token whose user the participant does not know or has deactivated: refused with
    PERMISSION_DENIED (gRPC) / 403 (JSON API), as Daml 2.x does, and with one message for both cases."""

    def __init__(self, user_id: str) -> None:
        super().__init__(f"the user {user_id!r} of this token is unknown to the participant or deactivated")
        self.user_id = user_id


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
    idp_admin: bool = False
    """Daml's IdentityProviderAdmin right: may manage the participant's users (not grant ParticipantAdmin)."""

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
    idp_admin: bool = False


class UserDirectory(Mapping[str, UserRights]):
    """The active users of a :class:`UserStore` as a live ``user id -> UserRights`` mapping: what a
    :class:`JwtVerifier` reads on every request, so rights granted or revoked apply to the next request."""

    def __init__(self, store: UserStore) -> None:
        self.store = store

    def __getitem__(self, user_id: str) -> UserRights:
        user = self.store.find(user_id)
        if user is None or user.is_deactivated:
            raise KeyError(user_id)
        rights = self.store.rights(user_id)
        return UserRights(
            act_as=frozenset(r.party for r in rights if r.kind == ACT_AS),
            read_as=frozenset(r.party for r in rights if r.kind == READ_AS),
            admin=any(r.kind == ADMIN for r in rights),
            any_party=any(r.kind == ANY_PARTY for r in rights),
            idp_admin=any(r.kind == IDP_ADMIN for r in rights),
        )

    def __iter__(self) -> Iterator[str]:
        return iter([u for u in self.store.user_ids() if not self.store.get(u).is_deactivated])

    def __len__(self) -> int:
        return len(list(iter(self)))


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Claims: ...


@dataclass
class JwtVerifier:
    """Verifies signature and expiry with PyJWT, then reads the DAML claims.

    Give ``secret`` (HS256), or ``public_key`` (PEM; RS256/ES256), or ``jwks`` (a JWKS document, keys
    picked by ``kid``). ``users`` maps 2.x user ids to their rights (a :class:`UserDirectory` on a server);
    a user token of anyone else is refused (:class:`UnknownUser`).
    """

    secret: str | None = None
    public_key: str | None = None
    jwks: Mapping[str, Any] | None = None
    audience: str | None = None
    leeway_seconds: float = 0.0
    users: Mapping[str, UserRights] = field(default_factory=dict)

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
        rights = self.users.get(user)
        if rights is None:
            raise UnknownUser(user)
        return user_claims(user, rights)


def user_claims(user: str, rights: UserRights) -> Claims:
    """What a token of ``user`` with ``rights`` allows (its application id is the user id, as in Daml)."""
    return Claims(
        act_as=rights.act_as,
        read_as=rights.read_as,
        any_party=rights.any_party,
        admin=rights.admin,
        idp_admin=rights.idp_admin,
        user_id=user,
        application_id=user,
    )


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []
