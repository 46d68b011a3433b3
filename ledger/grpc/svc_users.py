"""UserManagementService of the Ledger API v1 (Daml 2.x): users and their rights, persisted by the engine's
:class:`~ledger.engine.users.UserStore`; authorization as in :mod:`ledger.grpc.user_admin`."""

from __future__ import annotations

import grpc
from dazl._gen.com.daml.ledger.api.v1 import admin as lapiadmin

from ledger.engine.errors import ValidationError
from ledger.engine.users import ACT_AS, ADMIN, ANY_PARTY, IDP_ADMIN, READ_AS, Right, User, UserStore
from ledger.grpc.auth import Claims, JwtVerifier, TokenVerifier, UserDirectory
from ledger.grpc.context import LedgerContext, abort, unary
from ledger.grpc.registry import V1_ADMIN, Service
from ledger.grpc.user_admin import RightsChange, UserAdmin, check_idp

#: Paths of ``UpdateUserRequest.update_mask`` this server understands (``id`` names the user itself).
UPDATABLE = {
    "primary_party",
    "is_deactivated",
    "metadata",
    "metadata.annotations",
    "id",
    "metadata.resource_version",
}


def user_message(user: User) -> lapiadmin.User:
    return lapiadmin.User(
        id=user.user_id,
        primary_party=user.primary_party,
        is_deactivated=user.is_deactivated,
        metadata=lapiadmin.ObjectMeta(
            resource_version=str(user.resource_version), annotations=dict(user.annotations)
        ),
    )


def right_message(right: Right) -> lapiadmin.Right:
    if right.kind == ADMIN:
        return lapiadmin.Right(participant_admin=lapiadmin.Right.ParticipantAdmin())
    if right.kind == IDP_ADMIN:
        return lapiadmin.Right(identity_provider_admin=lapiadmin.Right.IdentityProviderAdmin())
    if right.kind == ACT_AS:
        return lapiadmin.Right(can_act_as=lapiadmin.Right.CanActAs(party=right.party))
    return lapiadmin.Right(can_read_as=lapiadmin.Right.CanReadAs(party=right.party))


def rights_messages(rights: list[Right]) -> list[lapiadmin.Right]:
    """The rights the Ledger API can express (the configured operator right CanActAsAnyParty is not one)."""
    return [right_message(r) for r in rights if r.kind in (ADMIN, IDP_ADMIN, ACT_AS, READ_AS)]


def parse_right(message: lapiadmin.Right) -> Right:
    kind = message.WhichOneof("kind")
    if kind == "participant_admin":
        return Right(ADMIN)
    if kind == "identity_provider_admin":
        return Right(IDP_ADMIN)
    if kind == "can_act_as":
        return Right(ACT_AS, message.can_act_as.party)
    if kind == "can_read_as":
        return Right(READ_AS, message.can_read_as.party)
    raise ValidationError("a user right has no kind")


async def memory_users(verifier: TokenVerifier | None) -> UserStore:
    """A user store in memory for a server started without one: the verifier's configured users are seeded
    into it, and the verifier reads its users from it from then on (so grants and revocations apply)."""
    if isinstance(verifier, JwtVerifier) and isinstance(verifier.users, UserDirectory):
        return verifier.users.store
    store = UserStore.memory()
    if isinstance(verifier, JwtVerifier):
        for user_id, rights in verifier.users.items():
            listed = [Right(ACT_AS, p) for p in rights.act_as] + [Right(READ_AS, p) for p in rights.read_as]
            listed += [Right(ADMIN)] if rights.admin else []
            listed += [Right(ANY_PARTY)] if rights.any_party else []
            listed += [Right(IDP_ADMIN)] if rights.idp_admin else []
            primary = min(rights.act_as) if rights.act_as else ""
            await store.ensure(user_id, listed, primary_party=primary)
        verifier.users = UserDirectory(store)
    return store


