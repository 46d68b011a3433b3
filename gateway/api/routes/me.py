"""The logged-in user."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.api.deps import CurrentUser, DbDep
from gateway.api.routes.auth import UserPublic

router = APIRouter(tags=["auth"])


@router.get("/me", response_model=UserPublic)
async def me(user: CurrentUser, db: DbDep) -> UserPublic:
    async with db.transaction() as repos:
        record = await repos.users.require(user.user_id)
    return UserPublic.of(record)
