"""Dependencies of the routes, as Annotated aliases.

They are ``async def`` although they do not await: FastAPI runs a plain ``def`` dependency in a worker
thread, a thread hop per dependency per request (``get_bridge`` stays plain: routes also call it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.bridge.base import AgentBridge
from gateway.core.authn import Authenticator
from gateway.core.config import GatewaySettings
from gateway.core.oidc import IdentityProviderUnavailable
from gateway.core.principal import Principal
from gateway.core.tokens import InvalidToken, TokenService
from store.database import Database
from store.enums import UserRole


def _app_state(name: str) -> Callable[[Request], Awaitable[Any]]:
    """A dependency answering ``request.app.state.<name>`` (what :func:`gateway.app.create_app` put there)."""

    async def app_state(request: Request) -> Any:
        return getattr(request.app.state, name)

    return app_state


def get_bridge(request: Request) -> AgentBridge:
    bridge: AgentBridge | None = request.app.state.bridge
    if bridge is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the agents are not connected to this gateway"
        )
    return bridge


EngineDep = Annotated[AsyncEngine, Depends(_app_state("engine"))]
DbDep = Annotated[Database, Depends(_app_state("db"))]
TokensDep = Annotated[TokenService, Depends(_app_state("tokens"))]
BridgeDep = Annotated[AgentBridge, Depends(get_bridge)]
SettingsDep = Annotated[GatewaySettings, Depends(_app_state("settings"))]
AuthenticatorDep = Annotated[Authenticator, Depends(_app_state("authenticator"))]

_bearer = HTTPBearer(auto_error=False, description="The JWT from POST /auth/token")


async def current_user(
    authenticator: AuthenticatorDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller: a valid, unrevoked token of an existing user (401 otherwise; 503 when an external
    token cannot be checked because its provider's keys are unreachable)."""
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "a bearer token is required", {"WWW-Authenticate": "Bearer"}
        )
    try:
        return await authenticator.authenticate(credentials.credentials)
    except InvalidToken as exc:
        challenge = 'Bearer error="invalid_token"'
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc), {"WWW-Authenticate": challenge}) from exc
    except IdentityProviderUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc), {"Retry-After": "30"}) from exc


CurrentUser = Annotated[Principal, Depends(current_user)]


def require_role(*roles: UserRole) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency letting through only users with one of ``roles`` (403 for the others)."""

    async def check(user: CurrentUser) -> Principal:
        if user.role not in roles:
            allowed = " or ".join(str(role) for role in roles)
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the role {allowed}")
        return user

    return check


CustomerUser = Annotated[Principal, Depends(require_role(UserRole.CUSTOMER))]
ManufacturerUser = Annotated[Principal, Depends(require_role(UserRole.MANUFACTURER))]
AdminUser = Annotated[Principal, Depends(require_role(UserRole.ADMIN))]
