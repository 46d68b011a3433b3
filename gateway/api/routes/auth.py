"""Registration and login (OAuth 2.0 token endpoint)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, status
from pydantic import BaseModel, Field

from gateway.api.deps import DbDep, TokensDep
from gateway.core.passwords import hash_password, verify_password
from store.enums import UserRole
from store.errors import ConflictError
from store.records.users import NewUser, UserRecord

router = APIRouter(prefix="/auth", tags=["auth"])


class UserCreate(BaseModel):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=8, max_length=256)
    display_name: str = Field(min_length=1, max_length=200)
    role: Literal[UserRole.CUSTOMER, UserRole.MANUFACTURER, UserRole.RESEARCHER] = UserRole.CUSTOMER


class UserPublic(BaseModel):
    id: str
    email: str
    display_name: str
    role: UserRole

    @classmethod
    def of(cls, user: UserRecord) -> UserPublic:
        return cls(id=user.id, email=user.email, display_name=user.display_name, role=user.role)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=UserPublic)
async def register(body: UserCreate, db: DbDep) -> UserPublic:
    new = NewUser(
        email=str(body.email),
        display_name=body.display_name,
        role=body.role,
        password_hash=hash_password(body.password),
    )
    try:
        async with db.transaction() as repos:
            user = await repos.users.add(new)
    except ConflictError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, "a user with this e-mail address exists") from exc
    return UserPublic.of(user)


@router.post("/token", response_model=TokenResponse)
async def token(
    db: DbDep,
    tokens: TokensDep,
    grant_type: Annotated[Literal["password"], Form()],
    username: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=256)],
) -> TokenResponse:
    async with db.transaction() as repos:
        credentials = await repos.users.credentials(username)
    if credentials is None or not verify_password(credentials.password_hash, password):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "wrong e-mail or password", {"WWW-Authenticate": "Bearer"}
        )
    issued = tokens.issue(credentials.id, credentials.role)
    return TokenResponse(access_token=issued.access_token, expires_in=int(tokens.lifetime.total_seconds()))
