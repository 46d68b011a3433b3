"""Dependencies of the routes, as Annotated aliases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.bridge.base import AgentBridge
from gateway.core.principal import Principal
from gateway.core.tokens import InvalidToken, TokenService
from store.database import Database
from store.enums import UserRole


def get_engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_tokens(request: Request) -> TokenService:
    tokens: TokenService = request.app.state.tokens
    return tokens


def get_bridge(request: Request) -> AgentBridge:
    bridge: AgentBridge | None = request.app.state.bridge
    if bridge is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the agents are not connected to this gateway"
        )
    return bridge


EngineDep = Annotated[AsyncEngine, Depends(get_engine)]
DbDep = Annotated[Database, Depends(get_db)]
TokensDep = Annotated[TokenService, Depends(get_tokens)]
BridgeDep = Annotated[AgentBridge, Depends(get_bridge)]

_bearer = HTTPBearer(auto_error=False, description="The JWT from POST /auth/token")


async def current_user(
    tokens: TokensDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    unauthorised = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a bearer token is required", unauthorised)
    try:
        return tokens.verify(credentials.credentials)
    except InvalidToken as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc), unauthorised) from exc


CurrentUser = Annotated[Principal, Depends(current_user)]


def require_role(*roles: UserRole) -> Callable[[Principal], Principal]:
    """A dependency letting through only users with one of ``roles`` (403 for the others)."""

    def check(user: CurrentUser) -> Principal:
        if user.role not in roles:
            allowed = " or ".join(str(role) for role in roles)
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the role {allowed}")
        return user

    return check


CustomerUser = Annotated[Principal, Depends(require_role(UserRole.CUSTOMER))]
ManufacturerUser = Annotated[Principal, Depends(require_role(UserRole.MANUFACTURER))]
