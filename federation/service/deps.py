"""Request dependencies of the local federation service: its state, bearer-token checks, fault points."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from federation.service.faults import Target
from federation.service.state import ServiceState
from federation.service.tokens import InvalidToken
from federation.settings import ADMIN_ROLE


def state_of(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.federation
    return state


def _unauthorized(state: ServiceState, error: str, description: str) -> HTTPException:
    header = f'Bearer realm="{state.realm}", error="{error}", error_description="{description}"'
    return HTTPException(401, detail=description, headers={"WWW-Authenticate": header})


def bearer_claims(request: Request) -> dict[str, Any]:
    """The claims of the request's valid access token; 401 otherwise."""
    state = state_of(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized(state, "invalid_request", "a Bearer token is required")
    try:
        return state.issuer.verify(token.strip())
    except InvalidToken as exc:
        raise _unauthorized(state, "invalid_token", str(exc)) from exc


def require_admin(request: Request) -> dict[str, Any]:
    claims = bearer_claims(request)
    roles = claims.get("realm_access", {}).get("roles", [])
    if ADMIN_ROLE not in roles:
        raise HTTPException(403, detail=f"the '{ADMIN_ROLE}' role is required")
    return claims


#: The claims of a valid access token (401 without one).
Claims = Annotated[dict[str, Any], Depends(bearer_claims)]
#: The claims of a valid access token with the admin role (403 without it).
AdminClaims = Annotated[dict[str, Any], Depends(require_admin)]


def fault_point(target: Target) -> Callable[[Request], Awaitable[None]]:
    """A dependency that counts the request and applies a pending injected fault."""

    async def point(request: Request) -> None:
        await state_of(request).faults.hit(target)

    return point
