"""Keycloak-shaped identity provider: password and refresh-token grants, JWKS, discovery document.

``POST /auth/realms/{realm}/protocol/openid-connect/token`` (form-encoded) answers like Keycloak:
``{access_token, expires_in, refresh_expires_in, refresh_token, token_type, ...}``, or
``{"error", "error_description"}`` with 400/401.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from federation.service.deps import fault_point, state_of
from federation.service.faults import Target
from federation.service.state import ServiceState
from federation.service.tokens import REFRESH, InvalidToken

router = APIRouter(prefix="/auth/realms/{realm}", tags=["identity"])


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _realm_state(request: Request, realm: str) -> ServiceState | JSONResponse:
    state = state_of(request)
    if realm != state.realm:
        return JSONResponse({"error": "Realm does not exist"}, status_code=404)
    return state


@router.post("/protocol/openid-connect/token", dependencies=[Depends(fault_point(Target.TOKEN))])
async def token(realm: str, request: Request) -> Any:
    state = _realm_state(request, realm)
    if isinstance(state, JSONResponse):
        return state
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _oauth_error(400, "invalid_request", "Expected application/x-www-form-urlencoded")
    form = {
        key: values[0] for key, values in parse_qs((await request.body()).decode(errors="replace")).items()
    }
    grant = form.get("grant_type")
    if not grant:
        return _oauth_error(400, "invalid_request", "Missing form parameter: grant_type")
    client_id = form.get("client_id", "")
    if client_id not in state.client_ids:
        return _oauth_error(401, "invalid_client", "Invalid client or Invalid client credentials")
    state.faults.count(f"grant:{grant}")
    if grant == "password":
        user = state.authenticate(form.get("username", ""), form.get("password", ""))
        if user is None:
            return _oauth_error(401, "invalid_grant", "Invalid user credentials")
        return state.issuer.issue(user.username, user.roles, client_id)
    if grant == "refresh_token":
        try:
            claims = state.issuer.verify(form.get("refresh_token", ""), REFRESH)
        except InvalidToken:
            return _oauth_error(400, "invalid_grant", "Invalid refresh token")
        user = state.users.get(str(claims.get("preferred_username")))
        if user is None or claims.get("azp") != client_id:
            return _oauth_error(400, "invalid_grant", "Invalid refresh token")
        return state.issuer.issue(user.username, user.roles, client_id, session=str(claims.get("sid")))
    return _oauth_error(400, "unsupported_grant_type", "Unsupported grant_type")


@router.get("/protocol/openid-connect/certs")
async def certs(realm: str, request: Request) -> Any:
    state = _realm_state(request, realm)
    if isinstance(state, JSONResponse):
        return state
    return state.issuer.jwks()


@router.get("/.well-known/openid-configuration")
async def discovery(realm: str, request: Request) -> Any:
    state = _realm_state(request, realm)
    if isinstance(state, JSONResponse):
        return state
    issuer = state.issuer.issuer
    return {
        "issuer": issuer,
        "token_endpoint": f"{issuer}/protocol/openid-connect/token",
        "jwks_uri": f"{issuer}/protocol/openid-connect/certs",
        "grant_types_supported": ["password", "refresh_token"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
    }


@router.get("")
async def realm_info(realm: str, request: Request) -> Any:
    state = _realm_state(request, realm)
    if isinstance(state, JSONResponse):
        return state
    issuer = state.issuer.issuer
    return {
        "realm": state.realm,
        "token-service": f"{issuer}/protocol/openid-connect",
        "account-service": f"{issuer}/account",
        "tokens-not-before": 0,
    }
