"""RFC 9457 problem details: the body of every error the gateway answers (except the OAuth token
endpoint, which answers RFC 6749 error bodies).

``type`` is ``about:blank`` for plain HTTP errors (the title is then the status phrase) and a
``/problems/<name>`` reference for the gateway's own kinds of problem.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway.bridge.base import BridgeError
from gateway.core.request_id import current_request_id
from store.errors import ConflictError, NotFoundError, StaleStateError, StoreError

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
VALIDATION = "/problems/validation-error"
TOO_LARGE = "/problems/request-too-large"
INTERNAL = "/problems/internal-error"
THROTTLED = "/problems/too-many-logins"
UNAVAILABLE = "/problems/database-unavailable"
#: Seconds a client is asked to wait when the database does not take a request (a full disk, a lost server).
DATABASE_RETRY_AFTER = 30


def database_refusal(app: FastAPI, within: float = DATABASE_RETRY_AFTER) -> str | None:
    """What the database said when it last refused a request, if that was less than ``within`` s ago."""
    last: tuple[float, str] | None = getattr(app.state, "database_refused", None)
    if last is None or time.monotonic() - last[0] > within:
        return None
    return last[1]


class FieldProblem(BaseModel):
    """One bad field of a request."""

    field: str = Field(description="Where: body.email, query.limit, path.order_id, header.x ...")
    message: str
    type: str = Field(description="Machine-readable kind of the error (pydantic's error type).")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Unauthorized",
                    "status": 401,
                    "detail": "a bearer token is required",
                    "instance": "/me",
                    "request_id": "4f1c2a9e0b6d4e7f9a1b2c3d4e5f6a7b",
                }
            ]
        },
    )

    type: str = Field(default="about:blank", description="URI reference identifying the problem type.")
    title: str = Field(description="Short summary of the problem type.")
    status: int = Field(ge=100, le=599, description="The HTTP status code.")
    detail: str | None = Field(default=None, description="Explanation of this occurrence.")
    instance: str | None = Field(default=None, description="The request path this occurrence is about.")
    request_id: str | None = Field(default=None, description="Id of the request, as in the logs.")
    errors: list[FieldProblem] | None = Field(
        default=None, description="Validation errors: every bad field of the request."
    )


class ProblemError(StarletteHTTPException):
    """An HTTP error with its own problem ``type`` and ``title`` (and optional headers)."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        *,
        type: str = "about:blank",
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, detail, dict(headers) if headers else None)
        self.type = type
        self.title = title


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(
    status: int,
    detail: str | None,
    *,
    instance: str | None,
    type: str = "about:blank",
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    errors: Sequence[FieldProblem] | None = None,
) -> JSONResponse:
    body = Problem(
        type=type,
        title=title or _phrase(status),
        status=status,
        detail=detail,
        instance=instance,
        request_id=current_request_id(),
        errors=list(errors) if errors is not None else None,
    )
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=status,
        headers=dict(headers) if headers else None,
        media_type=MEDIA_TYPE,
    )


def _field_name(location: Sequence[Any]) -> str:
    return ".".join(str(part) for part in location) or "request"


def field_problems(errors: Sequence[Mapping[str, Any]]) -> list[FieldProblem]:
    return [
        FieldProblem(
            field=_field_name(error.get("loc", ())),
            message=str(error.get("msg", "invalid")),
            type=str(error.get("type", "invalid")),
        )
        for error in errors
    ]


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.detail is None or isinstance(exc.detail, str):
        detail = exc.detail
    else:  # a route gave structured detail: keep it readable
        detail = json.dumps(exc.detail, default=str)
    return problem_response(
        exc.status_code,
        detail,
        instance=request.url.path,
        type=getattr(exc, "type", "about:blank"),
        title=getattr(exc, "title", None),
        headers=exc.headers,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = field_problems(exc.errors())
    fields = ", ".join(problem.field for problem in problems)
    return problem_response(
        422,
        f"the request has invalid fields: {fields}",
        instance=request.url.path,
        type=VALIDATION,
        title="Invalid request",
        errors=problems,
    )


async def _bridge_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BridgeError)
    status = exc.status_code if 400 <= exc.status_code <= 599 else 503
    return problem_response(status, exc.reason, instance=request.url.path)


async def _store_error(request: Request, exc: Exception) -> JSONResponse:
    """Store errors a route did not handle itself: missing rows are 404, clashes and races 409."""
    assert isinstance(exc, StoreError)
    if isinstance(exc, NotFoundError):
        status = 404
    elif isinstance(exc, ConflictError | StaleStateError | ValueError):
        status = 409
    else:
        log.error("unhandled store error on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(
            500, "the request could not be completed", instance=request.url.path, type=INTERNAL
        )
    return problem_response(status, str(exc), instance=request.url.path)


async def _database_refused(request: Request, exc: Exception) -> JSONResponse:
    """The database did not take the request (disk full, read-only, locked too long, server gone): the
    transaction that met it rolled back; the client is asked to try again later."""
    assert isinstance(exc, OperationalError)
    words = str(exc.orig or exc)[:500]
    log.error("the database refused %s %s: %s", request.method, request.url.path, words)
    first_line = (words.splitlines() or [""])[0][:200]  # /health tells it, unauthenticated: no SQL or details
    request.app.state.database_refused = (time.monotonic(), first_line)
    return problem_response(
        503,
        "the platform's database does not take requests right now (the step that met it was rolled back): "
        f"try again in {DATABASE_RETRY_AFTER} seconds",
        instance=request.url.path,
        type=UNAVAILABLE,
        title="Database unavailable",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Answer HTTP errors, validation errors, bridge and store errors, and a database that refuses (503 with
    Retry-After) as problem details.

    Unexpected exceptions are turned into 500 problems by :mod:`gateway.core.request_context`.
    """
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(BridgeError, _bridge_error)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(OperationalError, _database_refused)
