"""Registration, HTTP Basic login, logout, and admin-created users.

The OAuth 2.0 token endpoint is in :mod:`gateway.api.routes.oauth`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, Response, status

from gateway.api.deps import AdminUser, CurrentUser, DbDep, SettingsDep, TokensDep
from gateway.core.basic_auth import CHALLENGE, MalformedCredentials, basic_credentials
from gateway.core.config import GatewaySettings
from gateway.core.login import LoginFailed, LoginThrottle, LoginThrottled, check_password, client_key
from gateway.core.password_policy import WEAK_PASSWORD, WeakPassword, check_new_password_async
from gateway.core.passwords import hash_password_async
from gateway.core.problems import THROTTLED, ProblemError
from gateway.core.revocation import revoke
from gateway.core.tokens import TokenService
from gateway.schemas.auth import AdminUserCreate, TokenResponse, UserCreate, UserPublic
from store.database import Database
from store.enums import UserRole
from store.errors import ConflictError
from store.records import NewUser

__all__ = ["TokenResponse", "UserCreate", "UserPublic", "router"]

router = APIRouter(prefix="/auth", tags=["auth"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def login_throttle(request: Request) -> LoginThrottle:
    """The gateway's record of failed logins per client."""
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


def client_of(request: Request) -> str:
    return client_key(request.client.host if request.client else None)


async def _create_user(
    db: Database, settings: GatewaySettings, email: str, password: str, display_name: str, role: UserRole
) -> UserPublic:
    try:
        await check_new_password_async(
            password, email=email, display_name=display_name, min_score=settings.password_min_score
        )
    except WeakPassword as exc:
        raise ProblemError(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            str(exc),
            type=WEAK_PASSWORD,
            title="Password too easy to guess",
        ) from exc
    new = NewUser(
        email=email, display_name=display_name, role=role, password_hash=await hash_password_async(password)
    )
    try:
        async with db.transaction() as repos:
            user = await repos.users.add(new)
    except ConflictError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, "a user with this e-mail address exists") from exc
    return UserPublic.of(user)


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    summary="Register as a customer, manufacturer or researcher",
    responses={
        409: {"description": "The e-mail address is taken."},
        422: {"description": "Invalid fields, or a password too easy to guess (the detail says why)."},
    },
)
async def register(body: UserCreate, db: DbDep, settings: SettingsDep) -> UserPublic:
    return await _create_user(db, settings, body.email, body.password, body.display_name, body.role)


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    summary="Create a user of any role, admins included (admins only)",
    responses={
        409: {"description": "The e-mail address is taken."},
        422: {"description": "Invalid fields, or a password too easy to guess (the detail says why)."},
    },
)
async def create_user(
    body: AdminUserCreate, db: DbDep, settings: SettingsDep, _admin: AdminUser
) -> UserPublic:
    return await _create_user(db, settings, body.email, body.password, body.display_name, body.role)


def token_response(
    tokens: TokenService, user_id: str, role: UserRole, client_id: str | None = None
) -> TokenResponse:
    issued = tokens.issue(user_id, role, client_id=client_id)
    return TokenResponse(access_token=issued.access_token, expires_in=int(tokens.lifetime.total_seconds()))


@router.post(
    "/login",
    response_model=TokenResponse,
    summary="Log in with HTTP Basic (e-mail and password); answers a 7-day token",
    openapi_extra={"security": [{"HTTPBasic": []}]},
    responses={
        401: {"description": "Missing or wrong credentials."},
        429: {"description": "Too many failed logins from this client: it waits Retry-After seconds."},
    },
)
async def login(
    request: Request,
    response: Response,
    db: DbDep,
    tokens: TokensDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> TokenResponse:
    unauthorised = {"WWW-Authenticate": CHALLENGE}
    try:
        credentials = basic_credentials(authorization)
    except MalformedCredentials as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc), unauthorised) from exc
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "HTTP Basic credentials are required", unauthorised)
    email, password = credentials
    try:
        user = await check_password(db, login_throttle(request), client_of(request), email, password)
    except LoginThrottled as exc:
        raise ProblemError(
            status.HTTP_429_TOO_MANY_REQUESTS,
            str(exc),
            type=THROTTLED,
            title="Too many failed logins",
            headers={"Retry-After": str(exc.retry_after)},
        ) from exc
    except LoginFailed as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong e-mail or password", unauthorised) from exc
    response.headers.update(NO_STORE)
    return token_response(tokens, user.id, user.role)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke the token this request carries",
    responses={401: {"description": "No valid token."}},
)
async def logout(user: CurrentUser, db: DbDep) -> Response:
    await revoke(db, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
