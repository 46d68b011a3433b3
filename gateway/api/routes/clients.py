"""API clients (machines using the client-credentials grant), managed by admins."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status

from gateway.api.deps import AdminUser, DbDep
from gateway.core.passwords import hash_password_async
from gateway.schemas.auth import ApiClientCreate, ApiClientCreated, ApiClientPublic
from store.errors import ConflictError, NotFoundError
from store.records.clients import NewApiClient

router = APIRouter(prefix="/auth/clients", tags=["auth"])

ClientId = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiClientCreated,
    summary="Register a machine client; its secret is in this answer only (admins only)",
    responses={404: {"description": "The owner does not exist."}},
)
async def create_client(body: ApiClientCreate, db: DbDep, admin: AdminUser) -> ApiClientCreated:
    secret = secrets.token_urlsafe(32)
    new = NewApiClient(
        client_id=f"cl_{secrets.token_hex(12)}",
        name=body.name,
        secret_hash=await hash_password_async(secret),
        role=body.role,
        owner_user_id=body.owner_user_id or admin.user_id,
    )
    try:
        async with db.transaction() as repos:
            client = await repos.api_clients.add(new)
    except NotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "the owner user does not exist") from exc
    except ConflictError as exc:  # pragma: no cover - 96 random bits
        raise HTTPException(status.HTTP_409_CONFLICT, "client id clash; try again") from exc
    return ApiClientCreated(**ApiClientPublic.of(client).model_dump(), client_secret=secret)


@router.get("", response_model=list[ApiClientPublic], summary="List the machine clients (admins only)")
async def list_clients(
    db: DbDep,
    _admin: AdminUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[ApiClientPublic]:
    async with db.transaction() as repos:
        clients = await repos.api_clients.list_all(limit=limit, offset=offset)
    return [ApiClientPublic.of(client) for client in clients]


@router.delete(
    "/{client_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a machine client; its tokens stop working at once (admins only)",
    responses={404: {"description": "No such client."}},
)
async def delete_client(client_id: ClientId, db: DbDep, _admin: AdminUser) -> Response:
    try:
        async with db.transaction() as repos:
            await repos.api_clients.remove(client_id)
    except NotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such API client") from exc
    return Response(status_code=status.HTTP_204_NO_CONTENT)
