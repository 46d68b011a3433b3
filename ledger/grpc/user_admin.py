"""User management as Daml 2.x authorizes it, shared by the gRPC UserManagementService and the JSON API.

Who may do what (the ``Required authorization`` of Daml's ``user_management_service.proto``):

* create, update, delete, list users, grant and revoke rights: a participant admin (``ParticipantAdmin``) or
  an identity provider admin (``IdentityProviderAdmin``; it may not grant or revoke ``ParticipantAdmin``);
* get a user, list a user's rights: those admins, or the user itself (an empty user id means "my user").

Errors are the engine's (:class:`AuthorizationError` -> PERMISSION_DENIED/403, :class:`ValidationError` ->
INVALID_ARGUMENT/400, :class:`UserNotFound` -> NOT_FOUND/404, :class:`UserExists` -> ALREADY_EXISTS/409), so
each protocol maps them as it maps every engine error.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Unpack

from ledger.engine.errors import AuthorizationError, ValidationError
from ledger.engine.ledger import EmbeddedLedger
from ledger.engine.users import (
    ADMIN,
    ADMIN_USER,
    ANY_PARTY,
    Right,
    User,
    UserChanges,
    UserStore,
    check_user_id,
)
from ledger.grpc.auth import Claims

DEFAULT_IDP = ""


def encode_page_token(last_user_id: str) -> str:
    return base64.urlsafe_b64encode(last_user_id.encode()).decode() if last_user_id else ""


def decode_page_token(token: str) -> str:
    if not token:
        return ""
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationError(f"invalid page token {token!r}") from None


def check_idp(identity_provider_id: str) -> None:
    if identity_provider_id not in (DEFAULT_IDP, "default"):
        raise ValidationError(f"Provided identity_provider_id {identity_provider_id} has not been found.")


@dataclass
class UserAdmin:
    """The participant's users as the caller with ``claims`` may see and change them."""

    store: UserStore
    engine: EmbeddedLedger

    # -- authorization ---------------------------------------------------------------------------------------

    @staticmethod
    def _manager(claims: Claims) -> None:
        if not (claims.is_admin or claims.idp_admin):
            raise AuthorizationError("managing users needs a participant admin or identity provider admin")

    @staticmethod
    def _may_touch(claims: Claims, rights: Iterable[Right]) -> None:
        if not claims.is_admin and any(r.kind in (ADMIN, ANY_PARTY) for r in rights):
            raise AuthorizationError("only a participant admin may grant or revoke ParticipantAdmin")

    @staticmethod
    def own_user(claims: Claims) -> str | None:
        """The caller's user id: its token's user, or ``participant_admin`` for an admin without one."""
        if claims.user_id:
            return claims.user_id
        return ADMIN_USER if claims.is_admin else None

    def target(self, claims: Claims, user_id: str) -> str:
        """The user a get/list-rights call is about (``""``: the caller's own), if the caller may read it."""
        own = self.own_user(claims)
        if not user_id:
            if own is None:
                raise ValidationError("no user id given and the token names no user")
            return own
        check_user_id(user_id)
        if user_id != own and not (claims.is_admin or claims.idp_admin):
            raise AuthorizationError("only an admin may read another user")
        return user_id

    async def _known_parties(self, rights: Iterable[Right]) -> None:
        named = {r.party for r in rights if r.party}
        if not named:
            return
        known = {p.party for p in await self.engine.get_parties(sorted(named))}
        unknown = sorted(named - known)
        if unknown:
            raise ValidationError(
                "Provided parties have not been found in identity_provider_id=`default`: "
                f"[{','.join(unknown)}]."
            )

    # -- operations ------------------------------------------------------------------------------------------

    def get(self, claims: Claims, user_id: str) -> User:
        return self.store.get(self.target(claims, user_id))

    def rights(self, claims: Claims, user_id: str) -> list[Right]:
        return self.store.rights(self.target(claims, user_id))

    async def create(self, claims: Claims, user: User, rights: list[Right]) -> User:
        self._manager(claims)
        check_user_id(user.user_id)
        self._may_touch(claims, rights)
        await self._known_parties(rights)
        return await self.store.create(user, rights)

    async def update(self, claims: Claims, user_id: str, **changes: Unpack[UserChanges]) -> User:
        """:meth:`UserStore.update` of ``user_id`` with ``changes``."""
        self._manager(claims)
        check_user_id(user_id)
        if changes.get("is_deactivated") and user_id == self.own_user(claims):
            raise ValidationError("Requesting user cannot self-deactivate")
        return await self.store.update(user_id, **changes)

    async def delete(self, claims: Claims, user_id: str) -> None:
        self._manager(claims)
        check_user_id(user_id)
        if not claims.is_admin and any(r.kind == ADMIN for r in self.store.rights(user_id)):
            raise AuthorizationError("only a participant admin may delete a participant admin")
        await self.store.delete(user_id)

    def page(self, claims: Claims, page_token: str, page_size: int) -> tuple[list[User], str]:
        self._manager(claims)
        users, last = self.store.page(decode_page_token(page_token), page_size)
        return users, encode_page_token(last)

    def all(self, claims: Claims) -> list[User]:
        self._manager(claims)
        return [self.store.get(u) for u in self.store.user_ids()]

    async def grant(self, claims: Claims, user_id: str, rights: list[Right]) -> list[Right]:
        self._manager(claims)
        check_user_id(user_id)
        self._may_touch(claims, rights)
        self.store.get(user_id)
        await self._known_parties(rights)
        return await self.store.grant(user_id, rights)

    async def revoke(self, claims: Claims, user_id: str, rights: list[Right]) -> list[Right]:
        self._manager(claims)
        check_user_id(user_id)
        self._may_touch(claims, rights)
        return await self.store.revoke(user_id, rights)


#: :meth:`UserAdmin.grant` or :meth:`UserAdmin.revoke`, as the grant and revoke endpoints call them.
RightsChange = Callable[[UserAdmin, Claims, str, list[Right]], Awaitable[list[Right]]]
