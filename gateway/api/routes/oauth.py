"""The OAuth 2.0 token endpoint (RFC 6749): ``grant_type=password`` for people,
``grant_type=client_credentials`` for machines; client authentication by HTTP Basic or by
``client_id``/``client_secret`` in the form. Errors are RFC 6749 section 5.2 bodies."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from starlette.datastructures import FormData

from gateway.api.deps import DbDep, TokensDep
from gateway.api.routes.auth import NO_STORE, client_of, login_throttle, token_response
from gateway.core.basic_auth import CHALLENGE, MalformedCredentials, basic_credentials
from gateway.core.login import LoginFailed, LoginThrottled, check_client, check_password
from gateway.schemas.auth import OAuthError, TokenForm, TokenResponse

router = APIRouter(prefix="/auth", tags=["auth"])

FORM = "application/x-www-form-urlencoded"
_FIELDS = ("grant_type", "username", "password", "client_id", "client_secret", "scope")


class OAuthProblem(Exception):
    def __init__(
        self, status_code: int, error: str, description: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.status_code = status_code
        self.error = error
        self.description = description
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        body = OAuthError.model_validate({"error": self.error, "error_description": self.description})
        return JSONResponse(
            body.model_dump(), status_code=self.status_code, headers={**NO_STORE, **self.headers}
        )


def _invalid_client(description: str) -> OAuthProblem:
    return OAuthProblem(401, "invalid_client", description, {"WWW-Authenticate": CHALLENGE})


def _fields(form: FormData) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name in _FIELDS:
        values = form.getlist(name)
        if len(values) > 1:
            raise OAuthProblem(400, "invalid_request", f"the parameter {name} is repeated")
        if values:
            value = values[0]
            if not isinstance(value, str):
                raise OAuthProblem(400, "invalid_request", f"the parameter {name} must be text")
            limit = 1000 if name == "scope" else 320 if name == "username" else 256
            if len(value) > limit:
                raise OAuthProblem(400, "invalid_request", f"the parameter {name} is too long")
            fields[name] = value
    return fields


def _client_credentials(request: Request, fields: dict[str, str]) -> tuple[str, str] | None:
    try:
        basic = basic_credentials(request.headers.get("authorization"), form_encoded=True)
    except MalformedCredentials as exc:
        raise _invalid_client(str(exc)) from exc
    in_body = "client_id" in fields or "client_secret" in fields
    if basic is not None and in_body and "client_secret" in fields:
        raise OAuthProblem(400, "invalid_request", "use one client authentication method, not two")
    if basic is not None:
        return basic
    if "client_secret" in fields:
        return fields.get("client_id", ""), fields["client_secret"]
    return None


_FORM_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {FORM: {"schema": TokenForm.model_json_schema()}},
    }
}


@router.post(
    "/token",
    response_model=TokenResponse,
    summary="OAuth 2.0 token endpoint: password and client-credentials grants",
    openapi_extra=_FORM_SCHEMA,
    responses={
        400: {"model": OAuthError, "description": "RFC 6749 error: invalid_request, invalid_grant, ..."},
        401: {"model": OAuthError, "description": "invalid_client: the client authentication failed."},
        429: {"model": OAuthError, "description": "Too many failed logins from here: wait Retry-After s."},
    },
)
async def token(request: Request, db: DbDep, tokens: TokensDep) -> Any:
    try:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != FORM:
            raise OAuthProblem(400, "invalid_request", f"the body must be {FORM}")
        fields = _fields(await request.form(max_files=0, max_fields=20))
        grant = fields.get("grant_type")
        if not grant:
            raise OAuthProblem(400, "invalid_request", "the parameter grant_type is missing")
        client = _client_credentials(request, fields)
        if grant == "password":
            return await _password_grant(request, db, tokens, fields, client)
        if grant == "client_credentials":
            return await _client_credentials_grant(db, tokens, client)
        raise OAuthProblem(400, "unsupported_grant_type", f"the grant type {grant!r} is not supported")
    except OAuthProblem as problem:
        return problem.response()


async def _password_grant(
    request: Request,
    db: DbDep,
    tokens: TokensDep,
    fields: dict[str, str],
    client: tuple[str, str] | None,
) -> JSONResponse:
    if client is not None and await check_client(db, *client) is None:
        raise _invalid_client("unknown client or wrong client secret")
    username, password = fields.get("username"), fields.get("password")
    if not username or password is None:
        raise OAuthProblem(400, "invalid_request", "the password grant needs username and password")
    try:
        user = await check_password(db, login_throttle(request), client_of(request), username, password)
    except LoginThrottled as exc:
        raise OAuthProblem(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "invalid_grant",
            str(exc),
            {"Retry-After": str(exc.retry_after)},
        ) from exc
    except LoginFailed as exc:
        raise OAuthProblem(400, "invalid_grant", "wrong e-mail or password") from exc
    body = token_response(tokens, user.id, user.role)
    return JSONResponse(body.model_dump(), headers=NO_STORE)


async def _client_credentials_grant(
    db: DbDep, tokens: TokensDep, client: tuple[str, str] | None
) -> JSONResponse:
    if client is None:
        raise _invalid_client("the client_credentials grant needs client authentication")
    found = await check_client(db, *client)
    if found is None:
        raise _invalid_client("unknown client or wrong client secret")
    body = token_response(tokens, found.owner_user_id, found.role, client_id=found.client_id)
    return JSONResponse(body.model_dump(), headers=NO_STORE)