def _resource_version(text: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationError(f"invalid resource version {text!r}") from None


class UserServices:
    def __init__(self, ctx: LedgerContext) -> None:
        self.ctx = ctx

    @property
    def admin(self) -> UserAdmin:
        if self.ctx.users is None:
            abort(grpc.StatusCode.UNIMPLEMENTED, "this server has no user store")
        return UserAdmin(self.ctx.users, self.ctx.engine)

    def _caller(self, context: grpc.aio.ServicerContext, identity_provider_id: str) -> Claims:
        """The caller's claims, for a request naming ``identity_provider_id`` (only the default exists)."""
        claims = self.ctx.claims(context)
        check_idp(identity_provider_id)
        return claims

    async def _change_rights(
        self,
        request: lapiadmin.GrantUserRightsRequest | lapiadmin.RevokeUserRightsRequest,
        context: grpc.aio.ServicerContext,
        change: RightsChange,
    ) -> list[lapiadmin.Right]:
        """Grant or revoke (``change``) the request's rights; the rights that changed, as messages."""
        claims = self._caller(context, request.identity_provider_id)
        changed = await change(self.admin, claims, request.user_id, [parse_right(r) for r in request.rights])
        return rights_messages(changed)

    @unary
    async def create_user(
        self, request: lapiadmin.CreateUserRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.CreateUserResponse:
        claims = self._caller(context, request.user.identity_provider_id)
        if not request.user.id:
            raise ValidationError("The submitted command is missing a mandatory field: user.id")
        user = User(
            request.user.id,
            primary_party=request.user.primary_party,
            is_deactivated=request.user.is_deactivated,
            annotations=dict(request.user.metadata.annotations),
        )
        created = await self.admin.create(claims, user, [parse_right(r) for r in request.rights])
        return lapiadmin.CreateUserResponse(user=user_message(created))

    @unary
    async def get_user(
        self, request: lapiadmin.GetUserRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.GetUserResponse:
        claims = self._caller(context, request.identity_provider_id)
        return lapiadmin.GetUserResponse(user=user_message(self.admin.get(claims, request.user_id)))

    @unary
    async def update_user(
        self, request: lapiadmin.UpdateUserRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.UpdateUserResponse:
        claims = self._caller(context, request.user.identity_provider_id)
        paths = set(request.update_mask.paths)
        if not request.user.id:
            raise ValidationError("The submitted command is missing a mandatory field: user.id")
        if not paths or not paths <= UPDATABLE:
            raise ValidationError(
                f"invalid update mask {sorted(paths)}; updatable: primary_party, "
                "is_deactivated, metadata.annotations"
            )
        meta = request.user.metadata
        updated = await self.admin.update(
            claims,
            request.user.id,
            primary_party=request.user.primary_party if "primary_party" in paths else None,
            is_deactivated=request.user.is_deactivated if "is_deactivated" in paths else None,
            annotations=dict(meta.annotations) if paths & {"metadata", "metadata.annotations"} else None,
            resource_version=_resource_version(meta.resource_version),
        )
        return lapiadmin.UpdateUserResponse(user=user_message(updated))

    @unary
    async def delete_user(
        self, request: lapiadmin.DeleteUserRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.DeleteUserResponse:
        claims = self._caller(context, request.identity_provider_id)
        await self.admin.delete(claims, request.user_id)
        return lapiadmin.DeleteUserResponse()

    @unary
    async def list_users(
        self, request: lapiadmin.ListUsersRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.ListUsersResponse:
        claims = self._caller(context, request.identity_provider_id)
        users, next_token = self.admin.page(claims, request.page_token, request.page_size)
        return lapiadmin.ListUsersResponse(users=[user_message(u) for u in users], next_page_token=next_token)

    @unary
    async def grant_user_rights(
        self, request: lapiadmin.GrantUserRightsRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.GrantUserRightsResponse:
        granted = await self._change_rights(request, context, UserAdmin.grant)
        return lapiadmin.GrantUserRightsResponse(newly_granted_rights=granted)

    @unary
    async def revoke_user_rights(
        self, request: lapiadmin.RevokeUserRightsRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.RevokeUserRightsResponse:
        revoked = await self._change_rights(request, context, UserAdmin.revoke)
        return lapiadmin.RevokeUserRightsResponse(newly_revoked_rights=revoked)

    @unary
    async def list_user_rights(
        self, request: lapiadmin.ListUserRightsRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.ListUserRightsResponse:
        claims = self._caller(context, request.identity_provider_id)
        return lapiadmin.ListUserRightsResponse(
            rights=rights_messages(self.admin.rights(claims, request.user_id))
        )

    def services(self) -> list[Service]:
        users = Service(f"{V1_ADMIN}.UserManagementService")
        users.unary("CreateUser", lapiadmin.CreateUserRequest, self.create_user)
        users.unary("GetUser", lapiadmin.GetUserRequest, self.get_user)
        users.unary("UpdateUser", lapiadmin.UpdateUserRequest, self.update_user)
        users.unary("DeleteUser", lapiadmin.DeleteUserRequest, self.delete_user)
        users.unary("ListUsers", lapiadmin.ListUsersRequest, self.list_users)
        users.unary("GrantUserRights", lapiadmin.GrantUserRightsRequest, self.grant_user_rights)
        users.unary("RevokeUserRights", lapiadmin.RevokeUserRightsRequest, self.revoke_user_rights)
        users.unary("ListUserRights", lapiadmin.ListUserRightsRequest, self.list_user_rights)
        return [users]
