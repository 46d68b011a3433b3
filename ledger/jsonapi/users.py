"""User management on the JSON API v1, as Daml 2.x's HTTP JSON API exposes the UserManagementService:

``GET /v1/user`` (my user), ``POST /v1/user`` ``{"userId"}``, ``POST /v1/user/create`` ``{"userId",
"primaryParty"?, "rights"?}``, ``POST /v1/user/delete`` ``{"userId"}``, ``GET /v1/users``,
``GET /v1/user/rights`` (my rights), ``POST /v1/user/rights`` ``{"userId"}``, ``POST /v1/user/rights/grant``
and ``/revoke`` ``{"userId", "rights"}``. A right is ``{"type": "CanActAs"|"CanReadAs", "party": P}``,
``{"type": "ParticipantAdmin"}`` or ``{"type": "IdentityProviderAdmin"}``; a user is
``{"userId", "primaryParty"?}``.
Grant and revoke answer the rights that changed; create and delete answer ``{}``.

A token of an unknown or deactivated user is refused with 403 on every endpoint (Daml's PERMISSION_DENIED).
Choice where Daml refuses: ``GET /v1/user`` and ``GET /v1/user/rights`` with a 1.x custom-claims token (Daml:
401 "A user token was expected") describe what the token allows instead, as this ledger always did.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

import pydantic
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ledger.engine.errors import ValidationError
from ledger.engine.ledger import EmbeddedLedger
from ledger.engine.users import ACT_AS, ADMIN, IDP_ADMIN, READ_AS, Right, User, UserStore
from ledger.grpc.auth import Claims
from ledger.grpc.user_admin import RightsChange, UserAdmin
from ledger.jsonapi.auth import TokenVerifier, UnknownUser, claims_from_header

BodyT = TypeVar("BodyT", bound=pydantic.BaseModel)

RightType = Literal["CanActAs", "CanReadAs", "ParticipantAdmin", "IdentityProviderAdmin"]


class RightBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: RightType
    party: str | None = None

    def right(self) -> Right:
        return Right(self.type, self.party or "")


class UserIdBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    user_id: str = Field(alias="userId")


class CreateUserBody(UserIdBody):
    primary_party: str | None = Field(default=None, alias="primaryParty")
    rights: list[RightBody] = Field(default_factory=list)


class RightsBody(UserIdBody):
    rights: list[RightBody] = Field(default_factory=list)


def user_json(user: User) -> dict[str, Any]:
    body: dict[str, Any] = {"userId": user.user_id}
    if user.primary_party:
        body["primaryParty"] = user.primary_party
    return body


def right_json(right: Right) -> dict[str, Any]:
    return {"type": right.kind, "party": right.party} if right.party else {"type": right.kind}


def rights_json(rights: list[Right]) -> list[dict[str, Any]]:
    """The rights the JSON API can express (not the configured operator right CanActAsAnyParty)."""
    return [right_json(r) for r in rights if r.kind in (ADMIN, IDP_ADMIN, ACT_AS, READ_AS)]


def _token_rights(c: Claims) -> list[Right]:
    """What a 1.x custom-claims token allows, as rights."""
    rights = [Right(ACT_AS, p) for p in sorted(c.act_as)] + [Right(READ_AS, p) for p in sorted(c.read_as)]
    return ([Right(ADMIN)] if c.admin else []) + rights


def ok(result: Any) -> JSONResponse:
    return JSONResponse({"status": 200, "result": result})


async def _parse(request: Request, model: type[BodyT]) -> BodyT:
    try:
        body = await request.json()
    except ValueError:
        raise ValidationError("the request body is not JSON") from None
    try:
        return model.model_validate(body)
    except pydantic.ValidationError as exc:
        errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ValidationError(f"invalid request: {errors}") from None


def users_router(ledger: EmbeddedLedger, verifier: TokenVerifier | None, store: UserStore) -> APIRouter:
    router = APIRouter()
    admin = UserAdmin(store, ledger)

    def claims(request: Request) -> Claims:
        return claims_from_header(verifier, request.headers.get("authorization"), ledger.ledger_id)

    async def caller(request: Request, model: type[BodyT]) -> tuple[Claims, BodyT]:
        """The caller's claims (checked first) and the request's body."""
        return claims(request), await _parse(request, model)

    async def change_rights(request: Request, change: RightsChange) -> JSONResponse:
        """Grant or revoke (``change``) the body's rights; answers the rights that changed."""
        c, body = await caller(request, RightsBody)
        return ok(rights_json(await change(admin, c, body.user_id, [r.right() for r in body.rights])))

    @router.get("/v1/user")
    async def my_user(request: Request) -> JSONResponse:
        c = claims(request)
        if c.user_id is None and not c.is_admin:
            primary = sorted(c.act_as)[0] if c.act_as else None
            return ok({"userId": c.application_id or "", "primaryParty": primary})
        return ok(user_json(admin.get(c, "")))

    @router.post("/v1/user")
    async def get_user(request: Request) -> JSONResponse:
        c, body = await caller(request, UserIdBody)
        return ok(user_json(admin.get(c, body.user_id)))

    @router.post("/v1/user/create")
    async def create_user(request: Request) -> JSONResponse:
        c, body = await caller(request, CreateUserBody)
        user = User(body.user_id, primary_party=body.primary_party or "")
        await admin.create(c, user, [r.right() for r in body.rights])
        return ok({})

    @router.post("/v1/user/delete")
    async def delete_user(request: Request) -> JSONResponse:
        c, body = await caller(request, UserIdBody)
        await admin.delete(c, body.user_id)
        return ok({})

    @router.get("/v1/users")
    async def list_users(request: Request) -> JSONResponse:
        return ok([user_json(u) for u in admin.all(claims(request))])

    @router.get("/v1/user/rights")
    async def my_rights(request: Request) -> JSONResponse:
        c = claims(request)
        if c.user_id is None and not c.is_admin:
            return ok(rights_json(_token_rights(c)))
        return ok(rights_json(admin.rights(c, "")))

    @router.post("/v1/user/rights")
    async def user_rights(request: Request) -> JSONResponse:
        c, body = await caller(request, UserIdBody)
        return ok(rights_json(admin.rights(c, body.user_id)))

    @router.post("/v1/user/rights/grant")
    async def grant(request: Request) -> JSONResponse:
        return await change_rights(request, UserAdmin.grant)

    @router.post("/v1/user/rights/revoke")
    async def revoke(request: Request) -> JSONResponse:
        return await change_rights(request, UserAdmin.revoke)

    return router


def install_users(
    app: FastAPI, ledger: EmbeddedLedger, verifier: TokenVerifier | None, store: UserStore | None
) -> None:
    """Add the user management endpoints to ``app``, and answer a token of an unknown user with 403."""

    @app.exception_handler(UnknownUser)
    async def _unknown_user(_: Request, exc: UnknownUser) -> JSONResponse:
        return JSONResponse({"status": 403, "errors": [f"PERMISSION_DENIED: {exc}"]}, status_code=403)

    app.include_router(users_router(ledger, verifier, store if store is not None else UserStore.memory()))
